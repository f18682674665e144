"""002 Art. 9 flags and Art. 12 deadlines."""
from datetime import date, timedelta

import pytest

from inservice_portal.rules.deadlines import (LATE, ON_TIME, RETROACTIVE, roster_due,
                                              roster_overdue, roster_rule_text,
                                              submission_timeliness)
from inservice_portal.reference import load
from inservice_portal.rules.restricted import flags


@pytest.mark.parametrize("title, outline, clauses", [
    ("113學年度第1學期學年會議", "", [1]),
    ("教科書選購會議", "", [1]),
    ("期初行政會議", "", [2]),
    ("全校週會演講", "", [3]),
    ("童軍露營活動", "帶學生童軍露營", [3]),
    ("教師瑜珈紓壓", "", [4]),
    ("退休理財規劃講座", "", [4]),
    ("佛經閱讀分享", "", [5]),
    ("風水與命理", "", [5]),
    ("博物館參觀", "", [6]),
    ("選務工作說明會", "", [7]),
    ("十二年國教五堂課多元評量--自然領域案例與實作", "評量設計與實作", []),
    ("數學領域教學", "行政會議後的分組討論", [2]),      # outline counts too
    ("瑜伽與雞尾酒", "", [4]),                           # one flag per clause
])
def test_art9_flags(title, outline, clauses):
    found = flags(load("restricted_activities"), title, outline)
    assert [f.clause for f in found] == clauses
    for flag in found:
        assert f"第 9 條第 {flag.clause} 款" in flag.describe()


@pytest.mark.parametrize("submitted, first_day, days, expected", [
    (date(2026, 9, 1), date(2026, 9, 8), 7, ON_TIME),       # exactly one week before
    (date(2026, 9, 2), date(2026, 9, 8), 7, LATE),          # six days before
    (date(2026, 9, 8), date(2026, 9, 8), 7, LATE),          # on the day
    (date(2026, 9, 9), date(2026, 9, 8), 7, RETROACTIVE),   # after it took place: 補登
    (date(2026, 8, 25), date(2026, 9, 8), 14, ON_TIME),     # a centre's own number of days
    (date(2026, 8, 26), date(2026, 9, 8), 14, LATE),
])
def test_submission_timeliness(submitted, first_day, days, expected):
    assert submission_timeliness(submitted, first_day, days) == expected


@pytest.mark.parametrize("submitted, expected", [
    (date(2026, 8, 25), ON_TIME),          # two weeks before (001, 2022: "辦理前兩週")
    (date(2026, 8, 26), LATE),             # thirteen days: late, though a week would do
    (date(2026, 9, 1), LATE),
])
def test_the_default_is_two_weeks(submitted, expected):
    assert submission_timeliness(submitted, date(2026, 9, 8)) == expected


@pytest.mark.parametrize("last, due", [
    # 001: "請於研習辦理結束後一個月內" — the same day of the next month …
    (date(2026, 9, 8), date(2026, 10, 8)),
    (date(2026, 12, 15), date(2027, 1, 15)),          # … across the year
    (date(2026, 1, 31), date(2026, 2, 28)),           # … or the month's last day
    (date(2028, 1, 31), date(2028, 2, 29)),           # (a leap year)
    (date(2026, 3, 31), date(2026, 4, 30)),
])
def test_the_roster_is_due_within_a_month(last, due):
    assert roster_due(last) == due
    assert not roster_overdue(due, last)
    assert roster_overdue(due + timedelta(days=1), last)


def test_a_centre_may_set_a_number_of_days_instead():
    last = date(2026, 9, 8)
    assert roster_due(last, 7) == date(2026, 9, 15)
    assert not roster_overdue(date(2026, 9, 15), last, 7)
    assert roster_overdue(date(2026, 9, 16), last, 7)
    assert roster_rule_text(None) == "研習結束後一個月內"
    assert roster_rule_text(10) == "最後一場次後 10 天內"
