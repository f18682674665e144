"""The roster (研習名單) and the records it writes: pre-fill from check-ins, walk-ins by login
or national ID with row-by-row errors and nothing half-saved, the freeze at submit, records
written once at closing and rewritten (not duplicated) after a reopening, and the transcript
with its caps and approvals."""
from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from pyramid import testing
from pyramid.traversal import resource_path

from inservice_portal import clock
from inservice_portal.attendance import records, roster
from inservice_portal.bootstrap import make_root
from inservice_portal.resources.accounts import Staff, Teacher
from inservice_portal.resources.course import Course, Session
from inservice_portal.resources.organiser import Organiser
from inservice_portal.resources.records import TrainingRecord
from inservice_portal.security import PortalSecurityPolicy
from inservice_portal.workflows import course as course_workflow

from .test_course_workflow import request_for as req

ENDED = clock.now().date() - timedelta(days=3)


@pytest.fixture
def world():
    config = testing.setUp()
    config.hook_zca()
    config.set_security_policy(PortalSecurityPolicy())
    config.include("inservice_portal.workflows.course")
    config.include("inservice_portal.catalog")
    config.include("inservice_portal.attendance.records")
    root = make_root()
    school = root["centres"]["taipei"].add("353601", Organiser("353601", "甲國小", "k12_school"))
    accounts = {}
    for login, unit, role in (("admin", school, "principal_admin"),
                              ("rev", root["centres"]["taipei"], "centre_reviewer"),
                              ("nat", root["centres"]["nknu"], "national_centre")):
        path = resource_path(unit)
        accounts[login] = Staff(login, login, unit=path, staff_type=role)
        root["people"].add(login, accounts[login], send_events=False)
        unit.grant(login, role)
    for n in range(1, 5):
        teacher = Teacher(f"t{n}", f"教師{n}", national_id=f"A12345678{n}",
                          school="/centres/taipei/353601")
        root["people"].add(f"t{n}", teacher)          # indexed by national ID on add
    yield SimpleNamespace(root=root, school=school, accounts=accounts, registry=config.registry)
    testing.tearDown()


def make_course(world, sessions=((9, 12), (13, 16)), day=ENDED, hours=6, **fields):
    code = world.root.course_codes.next()
    course = Course(code, "閱讀教學工作坊", starts_on=day, ends_on=day, hours=hours,
                    state="published", sessions=[Session(day, time(a), time(b))
                                                 for a, b in sessions], **fields)
    world.school.add(str(code), course)
    return course


def test_without_registrations_the_expected_list_is_empty(world):
    assert roster.expected_logins(make_course(world)) == []


def test_prefill_from_checkins(world):
    course = make_course(world)
    checkins = roster.checkins_of(course, create=True)
    checkins.add(0, "t1", clock.now())
    checkins.add(1, "t1", clock.now())
    checkins.add(0, "t2", clock.now())
    assert not checkins.add(0, "t2", clock.now())        # twice is once
    assert checkins.count(0) == 2 and checkins.count(1) == 1
    assert [(e.login, e.attendance, e.source) for e in roster.entries(course)] == [
        ("t1", ("present", "present"), "checkin"),
        ("t2", ("present", "absent"), "checkin")]


def test_walk_ins_by_login_and_national_id(world):
    course = make_course(world)
    saved = roster.save(course, [roster.Row("1", "t1", ["present", "present"]),
                                 roster.Row("2", "a123456782", ["出席", "請假"])], "admin")
    assert [(e.login, e.attendance) for e in saved] == [
        ("t1", ("present", "present")), ("t2", ("present", "leave"))]
    lines = roster.lines(course)
    assert [(l["login"], l["credited_hours"], l["national_id"]) for l in lines] == [
        ("t1", Decimal(6), "A12345****"), ("t2", Decimal(3), "A12345****")]


def test_bad_rows_are_reported_one_by_one_and_nothing_is_saved(world):
    course = make_course(world)
    roster.save(course, [roster.Row("1", "t1", ["present", "present"])], "admin")
    rows = [roster.Row("第1列", "t2", ["present", "present"]),
            roster.Row("第2列", "nobody", ["present", "present"]),
            roster.Row("第3列", "B123456789", ["present", "present"]),
            roster.Row("第4列", "t3", ["present"]),
            roster.Row("第5列", "t4", ["present", "late"]),
            roster.Row("第6列", "t2", ["present", "present"]),
            roster.Row("第7列", "admin", ["present", "present"])]
    with pytest.raises(roster.RosterErrors) as caught:
        roster.save(course, rows, "admin")
    errors = caught.value.errors
    assert set(errors) == {"第2列", "第3列", "第4列", "第5列", "第6列", "第7列"}
    assert "B12345****" in errors["第3列"] and "B123456789" not in errors["第3列"]
    assert [e.login for e in roster.entries(course)] == ["t1"]          # unchanged


