"""After the course, in a real browser: the organiser opens the check-in screen, a teacher
types the code on a phone and is checked in, the organiser submits the roster, the centre's
reviewer confirms it, and the teacher sees the hours in the transcript; axe-core on the
check-in, roster and transcript pages."""
import re
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from inservice_portal import clock
from inservice_portal.resources.course import Course, Session

from ..conftest import add_organiser, add_staff, add_teacher
from .conftest import ARTIFACTS, PHONE, assert_accessible
from .test_foundation import log_in

DAY = clock.now().date() + timedelta(days=3)
TITLE = "大型研習：素養導向評量"


@pytest.fixture(scope="module")
def world(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "org", school, "principal_admin", name="張主任")
        add_staff(root, "rev", root["centres"]["taipei"], "centre_reviewer", name="審核員")
        add_teacher(root, "t1", school, name="林老師")
        code = root.course_codes.next()
        school.add(str(code), Course(code, TITLE, starts_on=DAY, ends_on=DAY, hours=3,
                                     state="published",
                                     sessions=[Session(DAY, time(9), time(12), "禮堂")]))
        return {"code": code, "url": f"/centres/taipei/353601/{code}"}


@pytest.fixture
def at(monkeypatch):
    """Move the server's clock (the app runs in this process, in waitress's threads)."""
    def move(moment):
        monkeypatch.setattr(clock, "now", lambda: moment)
    return move


def shot(page, name):
    """For humans to look at (tests/e2e/artifacts, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"attendance-{name}.png"), full_page=True)


def test_check_in_roster_review_transcript(browser, live_server, world, at):
    at(datetime.combine(DAY, time(8, 45), tzinfo=clock.TAIPEI))
    organiser = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True)
    teacher = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True,
                                  viewport=PHONE)
    reviewer = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True)
    try:
        screen = organiser.new_page()
        log_in(screen, "org")
        screen.goto(world["url"] + "/checkin-screen?session=0")
        expect(screen.get_by_role("heading", level=2)).to_contain_text("場次1")
        expect(screen.locator("#checkin-qr svg")).to_be_visible()
        assert_accessible(screen)
        shot(screen, "checkin-screen")
        code = screen.locator("#checkin-code").inner_text()
        assert re.fullmatch(r"\d{6}", code)

        phone = teacher.new_page()
        log_in(phone, "t1")
        phone.goto("/checkin")
        assert_accessible(phone)
        phone.get_by_label("課程代碼").fill(str(world["code"]))
        phone.get_by_label("報到碼（6 位數）").fill(code)
        phone.get_by_role("button", name="報到").click()
        expect(phone.locator(".flash")).to_contain_text("報到成功")
        expect(screen.locator("#checkin-count")).to_have_text("1", timeout=15_000)

        # The day after: the roster, pre-filled from the check-in, is submitted.
        # (a day later the sessions have timed out: everyone logs in again)
        at(datetime.combine(DAY + timedelta(days=1), time(10), tzinfo=clock.TAIPEI))
        log_in(screen, "org")
        screen.goto(world["url"] + "/roster")
        row = screen.get_by_role("row").filter(has_text="林老師")
        expect(row).to_contain_text("線上報到")
        expect(row.get_by_role("combobox")).to_have_value("present")
        assert_accessible(screen)
        shot(screen, "roster")
        screen.get_by_role("button", name="儲存研習名單").click()
        expect(screen.locator(".flash")).to_contain_text("研習名單已儲存")
        screen.get_by_role("button", name="送出研習名單").click()
        expect(screen.get_by_role("heading", level=1)).to_have_text("請確認：送出研習名單")
        assert_accessible(screen)
        screen.get_by_role("button", name="確定送出研習名單").click()
        expect(screen.locator(".flash")).to_contain_text("研習名單待確認")

        desk = reviewer.new_page()
        log_in(desk, "rev")
        desk.goto(world["url"] + "/roster")
        expect(desk.get_by_role("row").filter(has_text="林老師")).to_contain_text("3")
        desk.goto(world["url"] + "/workflow")
        desk.get_by_role("button", name="確認名單並結案").click()
        expect(desk.locator(".flash")).to_contain_text("已結案")

        log_in(phone, "t1")
        phone.goto("/transcript")
        expect(phone.get_by_role("heading", level=2)).to_contain_text("採計 3 小時")
        expect(phone.get_by_role("cell", name=TITLE)).to_be_visible()
        assert_accessible(phone)
        shot(phone, "transcript-phone")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the transcript is {width}px wide on a phone"
    finally:
        for context in (organiser, teacher, reviewer):
            context.close()
