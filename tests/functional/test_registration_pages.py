"""線上報名 pages: the course page explains eligibility and registers, 個人報名紀錄 with
withdrawal, 收藏追蹤, calendars, and the organiser's registrations page with accept/reject and
the four XLSX exports (read back with openpyxl, national IDs masked)."""
from datetime import date, time
from io import BytesIO

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser, add_staff, add_teacher, csrf_of
from .test_security import client

DAY = date(2099, 3, 2)
SCHOOL = "/centres/taipei/353601"


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "admin", school, "principal_admin")
        add_staff(root, "other-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_teacher(root, "t1", school, name="王小明", national_id="A123456789")
        add_teacher(root, "t2", school, name="李小華", national_id="B234567890")
        add_teacher(root, "jobless", None, name="高先生")
        for title, seats, admission, hours in (("自然探究實作", 1, "first_come", (9, 12)),
                                               ("閱讀審核制研習", 2, "review", (14, 16)),
                                               ("同時段研習", 5, "first_come", (10, 11))):
            course = add_course(root, school, title, starts_on=DAY)
            course.update(seats_per_class=seats, admission=admission,
                          audience_stages=["14-4"], audience_titles=["15-4"],
                          sessions=[Session(DAY, time(hours[0]), time(hours[1]))])
    return site


def test_course_page_explains_eligibility_and_registers(app, world):
    anonymous = client(app).get(f"{SCHOOL}/1")
    assert "參加對象學制" in anonymous.text and "國小" in anonymous.text
    assert "登入後報名" in anonymous.text and "我要報名" not in anonymous.text
    teacher = client(app, "t1")
    page = teacher.get(f"{SCHOOL}/1")
    assert "您的報名資格" in page.text and "不符合" not in page.text
    assert "尚餘 1 個名額" in page.text
    page = teacher.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)}).follow()
    assert "已報名「自然探究實作」：錄取" in page.text
    assert "您的報名狀態：" in page.text and "我要報名" not in page.text
    second = client(app, "t2")
    page = second.get(f"{SCHOOL}/1")
    assert "我要報名（候補）" in page.text
    page = second.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)}).follow()
    assert "候補第 1 位" in page.text


def test_an_ineligible_teacher_sees_why_and_cannot_register(app, world):
    browser = client(app, "jobless")
    page = browser.get(f"{SCHOOL}/1")
    assert "不符合" in page.text and "無服務學校" in page.text
    assert "我要報名" not in page.text
    answer = browser.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)}).follow()
    assert "無法報名" in answer.text
    assert "尚無人報名" in client(app, "admin").get(f"{SCHOOL}/1/@@registrations").text


def test_a_schedule_conflict_asks_to_confirm(app, world):
    browser = client(app, "t1")
    page = browser.get(f"{SCHOOL}/1")
    browser.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)})
    confirm = browser.post(f"{SCHOOL}/3/@@register", {"csrf_token": csrf_of(page)})
    assert "時段衝堂" in confirm.text and "自然探究實作" in confirm.text
    done = confirm.forms[1].submit().follow()     # [0] is the layout's logout form
    assert "已報名「同時段研習」：錄取" in done.text


def test_my_registrations_shows_states_and_withdraws_and_promotes_with_mail(app, world, smtp):
    t1, t2 = client(app, "t1"), client(app, "t2")
    for browser in (t1, t2):
        page = browser.get(f"{SCHOOL}/1")
        browser.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)})
    mine = t2.get("/my-registrations")
    assert "自然探究實作" in mine.text and "候補（候補第 1 位）" in mine.text
    page = t1.get("/my-registrations")
    assert "錄取" in page.text
    form = next(f for f in page.forms.values() if f.action.endswith("/1/withdraw"))
    asked = form.submit()
    assert "請確認：取消報名" in asked.text and "名額會依序遞補" in asked.text
    assert world.read(lambda root: root["centres"]["taipei"]["353601"]["1"]
                      .registrations["t1"].state) == "accepted"        # nothing done yet
    after = confirm(asked).follow()
    assert after.request.path == "/my-registrations" and "已取消報名" in after.text
    assert "錄取" in t2.get("/my-registrations").text
    assert [m["To"] for m in smtp.messages] == ["t2@example.org"]


