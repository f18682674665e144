"""溝通 in a real browser: a centre writes and publishes 最新消息, which its region's teacher
then finds on the home page; a teacher saves a search as 研習資訊訂閱, a matching course is
published, the morning's digest reaches the real SMTP server, and its unsubscribe link works
in the browser. axe-core on the news, subscription and unsubscribe pages."""
import re
from datetime import date, timedelta

import pytest
import transaction
from playwright.sync_api import expect

from inservice_portal import clock
from inservice_portal.comms import digests

from ..conftest import add_course, add_organiser, add_staff, add_teacher, complete
from .conftest import assert_accessible
from .test_course_review import log_out
from .test_foundation import log_in

COURSE = "國小閱讀素養教學工作坊"


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        far = add_organiser(root, "pingtung", "133601", "屏東縣立測試國民小學")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer", name="李審核")
        add_teacher(root, "t1", school, name="林老師")
        add_teacher(root, "t2", far, name="陳老師", national_id="B223456789")
        course = complete(add_course(root, school, COURSE, state="pending",
                                     starts_on=date(2099, 5, 1)))
        return course.code


def test_a_centre_publishes_news_that_its_teachers_see_on_the_home_page(page, people):
    log_in(page, "tp-rev")
    page.goto("/news/")
    assert_accessible(page)
    page.get_by_role("link", name="新增消息").click()
    page.get_by_label("標題").fill("臺北市 116 學年度研習開課說明")
    page.get_by_label("內容").fill("各校研習承辦人好：\n\n本學年度研習開課說明如附。")
    page.get_by_role("button", name="儲存草稿").click()
    expect(page.get_by_role("main")).to_contain_text("尚未公開")
    assert_accessible(page)
    page.get_by_role("button", name="發布").click()
    expect(page.locator(".flash")).to_contain_text("已發布")
    log_out(page)

    log_in(page, "t1")                                    # a teacher of Taipei
    news = page.get_by_role("region", name="最新消息")
    expect(news.get_by_role("link", name="臺北市 116 學年度研習開課說明")).to_be_visible()
    news.get_by_role("link", name="臺北市 116 學年度研習開課說明").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("臺北市 116 學年度研習開課說明")
    assert_accessible(page)
    log_out(page)

    log_in(page, "t2")                                    # a teacher of Pingtung: not hers
    expect(page.get_by_role("region", name="最新消息")).not_to_contain_text("臺北市 116 學年度")


def test_a_subscribed_search_is_mailed_and_its_link_unsubscribes(page, people, live_site,
                                                               session_mailbox):
    log_in(page, "t1")
    page.goto("/search")
    page.get_by_label("縣市").select_option("臺北市")
    page.get_by_role("button", name="查詢").first.click()
    page.get_by_role("link", name="訂閱此查詢條件").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("研習資訊訂閱")
    expect(page.get_by_label("縣市")).to_have_value("臺北市")
    assert_accessible(page)
    page.get_by_role("button", name="新增訂閱").click()
    expect(page.get_by_role("table")).to_contain_text("臺北市")

    # The centre approves a matching course; the next morning's digest mails it.
    from inservice_portal.catalog import find_course, queue
    from inservice_portal.workflows import course as course_workflow
    with live_site.edit() as root:
        course_workflow.transition(find_course(root, people), None, "approve")
        queue.flush(root)
    session_mailbox.messages.clear()
    tomorrow = clock.now().date() + timedelta(days=1)
    with transaction.manager:
        with live_site.edit() as root:
            digests.send_all(root, live_site.registry, tomorrow)
    [digest] = [m for m in session_mailbox.messages if m["To"] == "t1@example.org"]
    assert COURSE in digest.get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Its link, opened in the browser (without the session: from any mail program)
    link = re.search(r"取消全部訂閱：(\S+)", digest.get_content()).group(1)
    log_out(page)
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_role("main")).to_contain_text("確定不再收到「全部的研習資訊訂閱」")
    assert_accessible(page)
    page.get_by_role("button", name="確定取消訂閱").click()
    expect(page.get_by_role("status")).to_contain_text("已取消")
    assert live_site.read(lambda root: len(root.subscriptions)) == 0


