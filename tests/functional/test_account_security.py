"""Password rules for both account classes, the password page, disabling (sessions and tokens
end), and 代理模式 (both identities recorded, banner, start and end)."""
import pytest

from inservice_portal.accounts import service as accounts_service, password_policy
from inservice_portal import audit
from inservice_portal.resources.accounts import Staff, Teacher

from ..conftest import (PASSWORD, add_course, add_organiser, add_staff, add_teacher, browser,
                        complete, credentials, csrf_of, login)


# --- password rules --------------------------------------------------------------------------

@pytest.fixture
def cheap_hashing(base_settings):
    from inservice_portal.accounts import passwords

    passwords.configure(base_settings)       # test.ini's cheap argon2, as the app would


@pytest.fixture
def teacher(cheap_hashing):
    account = Teacher("t9", "測試教師")
    account.set_password(PASSWORD)
    return account


@pytest.fixture
def staff(cheap_hashing):
    account = Staff("s9", "測試人員")
    account.set_password("First-Pass-001")
    return account


@pytest.mark.parametrize("password,ok", [
    ("short1!", False),                 # 7 characters
    ("password", False), ("Password1", False), ("qwerty123", False), ("1qaz2wsx", False),
    ("11111111", False), ("iloveyou2024", False),
    ("t9t9t9t9", True),                 # long enough, not common: a teacher may
    ("t9", False),
    ("correct horse battery", True),
    ("mangotree", True),                # one class is enough for a teacher
])
def test_teacher_rules(teacher, password, ok):
    assert (password_policy.problems(teacher, password) == []) == ok, password


def test_teacher_may_not_use_the_login_as_password(cheap_hashing):
    account = Teacher("teacher-long", "測試")
    assert password_policy.problems(account, "Teacher-Long")


@pytest.mark.parametrize("password,ok", [
    ("mangotree", False),               # one class
    ("mangotree7", False),              # two classes
    ("Mangotree7", True),               # three
    ("mango-tree7", True),              # three (symbol)
    ("Pass1!", False),                  # too short
    ("Password1!", False),              # common, whatever its classes
])
def test_staff_rules(staff, password, ok):
    assert (password_policy.problems(staff, password) == []) == ok, password


def test_staff_may_not_reuse_any_of_the_last_three(staff):
    for new in ("Second-Pass-002", "Third-Pass-003"):
        assert password_policy.problems(staff, new) == []
        staff.set_password(new)
    for old in ("First-Pass-001", "Second-Pass-002", "Third-Pass-003"):
        assert any("最近 3 次" in p for p in password_policy.problems(staff, old)), old
    staff.set_password("Fourth-Pass-004")
    assert password_policy.problems(staff, "First-Pass-001") == []   # four ago: allowed


def test_the_common_list_is_large_and_case_insensitive(cheap_hashing):
    common = password_policy.common_passwords()
    assert len(common) > 3000
    assert "password" in common and "demo-2026!" not in common
    assert password_policy.problems(Teacher("x1", "x"), "PaSsWoRd")


# --- the password page -----------------------------------------------------------------------

