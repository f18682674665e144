"""Multi-factor login: the code step, replay refusal, recovery codes, enrolment (required for
staff, optional for teachers), the API token call, and the password reset that keeps the
second factor."""
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
import webtest

from inservice_portal import clock
from inservice_portal.accounts import mfa

from ..conftest import (PASSWORD, TOTP_SECRET, add_organiser, add_staff, add_teacher, csrf_of,
                        login, otp_for)

NEW_PASSWORD = "Nuevo-Clave-2027#"


@pytest.fixture
def people(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        add_staff(root, "newbie", school, "operator", name="新進人員", enrolled=False)
        add_teacher(root, "t1", school, name="林老師")


def browser(app):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


def code_now(secret=TOTP_SECRET, offset=0):
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(clock.now()) + offset)


def password_step(client, login_name, password=PASSWORD):
    form = client.get("/login").forms["login-form"]
    form["login"], form["password"] = login_name, password
    return form.submit("submit")


def code_step(client, code, status=None):
    form = client.get("/login-otp").forms["otp-form"]
    form["code"] = code
    return form.submit("verify", status=status or "*")


# --- the code step ---------------------------------------------------------------------------

def test_staff_needs_the_code_after_the_password(app, people, site):
    client = browser(app)
    response = password_step(client, "es-admin")
    assert response.status_int == 303 and urlsplit(response.location).path == "/login-otp"
    # Not logged in yet: a page behind login sends back to the code step, not further.
    assert "/login-otp" in client.get("/account", status=303).location
    done = code_step(client, code_now())
    assert done.status_int == 303 and done.location.endswith("/todo")   # staff land on 待辦事項
    assert "王校長" in client.get("/account").text


def test_the_code_step_keeps_the_page_asked_for(app, people):
    client = browser(app)
    client.get("/account", status=303).follow()
    form = client.get("/login?came_from=/account").forms["login-form"]
    form["login"], form["password"] = "es-admin", PASSWORD
    response = form.submit("submit")
    assert "came_from=/account" in response.location
    form = response.follow().forms["otp-form"]
    form["code"] = code_now()
    assert form.submit("verify").location == "http://localhost/account"


def test_a_code_is_refused_the_second_time_even_in_its_window(app, people):
    code = code_now()
    first = browser(app)
    password_step(first, "es-admin")
    assert code_step(first, code).status_int == 303
    second = browser(app)
    password_step(second, "es-admin")
    replay = code_step(second, code)
    assert replay.status_int == 400 and "已使用過" in replay.text
    assert second.get("/account", status=303)
    # An older code of the window is refused too; the next one is accepted.
    assert code_step(second, code_now(offset=-1)).status_int == 400
    assert code_step(second, code_now(offset=1)).status_int == 303


def test_wrong_codes_lock_the_account_like_wrong_passwords(app, people, site):
    client = browser(app)
    password_step(client, "es-admin")
    for _ in range(4):
        assert code_step(client, "000000").status_int == 400
    locked = code_step(client, "000001")
    assert locked.status_int == 303 and urlsplit(locked.location).path == "/login"
    assert site.read(lambda root: root["people"]["es-admin"].is_locked(clock.now()))
    # Locked: even the right password and code do not get in now.
    again = browser(app)
    assert password_step(again, "es-admin").status_int == 200


def test_a_right_password_does_not_wipe_the_count_of_wrong_codes(app, people, site):
    for _ in range(5):
        client = browser(app)
        password_step(client, "es-admin")
        code_step(client, "999999")
    assert site.read(lambda root: root["people"]["es-admin"].is_locked(clock.now()))


def test_the_code_step_expires(app, people, monkeypatch):
    client = browser(app)
    password_step(client, "es-admin")
    later = clock.now() + timedelta(minutes=11)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert urlsplit(client.get("/login-otp").location).path == "/login"


# --- enrolment -------------------------------------------------------------------------------