def test_favourites_add_list_remove(app, world):
    browser = client(app, "t1")
    page = browser.get(f"{SCHOOL}/2")
    form = next(f for f in page.forms.values() if f.action.endswith("/favourites"))
    back = form.submit().follow()
    assert back.request.path == f"{SCHOOL}/2" and "取消收藏" in back.text
    listing = browser.get("/favourites")
    assert "閱讀審核制研習" in listing.text and "未報名" in listing.text
    form = next(f for f in listing.forms.values() if f.action.endswith("/favourites"))
    assert "尚未收藏" in form.submit().follow().text
    assert client(app, "admin").get("/favourites", status=403)


def test_course_calendar_and_my_private_feed(app, world):
    ics = client(app).get(f"{SCHOOL}/1/@@calendar.ics")
    [event] = Calendar.from_ical(ics.body).walk("VEVENT")
    assert str(event["summary"]).startswith("自然探究實作")
    browser = client(app, "t1")
    page = browser.get(f"{SCHOOL}/1")
    browser.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)})
    mine = browser.get("/my-registrations")
    shown = next(f for f in mine.forms.values() if f.action.endswith("/calendar-feed")).submit(
        "action", value="new")
    url = shown.html.find(id="feed-url")["value"]
    assert "token=" in url
    assert b"BEGIN:VEVENT" in client(app).get(url).body


def test_organiser_reviews_and_sees_masked_ids(app, world, smtp):
    for login in ("t1", "t2"):
        browser = client(app, login)
        page = browser.get(f"{SCHOOL}/2")
        browser.post(f"{SCHOOL}/2/@@register", {"csrf_token": csrf_of(page)})
    staff = client(app, "admin")
    page = staff.get(f"{SCHOOL}/2/@@registrations")
    assert "A12345****" in page.text and "A123456789" not in page.text
    assert "待審核 2 人" in page.text
    form = next(f for f in page.forms.values() if f.action.endswith("/registrations")
                and f["login"].value == "t1")
    after = form.submit("transition", value="accept").follow()
    assert "錄取 1 人" in after.text
    form = next(f for f in after.forms.values() if f.action.endswith("/registrations")
                and f["login"].value == "t2")
    asked = form.submit("transition", value="reject")
    assert "請確認：不錄取" in asked.text and "李小華（t2）" in asked.text
    after = confirm(asked).follow()
    assert "錄取 1 人" in after.text and "未錄取" in after.text
    assert [m["To"] for m in smtp.messages] == ["t1@example.org", "t2@example.org"]


@pytest.mark.parametrize("who,status", [("t1", 403), ("other-admin", 403), ("tp-rev", 200)])
def test_others_cannot_review(app, world, who, status):
    browser = client(app, "t1")
    page = browser.get(f"{SCHOOL}/2")
    browser.post(f"{SCHOOL}/2/@@register", {"csrf_token": csrf_of(page)})
    other = client(app, who)
    assert other.get(f"{SCHOOL}/2/@@registrations", status="*").status_int == status
    token = csrf_of(other.get("/"))
    response = other.post(f"{SCHOOL}/2/@@registrations",
                          {"csrf_token": token, "login": "t1", "transition": "accept"},
                          status="*")
    assert response.status_int == 403
    assert "待審核 1 人" in client(app, "admin").get(f"{SCHOOL}/2/@@registrations").text


def _workbook(response):
    assert response.content_type.startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.body)).active


