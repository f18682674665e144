"""本單位教師帳號管理: the list (IDs masked), 教師資料登錄 (an existing account moves in, or a new
one is made), 離職/轉校/退休; 修改本單位通訊資料; 專長證照登錄申請 and its approval."""
import re

import pytest

from inservice_portal.rules.national_id import check_digit

from ..conftest import add_organiser, add_staff, add_teacher, login
from .test_security import client

SCHOOL = "/centres/taipei/353601"
OTHER = "/centres/taipei/353602"
T1_ID = "A100000001"[:9] + check_digit("A10000000")
T2_ID = "A10000001" + check_digit("A10000001")
NEW_ID = "A20000009" + check_digit("A20000009")


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def units(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_organiser(root, "nknu", "000099", "財團法人研習基金會", kind="social_education",
                      county="臺北市")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "a-contact", school, "contact")
        add_staff(root, "a-op", school, "operator")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_teacher(root, "t1", school, name="王小明", national_id=T1_ID)
        add_teacher(root, "t2", other, name="李大華", national_id=T2_ID)


def teacher(site, login_name):
    return site.read(lambda root: root["people"].get(login_name))


def token_of(page):
    return page.html.select_one("input[name=csrf_token]")["value"]


def test_the_list_shows_the_schools_teachers_with_masked_ids(app, units):
    page = client(app, "a-contact").get(f"{SCHOOL}/teachers")    # 聯絡人 has 教師帳號管理
    table = page.html.select_one("main table").get_text()
    assert "王小明" in table and "李大華" not in table
    assert T1_ID not in page.text and T1_ID[:-4] + "****" in table


@pytest.mark.parametrize("who", ["a-op", "b-admin", "tp-rev", "t1"])
def test_others_cannot_manage_the_schools_teachers(app, units, who):
    browser = client(app, who)
    browser.get(f"{SCHOOL}/teachers", status=403)
    browser.get(f"{SCHOOL}/add-teacher", status=403)
    browser.post(f"{SCHOOL}/teachers", {"csrf_token": token_of(browser.get("/account")),
                                        "login": "t1", "reason": "left"}, status=403)


def test_transfer_out_keeps_the_account_and_loses_the_school(app, units, site):
    admin = client(app, "a-admin")
    page = admin.get(f"{SCHOOL}/teachers")
    form = next(f for f in page.forms.values() if f.get("login", default=None) is not None
                and f["login"].value == "t1")
    form["reason"] = "transferred"
    form.submit()
    t1 = teacher(site, "t1")
    assert t1.school is None and t1.employment == "transferred" and t1.active
    assert "本單位目前有 0 位教師" in admin.get(f"{SCHOOL}/teachers").text
    # The teacher still logs in and reads the account, but may not apply for a licence.
    browser = client(app, "t1")
    assert "目前無服務學校" in browser.get("/account").text
    assert "licence-form" not in browser.get("/people/t1/licences").text


def test_a_school_cannot_transfer_out_another_schools_teacher(app, units, site):
    admin = client(app, "a-admin")
    admin.post(f"{SCHOOL}/teachers", {"csrf_token": token_of(admin.get(f"{SCHOOL}/teachers")),
                                      "login": "t2", "reason": "left"})
    assert teacher(site, "t2").school == OTHER
    assert "不在本單位的教師名單中" in admin.get(f"{SCHOOL}/teachers").text


def add_form(browser, **values):
    form = browser.get(f"{SCHOOL}/add-teacher").forms["add-teacher-form"]
    defaults = {"national_id": NEW_ID, "name": "陳新進", "email": "chen@example.org",
                "stage": "elementary", "job_title": "15-5", "subjects": "英語文", "login": ""}
    defaults.update(values)
    for name, value in defaults.items():
        form[name] = value
    return form.submit("save", status="*")


def test_an_existing_teacher_moves_to_this_school(app, units, site, smtp):
    response = add_form(client(app, "a-admin"), national_id=T2_ID, name="李大華")
    assert response.status_int == 303
    t2 = teacher(site, "t2")
    assert t2.school == SCHOOL and t2.job_title == "15-5" and t2.login == "t2"
    assert smtp.messages[-1]["To"] == "t2@example.org"
    assert "李大華" in client(app, "a-admin").get(f"{SCHOOL}/teachers").text


def test_a_name_that_does_not_match_the_id_is_refused(app, units, site, smtp):
    response = add_form(client(app, "a-admin"), national_id=T2_ID, name="別人")
    assert response.status_int == 400 and "姓名不符" in response.text
    assert teacher(site, "t2").school == OTHER and smtp.messages == []


def test_a_new_teacher_gets_an_account_and_sets_a_password_by_the_link(app, units, site, smtp):
    browser = client(app, "a-admin")
    page = add_form(browser)
    assert page.status_int == 400 and "請設定新帳號的帳號名稱" in page.text
    assert add_form(browser, login="chen.new").status_int == 303
    new = teacher(site, "chen.new")
    assert new.school == SCHOOL and new.password_hash is None and new.national_id == NEW_ID
    link = re.search(r"http://localhost(/confirm-email\?\S+)", smtp.messages[-1].get_content())[1]
    anonymous = client(app)
    form = anonymous.get(link).forms["confirm-email-form"]
    form["password"] = form["password_confirm"] = "Chosen-pass-9"
    assert form.submit("confirm").status_int == 303
    assert teacher(site, "chen.new").email_confirmed
    assert login(client(app), "chen.new", "Chosen-pass-9").status_int == 303


