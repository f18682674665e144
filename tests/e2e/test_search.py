"""研習課程查詢 in a real browser: a teacher searches in Chinese with a filter, by keyboard,
and opens the course; the page with results, and with an error, passes axe-core."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from inservice_portal import clock
from inservice_portal.resources.course import Course

from ..conftest import PASSWORD, add_organiser, add_teacher
from .conftest import PHONE, assert_accessible

SHOWCASE = "十二年國教五堂課多元評量--自然領域案例與實作"


@pytest.fixture(scope="module")
def catalogue(live_site):
    today = clock.now().date()
    with live_site.edit() as root:
        tpe = add_organiser(root, "taipei", "353602", "臺北市立搜尋國民小學")
        khh = add_organiser(root, "kaohsiung", "583602", "高雄市立搜尋國民中學")
        add_teacher(root, "t-search", tpe, name="陳老師")
        for organiser, title, stage in ((tpe, SHOWCASE, "elementary"),
                                        (khh, "自然領域探究與實作工作坊", "junior_high"),
                                        (tpe, "校園性別平等教育研習", "elementary")):
            code = root.course_codes.next()
            starts = today + timedelta(days=20)
            organiser.add(str(code), Course(
                code, title, state="published", stage=stage, scope="1", level=1, hours=3,
                starts_on=starts, ends_on=starts, place="本校會議室", classes=1,
                seats_per_class=30, registration_opens=today - timedelta(days=1),
                registration_closes=starts - timedelta(days=3)))


def log_in(page):
    page.goto("/login")
    page.get_by_label("帳號", exact=True).fill("t-search")
    page.get_by_label("密碼", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登入").press("Enter")
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_teacher_searches_in_chinese_with_a_filter_and_opens_the_course(page, catalogue):
    log_in(page)
    page.goto("/search")
    page.get_by_label("關鍵字（課程名稱、課程代碼、辦理單位、講師、地點）").fill("自然領域")
    page.get_by_label("縣市").select_option("臺北市")
    page.get_by_label("只列出目前報名中的課程").check()
    page.get_by_label("只列出目前報名中的課程").press("Enter")       # submit from the keyboard
    status = page.get_by_role("status")
    expect(status).to_contain_text("共 1 筆")
    assert "county=" in page.url and "open=1" in page.url              # a shareable URL
    results = page.get_by_role("region", name="查詢結果")
    expect(results.get_by_role("link", name=SHOWCASE)).to_be_visible()
    expect(results).to_contain_text("臺北市立搜尋國民小學")
    expect(results).to_contain_text("剩餘名額 30")
    expect(results.get_by_text("自然領域探究與實作工作坊")).to_have_count(0)   # Kaohsiung
    expect(page.get_by_label("縣市")).to_have_value("臺北市")                # form keeps state
    assert_accessible(page)
    results.get_by_role("link", name=SHOWCASE).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(SHOWCASE)


def test_search_results_are_accessible_on_a_phone(page, catalogue):
    page.set_viewport_size(PHONE)
    page.goto("/search?q=%E8%87%AA%E7%84%B6&stage=junior_high")
    expect(page.get_by_role("status")).to_contain_text("共 1 筆")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
    assert_accessible(page)


def test_a_malformed_date_gets_a_focused_error_summary(page, catalogue):
    page.goto("/search?starts_from=2026-02-30&q=%E8%87%AA%E7%84%B6")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("開課日期（起）")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("開課日期（起）")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
