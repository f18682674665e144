"""線上報名 through the API: eligibility refusals, first-come seats and the waitlist, promotion
with its e-mail (a real SMTP server on loopback), review courses, duplicates, schedule
conflicts, who may do what, my registrations and my calendar."""
from datetime import date, time, timedelta

import pytest
import transaction
import webtest
from icalendar import Calendar

from inservice_portal import clock, evolve
from inservice_portal.accounts import tokens
from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser, add_staff, add_teacher

API = "/api/v1"
DAY = date(2099, 3, 2)


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


def make_course(root, organiser, title="自然領域探究實作", seats=2, admission="first_come",
                sessions=((DAY, time(9), time(12)),), **fields):
    course = add_course(root, organiser, title, starts_on=DAY)
    course.update(seats_per_class=seats, admission=admission,
                  sessions=[Session(d, s, e) for d, s, e in sessions], **fields)
    return course


@pytest.fixture
def world(site):
    """A school with staff, five elementary teachers, a jobless teacher, a kindergarten
    teacher; courses: 1 first-come (2 seats), 2 review (1 seat), 3 overlaps 1, 4 later."""
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "admin", school, "principal_admin")
        add_staff(root, "other-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        for n in range(1, 6):
            add_teacher(root, f"t{n}", school, name=f"教師{n}")
        add_teacher(root, "jobless", None)
        add_teacher(root, "kg", school, stage="kindergarten", job_title="15-13")
        make_course(root, school)
        make_course(root, school, "閱讀素養審核制", seats=1, admission="review",
                    sessions=((DAY + timedelta(days=7), time(9), time(12)),))
        make_course(root, school, "同時段數學研習", sessions=((DAY, time(11), time(13)),))
        make_course(root, school, "下午場研習", sessions=((DAY, time(12), time(15)),))
    return site


def api(app, login=None):
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    if login is not None:
        tm = transaction.TransactionManager()
        db = app.registry._zodb_databases[""]
        conn = db.open(transaction_manager=tm)
        with tm:
            token, _ = tokens.issue(conn.root()["inservice_portal"], login)
        conn.close()
        browser.authorization = ("Bearer", token)
    return browser


def register(app, login, code=1, status=201, **body):
    return api(app, login).post_json(f"{API}/courses/{code}/registrations", body, status=status)


def state_of(site, code, login):
    from inservice_portal.registration import service as registrations
    from inservice_portal.catalog import find_course

    reg = site.read(lambda root: registrations.get(find_course(root, code), login))
    return reg


def test_first_come_accepts_until_full_then_waitlists_in_order(app, world):
    assert register(app, "t1").json == {"state": "accepted", "course": 1}
    assert register(app, "t2").json["state"] == "accepted"
    assert register(app, "t3").json == {"state": "waitlisted", "course": 1, "position": 1}
    assert register(app, "t4").json["position"] == 2
    listing = api(app, "admin").get(f"{API}/courses/1/registrations").json
    assert [(i["login"], i["state"], i.get("position")) for i in listing["items"]] == [
        ("t1", "accepted", None), ("t2", "accepted", None), ("t3", "waitlisted", 1),
        ("t4", "waitlisted", 2)]
    assert listing["seats_left"] == 0 and listing["capacity"] == 2


def test_withdrawing_promotes_the_first_waitlisted_who_is_told_by_mail(app, world, smtp):
    for login in ("t1", "t2", "t3", "t4"):
        register(app, login)
    assert smtp.messages == []
    answer = api(app, "t1").delete(f"{API}/courses/1/registrations/t1").json
    assert answer["state"] == "withdrawn"
    mine = api(app, "t3").get(f"{API}/me/registrations").json["items"]
    assert [(i["course"], i["state"]) for i in mine] == [(1, "accepted")]
    assert api(app, "t4").get(f"{API}/me/registrations").json["items"][0]["position"] == 1
    [message] = smtp.messages
    assert message["To"] == "t3@example.org"
    assert "候補遞補錄取通知" in message["Subject"]
    assert "錄取" in message.get_content() and "自然領域探究實作" in message.get_content()
    # The promotion is in the registration's history, as the system's.
    reg = state_of(world, 1, "t3")
    assert [(e["transition"], e["by"]) for e in reg.history] == [
        ("register", "t3"), ("waitlist", "system"), ("promote", "system")]


def test_withdrawing_a_waitlisted_registration_moves_the_others_up(app, world, smtp):
    for login in ("t1", "t2", "t3", "t4", "t5"):
        register(app, login)
    api(app, "t3").delete(f"{API}/courses/1/registrations/t3")
    assert api(app, "t5").get(f"{API}/me/registrations").json["items"][0]["position"] == 2
    assert smtp.messages == []          # nobody promoted: no seat was freed


def test_registering_twice_is_refused_also_when_submitted_twice(app, world):
    register(app, "t1")
    again = register(app, "t1", status=409).json["error"]
    assert again["code"] == "duplicate"
    listing = api(app, "admin").get(f"{API}/courses/1/registrations").json
    assert listing["total"] == 1


def test_registering_again_after_withdrawing_joins_at_the_end(app, world):
    for login in ("t1", "t2", "t3"):
        register(app, login)
    api(app, "t3").delete(f"{API}/courses/1/registrations/t3")
    assert register(app, "t3").json == {"state": "waitlisted", "course": 1, "position": 1}


@pytest.mark.parametrize("login,code,fields,expected", [
    ("jobless", 1, {}, "not_employed"),
    ("kg", 1, {"audience_stages": ["14-4"]}, "not_eligible_stage"),
    ("t1", 1, {"audience_titles": ["15-2", "15-3"]}, "not_eligible_title"),
    ("t1", 1, {"registration_closes": date(2020, 1, 1)}, "window_closed"),
    ("t1", 1, {"registration_opens": date(2098, 1, 1)}, "window_closed"),
    ("t1", 1, {"state": "cancelled"}, "not_open"),
])
def test_refusals_name_their_reason(app, world, login, code, fields, expected):
    from inservice_portal.catalog import find_course

    with world.edit() as root:
        course = find_course(root, code)
        state = fields.pop("state", None)
        course.update(**fields)
        if state:
            course.state = state
    error = register(app, login, code, status=422).json["error"]
    assert error["code"] == expected and error["message"]
    assert api(app, "admin").get(f"{API}/courses/{code}/registrations").json["total"] == 0


def test_a_schedule_conflict_warns_and_registers_when_confirmed(app, world):
    register(app, "t1", 1)                                           # 09:00–12:00
    error = register(app, "t1", 3, status=422).json["error"]         # 11:00–13:00
    assert error["code"] == "schedule_conflict"
    assert "自然領域探究實作" in error["message"] and error["fields"]["conflicts"]
    assert register(app, "t1", 3, confirm=True).json["state"] == "accepted"
    # Half-open: 12:00–15:00 does not clash with 09:00–12:00 (but does with 11:00–13:00).
    assert register(app, "t2", 1).status_int == 201
    assert register(app, "t2", 4).status_int == 201


def test_a_withdrawn_course_no_longer_conflicts(app, world):
    register(app, "t1", 1)
    api(app, "t1").delete(f"{API}/courses/1/registrations/t1")
    assert register(app, "t1", 3).status_int == 201


def test_confirm_must_be_a_boolean(app, world):
    error = register(app, "t1", 1, status=400, confirm="yes").json["error"]
    assert error["code"] == "malformed" and "confirm" in error["fields"]


def test_review_course_waits_for_the_organiser_who_is_told_and_limited_by_seats(app, world,
                                                                               smtp):
    assert register(app, "t1", 2).json == {"state": "applied", "course": 2}
    register(app, "t2", 2)
    organiser = api(app, "admin")
    url = f"{API}/courses/2/registrations"
    accepted = organiser.post_json(f"{url}/t1/transitions", {"transition": "accept"}).json
    assert accepted["state"] == "accepted"
    assert [e["transition"] for e in accepted["history"]] == ["register", "accept"]
    full = organiser.post_json(f"{url}/t2/transitions", {"transition": "accept"}, status=409)
    assert full.json["error"]["code"] == "full"
    assert organiser.post_json(f"{url}/t2/transitions",
                               {"transition": "reject"}).json["state"] == "rejected"
    assert [m["To"] for m in smtp.messages] == ["t1@example.org", "t2@example.org"]
    assert "錄取" in smtp.messages[0]["Subject"]
    # Taking a decided registration again is a state conflict.
    again = organiser.post_json(f"{url}/t2/transitions", {"transition": "accept"}, status=409)
    assert again.json["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("who,status", [
    ("t1", 403),            # the teacher cannot review their own registration
    ("other-admin", 403),   # another school's staff
    ("tp-rev", 403),        # the centre's reviewer sees but does not decide
])
def test_only_the_organisers_staff_accept_or_reject(app, world, who, status):
    register(app, "t1", 2)
    response = api(app, who).post_json(f"{API}/courses/2/registrations/t1/transitions",
                                       {"transition": "accept"}, status=status)
    assert response.json["error"]["code"] == "forbidden"
    assert state_of(world, 2, "t1").state == "applied"


