"""業務帳號: the online application, each approval path and each wrong approver (001 參四(三)4,
003 二(六)), switching types, and deleting an old account only when its courses are finished."""
from datetime import timedelta

import pytest
from pyramid.traversal import find_resource

from inservice_portal import clock

from ..conftest import add_course, add_organiser, add_staff, add_teacher, csrf_of, login
from .test_security import client

SCHOOL = "/centres/taipei/353601"
OTHER = "/centres/taipei/353602"
UNI = "/centres/nknu/000062"
SOCIAL = "/centres/nknu/000099"


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def units(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        uni = add_organiser(root, "nknu", "000062", "國立南海師範大學",
                            kind="teacher_education_university", county="高雄市")
        add_organiser(root, "nknu", "000099", "財團法人研習基金會", kind="social_education",
                      county="臺北市")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "a-contact", school, "contact")
        add_staff(root, "a-op", school, "operator")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "u-admin", uni, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "ks-rev", root["centres"]["kaohsiung"], "centre_reviewer")
        add_staff(root, "nk-rev", root["centres"]["nknu"], "national_centre")
        add_teacher(root, "t1", school)


def apply(app, unit_code, login_name, staff_type, status=303):
    browser = client(app)
    form = browser.get("/apply-staff").forms["staff-application-form"]
    for name, value in {"unit_code": unit_code, "staff_type": staff_type, "login": login_name,
                        "password": "Staff-pass-9", "password_confirm": "Staff-pass-9",
                        "name": "新承辦人", "email": f"{login_name}@example.org",
                        "phone": "(02)2700-0101#123"}.items():
        form[name] = value
    response = form.submit("apply", status="*")
    assert response.status_int == status, response.text[:2000]
    return response


def account(site, login_name):
    return site.read(lambda root: root["people"].get(login_name))


def roles(site, path, login_name):
    from pyramid.traversal import find_resource

    return site.read(lambda root: find_resource(root, path).roles_of(login_name))


def act(browser, url, action, login_name, status=303, **extra):
    page = browser.get(url)
    token = page.html.select_one("input[name=csrf_token]")["value"]
    # (confirmed: deleting asks first, test_deleting_asks_first)
    return browser.post(url, dict(csrf_token=token, action=action, login=login_name,
                                  confirmed="1", **extra), status=status)


def flashes(browser, url):
    return " ".join(p.get_text() for p in browser.get(url).html.select(".flash"))


def test_a_contact_is_activated_by_the_unit_admin(app, units, site, smtp):
    apply(app, "353601", "new.contact", "contact")
    new = account(site, "new.contact")
    assert new.state == "applied" and not new.active and roles(site, SCHOOL, "new.contact") == ()
    browser = client(app)
    assert login(browser, "new.contact", "Staff-pass-9").status_int == 200    # cannot log in yet
    admin = client(app, "a-admin")
    listing = admin.get(f"{SCHOOL}/staff")
    assert "new.contact" in listing.html.select_one("table").get_text()
    # The centre does not see it: it is the unit's to activate.
    assert "new.contact" not in client(app, "tp-rev").get("/centres/taipei/subunits").text
    act(admin, f"{SCHOOL}/staff", "approve", "new.contact")
    new = account(site, "new.contact")
    assert new.active and new.state == "active" and roles(site, SCHOOL, "new.contact") == ("contact",)
    assert login(client(app), "new.contact", "Staff-pass-9").status_int == 303
    # The applicant hears three times (the address's confirmation link, the application
    # received, the approval); the approver (the school's 總負責人) once, with a link.
    to = {}
    for message in smtp.messages:
        to.setdefault(message["To"], []).append(message.get_content())
    assert sorted(to) == ["a-admin@example.org", "new.contact@example.org"]
    assert f"http://localhost{SCHOOL}/staff" in to["a-admin@example.org"][0]
    assert len(to["new.contact@example.org"]) == 3 and "審核通過" in to["new.contact@example.org"][2]
    assert any("/confirm-email?login=new.contact" in m for m in to["new.contact@example.org"])
    assert "目前沒有待審核的申請" in admin.get(f"{SCHOOL}/staff").text
    act(admin, f"{SCHOOL}/staff", "approve", "new.contact")            # a second time
    assert "不在本單位待審核的申請中（或已審核）" in flashes(admin, f"{SCHOOL}/staff")
    assert len(smtp.messages) == 4


