"""002 Art. 10 (2), (3), (5): credit from attendance, the one-third rule, credit classes, and
the daily and weekly caps with their special approval. Tables written out by hand."""
from datetime import date
from decimal import Decimal

import pytest

from inservice_portal.rules.hours import apply_caps, attendance_credit, day_hours

P, L, A = "present", "leave", "absent"


@pytest.mark.parametrize("credits, marks, approved, expected", [
    ([3, 3], [P, P], 6, "6"),                     # full attendance
    ([3, 3], [P, L], 6, "3"),                     # leave is simply not credited
    ([3, 3], [L, L], 6, "0"),                     # all leave: nothing, but no penalty either
    ([2, 2, 2], [P, P, A], 6, "0"),               # exactly one third absent: voided
    ([2, 2, 2, 2], [P, P, P, A], 8, "6"),         # a quarter absent: present sessions credited
    ([3, 3, 3], [P, A, L], 9, "0"),               # one third absent (leave does not help)
    ([2, 1, 3], [P, A, P], 6, "5"),               # 1/6 absent: 5 hours
    ([3, 3, 1], [P, P, A], 7, "6"),               # 1 of 7 absent
    ([3, 3], [P, P], 5, "5"),                     # never above the approved hours
    ([3, "2.5"], [P, P], 6, "5.5"),
    ([], [], 3, "0"),                             # no sessions: nothing to credit
    ([0, 3], [A, P], 3, "3"),                     # an absence from a 0-hour session costs nothing
])
def test_attendance_credit(credits, marks, approved, expected):
    assert attendance_credit(credits, marks, approved) == Decimal(expected)


@pytest.mark.parametrize("credits, marks, approved, expected", [
    ([3, 3, 3, 3], [P, P, P, P], 36, "36"),       # 2 credits × 18, all attended
    ([3, 3, 3, 3], [P, P, P, L], 36, "27"),       # three quarters attended
    ([3, 3, 3], [P, P, L], 18, "12"),
    ([3, 3, 3], [P, P, A], 18, "0"),              # one third absent
    ([3, 3, 3, 3, 3, 3, 3], [P, P, P, P, P, P, L], 18, "15"),   # 15.43 → 15 (half-hour steps)
])
def test_credit_classes(credits, marks, approved, expected):
    assert attendance_credit(credits, marks, approved, credit_class=True) == Decimal(expected)


def test_marks_must_match_sessions():
    with pytest.raises(ValueError):
        attendance_credit([3, 3], [P], 6)
    with pytest.raises(ValueError):
        attendance_credit([3], ["late"], 3)


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
    ([("a", [(MON, 4)], False), ("b", [(MON, 3)], False)],
     {"a": ("4", "0", False), "b": ("2", "1", True)}),
    # exactly 6 a day: no excess
    ([("a", [(MON, 3)], False), ("b", [(MON, 3)], False)],
     {"a": ("3", "0", False), "b": ("3", "0", False)}),
    # approved excess counts in full
    ([("a", [(MON, 4)], False), ("b", [(MON, 3)], True)],
     {"a": ("4", "0", False), "b": ("3", "1", False)}),
    # a week of 6 × 6 = 36 hours Mon–Sat: 35 counted, 1 excess on Saturday
    ([("w", _days(MON, 6, 6), False)], {"w": ("35", "1", True)}),
    # the next ISO week starts again
    ([("w", _days(MON, 6, 5), False), ("x", _days(date(2026, 3, 9), 6, 1), False)],
     {"w": ("30", "0", False), "x": ("6", "0", False)}),
    # different days do not add up against the day cap
    ([("a", [(MON, 6)], False), ("b", [(TUE, 6)], False)],
     {"a": ("6", "0", False), "b": ("6", "0", False)}),
])
def test_caps(records, expected):
    result = apply_caps(records)
    assert {k: (v["counted"], v["excess"], v["needs_approval"]) for k, v in result.items()} == {
        k: (Decimal(c), Decimal(e), n) for k, (c, e, n) in expected.items()}
