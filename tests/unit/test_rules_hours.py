"""002 Art. 10: suggested hours per session and per course, credits, half-hour steps."""
from decimal import Decimal

import pytest

from inservice_portal.rules.hours import (credit_hours, is_half_hour_step, session_hours,
                                          suggested_hours)


@pytest.mark.parametrize("minutes, hours", [
    (0, "0"), (49, "0"),                # under a class period: nothing
    (50, "1"), (89, "1"),               # one class period of 50 minutes is one hour
    (90, "2"), (119, "2"), (149, "2"),  # 90 continuous minutes count two hours
    (150, "2.5"), (179, "2.5"),
    (180, "3"), (200, "3"), (209, "3"),
    (210, "3.5"), (360, "6"), (480, "8"),
])
def test_session_hours(minutes, hours):
    assert session_hours(minutes) == Decimal(hours)


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError):
        session_hours(-1)


@pytest.mark.parametrize("sessions, total", [
    ([], "0"),
    ([50, 89], "2"),
    ([90, 150], "4.5"),
    ([200, 210, 40], "6.5"),
])
def test_course_suggestion_is_the_sum_of_sessions(sessions, total):
    assert suggested_hours(sessions) == Decimal(total)


@pytest.mark.parametrize("credits, hours", [(1, 18), (2, 36), (Decimal("0.5"), 9), (3, 54)])
def test_one_credit_is_eighteen_hours(credits, hours):
    assert credit_hours(credits) == Decimal(hours)


@pytest.mark.parametrize("value, ok", [
    (0, True), (0.5, True), (3, True), ("2.5", True),
    (0.25, False), (1.3, False), (-0.5, False),
])
def test_half_hour_steps(value, ok):
    assert is_half_hour_step(value) is ok