@pytest.mark.parametrize("who,status", [
    (None, 401), ("t1", 403), ("other-admin", 403), ("admin", 200), ("tp-rev", 200)])
def test_who_sees_a_courses_registrations(app, world, who, status):
    register(app, "t2", 1)
    response = api(app, who).get(f"{API}/courses/1/registrations", status=status)
    if status == 200:
        assert response.json["items"][0]["login"] == "t2"


def test_staff_cannot_register_and_nobody_withdraws_another_teacher(app, world):
    assert register(app, "admin", status=403).json["error"]["code"] == "forbidden"
    stranger = api(app)
    stranger.authorization = ("Bearer", "not-a-token")
    assert stranger.post_json(f"{API}/courses/1/registrations", {}, status=401)
    register(app, "t1")
    response = api(app, "t2").delete(f"{API}/courses/1/registrations/t1", status=404)
    assert response.json["error"]["code"] == "not_found"
    api(app, "other-admin").delete(f"{API}/courses/1/registrations/t1", status=404)
    assert state_of(world, 1, "t1").state == "accepted"
    # The organiser's staff may withdraw a teacher.
    assert api(app, "admin").delete(f"{API}/courses/1/registrations/t1").json["state"] == \
        "withdrawn"
    api(app, "admin").delete(f"{API}/courses/1/registrations/t1", status=409)


