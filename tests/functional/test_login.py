"""Login, logout, lockout, session rotation and the account page."""
from datetime import timedelta

import pytest

from inservice_portal import clock
from inservice_portal.accounts.authentication import FAILURE_MESSAGE

from ..conftest import PASSWORD, add_organiser, add_staff, add_teacher, csrf_of, login


@pytest.fixture
def people(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        add_teacher(root, "t1", school, name="林老師")


def test_teacher_logs_in_and_sees_home(testapp, people):
    response = login(testapp, "t1")
    assert response.status_int == 303
    home = response.follow()
    assert "我的帳號" in home.text
    assert 'lang="zh-Hant-TW"' in home.text


def test_account_page_shows_roles_and_unit(testapp, people):
    login(testapp, "es-admin")
    page = testapp.get("/account")
    assert "王校長" in page.text
    assert "總負責人" in page.text
    assert "臺北市立測試國民小學" in page.text


def test_teacher_account_page_masks_national_id(testapp, people):
    login(testapp, "t1")
    page = testapp.get("/account")
    assert "A12345****" in page.text
    assert "A123456789" not in page.text


def test_wrong_password_and_unknown_login_say_the_same(testapp, people):
    wrong = login(testapp, "t1", "nope")
    unknown = login(testapp, "nobody", "nope")
    assert FAILURE_MESSAGE in wrong.text and FAILURE_MESSAGE in unknown.text
    assert "我的帳號" not in wrong.text
    # The login name typed is kept; the password is not echoed.
    assert 'value="t1"' in wrong.text and 'value="nope"' not in wrong.text


def test_five_failures_lock_for_fifteen_minutes(testapp, people, monkeypatch):
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    for _ in range(5):
        assert login(testapp, "t1", "wrong").status_int == 200
    locked = login(testapp, "t1", PASSWORD)          # the right password, but locked
    assert locked.status_int == 200 and FAILURE_MESSAGE in locked.text
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=14, seconds=59))
    assert login(testapp, "t1", PASSWORD).status_int == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=15, seconds=1))
    assert login(testapp, "t1", PASSWORD).status_int == 303


def test_four_failures_then_success_resets_the_count(testapp, people):
    for _ in range(4):
        login(testapp, "t1", "wrong")
    assert login(testapp, "t1").status_int == 303
    testapp.reset()
    for _ in range(4):
        login(testapp, "t1", "wrong")
    assert login(testapp, "t1").status_int == 303


def test_session_cookie_is_rotated_at_login(testapp, people):
    testapp.get("/login")
    before = testapp.cookies.get("isp_session")
    assert before
    login(testapp, "t1")
    after = testapp.cookies.get("isp_session")
    assert after and after != before
    # The pre-login cookie does not carry the login.
    testapp.set_cookie("isp_session", before)
    assert testapp.get("/account").status_int == 303


def test_each_login_gets_a_new_session_id(testapp, people, site):
    login(testapp, "t1")
    testapp.reset()
    login(testapp, "t1")
    assert site.read(lambda root: len(root.login_sessions)) == 2


def test_cookie_holds_no_personal_data(testapp, people):
    login(testapp, "t1")
    import base64
    raw = testapp.cookies["isp_session"]
    payload = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    for personal in (b"t1", "林老師".encode(), b"A123456789"):
        assert personal not in payload


def test_idle_timeout_is_thirty_minutes(testapp, people, monkeypatch):
    import time as time_module
    login(testapp, "t1")
    assert testapp.get("/account").status_int == 200
    real = time_module.time()
    monkeypatch.setattr(time_module, "time", lambda: real + 31 * 60)
    assert testapp.get("/account").status_int == 303


def test_absolute_timeout_is_twelve_hours(testapp, people, monkeypatch):
    login(testapp, "t1")
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=12, seconds=1))
    assert testapp.get("/account").status_int == 303


def test_logout_ends_the_session(testapp, people, site):
    login(testapp, "t1")
    page = testapp.get("/account")
    cookie = testapp.cookies["isp_session"]
    testapp.post("/logout", {"csrf_token": csrf_of(page)}, status=303)
    assert testapp.get("/account").status_int == 303
    # Replaying the old cookie does not bring the session back.
    testapp.set_cookie("isp_session", cookie)
    assert testapp.get("/account").status_int == 303
    assert site.read(lambda root: len(root.login_sessions)) == 0


def test_disabled_account_cannot_log_in_or_keep_its_session(testapp, people, site):
    login(testapp, "t1")
    with site.edit() as root:
        root["people"]["t1"].active = False
    assert testapp.get("/account").status_int == 303
    assert login(testapp, "t1").status_int == 200


def test_came_from_is_never_an_open_redirect(testapp, people):
    page = testapp.get("/login?came_from=//evil.example/")
    form = page.forms["login-form"]
    form["login"], form["password"] = "t1", PASSWORD
    response = form.submit("submit")
    assert response.location == "http://localhost/"


def test_anonymous_is_sent_to_login_and_back(testapp, people):
    response = testapp.get("/account")
    assert response.status_int == 303
    assert "/login?came_from=/account" in response.location
