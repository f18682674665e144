"""course_locks.run_locked: the lock is held around begin … commit, a conflict is retried in
a fresh transaction, and exhausted retries raise Busy (the views answer 409), leaving a
transaction for pyramid_tm."""
from types import SimpleNamespace

import pytest
import transaction
from ZODB.POSException import ConflictError

from inservice_portal.registration import locks as course_locks
from inservice_portal.concurrency import write_conflicts


@pytest.fixture
def request_():
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()                                   # as pyramid_tm leaves it
    registry = SimpleNamespace(course_locks=course_locks.LocalLocks(),
                               conflict_stats=write_conflicts.ConflictStats())
    return SimpleNamespace(tm=tm, registry=registry, method="POST", path_info="/x",
                           account=None)


COURSE = SimpleNamespace(code=5)


def test_a_conflict_is_retried_in_a_new_transaction(request_):
    seen = []

    def work():
        seen.append(request_.tm.get())
        if len(seen) < 3:
            raise ConflictError()
        return "done"

    assert course_locks.run_locked(request_, COURSE, work) == "done"
    assert len(set(map(id, seen))) == 3          # each attempt had its own transaction
    request_.tm.commit()                         # pyramid_tm finds one to finish


def test_exhausted_retries_raise_busy(request_):
    def work():
        raise ConflictError()

    with pytest.raises(course_locks.Busy):
        course_locks.run_locked(request_, COURSE, work)
    request_.tm.abort()                          # a transaction is active for pyramid_tm


def test_the_lock_is_held_while_working_and_released_after(request_):
    locks = request_.registry.course_locks

    def work():
        return locks._locks[5].lock.locked()

    assert course_locks.run_locked(request_, COURSE, work) is True
    assert not any(lock.lock.locked() for lock in locks._locks.values())
