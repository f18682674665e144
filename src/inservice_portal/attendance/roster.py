"""研習名單: the roster an organiser fills after the course, and each teacher's credit.

The roster is pre-filled (until first saved) from the accepted registrations and the
check-ins: a session at which anyone checked in on line marks those who did not as absent; a
session without check-ins (paper sign-in) starts as present for everyone. Saving replaces the
whole roster at once, after every row has been checked: nothing is half-saved.
"""
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal

from pyramid.traversal import find_root

from .. import clock
from ..registration import service as registrations
from ..catalog import Search
from ..rules.national_id import mask_national_id
from ..resources.accounts import Teacher
from ..resources.roster import CheckIns, Roster, RosterEntry
from ..rules import deadlines
from ..rules import hours as hours_rule

MARKS = {"present": "出席", "leave": "請假", "absent": "缺席"}
SOURCES = {"registration": "報名錄取", "checkin": "線上報到", "walk_in": "現場加入",
           "upload": "檔案上傳", "api": "API"}


@dataclass(frozen=True)
class WholeCourse:
    """A course entered without sessions (older data, the demo): one mark for all of it,
    worth the approved hours, on its last day."""
    date: object
    credited_hours: Decimal
    start: time = time(0)
    end: time = time(23, 59)
    venue: str = ""


def schedule(course) -> list:
    """The sessions in schedule order: roster marks and check-ins are indexed by it."""
    if not course.sessions:
        day = course.last_day or course.starts_on
        return [WholeCourse(day, course.approved_hours)] if day is not None else []
    return sorted(course.sessions, key=lambda s: (s.date, s.start, s.end))


def session_count(course) -> int:
    return len(schedule(course))


def expected_logins(course) -> list[str]:
    """The logins of the accepted registrations, in registration order."""
    if getattr(course, "registrations", None) is None:
        return []
    return [r.login for r in registrations.accepted(course)]


def checkins_of(course, create=False):
    if getattr(course, "checkins", None) is None and create:
        course.checkins = CheckIns(session_count(course))
    return getattr(course, "checkins", None)


def roster_of(course, create=False):
    if getattr(course, "roster", None) is None and create:
        course.roster = Roster()
    return getattr(course, "roster", None)


def prefilled(course) -> list[RosterEntry]:
    """The roster as it starts: registrations and check-ins."""
    sessions = schedule(course)
    checkins = checkins_of(course)
    checked = [checkins.logins(i) if checkins else set() for i in range(len(sessions))]
    logins = {login: "registration" for login in expected_logins(course)}
    for login in sorted(set().union(*checked) if checked else ()):
        logins.setdefault(login, "checkin")
    return [RosterEntry(login, tuple(
        "present" if login in checked[i] or not checked[i] else "absent"
        for i in range(len(sessions))), source) for login, source in logins.items()]


def known_sources(course) -> dict[str, str]:
    """login → how each teacher of the roster came to be on it (registered, checked in, …)."""
    return {e.login: e.source for e in entries(course)}


def entries(course) -> list[RosterEntry]:
    """The saved roster, else the pre-filled one; in login order."""
    roster = roster_of(course)
    rows = list(roster.entries.values()) if roster is not None and roster.saved_at else prefilled(course)
    return sorted(rows, key=lambda e: e.login)


def credit(course, attendance) -> Decimal:
    """The hours ``attendance`` (one mark per session of ``schedule``) credits (rules/hours.py)."""
    if not course.sessions:                       # one mark, worth the approved hours
        return course.approved_hours if tuple(attendance) == ("present",) else Decimal(0)
    return hours_rule.attendance_credit([(s.date, s.minutes) for s in schedule(course)],
                                        attendance, course.approved_hours,
                                        course.is_credit_class)


def credited_days(course, attendance) -> list[tuple]:
    """(day, hours) of the days attended, as the credit was computed (the caps' days)."""
    present = [s for s, mark in zip(schedule(course), attendance) if mark == "present"]
    if not course.sessions:
        return [(s.date, s.credited_hours) for s in present]
    return hours_rule.day_credits([(s.date, s.minutes) for s in present])