def test_my_registrations_are_a_teachers_own(app, world):
    register(app, "t1", 1)
    register(app, "t1", 2)
    items = api(app, "t1").get(f"{API}/me/registrations").json["items"]
    assert sorted((i["course"], i["state"]) for i in items) == [(1, "accepted"), (2, "applied")]
    assert api(app, "t2").get(f"{API}/me/registrations").json["items"] == []
    assert api(app, "admin").get(f"{API}/me/registrations", status=403)


def test_my_calendar_with_a_bearer_token_and_with_a_revocable_feed(app, world):
    register(app, "t1", 1)
    register(app, "t1", 2)                                           # applied only: not shown
    ics = api(app, "t1").get(f"{API}/me/calendar.ics")
    assert ics.content_type == "text/calendar"
    events = [c for c in Calendar.from_ical(ics.body).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["自然領域探究實作（第 1 場）"]
    assert events[0].decoded("dtstart").isoformat() == "2099-03-02T09:00:00+08:00"
    url = api(app, "t1").post_json(f"{API}/me/calendar-feed", {}).json["url"]
    anonymous = api(app)
    assert b"BEGIN:VEVENT" in anonymous.get(url).body
    api(app, "t1").delete(f"{API}/me/calendar-feed", status=204)
    assert anonymous.get(url, status=404).json["error"]["code"] == "not_found"
    assert anonymous.get(f"{API}/me/calendar.ics", status=401)


def test_seats_left_counts_accepted_only(app, world):
    from inservice_portal.registration import service as registrations
    from inservice_portal.catalog import find_course

    register(app, "t1", 1)
    register(app, "t2", 2)                                           # applied: holds no seat
    assert world.read(lambda root: find_course(root, 1).seats_left) == 1
    assert world.read(lambda root: find_course(root, 2).seats_left) == 1
    assert world.read(lambda root: [r.login for r in registrations.accepted(
        find_course(root, 1))]) == ["t1"]


def test_evolve_step_3_gives_old_courses_their_registrations(app, world):
    from inservice_portal.catalog import find_course

    with world.edit() as root:
        del find_course(root, 4).registrations                      # as stored before
        root.evolve_version = 1
    tm = transaction.TransactionManager()
    conn = world.db.open(transaction_manager=tm)
    tm.begin()
    evolve.run(conn.root()["inservice_portal"], tm=tm, log=lambda *a: None)
    conn.close()
    assert world.read(lambda root: len(find_course(root, 4).registrations)) == 0
    assert register(app, "t1", 4).json["state"] == "accepted"