def close(world, course):
    course_workflow.transition(course, req(world, "admin"), "submit_roster")
    course_workflow.transition(course, req(world, "rev"), "confirm_roster")


def test_submit_freezes_the_prefill_and_closing_writes_each_record_once(world):
    course = make_course(world)
    checkins = roster.checkins_of(course, create=True)
    for index, login in ((0, "t1"), (1, "t1"), (0, "t2")):
        checkins.add(index, login, clock.now())
    close(world, course)
    assert course.state == "closed" and course.roster.saved_by == "admin"
    assert [(e.login, e.attendance) for e in course.roster.entries.values()] == [
        ("t1", ("present", "present")), ("t2", ("present", "absent"))]
    t1 = world.root["people"]["t1"]
    [record] = t1.records.values()
    assert (record.source, record.source_record_id, record.hours) == ("local", str(course.code),
                                                                     Decimal(6))
    assert record.days == ((ENDED, Decimal(6)),)
    # t2 missed half the course without leave: no hours, no record (Art. 10 (5)).
    assert records.records_of(world.root["people"]["t2"]) is None
    records.write_course(course)                        # writing again changes nothing
    assert len(t1.records) == 1


def test_reopening_rewrites_without_duplicates(world):
    course = make_course(world)
    roster.save(course, [roster.Row("1", "t1", ["present", "present"]),
                         roster.Row("2", "t2", ["present", "present"])], "admin")
    close(world, course)
    course_workflow.transition(course, req(world, "nat"), "reopen", comment="t2 實際請假")
    assert course.state == "roster_returned"
    roster.save(course, [roster.Row("1", "t1", ["present", "leave"]),
                         roster.Row("3", "t3", ["present", "present"])], "admin")
    close(world, course)
    people = world.root["people"]
    assert [r.hours for r in people["t1"].records.values()] == [Decimal(3)]
    assert len(people["t2"].records) == 0                # no longer credited: removed
    assert [r.hours for r in people["t3"].records.values()] == [Decimal(6)]
    assert course.history[-3]["transition"] == "reopen" and course.history[-3]["by"] == "nat"


def test_one_third_absent_writes_no_record(world):
    course = make_course(world, sessions=((9, 11), (13, 15), (15, 17)))
    roster.save(course, [roster.Row("1", "t1", ["present", "present", "absent"])], "admin")
    close(world, course)
    assert records.records_of(world.root["people"]["t1"]) is None
    assert course.recorded_logins == ()


def _record(teacher, code, days, approved=False):
    store = records.records_of(teacher, create=True)
    hours = sum((Decimal(h) for _, h in days), Decimal(0))
    record = TrainingRecord(teacher.login, "local", code, title=f"研習{code}", hours=hours,
                            days=[(d, Decimal(h)) for d, h in days])
    store[record.key] = record
    if approved:
        records.approve_excess(teacher, record.key, "rev")
    return record


def test_transcript_years_totals_and_caps(world):
    teacher = world.root["people"]["t1"]
    monday = date(2025, 3, 3)
    _record(teacher, "1", [(monday, 4)])
    _record(teacher, "2", [(monday, 3)])                     # 7 on one day: 1 over the cap
    _record(teacher, "3", [(date(2024, 5, 6), 2)])
    _record(teacher, "4", [(date(2025, 9, 1), 5)])
    years = records.transcript(teacher)
    assert [y["year"] for y in years] == [2025, 2024]
    latest = years[0]
    assert [l["record"].source_record_id for l in latest["lines"]] == ["4", "2", "1"]
    assert (latest["hours"], latest["counted"], latest["pending"]) == (12, 11, 1)
    line = next(l for l in latest["lines"] if l["record"].source_record_id == "2")
    assert line["needs_approval"] and line["excess"] == 1
    records.approve_excess(teacher, ("local", "2"), "rev")
    latest = records.transcript(teacher, 2025)[0]
    assert (latest["counted"], latest["pending"]) == (12, 0)
    assert [y["year"] for y in records.transcript(teacher, 2024)] == [2024]


# -- pre-fill from the registrations (registrations.accepted) ----------------------------------

def registered(course, *pairs):
    """Registrations in the given states, in this order (as the service files them)."""
    from inservice_portal.registration import service as registrations
    from inservice_portal.resources.registration import Registration

    regs = registrations.container(course)
    for login, state in pairs:
        reg = Registration(login, regs.next_seq(), clock.now(), state)
        regs.add(login, reg)
        regs.file(reg)


