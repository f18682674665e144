"""Deadlines: 002 Art. 12 and the centre's settings.

- Course entry: schools and units enter a course two weeks before it takes place (001, 2022
  edition: "各學校、單位須於研習活動辦理前兩週…登錄研習活動"), where Art. 12 (2) once said one
  week; a centre may set another number of days (one that keeps a week sets 7).
  Entered later → "late"; entered after the course began → "retroactive" (補登).
- Roster: due a number of days after the last session (a centre setting, default 7).
"""
from datetime import date, timedelta

DEFAULT_SUBMIT_DAYS = 14
DEFAULT_ROSTER_DAYS = 7

ON_TIME, LATE, RETROACTIVE = "on_time", "late", "retroactive"


def submission_timeliness(submitted_on: date, first_day: date,
                          days: int = DEFAULT_SUBMIT_DAYS) -> str:
    if submitted_on > first_day:
        return RETROACTIVE
    if (first_day - submitted_on).days < days:
        return LATE
    return ON_TIME


def roster_due(last_day: date, days: int = DEFAULT_ROSTER_DAYS) -> date:
    return last_day + timedelta(days=days)


def roster_overdue(today: date, last_day: date, days: int = DEFAULT_ROSTER_DAYS) -> bool:
    return today > roster_due(last_day, days)
