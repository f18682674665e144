"""A registration rush on a real FileStorage: 200 teachers register at once, each in its own
thread and ZODB connection, for 30 seats. Exactly 30 are accepted and 170 waitlisted in
order (positions 1…170, following registration order), every answer is a 201, nothing is
lost after the database is closed and opened again; double submits register once."""
import threading
from datetime import date, time

import pytest
import webtest
from ZODB import DB
from ZODB.FileStorage import FileStorage

from inservice_portal.registration import service as registrations
from inservice_portal.accounts import tokens
from inservice_portal.bootstrap import APP_ROOT
from inservice_portal.catalog import find_course
from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser

TEACHERS, SEATS, TWICE = 200, 30, 20


@pytest.fixture
def settings(base_settings, tmp_path):
    uri = f"file://{tmp_path}/Data.fs?connection_pool_size=300"
    return dict(base_settings, **{"zodbconn.uri": uri})


@pytest.fixture
def rush(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        course = add_course(root, school, "熱門研習", starts_on=date(2099, 5, 1))
        course.update(seats_per_class=SEATS,
                      sessions=[Session(date(2099, 5, 1), time(9), time(12))])
        people = root["people"]
        bearer = {}
        for n in range(TEACHERS):
            login = f"t{n:03d}"
            people.add(login, _teacher(login, school))
            bearer[login] = tokens.issue(root, login)[0]
    return bearer


def _teacher(login, school):
    from pyramid.traversal import resource_path

    from inservice_portal.resources.accounts import Teacher

    return Teacher(login, f"教師{login}", f"{login}@example.org", national_id="A123456789",
                   school=resource_path(school), stage="elementary", job_title="15-4")


def test_200_concurrent_registrations_for_30_seats(app, rush, site, settings, tmp_path):
    logins = sorted(rush)
    # Some teachers submit twice at once (a double click): one registration each.
    submissions = [(login, 0) for login in logins] + [(login, 1) for login in logins[:TWICE]]
    barrier = threading.Barrier(len(submissions))
    answers = {}

    def submit(login, attempt):
        browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        browser.authorization = ("Bearer", rush[login])
        barrier.wait(timeout=60)
        response = browser.post_json("/api/v1/courses/1/registrations", {}, status="*")
        answers[login, attempt] = (response.status_int, response.json)

    threads = [threading.Thread(target=submit, args=s) for s in submissions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(answers) == len(submissions)

    statuses = [status for status, _ in answers.values()]
    assert not [s for s in statuses if s >= 500]
    assert statuses.count(201) == TEACHERS
    assert statuses.count(409) == TWICE          # the second of each double submit …
    assert all(answers[key][1]["error"]["code"] == "duplicate"     # … is a duplicate
               for key in answers if answers[key][0] == 409)
    created = [body for status, body in answers.values() if status == 201]
    assert sum(b["state"] == "accepted" for b in created) == SEATS
    positions = sorted(b["position"] for b in created if b["state"] == "waitlisted")
    assert positions == list(range(1, TEACHERS - SEATS + 1))

    def stored(root):
        course = find_course(root, 1)
        regs = registrations.all_of(course)
        return ([(r.seq, r.state, r.position) for r in regs], course.seats_left)

    # Close the app's database and read the file again: what was answered is what is stored.
    for db in app.registry._zodb_databases.values():
        db.close()
    db = DB(FileStorage(str(tmp_path / "Data.fs"), read_only=True))
    try:
        conn = db.open()
        rows, left = stored(conn.root()[APP_ROOT])
        conn.close()
    finally:
        db.close()
    assert len(rows) == TEACHERS and left == 0
    # Registration order decides: the first 30 by sequence are accepted, the rest wait in
    # the same order.
    assert [s for _, s, _ in rows] == ["accepted"] * SEATS + ["waitlisted"] * (TEACHERS - SEATS)
    assert [p for _, _, p in rows[SEATS:]] == list(range(1, TEACHERS - SEATS + 1))
    assert [seq for seq, _, _ in rows] == list(range(1, TEACHERS + 1))