def test_prefill_from_accepted_registrations_and_checkins(world):
    course = make_course(world)
    registered(course, ("t1", "accepted"), ("t2", "waitlisted"), ("t3", "accepted"))
    checkins = roster.checkins_of(course, create=True)
    checkins.add(0, "t1", clock.now())
    checkins.add(0, "t4", clock.now())                      # a walk-in who checked in
    assert [(e.login, e.attendance, e.source) for e in roster.entries(course)] == [
        ("t1", ("present", "present"), "registration"),
        ("t3", ("absent", "present"), "registration"),      # did not check in to session 1
        ("t4", ("present", "present"), "checkin")]


def test_status_steps(world):
    from inservice_portal.attendance.status import course_status

    course = make_course(world)
    registered(course, ("t1", "accepted"), ("t2", "waitlisted"))
    people = world.root["people"]

    def steps(login):
        return [s["done"] for s in course_status(course, people[login])["steps"]]

    assert steps("t1") == [True, True, False, False]
    assert steps("t2") == [True, False, False, False]
    assert course_status(course, people["t2"])["note"] == "候補中"
    roster.checkins_of(course, create=True).add(0, "t1", clock.now())
    roster.checkins_of(course).add(0, "t3", clock.now())
    assert steps("t1") == [True, True, True, False]
    assert steps("t3") == [None, None, True, False]          # walk-in
    close(world, course)
    assert steps("t1") == [True, True, True, True]


def test_a_course_without_sessions_is_one_mark_worth_its_hours(world):
    code = world.root.course_codes.next()
    course = Course(code, "舊課程", starts_on=ENDED, ends_on=ENDED, hours=3, state="published")
    world.school.add(str(code), course)
    roster.save(course, [roster.Row("1", "t1", ["present"]), roster.Row("2", "t2", ["leave"])],
                "admin")
    assert [l["credited_hours"] for l in roster.lines(course)] == [Decimal(3), Decimal(0)]
    roster.checkins_of(course, create=True).add(0, "t3", clock.now())
    close(world, course)
    [record] = world.root["people"]["t1"].records.values()
    assert record.days == ((ENDED, Decimal(3)),)


def test_walk_ins_by_national_id_are_found_through_the_people_index(world):
    root = world.root
    assert roster.find_teacher(root, "a123456782").login == "t2"
    assert roster.find_teacher(root, "A123456782").login == "t2"
    root["people"].remove("t3")
    assert roster.find_teacher(root, "A123456783") is None
    assert roster.find_teacher(root, "A12345678") is None              # not an ID, not a login


def test_two_45_minute_periods_credit_their_attendees(world):
    """002 Art. 10 (1): the short periods of one day pool (rules/hours.py): a school workshop
    of two 45-minute periods with a break, approved for 1 hour, credits 1 hour."""
    course = make_course(world, sessions=(), hours=1)
    course.update(sessions=[Session(ENDED, time(13, 30), time(14, 15)),
                            Session(ENDED, time(14, 25), time(15, 10))])
    roster.save(course, [roster.Row("1", "t1", ["present", "present"]),
                         roster.Row("2", "t2", ["present", "absent"])], "admin")
    assert course.suggested_hours == Decimal("1.5")
    assert [l["credited_hours"] for l in roster.lines(course)] == [Decimal(1), Decimal(0)]
    close(world, course)
    [record] = world.root["people"]["t1"].records.values()
    assert (record.hours, record.days) == (Decimal(1), ((ENDED, Decimal(1)),))
    assert records.records_of(world.root["people"]["t2"]) is None


def test_a_two_credit_class_shows_36_hours_counted(world):
    """002 Art. 10 (3): 一學分採計為十八小時; the day and week caps (Art. 10 (2)) are on days of
    training, so a credit class is counted whole and needs no special approval."""
    weeks = [ENDED - timedelta(days=7 * n) for n in range(11, -1, -1)]
    course = make_course(world, sessions=(), hours=None, class_type="1-5", credits=2)
    course.update(sessions=[Session(day, time(9), time(12)) for day in weeks])
    assert course.approved_hours == Decimal(36)
    roster.save(course, [roster.Row("1", "t1", ["present"] * 12)], "admin")
    close(world, course)
    teacher = world.root["people"]["t1"]
    [line] = records.capped(teacher)
    assert (line["record"].hours, line["counted"], line["excess"], line["needs_approval"]) == (
        Decimal(36), Decimal(36), Decimal(0), False)
    [year] = records.transcript(teacher)
    assert (year["counted"], year["pending"]) == (Decimal(36), Decimal(0))
