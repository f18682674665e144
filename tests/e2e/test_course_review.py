"""A course from registration to publication, in a real browser, as its people do it:
the organiser fills 研習課程登錄 and sends it for review (送出審核); the reviewer of the
right centre opens 研習課程資料確認 and returns it with a reason (退回修正); the organiser
reads the reason, edits and resubmits; the reviewer approves; the public sees the course.
axe-core checks every page on the way: the form (empty and with its error summary), the
worklist, the 審核與流程 page and the public course page."""
import re

import pytest
from playwright.sync_api import expect

from ..conftest import add_organiser, add_staff, allow_tags
from .conftest import PHONE, assert_accessible
from .test_foundation import log_in

TITLE = "素養導向評量設計工作坊"
SCHOOL = "臺北市立測試國民小學"
RETURN_COMMENT = "請刪除專案屬性標籤後再送審"


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", SCHOOL)
        allow_tags(root, "素養導向", "多元評量")
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="李審核")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer", name="陳審核")


def log_out(page):
    page.get_by_role("banner").get_by_role("button", name="登出").click()
    expect(page.get_by_role("banner").get_by_role("link", name="登入")).to_be_visible()


def menu(page, name):
    page.get_by_role("navigation", name="主選單").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def row(page, legend):
    """A numbered row of the form (師資 1, 場次 1, 承辦人 1): its fieldset."""
    return page.get_by_role("group", name=re.compile(rf"^{legend}"))


def fill_course_form(page):
    form = page.locator("#course-form")
    form.get_by_label("1-1 非學分班", exact=True).check()
    form.get_by_label("2-1 自主辦理", exact=True).check()
    form.get_by_label(re.compile(r"^2 依據文號")).fill("北市教師字第 1130000002 號")
    form.get_by_label(re.compile(r"^3-1 研習名稱")).fill(TITLE)
    form.get_by_label(re.compile(r"^3-2 專案屬性標籤")).fill("素養導向、多元評量")
    form.get_by_label(re.compile(r"^4 教育階段")).select_option("elementary")
    form.get_by_label(re.compile(r"^4 領域-科目")).fill("數學領域")
    form.get_by_label("5-1 課程、教學及評量", exact=True).check()
    # 6 課程細項 follows 4 and 5 in the page (course_form.js), no round trip.
    form.get_by_label(re.compile(r"^6 課程細項")).select_option("1-1-1")
    form.get_by_label(re.compile(r"^7-2 第二階進階")).check()
    lecturer = row(page, "師資 1")
    lecturer.get_by_label(re.compile("^姓名")).fill("王大明")
    lecturer.get_by_label(re.compile("^師資類別")).select_option("8-1")
    form.get_by_label(re.compile(r"^9 課程大綱")).fill("以實例說明素養導向評量的設計。")
    form.get_by_label("11-3 工作坊", exact=True).check()
    form.get_by_label("12-1 週一至週五白天", exact=True).check()
    form.get_by_label("14-4 國小", exact=True).check()
    form.get_by_label("15-4 合格專任教師", exact=True).check()
    form.get_by_label(re.compile(r"^16 報名開始日期")).fill("2099-01-01")
    form.get_by_label(re.compile(r"^17 報名截止日期")).fill("2099-01-20")
    form.get_by_label(re.compile(r"^18 課程開始日期")).fill("2099-02-01")
    form.get_by_label(re.compile(r"^19 課程結束日期")).fill("2099-02-01")
    form.get_by_label(re.compile(r"^20 上課時間及地點")).fill("本校視聽教室，09:00 至 12:00")
    session = row(page, "場次 1")
    session.get_by_label(re.compile("^日期")).fill("2099-02-01")
    session.get_by_label(re.compile("^開始時間")).fill("09:00")
    session.get_by_label(re.compile("^結束時間")).fill("12:00")
    # The suggestion is computed in the page as the sessions are entered (Art. 10).
    expect(form.locator("output[data-suggested-hours]")).to_have_text("3 小時")
    form.get_by_label(re.compile(r"^13 研習時數（小時）")).fill("3")
    form.get_by_label(re.compile(r"^24 每班人數")).fill("40")
    contact = row(page, "承辦人 1")
    contact.get_by_label(re.compile("^姓名")).fill("陳承辦")
    contact.get_by_label(re.compile("^電話")).fill("02-2345-6789")
    contact.get_by_label(re.compile("^Email")).fill("chen@example.org")