def test_a_bad_id_is_refused(app, units, smtp):
    page = add_form(client(app, "a-admin"), national_id="A123456788", login="chen.new")
    assert page.status_int == 400 and "檢查碼不正確" in page.text


def test_unit_contact_details(app, units, site):
    browser = client(app, "a-contact")       # 聯絡人 has all but 本單位帳號管理 (001 參四(三)4)
    form = browser.get(f"{SCHOOL}/contact").forms["contact-form"]
    form["address"], form["phone"], form["email"] = "臺北市大安區新生南路 1 號", "(02)2700-1234", "office@a.example.org"
    assert form.submit("save", status=400)        # a school also gives its kind (item 14)
    form = browser.get(f"{SCHOOL}/contact").forms["contact-form"]
    form["address"], form["phone"], form["email"] = "臺北市大安區新生南路 1 號", "(02)2700-1234", "office@a.example.org"
    form["school_type"] = "special_education"
    assert form.submit("save").status_int == 303
    assert site.read(lambda root: (root["centres"]["taipei"]["353601"].phone,
                                   root["centres"]["taipei"]["353601"].school_type)) == (
        "(02)2700-1234", "special_education")
    assert "school_type" not in client(app, "tp-rev").get("/centres/taipei/contact").forms[
        "contact-form"].fields                         # a centre is no school
    form = browser.get(f"{SCHOOL}/contact").forms["contact-form"]
    form["email"] = "not an address"
    page = form.submit("save", status=400)
    assert "電子郵件信箱格式不正確" in page.html.select_one(".error-summary").get_text()
    assert page.forms["contact-form"]["address"].value == "臺北市大安區新生南路 1 號"
    client(app, "b-admin").get(f"{SCHOOL}/contact", status=403)
    client(app, "a-op").get(f"{SCHOOL}/contact", status=403)    # 作業人員: courses only
    client(app, "tp-rev").get(f"{SCHOOL}/contact", status=403)
    assert client(app, "tp-rev").get("/centres/taipei/contact").status_int == 200


def apply_licence(browser, title="救生員證"):
    form = browser.get("/people/t1/licences").forms["licence-form"]
    form["title"], form["issuer"], form["number"] = title, "中華民國紅十字會", "L-123"
    form["issued_on"] = "2024-05-01"
    return form.submit("apply")


def test_licence_application_and_approval(app, units, site, smtp):
    t1 = client(app, "t1")
    apply_licence(t1)
    apply_licence(t1, "丙級廚師")
    [first, second] = site.read(lambda root: sorted(
        (l.title, l.id, l.state) for l in root["people"]["t1"].licences.values()))
    assert first[2] == second[2] == "pending"
    # Another teacher cannot see or use t1's page; another school cannot decide.
    client(app, "t2").get("/people/t1/licences", status=403)
    other = client(app, "b-admin")
    other.get(f"{SCHOOL}/licences", status=403)
    client(app, "a-op").get(f"{SCHOOL}/licences", status=403)
    admin = client(app, "a-admin")
    page = admin.get(f"{SCHOOL}/licences")
    assert "救生員證" in page.text and T1_ID not in page.text
    token = token_of(page)
    admin.post(f"{SCHOOL}/licences", {"csrf_token": token, "action": "approve", "login": "t1",
                                      "licence": first[1]})
    admin.post(f"{SCHOOL}/licences", {"csrf_token": token, "action": "reject", "login": "t1",
                                      "licence": second[1], "reason": ""})
    assert "請填寫原因" in admin.get(f"{SCHOOL}/licences").text
    admin.post(f"{SCHOOL}/licences", {"csrf_token": token, "action": "reject", "login": "t1",
                                      "licence": second[1], "reason": "證照影本不清楚"})
    states = site.read(lambda root: {l.title: l.state for l in root["people"]["t1"].licences.values()})
    assert states == {first[0]: "approved", second[0]: "rejected"}
    assert "證照影本不清楚" in smtp.messages[-1].get_content()
    # Deciding twice is refused.
    admin.post(f"{SCHOOL}/licences", {"csrf_token": token, "action": "approve", "login": "t1",
                                      "licence": second[1]})
    assert site.read(lambda root: root["people"]["t1"].licences[second[1]].state) == "rejected"


def nav_titles(browser):
    return [a.get_text() for a in browser.get("/").html.select("nav.main-nav a")]


