"""authenticate: the argon2 check on the request's snapshot, the outcome recorded in a short
transaction begun after it (``begin_anew``), where the account is checked again. Each test's
``begin_anew`` plays another request's commit made during the argon2 check."""
from datetime import timedelta

import pytest

from inservice_portal import clock
from inservice_portal.accounts import passwords
from inservice_portal.accounts.authentication import LoginFailed, authenticate
from inservice_portal.resources.accounts import Teacher

PASSWORD = "Test-Pass-2026!"


@pytest.fixture(autouse=True)
def cheap_argon2():
    passwords.configure({"argon2.time_cost": "1", "argon2.memory_cost": "1024",
                         "argon2.parallelism": "1"})


@pytest.fixture
def root():
    teacher = Teacher("t1", "林老師", national_id="A123456789")
    teacher.set_password(PASSWORD)
    return {"people": {"t1": teacher}}


def test_a_password_rehashed_meanwhile_still_logs_in_and_counts_nothing(root):
    teacher = root["people"]["t1"]
    account = authenticate(root, "t1", PASSWORD,
                           begin_anew=lambda: teacher.rehash(PASSWORD))
    assert account is teacher and teacher.failed_logins == 0


def test_a_password_changed_meanwhile_decides(root):
    teacher = root["people"]["t1"]
    with pytest.raises(LoginFailed):
        authenticate(root, "t1", PASSWORD,
                     begin_anew=lambda: teacher.set_password("Another-Pass-2026!"))
    assert teacher.failed_logins == 1


def test_a_lockout_that_ends_during_the_check_counts_no_failure(root):
    teacher = root["people"]["t1"]
    teacher.locked_until = clock.now() + timedelta(minutes=1)

    def lockout_ends():
        teacher.locked_until = clock.now() - timedelta(seconds=1)
    with pytest.raises(LoginFailed):
        authenticate(root, "t1", PASSWORD, begin_anew=lockout_ends)
    assert teacher.failed_logins == 0


def test_an_account_disabled_meanwhile_fails_and_counts(root):
    teacher = root["people"]["t1"]

    def disable():
        teacher.active = False
    with pytest.raises(LoginFailed):
        authenticate(root, "t1", PASSWORD, begin_anew=disable)
    assert teacher.failed_logins == 1
