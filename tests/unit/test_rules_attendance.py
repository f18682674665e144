"""002 Art. 10 (2), (3), (5): credit from attendance, the one-third rule, credit classes, and
the daily and weekly caps with their special approval. Tables written out by hand."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from inservice_portal.rules.hours import apply_caps, attendance_credit, day_hours

P, L, A = "present", "leave", "absent"


def days(*minutes, day=date(2026, 3, 2)):
    """Sessions of these net minutes, one a day from ``day``."""
    return [(day + timedelta(days=n), m) for n, m in enumerate(minutes)]


def same_day(*minutes, day=date(2026, 3, 2)):
    return [(day, m) for m in minutes]


@pytest.mark.parametrize("sessions, marks, approved, expected", [
    (days(180, 180), [P, P], 6, "6"),             # full attendance
    (days(180, 180), [P, L], 6, "3"),             # leave is simply not credited
    (days(180, 180), [L, L], 6, "0"),             # all leave: nothing, but no penalty either
    (days(120, 120, 120), [P, P, A], 6, "0"),     # exactly one third absent: voided
    (days(120, 120, 120, 120), [P, P, P, A], 8, "6"),   # a quarter absent: the rest credited
    (days(180, 180, 180), [P, A, L], 9, "0"),     # one third absent (leave does not help)
    (days(120, 60, 180), [P, A, P], 6, "5"),      # 1/6 absent: 5 hours
    (days(180, 180, 60), [P, P, A], 7, "6"),      # 1 of 7 absent
    (days(180, 180), [P, P], 5, "5"),             # never above the approved hours
    (days(180, 150), [P, P], 6, "5.5"),
    ([], [], 3, "0"),                             # no sessions: nothing to credit
    # short periods (< 50 minutes) of a day are pooled (rules/hours.py)
    (same_day(45, 45), [P, P], 1, "1"),           # the school workshop: approved for 1 hour
    (same_day(45, 45), [P, P], 2, "1.5"),
    (same_day(40, 40, 40), [P, P, P], 2, "2"),    # three elementary periods
    (same_day(40, 40, 40), [P, P, L], 2, "1"),    # two of them: 80 minutes, one hour
    (same_day(40, 40, 40), [P, L, L], 2, "0"),    # one: an hour or less counts nothing
    # an absence from a short period counts toward the third by its minutes
    (same_day(40, 40, 40), [P, P, A], 2, "0"),
    (same_day(45, 180), [A, P], 3, "3"),          # 45 of 225 minutes absent: under a third
])
def test_attendance_credit(sessions, marks, approved, expected):
    assert attendance_credit(sessions, marks, approved) == Decimal(expected)


@pytest.mark.parametrize("sessions, marks, approved, expected", [
    (days(180, 180, 180, 180), [P, P, P, P], 36, "36"),     # 2 credits × 18, all attended
    (days(180, 180, 180, 180), [P, P, P, L], 36, "27"),     # three quarters attended
    (days(180, 180, 180), [P, P, L], 18, "12"),
    (days(180, 180, 180), [P, P, A], 18, "0"),              # one third absent
    (days(*[180] * 7), [P, P, P, P, P, P, L], 18, "15"),    # 15.43 → 15 (half-hour steps)
])
def test_credit_classes(sessions, marks, approved, expected):
    assert attendance_credit(sessions, marks, approved, credit_class=True) == Decimal(expected)


def test_marks_must_match_sessions():
    with pytest.raises(ValueError):
        attendance_credit(days(180, 180), [P], 6)
    with pytest.raises(ValueError):
        attendance_credit(days(180), ["late"], 3)


def test_day_hours_fill_days_in_order():
    d1, d2 = date(2026, 3, 2), date(2026, 3, 3)
    assert day_hours(Decimal(5), [(d2, 3), (d1, 3)]) == [(d1, Decimal(3)), (d2, Decimal(2))]
    assert day_hours(Decimal(36), [(d1, 3), (d2, 3)]) == [(d1, Decimal(3)), (d2, Decimal(33))]
    assert day_hours(Decimal(0), [(d1, 3)]) == []


MON, TUE = date(2026, 3, 2), date(2026, 3, 3)


def _days(start, hours_each, n):
    from datetime import timedelta
    return [(start + timedelta(days=i), hours_each) for i in range(n)]


@pytest.mark.parametrize("records, expected", [
    # one day: 6 counted, the rest excess
    ([("a", [(MON, 4)], False, False), ("b", [(MON, 3)], False, False)],
     {"a": ("4", "0", False), "b": ("2", "1", True)}),
    # exactly 6 a day: no excess
    ([("a", [(MON, 3)], False, False), ("b", [(MON, 3)], False, False)],
     {"a": ("3", "0", False), "b": ("3", "0", False)}),
    # approved excess counts in full
    ([("a", [(MON, 4)], False, False), ("b", [(MON, 3)], True, False)],
     {"a": ("4", "0", False), "b": ("3", "1", False)}),
    # a week of 6 × 6 = 36 hours Mon–Sat: 35 counted, 1 excess on Saturday
    ([("w", _days(MON, 6, 6), False, False)], {"w": ("35", "1", True)}),
    # the next ISO week starts again
    ([("w", _days(MON, 6, 5), False, False), ("x", _days(date(2026, 3, 9), 6, 1), False, False)],
     {"w": ("30", "0", False), "x": ("6", "0", False)}),
    # different days do not add up against the day cap
    ([("a", [(MON, 6)], False, False), ("b", [(TUE, 6)], False, False)],
     {"a": ("6", "0", False), "b": ("6", "0", False)}),
])
def test_caps(records, expected):
    """Art. 10 (2): "每日教師進修時數採計以六小時為原則；每週時數採計以三十五小時為原則"."""
    result = apply_caps(records)
    assert {k: (v["counted"], v["excess"], v["needs_approval"]) for k, v in result.items()} == {
        k: (Decimal(c), Decimal(e), n) for k, (c, e, n) in expected.items()}


def test_a_credit_class_is_counted_whole_and_takes_no_room():
    """Art. 10 (3): a 2-credit class is 36 hours, counted whole however it is dated (the caps
    are on days of training, not a semester's credits), and it leaves the day's room to a
    workshop on its last day."""
    result = apply_caps([("class", [(MON, Decimal(3)), (TUE, Decimal(33))], False, True),
                         ("workshop", [(TUE, Decimal(6))], False, False)])
    assert (result["class"]["counted"], result["class"]["needs_approval"]) == (Decimal(36), False)
    assert (result["workshop"]["counted"], result["workshop"]["excess"]) == (Decimal(6), 0)