def test_navigation_offers_each_role_its_pages(app, units, site):
    admin = nav_titles(client(app, "a-admin"))
    assert {"本單位業務帳號管理", "本單位教師帳號管理", "教師專長證照審核", "修改本單位通訊資料"} <= set(admin)
    contact = nav_titles(client(app, "a-contact"))
    assert "本單位教師帳號管理" in contact and "本單位業務帳號管理" not in contact
    operator = nav_titles(client(app, "a-op"))
    assert "本單位教師帳號管理" not in operator and "修改本單位通訊資料" not in operator
    assert "轄下單位帳號管理" in nav_titles(client(app, "tp-rev"))
    with site.edit() as root:
        uni = add_organiser(root, "nknu", "000062", "國立南海師範大學",
                            kind="teacher_education_university", county="高雄市")
        add_staff(root, "u-admin", uni, "principal_admin")
    university = nav_titles(client(app, "u-admin"))
    assert "本單位業務帳號管理" in university and "教師專長證照審核" not in university
    assert {"教師帳號申請", "業務帳號申請"} <= set(nav_titles(client(app)))
    assert "專長證照登錄申請" in nav_titles(client(app, "t1"))
    with site.edit() as root:
        root["people"]["t1"].school = None
    assert "專長證照登錄申請" not in nav_titles(client(app, "t1"))


def test_leaving_the_school_withdraws_pending_licence_applications(app, units, site, smtp):
    apply_licence(client(app, "t1"))
    admin = client(app, "a-admin")
    assert "救生員證" in admin.get(f"{SCHOOL}/licences").text
    admin.post(f"{SCHOOL}/teachers", {"csrf_token": token_of(admin.get(f"{SCHOOL}/teachers")),
                                      "login": "t1", "reason": "retired"})
    assert "目前沒有待審核的申請" in admin.get(f"{SCHOOL}/licences").text
    [licence] = site.read(lambda root: list(root["people"]["t1"].licences.values()))
    assert licence.state == "withdrawn"
    assert "已撤回" in client(app, "t1").get("/people/t1/licences").text


# --- 教師研習記錄 (issue 16 item 3) ---------------------------------------------------------------

def _record(root, login, code, day, hours):
    from datetime import date
    from decimal import Decimal

    from inservice_portal.attendance.records import records_of
    from inservice_portal.resources.records import LOCAL, TrainingRecord

    records_of(root["people"][login], create=True)[(LOCAL, str(code))] = TrainingRecord(
        login, LOCAL, str(code), title=f"研習 {code}", course_code=code, organiser="某校",
        hours=Decimal(hours), days=((date(*day), Decimal(hours)),))


def test_a_school_reads_its_teachers_records(app, units, site):
    from openpyxl import load_workbook
    from io import BytesIO

    from inservice_portal import audit, clock

    year = clock.now().year
    with site.edit() as root:
        _record(root, "t1", 11, (year, 3, 1), "3")
        _record(root, "t1", 12, (year, 4, 1), "2")
        _record(root, "t1", 13, (year - 1, 5, 1), "6")          # another year
        _record(root, "t2", 14, (year, 3, 1), "4")              # another school's teacher
    page = client(app, "a-contact").get(f"{SCHOOL}/teacher-records")
    row = next(r for r in page.html.select("tbody tr") if "王小明" in r.text)
    assert [td.text.strip() for td in row.find_all("td")][1:] == [
        T1_ID[:6] + "****", "合格專任教師", "2", "5", "5"]
    assert "李大華" not in page.text and T1_ID not in page.text
    assert row.find("a")["href"].endswith("/people/t1/transcript")
    last_year = client(app, "a-contact").get(f"{SCHOOL}/teacher-records", {"year": year - 1})
    assert "6" in next(r for r in last_year.html.select("tbody tr") if "王小明" in r.text).text
    sheet = load_workbook(BytesIO(client(app, "a-admin").get(
        f"{SCHOOL}/teacher-records.xlsx").body)).active
    assert [c.value for c in sheet[2]] == ["t1", "王小明", T1_ID[:6] + "****", "合格專任教師",
                                           2, 5.0, 5.0]
    transcript = client(app, "a-admin").get("/people/t1/transcript")
    assert "王小明" in transcript.text and "研習 13" in transcript.text
    assert "回本校教師研習記錄" in transcript.text
    actions = [e["action"] for e in site.read(lambda root: list(
        audit.log_of(root).entries.values()))]
    assert {"records.list", "records.view", "export"} <= set(actions)


@pytest.mark.parametrize("who, url", [
    ("a-op", f"{SCHOOL}/teacher-records"), ("b-admin", f"{SCHOOL}/teacher-records"),
    ("tp-rev", f"{SCHOOL}/teacher-records"), ("t1", f"{SCHOOL}/teacher-records"),
    ("b-admin", "/people/t1/transcript"), ("a-op", "/people/t1/transcript"),
    ("a-admin", "/people/t2/transcript"), ("t2", "/people/t1/transcript"),
    ("tp-rev", "/people/t1/transcript.xlsx"),
])
def test_only_the_schools_principal_admin_and_contact_read_them(app, units, who, url):
    """001 參四(三)4: 教師研習記錄 is the 總負責人's and the 聯絡人's, of their own school."""
    client(app, who).get(url, status=403)