def test_the_four_exports_open_and_mask_ids(app, world):
    for login in ("t1", "t2"):
        browser = client(app, login)
        page = browser.get(f"{SCHOOL}/1")
        browser.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)})
    staff = client(app, "admin")
    links = staff.get(f"{SCHOOL}/1/@@registrations")
    for title in ("簽到表", "簽到表(空表)", "線上報名資訊", "參與研習教師名單"):
        assert title in links.text
    signin = _workbook(staff.get(f"{SCHOOL}/1/@@export?kind=signin"))
    values = list(signin.iter_rows(values_only=True))
    assert values[0][0] == "自然探究實作　簽到表"
    assert values[2][:4] == ("序號", "姓名", "身分證字號", "服務學校")
    assert values[3][:4] == (1, "王小明", "A12345****", "臺北市立甲國民小學")
    assert len(values) == 4                       # only the accepted teacher signs
    blank = _workbook(staff.get(f"{SCHOOL}/1/@@export?kind=signin_blank"))
    assert blank.max_row == 3 + 1 and blank.cell(4, 2).value is None
    info = [r for r in _workbook(staff.get(f"{SCHOOL}/1/@@export?kind=registrations"))
            .iter_rows(min_row=4, values_only=True)]
    assert [(r[1], r[3], r[-2], r[-1]) for r in info] == [
        ("t1", "A12345****", "錄取", None), ("t2", "B23456****", "候補", 1)]
    people = [r for r in _workbook(staff.get(f"{SCHOOL}/1/@@export?kind=participants"))
              .iter_rows(min_row=4, values_only=True)]
    assert [(r[1], r[2]) for r in people] == [("王小明", "A12345****")]
    every_cell = " ".join(str(c) for ws in (signin,) for row in ws.iter_rows(values_only=True)
                          for c in row)
    assert "A123456789" not in every_cell
    staff.get(f"{SCHOOL}/1/@@export?kind=nothing", status=404)


@pytest.mark.parametrize("who", ["t1", "other-admin", "tp-rev"])
def test_exports_are_the_organisers_alone(app, world, who):
    client(app, who).get(f"{SCHOOL}/1/@@export?kind=signin", status=403)


def test_the_organisers_course_list_links_to_registrations(app, world):
    page = client(app, "admin").get(f"{SCHOOL}/courses")
    link = page.click(description="報名名單", href="/1/registrations")
    assert "報名名單" in link.text and "自然探究實作" in link.text


def test_a_course_too_busy_to_register_says_so_in_the_page_and_in_json(app, world, monkeypatch):
    """run_locked's retries exhausted (registration.locks.Busy): the browser gets the error
    page, the API its JSON error, both 409; nothing is registered."""
    from ZODB.POSException import ConflictError

    from inservice_portal.registration import service

    def always_conflicting(*args, **kw):
        raise ConflictError()

    monkeypatch.setattr(service, "register", always_conflicting)
    teacher = client(app, "t1")
    page = teacher.get(f"{SCHOOL}/1")
    answer = teacher.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)}, status=409)
    assert answer.content_type == "text/html" and "系統忙碌，請稍候再試一次。" in answer.text
    assert answer.html.find("h1").get_text(strip=True) == "系統忙碌"
    api = teacher.post_json("/api/v1/courses/1/registrations", {}, status=409,
                            headers={"X-CSRF-Token": csrf_of(page)})
    assert api.json["error"]["code"] == "conflict"
    assert api.json["error"]["message"] == "系統忙碌，請稍候再試一次。"
    assert "尚餘 1 個名額" in teacher.get(f"{SCHOOL}/1").text


def confirm(page):
    """Press the confirmation page's button (views/confirm.py)."""
    return next(f for f in page.forms.values() if "confirmed" in f.fields).submit()


def withdraw_forms(page) -> int:
    return len([f for f in page.html.select("form") if f["action"].endswith("withdraw")])


