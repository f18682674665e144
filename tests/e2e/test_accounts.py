"""Accounts in a real browser: a teacher signs up (agreements, consent, error summary), the
staff application form, and the unit's account pages — each checked with axe-core."""
import pytest
from playwright.sync_api import expect

from inservice_portal.rules.national_id import check_digit

from ..conftest import PASSWORD, add_organiser, add_staff, add_teacher, running_mailbox
from .conftest import PHONE, assert_accessible
from .test_foundation import log_in


@pytest.fixture(scope="module")
def mailbox():
    """A real SMTP server on loopback for the whole module (the served app sends to it)."""
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def base_settings(base_settings, mailbox):
    return dict(base_settings, **mailbox.settings)


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "school-admin", school, "principal_admin", name="陳主任")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="黃審核")
        add_teacher(root, "t1", school, name="林老師", national_id="A1000000" + "1" + check_digit("A10000001"))
        from inservice_portal.accounts import licences, staff as staff_accounts
        from datetime import date

        staff_accounts.file_application(school, "new-op", PASSWORD, "張雅惠", "op@example.org",
                                        "(02)2700-0101", "operator")
        staff_accounts.file_application(school, "new-head", PASSWORD, "簡文華", "head@example.org",
                                        "(02)2700-0102", "principal_admin")
        licences.apply(root["people"]["t1"], "救生員證", "中華民國紅十字會", "LG-1", date(2024, 8, 15))


def fill_signup(page, national_id):
    page.get_by_label("帳號", exact=True).fill("browser.teacher")
    page.get_by_label("密碼", exact=True).fill("Browser-pass-9")
    page.get_by_label("再次輸入密碼").fill("Browser-pass-9")
    page.get_by_label("姓名").fill("瀏覽器老師")
    page.get_by_label("身分證統一編號").fill(national_id)
    page.get_by_label("電子郵件信箱").fill("browser@example.org")
    page.get_by_label("任職狀態").select_option("employed")
    page.get_by_label("服務學校代碼").fill("353601")
    page.get_by_label("任教教育階段").select_option("elementary")
    page.get_by_label("職稱").select_option("15-4")
    page.get_by_label("任教科目").fill("數學、自然科學")


def test_teacher_signs_up_in_the_browser(page, people, mailbox, live_server):
    page.goto("/signup")
    expect(page.get_by_role("heading", level=1)).to_have_text("教師個人帳號申請")
    agreement = page.get_by_role("region", name="「全國教師在職進修資訊網」帳號申請使用同意書")
    expect(agreement).to_contain_text("請勿將帳號借於他人")
    expect(page.get_by_role("region", name="「全國教師在職進修資訊網」個人資料提供同意書")).to_be_visible()
    assert_accessible(page)
    # The agreement scrolls with the keyboard alone.
    agreement.focus()
    page.keyboard.press("PageDown")
    # (the browser may scroll smoothly: wait for it rather than read at once)
    page.wait_for_function("el => el.scrollTop > 0", arg=agreement.element_handle(),
                           timeout=5000)
    # Without consent: refused, an error summary that takes the focus, values kept.
    fill_signup(page, "A22000012" + check_digit("A22000012"))
    page.get_by_role("button", name="同意並申請教師帳號").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("須勾選同意")
    expect(summary).to_be_focused()
    expect(page.get_by_label("姓名")).to_have_value("瀏覽器老師")
    assert_accessible(page)
    page.get_by_label("密碼", exact=True).fill("Browser-pass-9")
    page.get_by_label("再次輸入密碼").fill("Browser-pass-9")
    page.get_by_label("我已閱讀並同意「帳號申請使用同意書」").check()
    page.get_by_label("我已閱讀並同意「個人資料提供同意書」").check()
    page.get_by_role("button", name="同意並申請教師帳號").click()
    expect(page).to_have_url(live_server + "/login")
    expect(page.get_by_role("status").first).to_contain_text("已申請成功")
    assert mailbox.messages[-1]["To"] == "browser@example.org"
    log_in(page, "browser.teacher", "Browser-pass-9")
    page.goto("/account")
    expect(page.get_by_role("main")).to_contain_text("臺北市立測試國民小學")
    expect(page.get_by_role("main")).to_contain_text("A22000****")


def test_signup_fits_a_phone(page, people):
    page.set_viewport_size(PHONE)
    page.goto("/signup")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


def test_staff_application_page_is_accessible(page, people, mailbox):
    page.goto("/apply-staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("業務帳號申請")
    assert_accessible(page)
    page.get_by_role("button", name="送出申請").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("who, path", [
    ("school-admin", "/centres/taipei/353601/staff"),
    ("school-admin", "/centres/taipei/353601/teachers"),
    ("school-admin", "/centres/taipei/353601/add-teacher"),
    ("school-admin", "/centres/taipei/353601/licences"),
    ("school-admin", "/centres/taipei/353601/contact"),
    ("tp-rev", "/centres/taipei/subunits"),
    ("tp-rev", "/centres/taipei/353601/unit-staff"),
    ("t1", "/people/t1/licences"),
])
def test_unit_account_pages_are_accessible(page, people, who, path):
    log_in(page, who)
    expect(page.get_by_role("button", name="登出")).to_be_visible()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_school_admin_activates_an_operator_by_keyboard(page, people, mailbox, live_site):
    log_in(page, "school-admin")
    expect(page.get_by_role("button", name="登出")).to_be_visible()
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="本單位業務帳號管理").click()
    approve = page.get_by_role("button", name="審核通過並啟用：張雅惠（new-op）")
    approve.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("已啟用「張雅惠」（new-op）")
    expect(page.get_by_role("main")).to_contain_text("目前沒有待審核的申請")
    assert live_site.read(lambda root: root["centres"]["taipei"]["353601"].roles_of("new-op")) \
        == ("operator",)
    assert_accessible(page)
