"""線上報名 in a real browser: a teacher finds a course with a Chinese keyword on /search,
reads the eligibility explanation, registers, sees it in 個人報名紀錄 and withdraws; a second
teacher waits in line and is promoted. axe-core on the course page and my registrations."""
from datetime import date, time

import pytest
from playwright.sync_api import expect

from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser, add_teacher
from .conftest import PHONE, assert_accessible
from .test_foundation import log_in

COURSE = "素養導向閱讀理解策略工作坊"


@pytest.fixture(scope="module")
def mailbox():
    """A real SMTP server on loopback for this module's served app (promotion mail)."""
    from ..conftest import running_mailbox

    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="module")
def base_settings(mailbox):
    from pyramid.paster import get_appsettings

    from ..conftest import HERE

    return dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")), **mailbox.settings)


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_teacher(root, "t1", school, name="林老師")
        add_teacher(root, "t2", school, name="陳老師")
        course = add_course(root, school, title=COURSE, starts_on=date(2099, 4, 1))
        course.update(seats_per_class=1, audience_stages=["14-4"], audience_titles=["15-4"],
                      sessions=[Session(date(2099, 4, 1), time(9), time(12))])
        return course.code


def find_and_open(page):
    page.goto("/search")
    page.get_by_label("關鍵字", exact=False).fill("閱讀理解")
    page.get_by_role("button", name="查詢").first.click()
    page.get_by_role("link", name=COURSE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COURSE)


def test_teacher_searches_registers_and_sees_it_in_my_registrations(page, people):
    log_in(page, "t1")
    find_and_open(page)
    box = page.get_by_role("region", name="線上報名")
    expect(box).to_contain_text("參加對象學制")
    expect(box).to_contain_text("符合：")
    expect(box).to_contain_text("尚餘 1 個名額")
    assert_accessible(page)                       # the course page, as a teacher
    box.get_by_role("button", name="我要報名").click()
    expect(page.get_by_role("status").first).to_contain_text("錄取")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="個人報名紀錄").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("個人報名紀錄")
    row = page.get_by_role("row", name=COURSE)
    expect(row).to_contain_text("錄取")
    assert_accessible(page)                       # my registrations


def test_second_teacher_waits_and_moves_up_when_the_first_withdraws(page, people, browser,
                                                                    live_server, mailbox):
    log_in(page, "t2")
    find_and_open(page)
    page.get_by_role("button", name="我要報名（候補）").click()
    expect(page.locator(".flash")).to_contain_text("候補第 1 位")
    page.goto("/my-registrations")
    expect(page.get_by_role("row", name=COURSE)).to_contain_text("候補第 1 位")

    first = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True).new_page()
    log_in(first, "t1")
    first.goto("/my-registrations")
    first.get_by_role("row", name=COURSE).get_by_role("button", name="取消報名").click()
    # Asked first (issue 16): 返回 changes nothing; 確定取消報名 withdraws.
    expect(first.get_by_role("heading", level=1)).to_have_text("請確認：取消報名")
    first.get_by_role("link", name="返回，不取消報名").click()
    expect(first.get_by_role("row", name=COURSE)).to_contain_text("錄取")
    first.get_by_role("row", name=COURSE).get_by_role("button", name="取消報名").click()
    first.get_by_role("button", name="確定取消報名").click()
    expect(first.locator(".flash")).to_contain_text("已取消")
    first.context.close()

    page.reload()
    expect(page.get_by_role("row", name=COURSE)).to_contain_text("錄取")
    expect(page.get_by_role("row", name=COURSE)).not_to_contain_text("候補")
    assert [m["To"] for m in mailbox.messages] == ["t2@example.org"]


def test_my_registrations_on_a_phone(page, people):
    page.set_viewport_size(PHONE)
    log_in(page, "t2")
    page.goto("/my-registrations")
    expect(page.get_by_role("heading", level=1)).to_have_text("個人報名紀錄")
    assert_accessible(page)