def test_withdrawal_is_offered_exactly_where_the_workflow_allows_it(app, world):
    """One answer (registration.service.may_withdraw): the owner and the organiser's staff
    while the course takes registrations; nobody else, and nobody once it is cancelled."""
    teacher = client(app, "t1")
    page = teacher.get(f"{SCHOOL}/1")
    teacher.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)})
    staff, other = client(app, "admin"), client(app, "other-admin")
    assert withdraw_forms(teacher.get("/my-registrations")) == 1
    assert withdraw_forms(staff.get(f"{SCHOOL}/1/@@registrations")) == 1
    assert withdraw_forms(client(app, "tp-rev").get(f"{SCHOOL}/1/@@registrations")) == 0
    other.get(f"{SCHOOL}/1/@@registrations", status=403)
    with world.edit() as root:
        root["centres"]["taipei"]["353601"]["1"].state = "cancelled"
    assert withdraw_forms(teacher.get("/my-registrations")) == 0
    assert withdraw_forms(staff.get(f"{SCHOOL}/1/@@registrations")) == 0
    page = teacher.get(f"{SCHOOL}/1")
    teacher.post(f"{SCHOOL}/1/@@withdraw", {"csrf_token": csrf_of(page)})
    assert "無法取消" in " ".join(p.get_text() for p in teacher.get(f"{SCHOOL}/1").html.select(".flash"))


def test_who_may_register_is_one_rule(app, world):
    """registration.service.refusal: the eligibility checks, the course ACL's
    registration.register (teachers, published courses only) and no live registration."""
    from inservice_portal.registration import service

    class Asking:                      # a request as the ACL sees it: whose, and what they hold
        def __init__(self, principals):
            self.principals = principals

        def has_permission(self, permission, context):
            from pyramid.authorization import ACLHelper

            return ACLHelper().permits(context, self.principals, permission)

    teacher = ["system.Everyone", "system.Authenticated", "user:t1", "role:teacher"]
    with world.edit() as root:
        course, t1 = root["centres"]["taipei"]["353601"]["1"], root["people"]["t1"]
        assert service.refusal(Asking(teacher), course, t1) is None
        refused = service.refusal(Asking(teacher[:3]), course, t1)     # no teacher's role
        assert (refused.code, refused.status) == ("forbidden", 403)
        course.state = "cancelled"
        assert service.refusal(Asking(teacher), course, t1).code == "not_open"
    page = client(app, "t1").get(f"{SCHOOL}/1")
    assert "我要報名" not in page.text


def test_a_teacher_without_a_school_keeps_only_the_transcript(app, world):
    """004, the amended Art. 5: no registration, no 收藏追蹤 and no calendar feed for a
    teacher with no current school; the transcript stays."""
    jobless = client(app, "jobless")
    home = jobless.get("/")
    assert "收藏追蹤" not in home.text and "個人研習紀錄" in home.text
    refused = jobless.get("/favourites", status=403)
    assert "僅能查詢研習紀錄" in refused.text
    page = jobless.get("/my-registrations")
    assert "沒有研習行事曆" in page.text and "產生私人訂閱網址" not in page.text
    jobless.post("/favourites", {"csrf_token": csrf_of(page), "code": "1"}, status=403)
    jobless.post("/calendar-feed", {"csrf_token": csrf_of(page), "action": "new"}, status=403)
    api = jobless.post("/api/v1/me/calendar-feed", {}, headers={"X-CSRF-Token": csrf_of(page)},
                       status=403)
    assert api.json["error"]["code"] == "not_employed"
    jobless.get("/api/v1/me/calendar.ics", status=403)
    assert jobless.get("/transcript").status_int == 200
    assert "收藏追蹤" in client(app, "t1").get("/").text


def test_registration_opens_and_closes_at_the_organisers_times(app, world, monkeypatch):
    """000 附件四 (109): an organiser sets the hour registration opens (else 00:00 of item 16)
    and closes (else the end of item 17's day); the page says when, the API gives the times."""
    from datetime import datetime

    from inservice_portal import clock

    with world.edit() as root:
        root["centres"]["taipei"]["353601"]["1"].update(
            registration_opens=date(2099, 2, 1), registration_opens_time=time(9),
            registration_closes=date(2099, 2, 20), registration_closes_time=time(17, 30))

    def at(*moment):
        monkeypatch.setattr(clock, "now", lambda: datetime(*moment, tzinfo=clock.TAIPEI))

    at(2099, 2, 1, 8, 59)
    teacher = client(app, "t1")              # (signed in at each moment: sessions time out)
    page = teacher.get(f"{SCHOOL}/1")
    assert "報名尚未開始（2099-02-01 09:00 起開放報名）" in page.text
    assert "2099-02-01 09:00 起、至 2099-02-20 17:30 止" in page.text   # 報名期間
    refused = teacher.post(f"{SCHOOL}/1/@@register", {"csrf_token": csrf_of(page)}).follow()
    assert "無法報名" in refused.text
    at(2099, 2, 1, 9, 0)
    assert "我要報名" in client(app, "t1").get(f"{SCHOOL}/1").text
    at(2099, 2, 20, 17, 31)
    assert "報名已於 2099-02-20 17:30 截止" in client(app, "t1").get(f"{SCHOOL}/1").text
    course = client(app).get("/api/v1/courses/1").json
    assert (course["registration_opens_time"], course["registration_closes_time"]) == (
        "09:00", "17:30")
    listed = client(app).get("/api/v1/courses", {"q": "自然探究實作"}).json
    assert listed["items"][0]["registration_open"] is False