def test_a_principal_admin_is_activated_by_the_region_centre(app, units, site, smtp):
    apply(app, "353601", "new.head", "principal_admin")
    [told] = [m for m in smtp.messages if m["To"] == "tp-rev@example.org"]   # the centre is told
    assert "/centres/taipei/subunits" in told.get_content()
    admin = client(app, "a-admin")
    assert "new.head" not in admin.get(f"{SCHOOL}/staff").text
    centre = client(app, "tp-rev")
    assert "new.head" in centre.get("/centres/taipei/subunits").text
    act(centre, "/centres/taipei/subunits", "approve", "new.head")
    assert roles(site, SCHOOL, "new.head") == ("principal_admin",)


def test_units_under_the_national_centre(app, units, site, smtp):
    # A teacher-education university has 本單位帳號管理: its admin activates its contacts …
    apply(app, "000062", "uni.contact", "contact")
    act(client(app, "u-admin"), f"{UNI}/staff", "approve", "uni.contact")
    assert roles(site, UNI, "uni.contact") == ("contact",)
    # … and the national centre its 總負責人.
    apply(app, "000062", "uni.head", "principal_admin")
    act(client(app, "nk-rev"), "/centres/nknu/subunits", "approve", "uni.head")
    assert roles(site, UNI, "uni.head") == ("principal_admin",)
    # A social-education body has none (001 肆): the national centre activates every account.
    apply(app, "000099", "soc.op", "operator")
    act(client(app, "nk-rev"), "/centres/nknu/subunits", "approve", "soc.op")
    assert roles(site, SOCIAL, "soc.op") == ("operator",)


def test_wrong_approvers_are_refused(app, units, site, smtp):
    apply(app, "353601", "new.head", "principal_admin")
    apply(app, "353601", "new.op", "operator")
    admin = client(app, "a-admin")
    # The unit's admin may not activate a 總負责人: not on its own page …
    act(admin, f"{SCHOOL}/staff", "approve", "new.head")
    assert "不在本單位待審核的申請中" in flashes(admin, f"{SCHOOL}/staff")
    # … nor on the centre's.
    admin.get("/centres/taipei/subunits", status=403)
    admin.post("/centres/taipei/subunits", {"csrf_token": admin.get(f"{SCHOOL}/staff").html
               .select_one("input[name=csrf_token]")["value"], "action": "approve",
               "login": "new.head"}, status=403)
    # Another unit's admin, a contact, a foreign centre, the school's centre acting as the
    # school, and a teacher: none reaches the page at all.
    for who, url in [("b-admin", f"{SCHOOL}/staff"), ("a-contact", f"{SCHOOL}/staff"),
                     ("ks-rev", "/centres/taipei/subunits"), ("tp-rev", f"{SCHOOL}/staff"),
                     ("t1", f"{SCHOOL}/staff"), ("t1", "/centres/taipei/subunits"),
                     ("u-admin", "/centres/nknu/subunits")]:
        browser = client(app, who)
        browser.get(url, status=403)
        token = browser.get("/account").html.select_one("input[name=csrf_token]")["value"]
        browser.post(url, {"csrf_token": token, "action": "approve", "login": "new.op"},
                     status=403)
    # The centre may not activate an operator the unit's admin is to activate.
    centre = client(app, "tp-rev")
    act(centre, "/centres/taipei/subunits", "approve", "new.op")
    assert account(site, "new.head").state == "applied"
    assert account(site, "new.op").state == "applied"
    assert roles(site, SCHOOL, "new.op") == () and roles(site, SCHOOL, "new.head") == ()