def freeze(course, by):
    """Store the pre-filled roster if the organiser never saved one (at submit_roster), and
    the day it was due when first sent, by the centre's rule of that day (statistics count a
    late roster by it, whatever the centre sets later)."""
    roster = roster_of(course, create=True)
    if not roster.saved_at:
        roster.replace(prefilled(course), by, clock.now())
    if getattr(course, "roster_due_on", None) is None and course.last_day is not None:
        days = getattr(course.centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
        course.roster_due_on = deadlines.roster_due(course.last_day, days)


# -- resolving people and saving -------------------------------------------------------------

class RosterErrors(Exception):
    """Rows that could not be saved: {row label: message}. Nothing was saved."""

    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def find_teacher(root, key: str):
    """A teacher by login or by national ID (身分證統一編號); None if there is none."""
    key = (key or "").strip()
    if not key:
        return None
    account = root["people"].get(key)
    if account is None and len(key) == 10 and key[0].isalpha():
        login = root["people"].login_for_national_id(key.upper())
        account = root["people"].get(login) if login else None
    return account if isinstance(account, Teacher) else None


@dataclass
class Row:
    """One row as given (page, upload or API): who (login or national ID) and the marks."""
    label: str
    who: str
    attendance: list = field(default_factory=list)
    source: str = "walk_in"


def resolve(course, rows: list[Row]) -> list[RosterEntry]:
    """Check every row; all good → the entries, else RosterErrors naming each bad row."""
    root = find_root(course)
    sessions = session_count(course)
    errors, result, seen = {}, [], {}
    for row in rows:
        teacher = find_teacher(root, row.who)
        marks = [str(m).strip().lower() for m in row.attendance]
        marks = [MARK_WORDS.get(m, m) for m in marks]
        if teacher is None:
            shown = mask_national_id(row.who) if _looks_like_id(row.who) else row.who
            errors[row.label] = f"查無此教師帳號或身分證統一編號：{shown}"
        elif len(marks) != sessions:
            errors[row.label] = f"出缺席須為每個場次各一項（共 {sessions} 場次）。"
        elif set(marks) - set(MARKS):
            errors[row.label] = "出缺席只能填「出席」、「請假」或「缺席」。"
        elif teacher.login in seen:
            errors[row.label] = f"與{seen[teacher.login]}重複（{teacher.login}）。"
        else:
            seen[teacher.login] = row.label
            result.append(RosterEntry(teacher.login, tuple(marks), row.source))
    if errors:
        raise RosterErrors(errors)
    return result


MARK_WORDS = {"出席": "present", "請假": "leave", "缺席": "absent", "p": "present",
              "l": "leave", "a": "absent", "o": "present", "v": "present", "x": "absent"}


def _looks_like_id(value) -> bool:
    value = (value or "").strip()
    return len(value) == 10 and value[0].isalpha() and value[1:].isdigit()


def save(course, rows: list[Row], by) -> list[RosterEntry]:
    """Replace the roster with ``rows`` (all checked first; RosterErrors saves nothing)."""
    result = resolve(course, rows)
    roster_of(course, create=True).replace(result, by, clock.now())
    return result


def lines(course) -> list[dict]:
    """The roster for pages and the API: each teacher with name, masked ID and credit."""
    people = find_root(course)["people"]
    rows = []
    for entry in entries(course):
        teacher = people.get(entry.login)
        rows.append({"entry": entry, "login": entry.login,
                     "name": getattr(teacher, "name", ""),
                     "national_id": mask_national_id(getattr(teacher, "national_id", "")),
                     "credited_hours": credit(course, entry.attendance)})
    return rows


def overdue_courses(root, centre, organiser=None, today=None) -> list:
    """Courses of ``centre`` (and ``organiser``) whose roster is past due and not submitted:
    published (or returned) courses past the centre's deadline (the index narrows by the
    fewest days a deadline can be; the rule decides)."""
    today = today or clock.now().date()
    days = getattr(centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
    search = Search(root)
    query = (search["content_type"].eq("course") & search["centre"].eq(centre.code)
             & search["state"].any(["published", "roster_returned"])
             & search["ends_on"].lt(
                 (today - timedelta(days=deadlines.fewest_days_to_due(days))).toordinal()))
    if organiser is not None:
        query &= search["organiser"].eq(organiser.code)
    courses = [c for c in search.execute(query).all()
               if c.last_day and deadlines.roster_overdue(today, c.last_day, days)]
    return sorted(courses, key=lambda c: (c.last_day, c.code))
