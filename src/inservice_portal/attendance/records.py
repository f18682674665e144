"""Training records (研習紀錄) and the transcript (個人研習紀錄).

Closing a course (confirm_roster) writes one record per credited teacher into
``teacher.records``; confirming again after a reopening rewrites them in place, removes those
of teachers no longer credited and never adds a second one. A transcript reads only the
teacher's own records: no course is searched.
"""
from decimal import Decimal

from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_root

from .. import clock, statistics
from ..exchange import duplicates, feed
from . import roster as roster_service
from ..resources.interfaces import ICourse
from ..resources.records import LOCAL, TrainingRecord
from ..rules import hours as hours_rule
from ..workflows.api import IObjectTransitioned


def records_of(teacher, create=False):
    if getattr(teacher, "records", None) is None and create:
        teacher.records = OOBTree()
    return getattr(teacher, "records", None)


def course_credits(course) -> dict:
    """login → (credited hours, days) for every teacher of the roster credited above 0."""
    result = {}
    for entry in roster_service.entries(course):
        hours = roster_service.credit(course, entry.attendance)
        if hours > 0:
            days = roster_service.credited_days(course, entry.attendance)
            result[entry.login] = (hours, hours_rule.day_hours(hours, days))
    return result


def course_key(course) -> tuple:
    """The key of the training record a course writes (records_of(teacher)[key])."""
    return (LOCAL, str(course.code))


def write_course(course):
    """Write (or rewrite) the course's records from its roster; idempotent."""
    people = find_root(course)["people"]
    key = course_key(course)
    credited = course_credits(course)
    for login in set(getattr(course, "recorded_logins", None) or ()) - set(credited):
        records = records_of(people.get(login)) if login in people else None
        if records is not None and key in records:
            with statistics.tracking_record(people[login], key):
                del records[key]
            duplicates.release(people[login], key)
            feed.note(people[login], key)           # 回撈: partners learn it went
    now = clock.now()
    for login, (hours, days) in credited.items():
        teacher = people.get(login)
        if teacher is None:
            continue
        records = records_of(teacher, create=True)
        fields = dict(title=course.title, course_code=course.code,
                      organiser=getattr(course.organiser, "title", ""), hours=hours, days=days,
                      credit_class=course.is_credit_class, written_at=now)
        record = records.get(key)
        with statistics.tracking_record(teacher, key):
            if record is None:
                records[key] = TrainingRecord(login, LOCAL, str(course.code), **fields)
            elif (record.hours, record.days) != (hours, tuple(days)):
                record.rewrite(**fields)
            else:
                continue
        duplicates.release(teacher, key)           # rewritten: what repeated it may not now
        duplicates.mark_repeats_of(teacher, key)
        feed.note(teacher, key)
    _review(people, set(credited) | set(getattr(course, "recorded_logins", None) or ()))
    course.recorded_logins = tuple(sorted(credited))


def _review(people, logins):
    """Teachers with imported records: what the review list holds of them may change with
    this course's hours (exchange/review.py)."""
    from ..exchange import review            # (imports this module: imported late)
    from ..statistics.measures import teacher_place
    touched = [people[login] for login in logins if login in people]
    touched = [t for t in touched if any(k[0] != LOCAL for k in (records_of(t) or {}).keys())]
    if touched and "exchange" in find_root(people):
        review.refresh(find_root(people), [(t, teacher_place(t)) for t in touched])


def on_transitioned(event):
    if not ICourse.providedBy(event.object):
        return
    name = event.entry["transition"]
    if name == "submit_roster":
        roster_service.freeze(event.object, event.entry["by"])
    elif name == "confirm_roster":
        write_course(event.object)


# -- the transcript --------------------------------------------------------------------------

def capped(teacher) -> list[dict]:
    """Every record with its counted hours under the day/week caps (Art. 10 (2)); one that
    repeats another (``duplicate_of``, Art. 12(1)) counts nothing."""
    records = sorted((records_of(teacher) or {}).values(),
                     key=lambda r: (r.written_at is not None, r.written_at or 0, r.key))
    caps = hours_rule.apply_caps((r.key, r.days, r.special_approval is not None, r.credit_class)
                                 for r in records if not r.duplicate_of)
    none = {"counted": Decimal(0), "excess": Decimal(0), "needs_approval": False}
    return [{"record": r, **caps.get(r.key, none), "duplicate": bool(r.duplicate_of)}
            for r in records]


def transcript(teacher, year: int | None = None) -> list[dict]:
    """Years, newest first, each with its records (newest first) and totals."""
    years: dict = {}
    for line in capped(teacher):
        day = line["record"].last_day
        if day is None or (year is not None and day.year != year):
            continue
        years.setdefault(day.year, []).append(line)
    result = []
    for y in sorted(years, reverse=True):
        lines = sorted(years[y], key=lambda l: (l["record"].last_day, l["record"].key),
                       reverse=True)
        result.append({"year": y, "roc_year": y - 1911, "lines": lines,
                       "hours": sum((l["record"].hours for l in lines), Decimal(0)),
                       "counted": sum((l["counted"] for l in lines), Decimal(0)),
                       "pending": sum((l["excess"] for l in lines if l["needs_approval"]),
                                      Decimal(0))})
    return result


def approve_excess(teacher, key, by):
    """The authority's special approval of a record's hours over the caps (Art. 10 (2))."""
    record = records_of(teacher)[key]
    record.special_approval = {"by": by, "at": clock.now()}
    return record


def includeme(config):
    config.add_subscriber(on_transitioned, IObjectTransitioned)
