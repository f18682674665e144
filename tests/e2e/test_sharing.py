"""資源分享區 in a real browser: a school shares a handout, a teacher finds and downloads it;
axe-core on every sharing page (the form with its errors, lists, item, unit and centre pages)."""
import re

import pytest
from playwright.sync_api import expect

from inservice_portal.sharing import service as sharing

from ..conftest import add_course, add_organiser, add_shared, add_staff, add_teacher
from .test_foundation import log_in as sign_in
from .conftest import PHONE, assert_accessible

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SCHOOL = "/centres/taipei/353601"
COURSE = "自然領域多元評量工作坊"


@pytest.fixture(scope="module")
def world(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立分享國民小學")
        add_staff(root, "share-admin", school, "principal_admin", name="陳主任")
        add_staff(root, "share-rev", root["centres"]["taipei"], "centre_reviewer", name="黃科員")
        add_teacher(root, "share-t", school, name="王老師")
        course = add_course(root, school, title=COURSE)
        course.update(lecturers=[{"name": "林靜宜", "kind": "8-1"}], place="分享國小視聽教室")
        sharing.modified(course)                                  # the catalog reindexes
        add_shared(root, "lecturer", school, "林靜宜", affiliation="南海師範大學副教授",
                   expertise_stages=("elementary",), expertise_scopes=("1",),
                   expertise="素養導向評量", description="實例豐富。")
        add_shared(root, "venue", school, "分享國小視聽教室", address="臺北市大安區分享街 1 號",
                   county="臺北市", capacity=80, facilities=("projector", "elevator"),
                   description="捷運站步行 5 分鐘。")
        add_shared(root, "venue", school, "舊禮堂", address="臺北市大安區分享街 2 號",
                   county="臺北市", capacity=300, description="整修中。")
    return {"course": course.code}


def log_in(page, login):
    sign_in(page, login)
    expect(page.get_by_role("button", name="登出")).to_be_visible()


def test_a_school_shares_a_handout_and_a_teacher_finds_and_downloads_it(browser, live_server,
                                                                         world, page):
    log_in(page, "share-admin")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="資源分享（本單位）").click()
    assert_accessible(page)
    page.get_by_role("link", name="新增研習教學檔案").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("新增研習教學檔案")
    assert_accessible(page)
    page.get_by_label("檔案名稱（標題）").fill("多元評量實作學習單")
    page.get_by_label("內容說明").fill("自然領域五堂課的實作評量學習單與評分規準。")
    page.get_by_label("上傳檔案").set_input_files(
        {"name": "多元評量學習單.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_label("來源研習課程代碼（選填）").fill(str(world["course"]))
    page.get_by_label("教育階段").select_option("elementary")
    page.get_by_role("radiogroup", name=re.compile("^進修範疇")).get_by_label(re.compile("課程、教學及評量")).check()
    page.get_by_label("標籤").fill("多元評量、自然科學")
    page.get_by_role("radiogroup", name=re.compile("^授權方式")).get_by_label(re.compile(r"CC BY 4\.0")).check()
    page.get_by_role("button", name="儲存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("多元評量實作學習單")
    expect(page.get_by_text("未分享（僅本單位可見）")).to_be_visible()
    page.get_by_role("button", name="分享", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("已分享")
    assert_accessible(page)

    teacher = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True,
                                  accept_downloads=True)
    reader = teacher.new_page()
    try:
        log_in(reader, "share-t")
        reader.get_by_role("navigation", name="主選單").get_by_role("link", name="資源分享區").click()
        reader.get_by_label("關鍵字").fill("評量學習")
        reader.get_by_label("類別").select_option(label="研習教學檔案")
        reader.get_by_role("button", name="查詢").click()
        expect(reader.get_by_role("status")).to_contain_text("共 1 筆")
        assert_accessible(reader)
        reader.get_by_role("link", name="多元評量實作學習單").click()
        expect(reader.get_by_role("region", name="相關研習課程")).to_contain_text(COURSE)
        with reader.expect_download() as info:
            reader.get_by_role("link", name="多元評量學習單.pdf").click()
        download = info.value
        assert download.suggested_filename == "多元評量學習單.pdf"
        with open(download.path(), "rb") as f:
            assert f.read() == PDF
        # … and the course page names the handout, the recommended lecturer and the venue
        reader.get_by_role("link", name=COURSE).click()
        sharing = reader.get_by_role("region", name="資源分享區")
        for name in ("多元評量實作學習單", "林靜宜", "分享國小視聽教室"):
            expect(sharing.get_by_role("link", name=name)).to_be_visible()
        assert_accessible(reader)
    finally:
        teacher.close()


def test_a_refused_form_is_accessible_and_lists_its_errors(page, world):
    log_in(page, "share-admin")
    page.goto(f"{SCHOOL}/@@share-venue")
    page.get_by_label("場所名稱").fill("禮堂")
    page.get_by_label("可容納人數").fill("0")
    page.get_by_role("button", name="儲存").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("「可容納人數」至少為 1")
    expect(summary).to_contain_text("請選擇「縣市」")
    expect(summary).to_be_focused()
    expect(page.get_by_label("場所名稱")).to_have_value("禮堂")
    assert_accessible(page)
    page.goto(f"{SCHOOL}/@@share-lecturer")
    assert_accessible(page)


@pytest.mark.parametrize("url", ["/sharing/", "/sharing/venues?county=臺北市", "/sharing/lecturers"])
def test_public_sharing_pages_are_accessible(page, world, url):
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name=re.compile("林靜宜|分享國小視聽教室")).first.click()
    expect(page.get_by_role("region", name="相關研習課程")).to_contain_text(COURSE)
    assert_accessible(page)


def test_the_centre_moderation_page_is_accessible_and_takes_an_item_down(page, world):
    log_in(page, "share-rev")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="資源分享區管理").click()
    assert_accessible(page)
    page.get_by_label("下架「舊禮堂」的原因").fill("整修中，暫停借用。")
    page.get_by_role("button", name=re.compile("^下架.*舊禮堂")).click()
    expect(page.get_by_role("status").first).to_contain_text("已下架")
    expect(page.get_by_role("cell", name="已由中心下架")).to_be_visible()
    assert_accessible(page)


def test_browse_fits_a_phone(page, world):
    page.set_viewport_size(PHONE)
    page.goto("/sharing/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"
