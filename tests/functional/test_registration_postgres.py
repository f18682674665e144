"""The registration lock on RelStorage: a PostgreSQL advisory lock keyed by the course code
serialises the writers of one course across processes (course_locks.PostgresLocks)."""
import threading
import time
from datetime import date, time as clock_time

import pytest

from inservice_portal.registration import locks as course_locks, service as registrations
from inservice_portal.accounts import tokens
from inservice_portal.catalog import find_course
from inservice_portal.resources.course import Session

from .. import pg
from ..pg_registration import register_many
from ..conftest import add_course, add_organiser, add_teacher
from .test_relstorage import SPAWN, TIMEOUT, pg_audit_uri, pg_settings, pg_uri  # noqa: F401

pytestmark = pytest.mark.postgresql
# Each thread holds RelStorage connections to the main and the audit database and one for the
# advisory lock: keep the total under PostgreSQL's default max_connections of 100.
PROCESSES, PER_PROCESS, SEATS = 2, 6, 4


@pytest.fixture
def settings(pg_settings):
    return pg_settings


def test_the_storage_chooses_the_advisory_lock(settings, pg_uri):
    assert isinstance(course_locks.locks_for(settings), course_locks.PostgresLocks)
    assert isinstance(course_locks.locks_for({"zodbconn.uri": "memory://"}),
                      course_locks.LocalLocks)
    assert course_locks.dsn_from_uri(pg_uri)["host"] == "127.0.0.1"


def test_advisory_lock_serialises_one_course_and_not_two(pg_uri):
    locks = course_locks.PostgresLocks(course_locks.dsn_from_uri(pg_uri))
    events = []
    held = threading.Event()

    def first():
        with locks.hold(7):
            events.append("first in")
            held.set()
            time.sleep(0.5)
            events.append("first out")

    def second():
        held.wait(10)
        with locks.hold(7):
            events.append("second in")

    def other_course():
        held.wait(10)
        with locks.hold(8):
            events.append("other course in")

    threads = [threading.Thread(target=f) for f in (first, second, other_course)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert events.index("second in") > events.index("first out")
    assert events.index("other course in") < events.index("first out")
    # Released: no advisory lock of ours is left in the server (in this test's database: the
    # server is shared with whatever else runs on the machine).
    conn = pg.admin_connection()
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                       " (SELECT oid FROM pg_database WHERE datname = %s)",
                       (pg_uri.rsplit("/", 1)[1],))
        assert cursor.fetchone()[0] == 0
    conn.close()


def test_a_rush_from_two_processes_takes_exactly_the_seats(app, site, settings):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        course = add_course(root, school, "跨程序搶課", starts_on=date(2099, 5, 1))
        course.update(seats_per_class=SEATS,
                      sessions=[Session(date(2099, 5, 1), clock_time(9), clock_time(12))])
        bearer = []
        for n in range(PROCESSES * PER_PROCESS):
            add_teacher(root, f"p{n:02d}", school)
            bearer.append(tokens.issue(root, f"p{n:02d}")[0])
    barrier = SPAWN.Barrier(PROCESSES)
    results = SPAWN.Queue()
    workers = [SPAWN.Process(target=register_many, args=(
        settings, 1, bearer[i * PER_PROCESS:(i + 1) * PER_PROCESS], barrier, results))
        for i in range(PROCESSES)]
    for w in workers:
        w.start()
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in workers]
    finally:
        for w in workers:
            w.join(timeout=TIMEOUT)
            if w.is_alive():
                w.kill()
    for report in reports:
        assert "error" not in report, report["error"]
    answers = [a for report in reports for a in report["answers"]]
    assert sorted(status for status, _ in answers) == [201] * PROCESSES * PER_PROCESS
    states = [body["state"] for _, body in answers]
    assert states.count("accepted") == SEATS
    assert sorted(b["position"] for _, b in answers if b["state"] == "waitlisted") == \
        list(range(1, PROCESSES * PER_PROCESS - SEATS + 1))
    stored = site.read(lambda root: [r.state for r in registrations.all_of(find_course(root, 1))])
    assert stored == ["accepted"] * SEATS + ["waitlisted"] * (PROCESSES * PER_PROCESS - SEATS)