def enrol(client, url="/mfa"):
    """Fill in the enrolment page with a code from its own secret: the recovery codes page."""
    page = client.get(url)
    form = page.forms["enrol-form"]
    secret = form["secret"].value
    assert mfa.grouped(secret) in page.text              # the key for manual entry …
    assert 'src="data:image/svg+xml' in page.text         # … and the QR code
    form["code"] = code_now(secret)
    done = form.submit("enrol")
    return secret, done


def test_staff_without_mfa_must_enrol_before_anything_else(app, people, site):
    client = browser(app)
    response = password_step(client, "newbie")
    assert urlsplit(response.location).path == "/mfa"
    for url in ("/account", "/centres/taipei/353601/courses"):
        assert urlsplit(client.get(url, status=303).location).path == "/mfa"
    page = client.get("/mfa")
    assert "業務帳號必須啟用兩步驟驗證" in page.text
    form = page.forms["enrol-form"]
    form["code"] = "123456"
    assert form.submit("enrol", status=400).status_int == 400
    secret, done = enrol(client)
    codes = done.html.select(".recovery-codes code")
    assert len(codes) == mfa.RECOVERY_CODES
    assert client.get("/account").status_int == 200      # logged in by the enrolment
    stored = site.read(lambda root: (root["people"]["newbie"].otp_secret,
                                     root["people"]["newbie"].recovery_hashes))
    assert stored[0] == secret
    assert not {c.text for c in codes} & set(stored[1])   # hashed, not kept in clear


def test_the_enrolling_code_cannot_be_used_again_to_log_in(app, people):
    client = browser(app)
    password_step(client, "newbie")
    page = client.get("/mfa")
    form = page.forms["enrol-form"]
    secret = form["secret"].value
    code = code_now(secret)
    form["code"] = code
    form.submit("enrol")
    again = browser(app)
    password_step(again, "newbie")
    assert code_step(again, code).status_int == 400


def test_teacher_mfa_is_optional_then_required_once_on_then_off_again(app, people):
    client = browser(app)
    assert login(client, "t1").status_int == 303       # no second step
    assert "兩步驟驗證" in client.get("/account").text
    secret, done = enrol(client)
    codes = [c.text for c in done.html.select(".recovery-codes code")]
    client.reset()
    response = password_step(client, "t1")
    assert urlsplit(response.location).path == "/login-otp"
    # A recovery code works once …
    assert code_step(client, codes[0]).status_int == 303
    client.reset()
    password_step(client, "t1")
    assert code_step(client, codes[0]).status_int == 400
    assert code_step(client, codes[1].upper()).status_int == 303
    # … and the teacher may turn MFA off with a code.
    form = client.get("/mfa-disable").forms["mfa-disable-form"]
    form["code"] = code_now(secret, offset=1)      # the current step went to the enrolment
    assert form.submit("disable").status_int == 303
    client.reset()
    assert login(client, "t1").location == "http://localhost/"


def test_staff_cannot_turn_mfa_off(app, people):
    client = browser(app)
    login(client, "es-admin")
    client.get("/mfa-disable", status=403)
    client.post("/mfa-disable", {"csrf_token": csrf_of(client.get("/account")),
                                 "code": code_now(), "disable": ""}, status=403)


def test_an_enrolled_account_is_not_offered_a_new_secret(app, people):
    client = browser(app)
    login(client, "es-admin")
    assert urlsplit(client.get("/mfa").location).path == "/account"


def test_anonymous_enrolment_page_asks_to_log_in(app, people):
    assert urlsplit(browser(app).get("/mfa").location).path == "/login"


# --- API tokens ------------------------------------------------------------------------------

