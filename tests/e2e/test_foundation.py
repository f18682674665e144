"""The skeleton in a real browser: login, the home and account pages, axe-core, keyboard, phone."""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD, add_course, add_organiser, add_teacher, otp_for
from .conftest import PHONE, assert_accessible, axe_violations

COURSE = "差異化教學工作坊"


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_teacher(root, "t1", school, name="林老師")
        add_course(root, school, title=COURSE)


class _Site:
    """The key under which one live site's used TOTP steps are remembered (otp_for)."""


_SITES = {}


def log_in(page, login="t1", password=PASSWORD):
    """Log in from the keyboard; an account with two-step verification types its code too."""
    page.goto("/login")
    page.get_by_label("帳號", exact=True).press_sequentially(login)
    page.get_by_label("密碼", exact=True).press_sequentially(password)
    page.get_by_role("button", name="登入").press("Enter")
    page.wait_for_load_state()
    if "/login-otp" in page.url:
        site = _SITES.setdefault(page.url.split("/login-otp")[0], _Site())
        page.get_by_label("驗證碼", exact=True).press_sequentially(otp_for(site, login, margin=10))
        page.get_by_role("button", name="驗證").press("Enter")
        page.wait_for_load_state()


def test_teacher_logs_in_and_lands_on_home(page, people, live_server):
    log_in(page)
    expect(page).to_have_url(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("navigation").get_by_role("link", name="我的帳號")).to_be_visible()
    expect(banner).to_contain_text("林老師")
    expect(banner.get_by_role("button", name="登出")).to_be_visible()
    upcoming = page.get_by_role("region", name="近期研習課程")
    expect(upcoming.get_by_role("link", name=COURSE)).to_be_visible()
    expect(upcoming).to_contain_text("臺北市立測試國民小學")


def test_axe_check_is_not_vacuous(page):
    # The helper must see what axe sees: an unlabelled field, an image without alt, low contrast.
    page.set_content('<html><body><input type="text"><img src="x.png">'
                     '<p style="color:#bbb;background:#fff">淺色文字</p></body></html>')
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt", "color-contrast", "html-has-lang"} <= found, found


def test_home_is_accessible_anonymous(page, people):
    page.goto("/")
    expect(page.get_by_role("link", name=COURSE)).to_be_visible()
    assert_accessible(page)


def test_home_is_accessible_logged_in(page, people):
    log_in(page)
    expect(page.get_by_role("button", name="登出")).to_be_visible()
    assert_accessible(page)


def test_login_page_is_accessible(page, people):
    page.goto("/login")
    assert_accessible(page)


def test_failed_login_shows_an_accessible_error_summary(page, people):
    log_in(page, "nobody", "wrong-password")   # an unknown login: no lockout count for t1
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("帳號或密碼不正確")
    expect(summary).to_be_focused()            # portal.js: heard first by screen readers
    expect(page.get_by_label("帳號", exact=True)).to_have_value("nobody")
    assert_accessible(page)


def test_account_page_is_accessible(page, people):
    log_in(page)
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="我的帳號").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的帳號")
    expect(page.get_by_role("main").get_by_text("林老師", exact=True)).to_be_visible()
    assert_accessible(page)


def test_first_tab_is_the_skip_link_and_it_moves_focus_to_main(page, people):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要內容")
    expect(skip).to_be_focused()
    box = skip.bounding_box()                  # shown on focus, not left off-screen
    assert box and box["x"] >= 0 and box["y"] >= 0, box
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))


def test_phone_home_has_no_horizontal_scrolling(page, people):
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_role("link", name=COURSE)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


@pytest.mark.parametrize("path, heading", [("/privacy", "個人資料保護"), ("/contact", "聯絡我們")])
def test_footer_pages_are_accessible(page, people, path, heading):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name=heading).click()
    expect(page).to_have_url(re.compile(f"{path}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
