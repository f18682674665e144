"""教師個人帳號申請: validation, consent, uniqueness, immediate activation, the e-mail link."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from inservice_portal import clock
from inservice_portal.rules.national_id import check_digit

from ..conftest import add_organiser, add_teacher, login


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def school(site):
    with site.edit() as root:
        add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_organiser(root, "taipei", "353699", "臺北市教師研習中心", kind="social_education")
        add_teacher(root, "old.teacher", national_id="B123456780")


def valid_id(first9="A22000012"):
    return first9 + check_digit(first9)


def fill(form, **values):
    defaults = {"login": "lin.teacher", "password": "Good-pass-9", "password_confirm": "Good-pass-9",
                "name": "林老師", "national_id": valid_id(), "email": "lin@example.org",
                "employment": "employed", "school": "353601", "stage": "elementary",
                "job_title": "15-4", "subjects": "國語文、數學",
                "account_agreement": True, "personal_data_consent": True}
    defaults.update(values)
    for name, value in defaults.items():
        try:
            form[name] = value
        except ValueError:            # not one of the select's options: post it anyway
            form[name].force_value(value)
    return form


def submit(testapp, status=None, **values):
    form = fill(testapp.get("/signup").forms["signup-form"], **values)
    return form.submit("signup", status=status or "*")


def errors(page):
    return page.html.select_one(".error-summary").get_text(" ", strip=True)


def test_the_page_shows_both_agreements_in_keyboard_scrollable_regions(testapp, school):
    page = testapp.get("/signup")
    regions = page.html.select("section.agreement[role=region][tabindex='0']")
    assert [r.h3.get_text() for r in regions] == [
        "「全國教師在職進修資訊網」帳號申請使用同意書", "「全國教師在職進修資訊網」個人資料提供同意書"]
    assert "請勿將帳號借於他人" in regions[0].get_text()
    assert "國民身分證統一編號" in regions[1].get_text()
    for name in ("account_agreement", "personal_data_consent"):
        box = page.html.select_one(f"input[name={name}]")
        assert box.has_attr("required") and page.html.select_one(f"label[for={box['id']}]")


def test_sign_up_creates_an_active_account_and_mails_a_link(testapp, school, site, smtp):
    page = submit(testapp)
    assert page.status_int == 303 and page.location.endswith("/login")
    teacher = site.read(lambda root: root["people"]["lin.teacher"])
    assert teacher.active and teacher.national_id == valid_id()
    assert teacher.school == "/centres/taipei/353601" and teacher.employed
    assert teacher.subjects == ("國語文", "數學") and teacher.job_title == "15-4"
    assert set(teacher.consents) == {"account_agreement", "personal_data_consent"}
    assert not teacher.email_confirmed
    assert site.read(lambda root: root["people"].login_for_national_id(valid_id())) == "lin.teacher"
    [message] = smtp.messages
    assert message["To"] == "lin@example.org" and "確認" in message["Subject"]
    # Immediately usable (002 Art. 4).
    assert login(testapp, "lin.teacher", "Good-pass-9").status_int == 303
    assert "林老師" in testapp.get("/account").text


def link_of(message):
    return re.search(r"http://localhost(/confirm-email\?\S+)", message.get_content()).group(1)


def test_the_link_confirms_once(testapp, school, site, smtp):
    submit(testapp)
    link = link_of(smtp.messages[0])
    before = site.last_transaction()
    page = testapp.get(link)
    assert site.last_transaction() == before                  # the GET writes nothing
    page = page.forms["confirm-email-form"].submit("confirm")
    assert page.status_int == 303
    assert site.read(lambda root: root["people"]["lin.teacher"].email_confirmed)
    again = testapp.get(link, status=400)
    assert "無效或已使用過" in again.text


def test_a_wrong_token_or_login_confirms_nothing(testapp, school, site, smtp):
    submit(testapp)
    query = parse_qs(urlsplit(link_of(smtp.messages[0])).query)
    testapp.get(f"/confirm-email?login=lin.teacher&token={query['token'][0]}x", status=400)
    testapp.get(f"/confirm-email?login=old.teacher&token={query['token'][0]}", status=400)
    assert not site.read(lambda root: root["people"]["lin.teacher"].email_confirmed)


def test_the_link_expires_and_a_new_one_can_be_sent(testapp, school, site, smtp, monkeypatch):
    submit(testapp)
    link = link_of(smtp.messages[0])
    later = clock.now() + timedelta(hours=49)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = testapp.get(link, status=400)
    assert "已逾期" in page.text
    assert not site.read(lambda root: root["people"]["lin.teacher"].email_confirmed)
    login(testapp, "lin.teacher", "Good-pass-9")
    account_page = testapp.get("/account")
    next(f for f in account_page.forms.values()
         if f.action.endswith("/resend-confirmation")).submit()
    new_link = link_of(smtp.messages[-1])
    assert new_link != link
    testapp.get(new_link).forms["confirm-email-form"].submit("confirm")
    assert site.read(lambda root: root["people"]["lin.teacher"].email_confirmed)
    assert "重新寄送" not in testapp.get("/account").text


@pytest.mark.parametrize("national_id, message", [
    ("A123456788", "檢查碼不正確"),
    ("A12345678", "格式不正確"),
    ("A323456789", "格式不正確"),
])
def test_national_id_is_checked(testapp, school, site, smtp, national_id, message):
    page = submit(testapp, national_id=national_id)
    assert page.status_int == 400 and message in errors(page)
    assert page.forms["signup-form"]["national_id"].value == national_id   # values kept
    field = page.html.select_one("input[name=national_id]")
    assert field["aria-invalid"] == "true"
    described = [page.html.find(id=i) for i in field["aria-describedby"].split()]
    assert message in described[0].get_text() and "新式居留證" in described[1].get_text()
    assert page.forms["signup-form"]["name"].value == "林老師"
    assert "lin.teacher" not in site.read(lambda root: list(root["people"]))
    assert smtp.messages == []


def test_a_new_style_resident_certificate_is_accepted(testapp, school, site, smtp):
    assert submit(testapp, national_id=valid_id("A80000001")).status_int == 303
    assert site.read(lambda root: root["people"].login_for_national_id(
        valid_id("A80000001"))) is not None


def test_lower_case_and_full_width_ids_are_normalised_then_found_taken(testapp, school, smtp,
                                                                       site):
    """Taken by "old.teacher": the page answers as for a new account (it must not tell whose
    ID has one); the owner is told by mail (test_account_takeover.py)."""
    page = submit(testapp, national_id="ｂ123456780")
    assert page.status_int == 303
    assert "lin.teacher" not in site.read(lambda root: list(root["people"]))
    assert [m["To"] for m in smtp.messages] == ["old.teacher@example.org"]


@pytest.mark.parametrize("missing", ["account_agreement", "personal_data_consent"])
def test_both_consents_are_required(testapp, school, site, smtp, missing):
    page = submit(testapp, **{missing: False})
    assert page.status_int == 400 and "須勾選同意" in errors(page)
    assert "lin.teacher" not in site.read(lambda root: list(root["people"]))


@pytest.mark.parametrize("values, message", [
    ({"login": "old.teacher"}, "已有人使用"),
    ({"login": "X"}, "帳號格式不正確"),
    ({"login": "中文帳號"}, "帳號格式不正確"),
    ({"password": "short", "password_confirm": "short"}, "至少需 8"),
    ({"password_confirm": "Other-pass-9"}, "不一致"),
    ({"school": ""}, "在職教師請填服務學校代碼"),
    ({"school": "999999"}, "查無此學校代碼"),
    ({"school": "353699"}, "查無此學校代碼"),             # not a school: a social-education body
    ({"employment": "retired"}, "未在職者請勿填寫服務學校"),
    ({"email": "not-an-address"}, "電子郵件信箱格式不正確"),
    ({"job_title": "15-77"}, "職稱"),
])
def test_invalid_entries_are_refused_with_a_summary(testapp, school, site, smtp, values, message):
    page = submit(testapp, **values)
    assert page.status_int == 400 and message in errors(page), errors(page)
    assert smtp.messages == []


def test_a_teacher_without_a_school_signs_up_read_only(testapp, school, site, smtp):
    assert submit(testapp, employment="retired", school="").status_int == 303
    teacher = site.read(lambda root: root["people"]["lin.teacher"])
    assert teacher.school is None and not teacher.employed and teacher.employment == "retired"


def test_the_login_cannot_be_taken_again_nor_changed(testapp, school, site, smtp):
    submit(testapp)
    page = submit(testapp, national_id=valid_id("A22000013"))
    assert page.status_int == 400 and "已有人使用" in errors(page)
    # Nothing in the profile form renames the account (001 參五(三)1).
    login(testapp, "lin.teacher", "Good-pass-9")
    edit = testapp.get("/people/lin.teacher/@@edit")
    assert "login" not in edit.forms["profile-form"].fields
    form = edit.forms["profile-form"]
    form["name"] = "林大明"
    response = testapp.post("/people/lin.teacher/@@edit",
                            dict(form.submit_fields("save"), login="someone-else"))
    assert response.status_int == 303
    people = site.read(lambda root: {k: (v.login, v.name) for k, v in root["people"].items()})
    assert people["lin.teacher"] == ("lin.teacher", "林大明") and "someone-else" not in people
