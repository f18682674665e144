"""Takeover paths closed (issue: e-mail change, proxy mode, enumeration, error answers): a
new address needs the password and its own confirmation, the old one can undo the change,
reset links go only to a confirmed address; proxy mode never reaches the proxied account's
address, password or second factor; sign-up answers the same for a known national ID; a
failure is a 500 with the security headers (JSON for the API)."""
import re

import pytest
from pyramid.security import NO_PERMISSION_REQUIRED

from inservice_portal import audit

from ..conftest import PASSWORD, add_organiser, add_staff, add_teacher, browser, csrf_of
from .test_account_security import start_proxy
from .test_signup import fill, valid_id


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin", name="王校長")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="黃審查")
        add_teacher(root, "t1", school, name="林老師", national_id="A123456789")
        add_teacher(root, "t2", school, name="陳老師", national_id="B223456780")
        root["people"]["t2"].email_confirmed = False


def profile_form(client, email, password=None):
    form = client.get("/people/t1/@@edit").forms["profile-form"]
    form["email"] = email
    if password is not None:
        form["current_password"] = password
    return form.submit("save", status="*")


def mails_to(smtp, address):
    return [m.get_body().get_content() for m in smtp.messages if m["To"] == address]


def link(body, path):
    return re.search(rf"http://localhost(/{path}\?\S+)", body).group(1)


def ask_reset(app, login_name):
    form = browser(app).get("/password-reset").forms["reset-request-form"]
    form["login"] = login_name
    return form.submit("send", status=303)


def account(site, login_name):
    return site.read(lambda root: root["people"][login_name])


def test_a_new_address_needs_the_password_and_its_own_confirmation(app, world, site, smtp):
    thief = browser(app, "t1")              # a session left open on a shared computer
    refused = profile_form(thief, "thief@example.net")
    assert refused.status_int == 400
    assert "變更電子郵件信箱須輸入正確的目前密碼" in refused.html.select_one(".error-summary").text
    refused = profile_form(thief, "thief@example.net", "not-the-password")
    assert refused.status_int == 400 and smtp.messages == []
    assert profile_form(thief, "thief@example.net", PASSWORD).status_int == 303
    # Nothing changes until the new address confirms; the old one is told, with an undo link.
    assert account(site, "t1").email == "t1@example.org"
    assert account(site, "t1").pending_email == "thief@example.net"
    [confirm] = mails_to(smtp, "thief@example.net")
    [notice] = mails_to(smtp, "t1@example.org")
    assert "thief@example.net" in notice and "/undo-email-change?" in notice
    ask_reset(app, "t1")                                  # the reset goes to the old address
    assert len(mails_to(smtp, "t1@example.org")) == 2 and len(mails_to(smtp, "thief@example.net")) == 1
    page = thief.get(link(confirm, "confirm-email"))
    page.forms["confirm-email-form"].submit("confirm", status=303)
    assert (account(site, "t1").email, account(site, "t1").pending_email) == ("thief@example.net", None)
    # The owner takes the account back from the old address: sessions end, address restored.
    owner = browser(app)
    page = owner.get(link(notice, "undo-email-change"))
    assert "t1@example.org" in page.text
    page.forms["undo-email-form"].submit("undo", status=303)
    restored = account(site, "t1")
    assert (restored.email, restored.email_confirmed, restored.email_undo) == (
        "t1@example.org", True, None)
    assert thief.get("/account", status=303).location.startswith("http://localhost/login")
    again = owner.get(link(notice, "undo-email-change"), status=400)
    assert "此連結無效或已使用過" in again.text
    actions = [e["action"] for e in site.read(lambda root: list(
        audit.log_of(root).entries.values())) if e["object"] == "/people/t1"]
    assert "email.change_request" in actions and "email.change_undone" in actions


def test_reset_links_go_only_to_a_confirmed_address(app, world, smtp):
    ask_reset(app, "t2")                                  # an address never confirmed
    ask_reset(app, "t1")
    assert [m["To"] for m in smtp.messages] == ["t1@example.org"]


