"""002 Art. 10: suggested hours per session and per course (short periods of a day pooled),
credits, half-hour steps. Tables written out by hand from the article's text:
"研習時數以小時為採計單位，超過一小時以上方得採計。但一節達五十分鐘者以一小時計；超過五十分鐘並連續
上課九十分鐘者，進修時數以二小時計算。" (Art. 10 (1))."""
from datetime import date
from decimal import Decimal

import pytest

from inservice_portal.rules.hours import (credit_hours, day_credits, is_half_hour_step,
                                          pooled_hours, session_hours, suggested_hours)

MON, TUE = date(2026, 3, 2), date(2026, 3, 3)


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


@pytest.mark.parametrize("minutes, hours", [
    (0, "0"), (45, "0"), (60, "0"),      # an hour or less: nothing ("超過一小時以上方得採計")
    (61, "1"), (89, "1"), (90, "1.5"),   # beyond it, in half hours (item 13's unit)
    (120, "2"), (135, "2"), (150, "2.5"),
])
def test_pooled_short_periods(minutes, hours):
    assert pooled_hours(minutes) == Decimal(hours)


@pytest.mark.parametrize("sessions, total", [
    ([], "0"),
    ([(MON, 50), (TUE, 89)], "2"),
    ([(MON, 90), (TUE, 150)], "4.5"),
    ([(MON, 200), (MON, 210), (TUE, 40)], "6.5"),           # a lone 40 minutes: nothing
    ([(MON, 45), (MON, 45)], "1.5"),                        # two periods with a break
    ([(MON, 40), (MON, 40), (MON, 40)], "2"),               # three elementary periods
    ([(MON, 45), (TUE, 45)], "0"),                          # a day each: an hour at most
    ([(MON, 45), (MON, 45), (MON, 120)], "3.5"),            # 2 + the pooled 1.5
    ([(MON, 30), (MON, 50)], "1"),                          # the 50 is never pooled
])
def test_course_suggestion_pools_each_days_short_periods(sessions, total):
    assert suggested_hours(sessions) == Decimal(total)


def test_day_credits_are_per_day_in_date_order():
    assert day_credits([(TUE, 45), (MON, 100), (TUE, 45)]) == [(MON, Decimal(2)),
                                                               (TUE, Decimal("1.5"))]


@pytest.mark.parametrize("credits, hours", [(1, 18), (2, 36), (Decimal("0.5"), 9), (3, 54)])
def test_one_credit_is_eighteen_hours(credits, hours):
    assert credit_hours(credits) == Decimal(hours)


@pytest.mark.parametrize("value, ok", [
    (0, True), (0.5, True), (3, True), ("2.5", True),
    (0.25, False), (1.3, False), (-0.5, False),
])
def test_half_hour_steps(value, ok):
    assert is_half_hour_step(value) is ok
