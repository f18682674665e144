"""Attendance at scale: a 2,000-teacher event (check-ins, roster save, closing) and a teacher
with 40 years of records (the transcript). In-process objects (no HTTP), one run each.

    PYTHONPATH=src python bench/bench_attendance.py
"""
import time as timer
from datetime import date, time, timedelta
from decimal import Decimal

from pyramid import testing

from inservice_portal import clock
from inservice_portal.attendance import records, roster
from inservice_portal.bootstrap import make_root
from inservice_portal.resources.accounts import Teacher
from inservice_portal.resources.course import Course, Session
from inservice_portal.resources.organiser import Organiser
from inservice_portal.resources.records import TrainingRecord

ATTENDEES = 2000
YEARS, PER_YEAR = 40, 15


def timed(label, fn):
    start = timer.perf_counter()
    result = fn()
    print(f"{label}: {(timer.perf_counter() - start) * 1000:.0f} ms")
    return result


def main():
    config = testing.setUp()
    config.hook_zca()
    config.include("inservice_portal.workflows.course")
    root = make_root()
    school = root["centres"]["taipei"].add("353601", Organiser("353601", "甲國小", "k12_school"))
    for n in range(ATTENDEES):
        root["people"].add(f"t{n}", Teacher(f"t{n}", f"教師{n}", national_id=f"A1{n:08d}"))
    day = clock.now().date() - timedelta(days=2)
    course = Course(1, "大型研習", starts_on=day, ends_on=day, hours=6, state="published",
                    sessions=[Session(day, time(9), time(12)), Session(day, time(13), time(16))])
    school.add("1", course)

    def check_ins():
        for n in range(ATTENDEES):
            roster.checkins_of(course, create=True).add(0, f"t{n}", clock.now())
    timed(f"{ATTENDEES} check-ins", check_ins)
    timed(f"pre-fill of {ATTENDEES}", lambda: roster.entries(course))
    rows = [roster.Row(str(n), f"A1{n:08d}" if n % 10 == 0 else f"t{n}", ["present", "leave"])
            for n in range(ATTENDEES)]
    timed(f"roster save of {ATTENDEES} (10% by national ID)",
          lambda: roster.save(course, rows, "admin"))
    timed(f"closing: {ATTENDEES} records written", lambda: records.write_course(course))
    timed(f"closing again: {ATTENDEES} records rewritten", lambda: records.write_course(course))

    teacher = root["people"]["t1"]
    store = records.records_of(teacher, create=True)
    start = date(1990, 1, 1)
    for k in range(YEARS * PER_YEAR):
        when = start + timedelta(days=k * 365 // PER_YEAR)
        store[("county", str(k))] = TrainingRecord("t1", "county", str(k), title="研習",
                                                   hours=Decimal(3), days=[(when, Decimal(3))])
    years = timed(f"transcript of {len(store)} records", lambda: records.transcript(teacher))
    assert len(years) >= YEARS
    testing.tearDown()


if __name__ == "__main__":
    main()