def test_proxy_mode_never_reaches_the_address_password_or_second_factor(app, world, site,
                                                                         smtp):
    reviewer = browser(app, "tp-rev")
    start_proxy(reviewer)
    form = reviewer.get("/people/a-admin/@@edit").forms["profile-form"]
    form["email"], form["current_password"] = "reviewer@example.net", PASSWORD
    form["phone"] = "(02)2700-0101"
    refused = form.submit("save", status=400)
    assert "代理模式下不能變更電子郵件信箱" in refused.text
    assert account(site, "a-admin").pending_email is None
    reviewer.get("/password", status=403)
    reviewer.get("/mfa", status=403)                   # enrolment, with its recovery codes
    reviewer.get("/mfa-disable", status=403)
    reviewer.get("/people/a-admin/@@security", status=403)
    reviewer.post("/people/a-admin/@@reset-mfa", {"csrf_token": csrf_of(refused)}, status=403)
    assert smtp.messages == []
    # Outside proxy mode, the centre's reset of the unit account's second factor is its own
    # audited act, and the account is told.
    reviewer.post("/proxy-end", {"csrf_token": csrf_of(refused)}, status=303)
    page = reviewer.get("/people/a-admin/@@security")
    reviewer.post("/people/a-admin/@@reset-mfa", {"csrf_token": csrf_of(page)}, status=303)
    [told] = mails_to(smtp, "a-admin@example.org")
    assert "兩步驟驗證已由黃審查重設" in told
    [entry] = [e for e in site.read(lambda root: list(audit.log_of(root).entries.values()))
               if e["action"] == "mfa.reset"]
    assert entry["actor"] == "tp-rev" and entry["object"] == "/people/a-admin"


def sign_up(app, national_id, login_name):
    form = fill(browser(app).get("/signup").forms["signup-form"], login=login_name,
                national_id=national_id, email=f"{login_name}@example.net")
    answer = form.submit("signup", status=303)
    return " ".join(p.get_text() for p in answer.follow().html.select(".flash"))


def test_sign_up_answers_the_same_for_a_national_id_with_an_account(app, world, site, smtp):
    known = sign_up(app, "A123456789", "copycat")
    new = sign_up(app, valid_id(), "newcomer")
    assert known.replace("copycat", "X") == new.replace("newcomer", "X")
    assert site.read(lambda root: ("copycat" in root["people"], "newcomer" in root["people"])) \
        == (False, True)
    [told] = mails_to(smtp, "t1@example.org")
    assert "有人以您的身分證統一編號申請教師個人帳號" in told and "t1" in told
    assert mails_to(smtp, "copycat@example.net") == []


@pytest.fixture
def failing_view(config):
    def boom(request):
        raise RuntimeError("secret detail")

    config.add_route("boom", "/boom")
    config.add_route("api_boom", "/api/v1/boom")
    config.add_view(boom, route_name="boom", permission=NO_PERMISSION_REQUIRED)
    config.add_view(boom, route_name="api_boom", permission=NO_PERMISSION_REQUIRED)


def test_a_failure_is_a_500_that_still_carries_the_security_headers(failing_view, app):
    client = browser(app)
    page = client.get("/boom", status=500)
    assert "系統發生錯誤" in page.text and "secret detail" not in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in page.headers and "no-store" in page.headers["Cache-Control"]
    api = client.get("/api/v1/boom", status=500)
    assert api.json["error"]["code"] == "internal_error" and "secret" not in api.text
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_the_owners_undo_survives_a_second_change_and_ends_reset_links(app, world, site, smtp):
    """One who took the account cannot take the undo link away by changing the address again,
    and undoing also ends the reset links mailed meanwhile and forgets the second factor."""
    thief = browser(app, "t1")
    assert profile_form(thief, "thief@example.net", PASSWORD).status_int == 303
    [notice] = mails_to(smtp, "t1@example.org")
    thief.get(link(mails_to(smtp, "thief@example.net")[0], "confirm-email")).forms[
        "confirm-email-form"].submit("confirm", status=303)
    assert profile_form(thief, "thief2@example.net", PASSWORD).status_int == 303
    assert mails_to(smtp, "thief@example.net")[1:] == []          # no new undo link to them
    ask_reset(app, "t1")                                          # to the thief's address
    with site.edit() as root:
        from inservice_portal.accounts import mfa
        mfa.enrol_known_secret(root["people"]["t1"], "JBSWY3DPEHPK3PXP")
    owner = browser(app)
    owner.get(link(notice, "undo-email-change")).forms["undo-email-form"].submit(
        "undo", status=303)
    restored = account(site, "t1")
    assert (restored.email, restored.pending_email, restored.otp_secret) == (
        "t1@example.org", None, None)
    assert site.read(lambda root: [r.login for r in root.password_resets.values()]) == []