@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        far = add_organiser(root, "pingtung", "134601", "屏東縣立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin", name="王校長")
        add_staff(root, "a-admin2", school, "principal_admin")   # (one always stays)
        add_staff(root, "a-op", school, "operator", name="林作業")
        add_staff(root, "far-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="黃審查")
        add_staff(root, "moe", root, "ministry_admin")
        add_teacher(root, "t1", school, name="林老師")
        return {"draft": complete(add_course(root, school, "草稿研習", state="draft")).code}


def change_password(client, current, new, repeat=None, status=None):
    form = client.get("/password").forms["password-form"]
    form["current"], form["new_password"], form["repeat"] = current, new, repeat or new
    return form.submit("change", status=status or "*")


def test_password_page_applies_the_rules_and_ends_other_sessions(app, world):
    client, other = browser(app, "a-admin"), browser(app, "a-admin")
    assert "目前的密碼不正確" in change_password(client, "wrong", "Mangotree7").text
    assert "不一致" in change_password(client, PASSWORD, "Mangotree7", "Mangotree8").text
    assert "至少三種" in change_password(client, PASSWORD, "mangotree").text
    assert "最近 3 次" in change_password(client, PASSWORD, PASSWORD).text
    assert change_password(client, PASSWORD, "Mangotree7").status_int == 303
    assert client.get("/account").status_int == 200       # this session stays …
    assert other.get("/account", status=303)                # … the other one ended
    client.reset()
    assert login(client, "a-admin", "Mangotree7").status_int == 303


# --- disabling -------------------------------------------------------------------------------

def test_disabling_ends_sessions_and_tokens(app, world, site):
    session = browser(app, "a-op")
    api = browser(app)
    token = api.post_json("/api/v1/tokens", credentials(app, "a-op")).json["token"]
    api.authorization = ("Bearer", token)
    assert api.get("/api/v1/me").json["login"] == "a-op"
    admin = browser(app, "a-admin")
    admin.post("/people/a-op/@@disable", {"csrf_token": csrf_of(admin.get("/people/a-op/@@security"))},
               status=303)
    assert session.get("/account", status=303)
    assert api.get("/api/v1/me", status=401)
    assert site.read(lambda root: (len([s for s in root.login_sessions.values()
                                        if s.login == "a-op"]),
                                   len([t for t in root.api_tokens.values()
                                        if t.login == "a-op"]))) == (0, 0)
    assert login(browser(app), "a-op").status_int == 200     # and no new login


def test_disable_service_for_other_account_pages(app, world, site):
    with site.edit() as root:
        accounts_service.disable(root, root["people"]["t1"], root["people"]["moe"])
    [entry] = [e for e in site.read(lambda root: list(audit.log_of(root).entries.values()))
               if e["action"] == "account.disable"]
    assert entry["object"] == "/people/t1" and entry["actor"] == "moe"


@pytest.mark.parametrize("who,status", [
    ("a-admin", 200),      # its unit's principal admin
    ("tp-rev", 200),       # its centre (轄下單位帳號管理)
    ("moe", 200),          # the ministry
    ("far-admin", 403),    # another centre's school
    ("t1", 403),           # a teacher
])
def test_who_may_manage_an_account(app, world, who, status):
    browser(app, who).get("/people/a-op/@@security", status=status)


def test_nobody_manages_their_own_account_here(app, world):
    browser(app, "a-admin").get("/people/a-admin/@@security", status=403)


def test_operator_cannot_disable(app, world):
    client = browser(app, "a-op")
    client.post("/people/a-admin/@@disable", {"csrf_token": csrf_of(client.get("/account"))},
                status=403)


# --- proxy mode ------------------------------------------------------------------------------

def start_proxy(client, login_name="a-admin", status=303):
    page = client.get("/centres/taipei/proxy", {"unit": "353601"})
    return client.post("/centres/taipei/proxy-start",
                       {"csrf_token": csrf_of(page), "login": login_name}, status=status)


def test_centre_staff_act_for_a_unit_account_and_both_are_recorded(app, world, site):
    reviewer = browser(app, "tp-rev")
    page = reviewer.get("/centres/taipei/proxy", {"unit": "353601"})
    assert "王校長" in page.text and "林老師" not in page.text      # staff only, not teachers
    start_proxy(reviewer)
    home = reviewer.get("/account")
    banner = home.html.select_one(".proxy-banner")
    assert banner is not None and "黃審查" in banner.text and "王校長" in banner.text
    assert "總負責人" in home.text                          # the unit account's roles apply
    url = f"/centres/taipei/353601/{world['draft']}/workflow"
    reviewer.post(url, {"csrf_token": csrf_of(reviewer.get(url)), "transition": "submit"},
                  status=303)
    history = site.read(lambda root: list(
        root["centres"]["taipei"]["353601"][str(world["draft"])].history))
    assert history[-1]["by"] == "a-admin" and history[-1]["proxy_by"] == "tp-rev"
    shown = reviewer.get(url).html.select_one("main").text
    assert "a-admin" in shown and "由 tp-rev 代理" in shown
    log = site.read(lambda root: [dict(e) for e in audit.log_of(root).entries.values()])
    transition = [e for e in log if e["action"] == "workflow.course.submit"][0]
    assert (transition["actor"], transition["on_behalf"]) == ("tp-rev", "a-admin")
    started = [e for e in log if e["action"] == "proxy.start"][0]
    assert (started["actor"], started["on_behalf"]) == ("tp-rev", "a-admin")
    # Not the unit account's password nor its second factor.
    reviewer.get("/password", status=403)
    reviewer.get("/mfa", status=403)
    # Ending it: the banner goes, the reviewer is itself again.
    reviewer.post("/proxy-end", {"csrf_token": csrf_of(home)}, status=303)
    after = reviewer.get("/account")
    assert after.html.select_one(".proxy-banner") is None and "黃審查" in after.text
    assert [e["action"] for e in site.read(lambda root: list(
        audit.log_of(root).entries.values()))][-1] == "proxy.end"


def test_proxy_only_for_the_centres_own_units_and_by_centre_staff(app, world):
    reviewer = browser(app, "tp-rev")
    start_proxy(reviewer, "far-admin", status=400)     # another centre's school
    start_proxy(reviewer, "t1", status=400)            # a teacher
    start_proxy(reviewer, "tp-rev", status=400)        # a centre account
    browser(app, "a-admin").get("/centres/taipei/proxy", status=403)
    browser(app, "t1").get("/centres/taipei/proxy", status=403)


def test_a_second_proxy_needs_the_first_to_end(app, world):
    reviewer = browser(app, "tp-rev")
    start_proxy(reviewer)
    reviewer.get("/centres/taipei/proxy", status=403)


def test_disabling_the_unit_account_ends_the_proxy_session(app, world, site):
    reviewer = browser(app, "tp-rev")
    start_proxy(reviewer)
    with site.edit() as root:
        accounts_service.disable(root, root["people"]["a-admin"], root["people"]["moe"])
    assert reviewer.get("/account", status=303)