@pytest.fixture(scope="module")
def closed_course(live_site, people):
    """A closed 26-1 course whose questionnaire went to six attendees, four of whom answered."""
    from inservice_portal.comms import feedback
    from inservice_portal.resources.feedback import Questionnaire
    with live_site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        course = add_course(root, school, "國小自然探究教學研習", state="closed",
                            starts_on=clock.now().date() - timedelta(days=10))
        attendees = [f"a{n}" for n in range(1, 7)]
        for n, login in enumerate(attendees, 1):
            add_teacher(root, login, school, name=f"參加者{n}", national_id=f"A2{n:08d}"[:10])
        course.questionnaire = Questionnaire(list(feedback.national().items()), attendees,
                                             clock.now().date())
        for login in attendees[:4]:
            feedback.answer(course, login, {code: 4 for code in feedback.national()},
                            "很實用")
        return course.code


def test_an_attendee_answers_and_the_organiser_sees_the_summary(page, people, closed_course):
    log_in(page, "a5")
    page.goto(f"/centres/taipei/353601/{closed_course}/feedback")
    expect(page.get_by_role("heading", level=1)).to_contain_text("研習回饋問卷")
    assert_accessible(page)
    page.get_by_role("button", name="送出問卷").click()         # nothing chosen: refused
    expect(page.locator(".error-summary")).to_contain_text("請回答「研習內容符合研習目標與課程說明」")
    for radio in page.get_by_role("radio", name="5 非常同意").all():
        radio.check()
    page.get_by_label("其他意見或建議（選填）").fill("希望增加實作時間")
    page.get_by_role("button", name="送出問卷").click()
    expect(page.locator(".flash")).to_contain_text("謝謝您的意見")
    log_out(page)

    log_in(page, "es-admin")
    page.goto(f"/centres/taipei/353601/{closed_course}/feedback-results")
    table = page.get_by_role("table", name="各題平均分數（1–5 分）與分數分布")
    expect(table.get_by_role("row", name=re.compile("整體而言"))).to_contain_text("4.2")
    expect(page.get_by_role("main")).to_contain_text("希望增加實作時間")
    expect(page.get_by_role("main")).not_to_contain_text("參加者5")
    assert_accessible(page)


@pytest.mark.parametrize("who, path", [
    (None, "/faq/"), (None, "/ask"), (None, "/newsletter/"),
    ("t1", "/messages"), ("t1", "/people/t1/subscriptions"),
    ("tp-rev", "/centres/taipei/tickets"), ("tp-rev", "/centres/taipei/@@message"),
    ("tp-rev", "/people/tp-rev/notifications"), ("tp-rev", "/news/manage"),
])
def test_the_other_pages_of_comms_are_accessible(page, people, who, path):
    """axe-core on the pages the flows above do not pass through."""
    if who:
        log_in(page, who)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_an_ask_answered_by_its_centre_reaches_the_sender(page, people, session_mailbox):
    """意見交流 in the browser: a visitor asks, the centre answers, the sender reads it."""
    page.goto("/ask")
    page.get_by_label("寄給").select_option("taipei")
    page.get_by_label("問題類別").select_option("courses")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("電子郵件信箱（回覆寄到這裡）").fill("parent@example.org")
    page.get_by_label("主旨").fill("課程審核進度")
    page.get_by_label("內容").fill("請問何時會審核？")
    session_mailbox.messages.clear()
    page.get_by_role("button", name="送出").click()
    expect(page.get_by_role("main")).to_contain_text("待回覆")
    assert_accessible(page)
    status = page.url
    log_in(page, "tp-rev")
    page.goto("/centres/taipei/tickets")
    page.get_by_label("回覆「課程審核進度」").fill("已於今日審核通過。")
    page.get_by_role("button", name=re.compile("^送出回覆")).click()
    expect(page.locator(".flash")).to_contain_text("已回覆")
    log_out(page)
    assert [m for m in session_mailbox.messages
            if m["To"] == "parent@example.org" and "已於今日審核通過" in m.get_content()]
    page.goto(status)
    expect(page.get_by_role("main")).to_contain_text("已回覆")
