"""The per-course lock: one writer per course at a time, courses independent; the kind of
lock follows the storage."""
import threading

import pytest

from inservice_portal.registration import locks as course_locks


def test_local_lock_serialises_one_course_and_not_two():
    locks = course_locks.LocalLocks()
    inside, release = threading.Event(), threading.Event()
    order = []

    def holder():
        with locks.hold(1):
            inside.set()
            release.wait(10)
            order.append("holder out")

    def same_course():
        with locks.hold(1):
            order.append("same course in")

    t = threading.Thread(target=holder)
    t.start()
    inside.wait(10)
    with locks.hold(2):                      # another course: not blocked
        order.append("other course in")
    waiter = threading.Thread(target=same_course)
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive()                 # still waiting for course 1
    release.set()
    t.join(10)
    waiter.join(10)
    assert order == ["other course in", "holder out", "same course in"]


def test_local_locks_do_not_accumulate():
    locks = course_locks.LocalLocks()
    for code in range(100):
        with locks.hold(code):
            pass
    assert len(locks._locks) == 0


@pytest.mark.parametrize("settings,kind", [
    ({"zodbconn.uri": "memory://"}, course_locks.LocalLocks),
    ({"zodbconn.uri": "file:///var/Data.fs"}, course_locks.LocalLocks),
    ({"zodbconn.uri": "postgres://u@db:5432/portal"}, course_locks.PostgresLocks),
    ({"zodbconn.uri": "memory://", "registration.lock": "postgresql",
      "registration.lock_uri": "postgresql://u@db:5432/locks"}, course_locks.PostgresLocks),
    ({"zodbconn.uri": "postgres://u@db:5432/portal", "registration.lock": "local"},
     course_locks.LocalLocks),
])
def test_the_storage_chooses_the_lock(settings, kind):
    assert type(course_locks.locks_for(settings)) is kind


def test_unknown_lock_kind_is_refused():
    with pytest.raises(ValueError):
        course_locks.locks_for({"registration.lock": "redis"})


def test_dsn_from_a_zodburi():
    assert course_locks.dsn_from_uri("postgres://app:p%40ss@db.example:5433/portal?x=1") == {
        "host": "db.example", "port": 5433, "dbname": "portal", "user": "app",
        "password": "p@ss"}


def test_advisory_keys_are_namespaced_per_course():
    assert course_locks.advisory_key(7) != course_locks.advisory_key(8)
    assert course_locks.advisory_key(7) >> 32 == course_locks.NAMESPACE