def test_rejecting_needs_a_reason_and_mails_it(app, units, site, smtp, monkeypatch):
    apply(app, "353601", "new.op", "operator")

    def filed(root):
        return find_resource(root, SCHOOL).staff_applications["new.op"]

    filed_at = site.read(filed)
    monkeypatch.setattr(clock, "now", lambda: filed_at + timedelta(hours=3))
    admin = client(app, "a-admin")
    act(admin, f"{SCHOOL}/staff", "reject", "new.op", reason="  ")
    assert "請填寫原因" in flashes(admin, f"{SCHOOL}/staff")
    assert account(site, "new.op").state == "applied"
    assert site.read(filed) == filed_at           # still as filed, in its place in the queue
    act(admin, f"{SCHOOL}/staff", "reject", "new.op", reason="非本校人員")
    assert account(site, "new.op") is None            # never an account: the login is free
    assert "非本校人員" in smtp.messages[-1].get_content()
    assert "new.op" not in admin.get(f"{SCHOOL}/staff").html.select_one("main table").get_text()


def test_an_empty_application_names_every_field_in_chinese(app, units, smtp):
    browser = client(app)
    page = browser.get("/apply-staff").forms["staff-application-form"].submit("apply", status=400)
    summary = page.html.select_one(".error-summary").get_text()
    assert "請填寫「姓名」" in summary and "請選擇「申請帳號類別」" in summary
    assert "Required" not in summary
    form = page.forms["staff-application-form"]
    form["phone"] = "123"
    summary = form.submit("apply", status=400).html.select_one(".error-summary").get_text()
    assert "聯絡電話：至少需 6 個字元" in summary


def test_application_form_validation(app, units, site, smtp):
    page = apply(app, "999999", "new.op", "operator", status=400)
    assert "查無此單位代碼" in page.html.select_one(".error-summary").get_text()
    page = apply(app, "353601", "a-admin", "operator", status=400)
    assert "已有人使用" in page.html.select_one(".error-summary").get_text()
    assert page.forms["staff-application-form"]["name"].value == "新承辦人"
    assert smtp.messages == []


def test_switching_types(app, units, site, smtp):
    admin = client(app, "a-admin")
    act(admin, f"{SCHOOL}/staff", "switch", "a-op", staff_type="contact")
    assert roles(site, SCHOOL, "a-op") == ("contact",) and account(site, "a-op").staff_type == "contact"
    # Only the centre makes or unmakes a 總負責人 (001 參四(三)4(4)).
    act(admin, f"{SCHOOL}/staff", "switch", "a-contact", staff_type="principal_admin")
    assert "須由所屬區管中心辦理" in flashes(admin, f"{SCHOOL}/staff")
    assert roles(site, SCHOOL, "a-contact") == ("contact",)
    act(admin, f"{SCHOOL}/staff", "switch", "b-admin", staff_type="contact")     # not ours
    assert roles(site, OTHER, "b-admin") == ("principal_admin",)
    centre = client(app, "tp-rev")
    act(centre, f"{SCHOOL}/unit-staff", "switch", "a-contact", staff_type="principal_admin")
    assert roles(site, SCHOOL, "a-contact") == ("principal_admin",)
    client(app, "ks-rev").get(f"{SCHOOL}/unit-staff", status=403)
    client(app, "a-admin").get(f"{SCHOOL}/unit-staff", status=403)


def test_deletion_is_refused_while_a_course_is_open(app, units, site, smtp):
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        open_course = add_course(root, school, "進行中的研習", state="roster_pending")
        open_course.created_by = "a-op"
        done = add_course(root, school, "已結案的研習", state="closed")
        done.created_by = "a-op"
        code = open_course.code
    admin = client(app, "a-admin")
    act(admin, f"{SCHOOL}/staff", "delete", "a-op")
    message = flashes(admin, f"{SCHOOL}/staff")
    assert "尚未全部完成名單確認" in message and str(code) in message
    assert account(site, "a-op").active and roles(site, SCHOOL, "a-op") == ("operator",)
    with site.edit() as root:
        root["centres"]["taipei"]["353601"][str(code)].state = "closed"
        from inservice_portal.resources.events import ObjectModified, notify

        notify(ObjectModified(root["centres"]["taipei"]["353601"][str(code)]))
    act(admin, f"{SCHOOL}/staff", "delete", "a-op")
    gone = account(site, "a-op")
    assert gone.state == "deleted" and not gone.active and roles(site, SCHOOL, "a-op") == ()
    assert login(client(app), "a-op").status_int == 200          # can no longer log in
    # The login stays taken: an account is never handed to another person.
    assert "已有人使用" in apply(app, "353601", "a-op", "operator", status=400).text