def test_a_course_from_registration_to_publication(page, people, live_server, session_mailbox):
    # -- the organiser registers the course ------------------------------------------------
    log_in(page, "es-admin")
    menu(page, "本單位研習課程瀏覽")
    page.get_by_role("link", name="研習課程登錄（新增課程）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("研習課程登錄")
    assert_accessible(page)

    # A submission with nothing filled in: the error summary is focused, its links lead to
    # the fields, and the page stays accessible.
    page.get_by_role("button", name="建立課程草稿").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("請填寫「3-1 研習名稱」")
    summary.get_by_role("link", name="請填寫「3-1 研習名稱」").click()
    expect(page.get_by_label(re.compile(r"^3-1 研習名稱"))).to_be_focused()
    assert_accessible(page)

    fill_course_form(page)
    page.get_by_role("button", name="建立課程草稿").click()
    expect(page.get_by_role("status").first).to_contain_text("已建立研習課程草稿")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    code = page.locator(".course-summary dd").first.inner_text()
    course_url = page.url

    # 送出審核 on the 審核與流程 page, reached from the course page.
    page.get_by_role("link", name="審核與流程（送出審核）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("審核與流程")
    assert_accessible(page)
    page.get_by_role("button", name="送出審核").click()
    expect(page.get_by_role("status").first).to_contain_text("待審核")
    log_out(page)

    # -- a reviewer of another centre does not see it ----------------------------------------
    log_in(page, "pt-rev")
    menu(page, "研習課程資料確認")
    expect(page.get_by_role("main")).not_to_contain_text(TITLE)
    log_out(page)

    # -- the reviewer of the organiser's centre returns it with a reason ---------------------
    log_in(page, "tp-rev")
    menu(page, "研習課程資料確認")
    entry = page.get_by_role("row").filter(has_text=TITLE)
    expect(entry).to_contain_text(SCHOOL)
    assert_accessible(page)
    entry.get_by_role("link", name=re.compile("^審核")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("審核與流程")
    assert_accessible(page)
    # By keyboard, without a reason: type the comment, Tab to 退回修正, Enter. Refused like
    # every form: the summary takes focus, the title says so, the comment is kept.
    page.get_by_label("說明（選填）").first.focus()
    page.keyboard.type(RETURN_COMMENT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="退回修正")).to_be_focused()
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("請至少選擇一項退回原因")
    expect(page).to_have_title(re.compile("^錯誤："))
    expect(page.get_by_label("說明（選填）").first).to_have_value(RETURN_COMMENT)
    assert_accessible(page)
    session_mailbox.messages.clear()
    page.get_by_label("A. 請移除屬性標籤").check()
    page.get_by_role("button", name="退回修正").click()
    expect(page.get_by_role("status").first).to_contain_text("退回修正")
    log_out(page)
    # ...and the organiser is mailed the reason in words, the comment, and where to mend it
    [notice] = [m for m in session_mailbox.messages if "es-admin@example.org" in m["To"]]
    assert notice["Subject"] == f"【全國教師在職進修資訊網】課程退回修正：{TITLE}"
    text = notice.get_content()
    assert "請移除屬性標籤" in text and RETURN_COMMENT in text
    assert re.search(rf"{re.escape(live_server)}/centres/taipei/353601/\d+/edit", text)

    # -- the organiser reads the reason, edits and resubmits --------------------------------
    log_in(page, "es-admin")
    page.goto(course_url)
    history = page.get_by_role("region", name="處理紀錄")
    expect(history).to_contain_text("請移除屬性標籤")
    expect(history).to_contain_text(RETURN_COMMENT)
    page.get_by_role("link", name="修改課程資料").click()
    tags = page.get_by_label(re.compile(r"^3-2 專案屬性標籤"))
    expect(tags).to_have_value("素養導向、多元評量")
    tags.fill("")
    page.get_by_role("button", name="儲存修改").click()
    expect(page.get_by_role("status").first).to_contain_text("已儲存")
    page.get_by_role("link", name="審核與流程（修正後重新送審）").click()
    page.get_by_role("button", name="修正後重新送審").click()
    expect(page.get_by_role("status").first).to_contain_text("待審核")
    log_out(page)

    # -- the reviewer approves ---------------------------------------------------------------
    log_in(page, "tp-rev")
    menu(page, "研習課程資料確認")
    page.get_by_role("row").filter(has_text=TITLE).get_by_role(
        "link", name=re.compile("^審核")).click()
    page.get_by_role("button", name="審核通過").click()
    expect(page.get_by_role("status").first).to_contain_text("審核通過（已公告）")
    log_out(page)

    # -- the public sees it --------------------------------------------------------------------
    page.goto(course_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    summary = page.locator(".course-summary")
    expect(summary).to_contain_text(code)
    expect(summary).to_contain_text("審核通過（已公告）")
    expect(page.get_by_role("main")).to_contain_text("王大明（大學教授）")
    expect(page.get_by_role("main")).not_to_contain_text("處理紀錄")   # the history is not public
    assert_accessible(page)
    page.goto("/")
    expect(page.get_by_role("region", name="近期研習課程").get_by_role(
        "link", name=TITLE)).to_be_visible()


def test_the_course_form_on_a_phone(page, people):
    page.set_viewport_size(PHONE)
    log_in(page, "es-admin")
    page.goto("/centres/taipei/353601/@@add-course")
    page.get_by_role("button", name="建立課程草稿").click()
    expect(page.locator(".error-summary")).to_be_focused()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the form is {width}px wide on a {PHONE['width']}px phone"
    assert_accessible(page)


def test_the_pages_suggestion_pools_a_days_short_periods(page, people):
    """The live figure beside item 13 follows rules/hours.py (002 Art. 10 (1)): two 45-minute
    periods on one day are 1.5 hours; on two days, an hour or less each, nothing."""
    log_in(page, "es-admin")
    page.goto("/centres/taipei/353601/@@add-course")
    page.get_by_role("button", name="新增場次").click()
    output = page.locator("#course-form output[data-suggested-hours]")
    for legend, start, end in (("場次 1", "09:00", "09:45"), ("場次 2", "10:00", "10:45")):
        session = row(page, legend)
        session.get_by_label(re.compile("^日期")).fill("2099-02-01")
        session.get_by_label(re.compile("^開始時間")).fill(start)
        session.get_by_label(re.compile("^結束時間")).fill(end)
    expect(output).to_have_text("1.5 小時")
    row(page, "場次 2").get_by_label(re.compile("^日期")).fill("2099-02-02")
    row(page, "場次 2").get_by_label(re.compile("^結束時間")).fill("10:44")   # (input event)
    expect(output).to_have_text("0 小時")


def test_every_failed_submit_of_the_course_form_focuses_the_summary(page, people):
    """Issue 25 item 1: after following a summary link (the address keeps its #fragment), the
    next failed submit, by keyboard, still puts focus on the summary; the title says 錯誤."""
    log_in(page, "es-admin")
    page.goto("/centres/taipei/353601/@@add-course")
    page.get_by_role("button", name="建立課程草稿").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^錯誤："))
    summary.get_by_role("link", name="請填寫「3-1 研習名稱」").click()
    assert "#" in page.url
    page.get_by_label(re.compile(r"^3-1 研習名稱")).fill("第二次送出")
    page.get_by_role("button", name="建立課程草稿").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile("^錯誤："))
    assert "#" not in page.url
    expect(page.get_by_label(re.compile(r"^3-1 研習名稱"))).to_have_value("第二次送出")
