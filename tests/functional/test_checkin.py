"""線上報到: the organiser's screen and its rotating codes, the teacher's check-in by QR link
or typed code, the check-in window, rotation, replay and forwarding, and the roster pre-fill."""
import re
from datetime import datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from inservice_portal.attendance import checkin
from inservice_portal import clock
from inservice_portal.resources.course import Course, Session

from ..conftest import add_organiser, add_staff, add_teacher, browser, csrf_of

DAY = clock.now().date() + timedelta(days=10)
START = datetime.combine(DAY, time(9), tzinfo=clock.TAIPEI)     # session 0: 09:00–12:00
SCHOOL = "/centres/taipei/353601"


class Clock:
    def __init__(self, monkeypatch, at):
        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def move(self, **delta):
        self.at += timedelta(**delta)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "b-admin", other, "principal_admin")
        add_teacher(root, "t1", school, name="王老師")
        add_teacher(root, "t2", school, name="李老師")
        codes = []
        for title in ("大型研習", "另一研習"):
            code = root.course_codes.next()
            school.add(str(code), Course(code, title, starts_on=DAY, ends_on=DAY, hours=6,
                                         state="published", sessions=[
                                             Session(DAY, time(9), time(12)),
                                             Session(DAY, time(13), time(16))]))
            codes.append(code)
        return {"code": codes[0], "other": codes[1], "url": f"{SCHOOL}/{codes[0]}"}


def screen(client, world, session=0):
    data = client.get(f"{world['url']}/checkin-code?session={session}").json
    query = parse_qs(urlsplit(data["link"]).query)
    return data, query["token"][0]


def check_in_by_link(client, link):
    page = client.get(link)
    return page.forms["confirm-form"].submit(status="*")


def check_in_by_code(client, course, code):
    page = client.get("/checkin")
    form = page.forms["code-form"]
    form["course"], form["code"] = str(course), code
    return form.submit(status="*")


def test_screen_shows_qr_code_and_count(app, world, monkeypatch):
    Clock(monkeypatch, START - timedelta(minutes=10))
    organiser = browser(app, "a-admin")
    page = organiser.get(f"{world['url']}/checkin-screen?session=0")
    assert "大型研習" in page.text and "場次1" in page.text
    assert "<svg" in page.text and re.search(r'id="checkin-code">\d{6}<', page.text)
    assert "已報到：<strong id=\"checkin-count\">0</strong>" in page.text
    browser(app, "b-admin").get(f"{world['url']}/checkin-screen?session=0", status=403)
    browser(app, "t1").get(f"{world['url']}/checkin-code?session=0", status=403)


def test_teacher_checks_in_by_link_and_by_code_and_the_count_goes_up(app, world, monkeypatch,
                                                                     site):
    Clock(monkeypatch, START - timedelta(minutes=5))
    organiser = browser(app, "a-admin")
    data, _ = screen(organiser, world)
    response = check_in_by_link(browser_t1 := browser(app, "t1"), data["link"])
    assert response.status_int == 303
    status = response.follow()
    assert "報到成功" in status.text and "我的研習狀態" in status.text
    assert "<strong>已報到</strong>：是" in status.text and "<strong>已核給時數</strong>：尚未" in status.text
    assert "您已完成報到" in check_in_by_link(browser_t1, data["link"]).follow().text
    response = check_in_by_code(browser(app, "t2"), world["code"], data["code"])
    assert "報到成功" in response.follow().text
    assert screen(organiser, world)[0]["count"] == 2
    # The check-ins pre-fill the roster.
    roster = organiser.get(f"/api/v1/courses/{world['code']}/roster").json
    assert [(e["login"], e["attendance"], e["source"]) for e in roster["entries"]] == [
        ("t1", ["present", "present"], "checkin"), ("t2", ["present", "present"], "checkin")]


def test_anonymous_scan_goes_to_login_and_back(app, world, monkeypatch):
    Clock(monkeypatch, START)
    data, _ = screen(browser(app, "a-admin"), world)
    anonymous = browser(app)
    response = anonymous.get(data["link"], status=303)
    assert "/login?came_from=" in response.location
    form = response.follow().forms["login-form"]
    form["login"], form["password"] = "t1", "Test-Pass-2026!"
    back = form.submit("submit")
    page = anonymous.get(back.location)
    assert "確認報到" in page.text


@pytest.mark.parametrize("offset, ok", [
    (timedelta(minutes=-31), False),      # too early
    (timedelta(minutes=-30), True),       # opens 30 minutes before
    (timedelta(hours=2, minutes=59), True),
    (timedelta(hours=3), False),          # closed at the end
])
def test_check_in_window(app, world, monkeypatch, offset, ok):
    Clock(monkeypatch, START + offset)
    data, _ = screen(browser(app, "a-admin"), world)
    response = check_in_by_code(browser(app, "t1"), world["code"], data["code"])
    assert (response.status_int == 303) == ok
    if not ok:
        assert "目前不在報到時間內" in response.text


def test_codes_rotate_and_an_old_one_fails(app, world, monkeypatch):
    now = Clock(monkeypatch, START + timedelta(minutes=1))
    organiser = browser(app, "a-admin")
    first, first_token = screen(organiser, world)
    now.move(seconds=checkin.ROTATION)
    second, _ = screen(organiser, world)
    assert second["code"] != first["code"] and second["link"] != first["link"]
    # Still taken during the next window (a teacher who was typing)…
    assert check_in_by_code(browser(app, "t1"), world["code"], first["code"]).status_int == 303
    # …but not after: a photo forwarded or a code replayed later fails.
    now.move(seconds=checkin.ROTATION)
    response = check_in_by_code(browser(app, "t2"), world["code"], first["code"])
    assert response.status_int == 400 and "報到碼不正確或已過期" in response.text
    response = check_in_by_link(browser(app, "t2"), first["link"])
    assert response.status_int == 400 and "已失效" in response.text


def test_a_code_is_bound_to_its_session_and_course(app, world, monkeypatch, site):
    Clock(monkeypatch, START + timedelta(minutes=1))
    data, token = screen(browser(app, "a-admin"), world)
    teacher = browser(app, "t1")
    csrf = csrf_of(teacher.get("/checkin"))
    for course, session in ((world["code"], 1), (world["other"], 0)):
        response = teacher.post("/checkin", {"csrf_token": csrf, "course": str(course),
                                             "session": str(session), "token": token},
                                status=400)
        assert "此報到連結已失效" in response.text       # the token belongs to its session
    response = check_in_by_code(teacher, world["other"], data["code"])
    assert response.status_int == 400
    teacher.post("/checkin", {"csrf_token": csrf, "course": str(world["code"]),
                              "session": "0", "token": token + "x"}, status=400)
    assert site.read(lambda root: getattr(root["centres"]["taipei"]["353601"][
        str(world["other"])], "checkins", None)) is None


def test_staff_cannot_check_in(app, world, monkeypatch):
    Clock(monkeypatch, START)
    browser(app, "a-admin").get("/checkin", status=403)


def test_course_page_links(app, world):
    assert "線上報到畫面" in browser(app, "a-admin").get(world["url"]).text
    teacher = browser(app, "t1").get(world["url"]).text
    assert "我的研習狀態" in teacher and "線上報到畫面" not in teacher and "研習名單" not in teacher
    assert "我的研習狀態" not in browser(app).get(world["url"]).text