def test_a_principal_admin_is_deleted_only_by_the_centre(app, units, site, smtp):
    admin = client(app, "a-admin")
    act(admin, f"{SCHOOL}/staff", "delete", "a-admin")
    assert roles(site, SCHOOL, "a-admin") == ("principal_admin",)
    with site.edit() as root:
        add_staff(root, "a-admin2", root["centres"]["taipei"]["353601"], "principal_admin")
    act(admin, f"{SCHOOL}/staff", "delete", "a-admin2")
    assert "須向所屬區管中心申請" in flashes(admin, f"{SCHOOL}/staff")
    act(client(app, "tp-rev"), f"{SCHOOL}/unit-staff", "delete", "a-admin2")
    assert account(site, "a-admin2").state == "deleted"


def test_account_pages_use_the_matrix_functions(app, config):
    """Each page is the 001 肆 function of its name (帳號管理 and 機關資料 rows)."""
    from pyramid.config.views import isexception

    from inservice_portal.resources.interfaces import IAccount, IOrganiser, IRegionCentre

    expected = {
        (IOrganiser, "staff"): "unit.accounts",          # 本單位帳號管理 (業務帳號)
        (IOrganiser, "licences"): "unit.accounts",       # 教師專長證照: the school's account admin
        (IOrganiser, "teachers"): "unit.teachers",       # 教師資料登錄 / 本校教師帳號管理
        (IOrganiser, "add-teacher"): "unit.teachers",
        (IOrganiser, "unit-staff"): "subunit.accounts",  # 轄下單位帳號管理
        (IRegionCentre, "subunits"): "subunit.accounts",
        (IOrganiser, "contact"): "unit.edit_contact",    # 修改本單位通訊資料
        (IRegionCentre, "contact"): "unit.edit_contact",
        (IAccount, "edit"): "self.edit",                 # 修改個人基本資料
    }
    found = {}
    for item in config.registry.introspector.get_category("views"):
        intr = item["introspectable"]
        key = (intr["context"], intr["name"])
        if key in expected and not isexception(intr["context"]):
            found.setdefault(key, set()).update(
                r["value"] for r in item["related"] if r.category_name == "permissions")
    assert found == {k: {v} for k, v in expected.items()}


def test_a_staff_account_cannot_be_renamed_to_another_person(app, units, site, smtp):
    admin = client(app, "a-admin")
    form = admin.get("/people/a-admin/@@edit").forms["profile-form"]
    assert "name" not in form.fields and "login" not in form.fields
    form["phone"] = "(02)2700-9999"
    response = admin.post("/people/a-admin/@@edit",
                          dict(form.submit_fields("save"), name="別人", login="someone"))
    assert response.status_int == 303
    me = account(site, "a-admin")
    assert (me.login, me.name, me.phone) == ("a-admin", "測試人員", "(02)2700-9999")
    # Nor edited by anyone else, whatever their role.
    client(app, "tp-rev").get("/people/a-admin/@@edit", status=403)


def test_a_centres_own_account_is_activated_by_the_national_centre(app, units, site, smtp):
    apply(app, "taipei", "tp.new", "centre_reviewer")
    assert "tp.new" not in client(app, "tp-rev").get("/centres/taipei/subunits").text
    act(client(app, "tp-rev"), "/centres/taipei/subunits", "approve", "tp.new")
    assert roles(site, "/centres/taipei", "tp.new") == ()
    client(app, "tp-rev").get("/centres/nknu/subunits", status=403)
    national = client(app, "nk-rev")
    assert "tp.new" in national.get("/centres/nknu/subunits").text
    act(national, "/centres/nknu/subunits", "approve", "tp.new")
    assert roles(site, "/centres/taipei", "tp.new") == ("centre_reviewer",)
    browser = client(app)
    assert login(browser, "tp.new", "Staff-pass-9").status_int == 303
    # A new staff account enrols its second factor before it reaches the centre's pages.
    assert "/mfa" in browser.get("/centres/taipei/worklist", status=303).location