def test_api_token_needs_the_code_for_an_mfa_account(app, people, site):
    client = browser(app)
    missing = client.post_json("/api/v1/tokens", {"login": "es-admin", "password": PASSWORD},
                               status=401)
    assert missing.json["error"]["code"] == "otp_required"
    wrong = client.post_json("/api/v1/tokens", {"login": "es-admin", "password": PASSWORD,
                                                "otp": "000000"}, status=401)
    assert wrong.json["error"]["code"] == "invalid_otp"
    assert site.read(lambda root: root["people"]["es-admin"].failed_logins) == 1
    code = otp_for(app, "es-admin")
    ok = client.post_json("/api/v1/tokens", {"login": "es-admin", "password": PASSWORD,
                                             "otp": code}, status=201)
    assert ok.json["token"]
    replay = client.post_json("/api/v1/tokens", {"login": "es-admin", "password": PASSWORD,
                                                 "otp": code}, status=401)
    assert replay.json["error"]["code"] == "invalid_otp"
    # A wrong password still says only that: nothing about the second factor.
    bad = client.post_json("/api/v1/tokens", {"login": "es-admin", "password": "x",
                                              "otp": code}, status=401)
    assert bad.json["error"]["code"] == "invalid_credentials"


def test_api_token_refused_to_staff_not_yet_enrolled(app, people):
    response = browser(app).post_json("/api/v1/tokens", {"login": "newbie",
                                                         "password": PASSWORD}, status=403)
    assert response.json["error"]["code"] == "mfa_enrolment_required"


def test_api_token_for_teacher_without_mfa_needs_no_code(app, people):
    browser(app).post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD}, status=201)


# --- password reset keeps the second factor --------------------------------------------------

@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


def reset_link(smtp) -> str:
    body = smtp.messages[-1].get_content()
    return next(line for line in body.splitlines() if "password-reset-confirm?token=" in line)


def request_reset(client, login_name):
    form = client.get("/password-reset").forms["reset-request-form"]
    form["login"] = login_name
    return form.submit("send")


def test_reset_by_mail_then_login_still_needs_the_code(app, people, smtp, site):
    client = browser(app)
    assert request_reset(client, "es-admin").status_int == 303
    [message] = smtp.messages
    assert message["To"] == "es-admin@example.org" and message["Subject"] == "重設密碼通知"
    link = reset_link(smtp).strip()
    token = link.split("token=")[1]
    stored = site.read(lambda root: list(root.password_resets.keys()))
    assert token not in stored and len(stored) == 1        # only the digest is kept
    form = client.get(link.replace("http://localhost", "")).forms["reset-form"]
    form["new_password"] = form["repeat"] = NEW_PASSWORD
    done = form.submit("reset")
    assert urlsplit(done.location).path == "/login"
    assert client.get("/account", status=303)               # the reset did not log in
    response = password_step(client, "es-admin", NEW_PASSWORD)
    assert urlsplit(response.location).path == "/login-otp"  # the second factor, still
    assert code_step(client, code_now()).status_int == 303
    # The link worked once.
    assert client.get(link.replace("http://localhost", ""), status=410)


def test_reset_link_expires_after_thirty_minutes(app, people, smtp, monkeypatch):
    client = browser(app)
    request_reset(client, "t1")
    path = reset_link(smtp).strip().replace("http://localhost", "")
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "已失效" in client.get(path, status=410).text


def test_reset_for_an_unknown_login_says_the_same_and_sends_nothing(app, people, smtp):
    client = browser(app)
    known = request_reset(client, "t1").follow()
    unknown = request_reset(browser(app), "nobody").follow()
    assert "若此帳號存在" in known.text and "若此帳號存在" in unknown.text
    assert [m["To"] for m in smtp.messages] == ["t1@example.org"]


def test_reset_applies_the_password_rules(app, people, smtp):
    client = browser(app)
    request_reset(client, "es-admin")
    form = client.get(reset_link(smtp).strip().replace("http://localhost", "")).forms["reset-form"]
    form["new_password"] = form["repeat"] = "alllowercase"
    refused = form.submit("reset", status=400)
    assert "至少三種" in refused.text


def test_reset_ends_other_sessions_and_tokens(app, people, smtp, site):
    logged_in = browser(app)
    login(logged_in, "t1")
    browser(app).post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD}, status=201)
    client = browser(app)
    request_reset(client, "t1")
    form = client.get(reset_link(smtp).strip().replace("http://localhost", "")).forms["reset-form"]
    form["new_password"] = form["repeat"] = NEW_PASSWORD
    form.submit("reset")
    assert logged_in.get("/account", status=303)
    assert site.read(lambda root: len(root.api_tokens)) == 0