def test_a_wrong_current_password_counts_as_a_failed_login(app, world, site):
    client = browser(app, "t1")
    for _ in range(4):
        assert profile_form(client, "other@example.net", "guess").status_int == 400
    assert site.read(lambda root: root["people"]["t1"].failed_logins) == 4
    profile_form(client, "other@example.net", "guess")            # the fifth: locked
    assert site.read(lambda root: root["people"]["t1"].locked_until) is not None


def ask_login(app, email):
    form = browser(app).get("/forgot-login").forms["login-reminder-form"]
    form["email"] = email
    answer = form.submit("send", status=303).follow()
    return " ".join(p.get_text() for p in answer.html.select(".flash"))


def test_a_forgotten_login_goes_to_its_confirmed_address_only(app, world, site, smtp):
    """忘記帳號 (issue 16 item 9): the login is mailed to the address typed, if an active
    account confirmed it; the page says the same for every address."""
    known = ask_login(app, "  T1@Example.ORG ")             # case and spaces as people type
    [body] = mails_to(smtp, "t1@example.org")
    assert "t1（林老師）" in body and "/password-reset" in body
    assert ask_login(app, "t2@example.org") == known        # never confirmed: nothing sent
    assert ask_login(app, "nobody@example.org") == known    # no account: nothing sent
    assert [m["To"] for m in smtp.messages] == ["t1@example.org"]
    actions = [e["action"] for e in site.read(lambda root: list(
        audit.log_of(root).entries.values())) if e["object"] == "/people/t1"]
    assert "login.reminder" in actions
    # A confirmed change moves the login to the new address; the old one answers nothing.
    owner = browser(app, "t1")
    assert profile_form(owner, "lin@example.net", PASSWORD).status_int == 303
    page = owner.get(link(mails_to(smtp, "lin@example.net")[0], "confirm-email"))
    page.forms["confirm-email-form"].submit("confirm", status=303)
    smtp.messages.clear()
    ask_login(app, "t1@example.org")
    ask_login(app, "lin@example.net")
    assert [m["To"] for m in smtp.messages] == ["lin@example.net"]


def test_login_reminders_are_limited_per_address(app, world, smtp):
    for _ in range(5):
        ask_login(app, "t1@example.org")
    assert len(mails_to(smtp, "t1@example.org")) == 3          # mail.account: 3 an hour


def test_evolve_25_notes_the_addresses_of_existing_accounts(app, world, site, smtp):
    from inservice_portal import evolve

    with site.edit() as root:                 # accounts stored before the lookup existed
        del root.email_logins
        root.evolve_version = 24
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    ask_login(app, "t1@example.org")
    assert [m["To"] for m in smtp.messages] == ["t1@example.org"]


def test_no_login_reminder_for_a_disabled_account_or_an_unconfirmed_new_address(app, world,
                                                                                 site, smtp):
    assert profile_form(browser(app, "t1"), "lin@example.net", PASSWORD).status_int == 303
    smtp.messages.clear()
    ask_login(app, "lin@example.net")                 # pending, not confirmed: nothing
    with site.edit() as root:
        root["people"]["t1"].active = False
    ask_login(app, "t1@example.org")                  # disabled: nothing
    assert smtp.messages == []