@pytest.mark.parametrize("code, staff_type, message", [
    ("taipei", "contact", "請選擇「區管中心審核人員」"),
    ("353601", "centre_reviewer", "請選擇總負責人、聯絡人或作業人員"),
    ("nknu", "centre_reviewer", "請洽教育部"),
])
def test_the_type_must_fit_the_unit(app, units, site, smtp, code, staff_type, message):
    page = apply(app, code, "new.one", staff_type, status=400)
    assert message in page.html.select_one(".error-summary").get_text()
    assert account(site, "new.one") is None


def audit_actions(site, login_name):
    from inservice_portal import audit

    return site.read(lambda root: [
        (e["action"], e["actor"], (e.get("detail") or {}).get("comment", ""))
        for e in audit.log_of(root).entries.values() if e["object"] == f"/people/{login_name}"
        and not e["action"].startswith("login.")])


def test_each_step_of_an_account_is_in_its_history_and_the_audit_log(app, units, site, smtp):
    """workflows/staff_account.py: apply → approve, switch, disable → enable → delete, each an
    entry of the one history form and an audit entry; a rejection is audited though the
    application is gone."""
    apply(app, "353601", "new.op", "operator")
    admin = client(app, "a-admin")
    act(admin, f"{SCHOOL}/staff", "approve", "new.op")
    act(admin, f"{SCHOOL}/staff", "switch", "new.op", staff_type="contact")
    moe = client(app, "tp-rev")
    page = moe.get("/people/new.op/@@security")
    token = page.html.select_one("input[name=csrf_token]")["value"]
    moe.post("/people/new.op/@@disable", {"csrf_token": token, "reason": "留職停薪"}, status=303)
    assert login(client(app), "new.op", "Staff-pass-9").status_int == 200   # cannot log in
    assert "恢復啟用此帳號" in moe.get("/people/new.op/@@security").text
    moe.post("/people/new.op/@@enable", {"csrf_token": token}, status=303)
    assert login(client(app), "new.op", "Staff-pass-9").status_int == 303
    act(admin, f"{SCHOOL}/staff", "delete", "new.op")
    history = account(site, "new.op").history
    assert [(e["transition"], e["from"], e["to"], e["by"]) for e in history] == [
        ("apply", None, "applied", "new.op"),
        ("approve", "applied", "active", "a-admin"),
        ("switch", "active", "active", "a-admin"),
        ("disable", "active", "disabled", "tp-rev"),
        ("enable", "disabled", "active", "tp-rev"),
        ("delete", "active", "deleted", "a-admin")]
    assert history[2]["comment"] == "作業人員 → 聯絡人" and history[3]["comment"] == "留職停薪"
    assert audit_actions(site, "new.op") == [
        ("staff.apply", "new.op", ""), ("workflow.staff.approve", "a-admin", ""),
        ("staff.switch", "a-admin", ""), ("workflow.staff.disable", "tp-rev", "留職停薪"),
        ("workflow.staff.enable", "tp-rev", ""), ("workflow.staff.delete", "a-admin", "")]
    # a deleted account is not enabled again
    moe.post("/people/new.op/@@enable", {"csrf_token": token}, status=303)
    assert account(site, "new.op").state == "deleted" and not account(site, "new.op").active

    apply(app, "353601", "new.op2", "operator")
    act(admin, f"{SCHOOL}/staff", "reject", "new.op2", reason="非本校人員")
    assert account(site, "new.op2") is None
    assert audit_actions(site, "new.op2")[-1] == ("workflow.staff.reject", "a-admin", "非本校人員")


def test_the_staff_workflow_refuses_a_step_from_the_wrong_state(app, units, site):
    from inservice_portal.workflows import api as workflow_api

    with site.edit() as root:
        active = root["people"]["a-op"]
        for name in ("approve", "reject", "enable"):
            assert not workflow_api.may(active, None, name)
            with pytest.raises(workflow_api.TransitionNotAllowed):
                workflow_api.transition(active, None, name)
        assert workflow_api.may(active, None, "disable")
        assert active.state == "active" and not active.history


