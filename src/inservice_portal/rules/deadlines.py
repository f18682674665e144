"""Deadlines: 002 Art. 12 and the centre's settings.

- Course entry: schools and units enter a course two weeks before it takes place (001, 2022
  edition: "各學校、單位須於研習活動辦理前兩週…登錄研習活動"), where Art. 12 (2) once said one
  week; a centre may set another number of days (one that keeps a week sets 7).
  Entered later → "late"; entered after the course began → "retroactive" (補登).
- Roster: due within a month of the course's end (001: "請於研習辦理結束後一個月內將實際參與
  研習教師名單、時數資料確實登錄"), read as the same day of the next month (the month's last day
  where it has no such day); a centre may set a number of days instead.
"""
import calendar
from datetime import date, timedelta

DEFAULT_SUBMIT_DAYS = 14
DEFAULT_ROSTER_DAYS = None        # None: one calendar month

ON_TIME, LATE, RETROACTIVE = "on_time", "late", "retroactive"


def submission_timeliness(submitted_on: date, first_day: date,
                          days: int = DEFAULT_SUBMIT_DAYS) -> str:
    if submitted_on > first_day:
        return RETROACTIVE
    if (first_day - submitted_on).days < days:
        return LATE
    return ON_TIME


def one_month_after(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def roster_due(last_day: date, days: int | None = DEFAULT_ROSTER_DAYS) -> date:
    return one_month_after(last_day) if days is None else last_day + timedelta(days=days)


def fewest_days_to_due(days: int | None) -> int:
    """A lower bound of the days from the last day to the due day (a month has 28 or more)."""
    return 28 if days is None else days


def roster_rule_text(days: int | None) -> str:
    return "研習結束後一個月內" if days is None else f"最後一場次後 {days} 天內"


def roster_overdue(today: date, last_day: date, days: int | None = DEFAULT_ROSTER_DAYS) -> bool:
    return today > roster_due(last_day, days)
