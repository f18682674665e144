"""Staff login with two-step verification in a real browser, enrolment from the QR page's key,
and axe-core on the login, code, enrolment, recovery-code and audit log pages."""
import re

import pyotp
import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD, add_organiser, add_staff, otp_for
from .conftest import assert_accessible


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        add_staff(root, "newbie", school, "operator", name="新進人員", enrolled=False)
        add_staff(root, "moe", root, "ministry_admin", name="部管理者")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="黃審查")


def code_for(login):
    """The next code this account has not used (the site refuses a code twice)."""
    return otp_for(CODES, login, margin=10)


class _Codes:
    """The key under which this module's used TOTP steps are remembered (see otp_for)."""


CODES = _Codes()


def password_step(page, login):
    page.goto("/login")
    page.get_by_label("帳號", exact=True).fill(login)
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入").click()


def test_staff_logs_in_with_the_code_from_the_keyboard(page, people, live_server):
    password_step(page, "es-admin")
    expect(page).to_have_url(re.compile(r"/login-otp"))
    expect(page.get_by_role("heading", level=1)).to_have_text("輸入登入驗證碼")
    assert_accessible(page)
    field = page.get_by_label("驗證碼", exact=True)
    field.focus()
    field.press_sequentially("000000")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("驗證碼不正確")
    expect(summary).to_be_focused()
    assert_accessible(page)
    page.get_by_label("驗證碼", exact=True).fill(code_for("es-admin"))
    page.get_by_role("button", name="驗證").press("Enter")
    expect(page).to_have_url(re.compile(r"/todo$"))          # staff land on their 待辦事項
    expect(page.get_by_role("banner")).to_contain_text("王校長")


def test_staff_without_mfa_enrols_with_the_key_shown_as_text(page, people, live_server):
    password_step(page, "newbie")
    expect(page).to_have_url(re.compile(r"/mfa"))
    expect(page.get_by_role("img", name=re.compile("QR Code"))).to_be_visible()
    assert_accessible(page)
    page.goto("/account")                    # nothing else until enrolled
    expect(page).to_have_url(re.compile(r"/mfa\?came_from="))
    secret = page.locator(".otp-secret").inner_text().replace(" ", "")
    page.get_by_label("驗證碼", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="確認啟用").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("備用復原碼")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="我已保存，繼續").click()
    expect(page).to_have_url(live_server + "/account")
    expect(page.get_by_role("main")).to_contain_text("已啟用")


def test_login_and_audit_pages_are_accessible(page, people):
    page.goto("/login")
    assert_accessible(page)
    password_step(page, "moe")
    page.get_by_label("驗證碼", exact=True).fill(code_for("moe"))
    page.get_by_role("button", name="驗證").click()
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="稽核紀錄").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("稽核紀錄（全國）")
    expect(page.get_by_role("table")).to_contain_text("登入成功")
    assert_accessible(page)
    page.goto("/password-reset")
    assert_accessible(page)


def test_proxy_mode_banner_is_shown_accessible_and_ends(page, people):
    password_step(page, "tp-rev")
    page.get_by_label("驗證碼", exact=True).fill(code_for("tp-rev"))
    page.get_by_role("button", name="驗證").click()
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="代理模式").click()
    page.get_by_label("單位代碼").fill("353601")
    page.get_by_role("button", name="查詢單位帳號").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"開始代理.*王校長")).click()
    banner = page.get_by_role("region", name="代理模式")
    expect(banner).to_contain_text("黃審查")
    expect(banner).to_contain_text("王校長")
    assert_accessible(page)
    banner.get_by_role("button", name="結束代理").click()
    expect(page.get_by_role("region", name="代理模式")).to_have_count(0)
    expect(page.get_by_role("banner")).to_contain_text("黃審查")