def test_evolve_step_19_gives_disabled_staff_their_state_and_old_history_its_form(app, units,
                                                                                    site):
    from inservice_portal import evolve

    at = clock.now()
    with site.edit() as root:
        gone = root["people"]["a-op"]
        gone.active = False                         # disabled before the workflow existed
        gone.history = [{"action": "approve", "by": "a-admin", "at": at, "comment": ""}]
        setattr(root, evolve.VERSION_KEY, 18)
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    gone = account(site, "a-op")
    assert gone.state == "disabled" and account(site, "a-admin").state == "active"
    assert gone.history == [{"transition": "approve", "from": None, "to": None, "by": "a-admin",
                             "at": at, "reasons": [], "comment": ""}]


def test_a_unit_always_keeps_one_active_principal_admin(app, units, site, smtp):
    """003 二(六)1 "各校至少一位…「總負責人」": the last active one is neither deleted by the
    centre nor disabled, until another is active."""
    centre = client(app, "tp-rev")
    act(centre, f"{SCHOOL}/unit-staff", "delete", "a-admin")
    assert "須至少保留一位啟用中的「總負責人」" in flashes(centre, f"{SCHOOL}/unit-staff")
    page = centre.get("/people/a-admin/@@security")
    token = page.html.select_one("input[name=csrf_token]")["value"]
    centre.post("/people/a-admin/@@disable", {"csrf_token": token}, status=303)
    assert account(site, "a-admin").active and account(site, "a-admin").state == "active"
    apply(app, "353601", "new.head", "principal_admin")
    act(centre, "/centres/taipei/subunits", "approve", "new.head")
    centre.post("/people/a-admin/@@disable", {"csrf_token": token}, status=303)
    assert account(site, "a-admin").state == "disabled"
    centre.post("/people/new.head/@@disable", {"csrf_token": token}, status=303)
    assert account(site, "new.head").active                       # now the last one


def test_the_last_principal_admin_is_not_switched_away(app, units, site, smtp):
    centre = client(app, "tp-rev")
    act(centre, f"{SCHOOL}/unit-staff", "switch", "a-admin", staff_type="contact")
    assert "須至少保留一位啟用中的「總負責人」" in flashes(centre, f"{SCHOOL}/unit-staff")
    assert roles(site, SCHOOL, "a-admin") == ("principal_admin",)


def test_deleting_asks_first(app, units, site):
    """Issue 16 item 2: deleting a staff account answers a confirmation page first."""
    admin = client(app, "a-admin")
    page = admin.get(f"{SCHOOL}/staff")
    asked = admin.post(f"{SCHOOL}/staff", {"csrf_token": csrf_of(page), "action": "delete",
                                           "login": "a-op"}, status=200)
    assert "請確認：刪除業務帳號" in asked.text and "（a-op）" in asked.text
    assert "無法復原" in asked.text
    assert account(site, "a-op").active
    form = next(f for f in asked.forms.values() if "confirmed" in f.fields)
    assert (form["action"].value, form["login"].value) == ("delete", "a-op")
    form.submit(status=303)
    assert account(site, "a-op").state == "deleted"


@pytest.mark.parametrize("login_name, told", [
    ("a-admin", "總負責人帳號之刪除須向所屬區管中心申請"),   # a 總負責人: the centre's
    ("b-admin", "不是本單位的業務帳號"),               # another school's: no name shown
    ("t1", "不是本單位的業務帳號"),
])
def test_a_deletion_that_would_be_refused_is_not_asked(app, units, site, login_name, told):
    admin = client(app, "a-admin")
    page = admin.get(f"{SCHOOL}/staff")
    answer = admin.post(f"{SCHOOL}/staff", {"csrf_token": csrf_of(page), "action": "delete",
                                            "login": login_name}, status=303).follow()
    assert told in " ".join(p.get_text() for p in answer.html.select(".flash"))
    assert "請確認" not in answer.text