def test_a_course_without_sessions_is_one_all_day_event(app, world):
    """Issue 16 item 5: the .ics of a course entered without sessions was empty; it is one
    all-day event over items 18–19 (DTEND exclusive, as RFC 5545 has it)."""
    with world.edit() as root:
        root["centres"]["taipei"]["353601"]["2"].update(
            sessions=(), starts_on=date(2099, 3, 2), ends_on=date(2099, 3, 4))
    [event] = Calendar.from_ical(
        client(app).get(f"{SCHOOL}/2/@@calendar.ics").body).walk("VEVENT")
    assert str(event["summary"]) == "閱讀審核制研習"
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (date(2099, 3, 2),
                                                                  date(2099, 3, 5))


def test_a_reviewer_who_may_not_reject_is_not_asked(app, world):
    teacher = client(app, "t2")
    page = teacher.get(f"{SCHOOL}/2")
    teacher.post(f"{SCHOOL}/2/@@register", {"csrf_token": csrf_of(page)})
    reviewer = client(app, "tp-rev")
    page = reviewer.get(f"{SCHOOL}/2/@@registrations")
    answer = reviewer.post(f"{SCHOOL}/2/@@registrations", {
        "csrf_token": csrf_of(page), "transition": "reject", "login": "t2"}, status=403)
    assert "請確認" not in answer.text                  # refused outright, not asked first
    assert world.read(lambda root: root["centres"]["taipei"]["353601"]["2"]
                      .registrations["t2"].state) == "applied"


def test_a_hundred_posts_do_not_grow_the_session_cookie(app, world):
    """Issue 22 item 3: flash messages ride in the session cookie; a client that posts and never
    follows the redirect keeps only the last few, and the cookie stays well under 4 KB."""
    teacher = client(app, "jobless")                 # refused each time, with a message
    token = csrf_of(teacher.get(f"{SCHOOL}/1"))
    sizes = []
    for _ in range(100):
        teacher.post(f"{SCHOOL}/1/@@register", {"csrf_token": token}, status=303)
        sizes.append(len(teacher.cookies["isp_session"]))
    assert max(sizes) < 2000 and sizes[-1] == sizes[10]
    shown = teacher.get(f"{SCHOOL}/1").html.select(".flash")
    assert len(shown) == 3 and all("無法報名" in p.text for p in shown)


def test_messages_naming_a_long_title_keep_the_cookie_small(app, world):
    """A title of 200 characters (the form's limit) named in messages in a row: the newest
    are kept within a budget of characters and the cookie keeps Chinese as UTF-8, so it stays
    under 4 KB."""
    title = "長" * 200
    with world.edit() as root:
        root["centres"]["taipei"]["353601"]["1"].title = title
    teacher = client(app, "t1")
    token = csrf_of(teacher.get(f"{SCHOOL}/1"))
    for action in ("add", "remove", "add", "remove", "add"):
        teacher.post("/favourites", {"csrf_token": token, "code": "1", "action": action},
                     status=303)
        assert len(teacher.cookies["isp_session"]) < 3000
    shown = [p.text.strip() for p in teacher.get("/favourites").html.select(".flash")]
    assert len(shown) == 2 and shown[-1].startswith("已收藏「長長") and title in shown[-1]
