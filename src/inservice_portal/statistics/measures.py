"""What each object adds to the statistics (統計), as a function of its state: the event
subscribers move an object's contribution from its old state to its new one, and the nightly
rebuild adds up every object's contribution in its present state, so the two agree by
construction (a test holds them to it after random operations).

Measures (cube name → the key's dimensions, after the school year 學年度 in ROC years):
- ``courses``: courses offered (published and after, never the cancelled), by month, county,
  centre, organiser (its code), organiser kind, scope (附件十一) and level;
- ``course_hours``: the hours they offer a full attendee, in hundredths, by the same;
- ``registrations``: registrations by month, county, centre, organiser and state, while
  their course is offered (a cancelled course's registrations leave the figures with it);
- ``teacher_hours``: each teacher's credited hours (核給時數) of the year, in hundredths, by
  the county and school the teacher serves now (a school reads its own by key range) and
  the teacher's stage;
- ``teacher_bands``: teachers with hours by county, stage and band of hours, derived from
  the cells of ``teacher_hours`` as they change (the national page reads a few cells, not
  225,000);
- ``teachers``: the teachers serving a school now, by its county and their stage: the one
  measure without a school year (it is today's), from which the teachers without hours of
  a year follow;
- ``demand`` (進修儀表板): by month, county, centre, course stage, scope, sub-item and first
  delivery mode, the ``figure`` courses offered, their seats, the registrations that hold or
  wait for a seat (``asked``: those of courses with a seat limit, which the fill rate sets
  against the seats), those waiting, and the courses cancelled;
- ``closings``: by centre, rosters closed, and those first sent after the centre's deadline
  (Art. 12); the overdue ones are read from the catalog, since time alone makes them so;
- ``records``: training records and their hours (hundredths) by the teacher's county and the
  record's source (``local`` for the portal's own courses, else the exchanging system);
- ``feedback``: the national questions of closed courses' 回饋問卷, by the course's county:
  the scores' ``sum`` and ``count`` (the mean is theirs to divide).
"""
from datetime import date, datetime

from pyramid.location import lineage
from pyramid.traversal import find_root

from ..resources.feedback import MIN_SHOWN
from ..resources.interfaces import ICourse, IRegionCentre, IRegistration, ITeacher
from ..resources.units import unit_at
from ..rules import deadlines

OFFERED = ("published", "roster_pending", "roster_returned", "closed")
PLACE = ("year", "month", "county", "centre", "organiser")
COURSE_DIMENSIONS = PLACE + ("organiser_kind", "scope", "level")
MEASURES = {
    "courses": COURSE_DIMENSIONS,
    "course_hours": COURSE_DIMENSIONS,
    "registrations": PLACE + ("state",),
    "teacher_hours": ("year", "county", "school", "login", "stage"),
    "teacher_bands": ("year", "county", "stage", "band"),
    "teachers": ("county", "stage"),
    "demand": ("year", "month", "county", "centre", "stage", "scope", "sub_item", "delivery",
               "figure"),
    "closings": ("year", "centre", "figure"),
    "records": ("year", "county", "source", "figure"),
    "feedback": ("year", "county", "question", "figure"),
}
# Roll-ups: each measure also counted by fewer dimensions, so that a page reads a few
# hundred cells, not the hundreds of thousands a nation's year leaves in the full cube (one
# per organiser, month and kind). The folder adds every change to them too; the reports read
# the smallest cube that holds what a table asks for.
ROLLUPS = {
    "courses": (("year", "county"), ("year", "centre", "month"), ("year", "month", "county"),
                ("year", "centre", "organiser"), ("year", "month", "scope")),
    "demand": tuple(("year", place, *rest, "figure")
                    for place in ("county", "centre")
                    for rest in (("stage", "scope"), ("stage", "delivery"), ("stage", "month")))
    + (("year", "stage", "county", "scope", "sub_item", "figure"),
       ("year", "centre", "stage", "scope", "sub_item", "figure"),
       ("year", "month", "scope", "figure")),
}
ROLLUPS["course_hours"] = ROLLUPS["courses"]
ROLLUPS["registrations"] = tuple(dims + ("state",) for dims in ROLLUPS["courses"]
                                 if "scope" not in dims)


def rollup_name(measure: str, dims: tuple) -> str:
    return f"{measure}:{'+'.join(dims[1:])}"


CUBES = {**MEASURES, **{rollup_name(m, dims): dims for m, all_dims in ROLLUPS.items()
                        for dims in all_dims}}


def rolled(name: str, key: tuple, amount: int) -> dict:
    """The change of cell ``key`` of measure ``name`` in each of its roll-ups."""
    dims = MEASURES[name]
    return {(rollup_name(name, to), tuple(key[dims.index(d)] for d in to)): amount
            for to in ROLLUPS.get(name, ())}


# Registrations that hold a seat or wait for one: the demand the organiser plans for.
ACTIVE = ("applied", "accepted", "waitlisted")
# Yearly hours bands of the national report (under 18: the kindergarten's duty), by the
# upper bound in hundredths; a teacher without hours has no cell: the band "0" is what the
# ``teachers`` serving now leave when those with hours are taken away (reports.py).
BANDS = ((1800, "未滿 18 小時"), (3600, "18–35 小時"), (5400, "36–53 小時"),
         (None, "54 小時以上"))


def band(hundredths: int) -> str:
    return next(title for limit, title in BANDS if limit is None or hundredths < limit)


def banded(key: tuple, before: int, after: int) -> dict:
    """The move of a teacher between bands when a ``teacher_hours`` cell goes from
    ``before`` to ``after``: derived by the folder, which alone sees both."""
    year, county, stage = key[0], key[1], key[4] if len(key) > 4 else ""  # (before step 30)
    moves: dict = {}
    if before:
        moves[("teacher_bands", (year, county, stage, band(before)))] = -1
    if after:
        cell = ("teacher_bands", (year, county, stage, band(after)))
        moves[cell] = moves.get(cell, 0) + 1
    return {cell: n for cell, n in moves.items() if n}


def school_year(day) -> int:
    """學年度 in ROC years: August to July (113 學年度 runs from 2024-08 to 2025-07)."""
    return day.year - 1911 - (day.month < 8)


def centre_code(obj) -> str:
    centre = next((n for n in lineage(obj) if IRegionCentre.providedBy(n)), None)
    return getattr(centre, "code", None) or getattr(centre, "__name__", "") or ""


def course_place(course) -> tuple | None:
    """(year, month, county, centre, organiser) of a course, or None for one without a date."""
    day = course.first_day
    if day is None:
        return None
    organiser = course.__parent__
    return (school_year(day), day.month, getattr(organiser, "county", None) or "",
            centre_code(course), getattr(organiser, "code", None) or "")


def contributions(obj, state: str | None) -> dict:
    """{(cube, key): amount} that ``obj`` adds in ``state`` (None: not yet, or no more)."""
    if ICourse.providedBy(obj):
        return _course(obj, state)
    if IRegistration.providedBy(obj):
        return _registration(obj, state)
    if ITeacher.providedBy(obj):
        return _teacher(obj)
    return {}


def demand_key(course, place: tuple) -> tuple:
    """The ``demand`` key of a course, but its figure."""
    modes = course.delivery_modes or ("",)
    return (place[0], place[1], place[2], place[3], course.stage or "", course.scope or "",
            course.sub_item or "", modes[0])


def _course(course, state) -> dict:
    place = course_place(course)
    if place is None:
        return {}
    if state == "cancelled":
        return {("demand", demand_key(course, place) + ("cancelled",)): 1}
    if state not in OFFERED:
        return {}
    key = place + (getattr(course.__parent__, "kind", None) or "", course.scope or "",
                   course.level or 0)
    found = {("courses", key): 1,
             ("course_hours", key): int(round(course.approved_hours * 100)),
             ("demand", demand_key(course, place) + ("courses",)): 1}
    if course.capacity:
        found[("demand", demand_key(course, place) + ("seats",))] = course.capacity
    if state == "closed":
        found.update(_closing(course, place[0]))
        found.update(_feedback(course, place))
    return found


def _feedback(course, place) -> dict:
    """The national questions of a closed course's 回饋問卷: the scores' sum and count, once
    it has the answers its organiser needs to see them (a small county's row would show one
    course's few answers)."""
    found = getattr(course, "questionnaire", None)
    if found is None or len(found.answers) < MIN_SHOWN:
        return {}
    cells: dict = {}
    for answer in found.answers.values():
        for code, score in answer.items():
            if code.startswith("N"):
                for figure, amount in (("sum", score), ("count", 1)):
                    cell = ("feedback", (place[0], place[2], code, figure))
                    cells[cell] = cells.get(cell, 0) + amount
    return cells


def _closing(course, year) -> dict:
    """A closed roster, and whether it was first sent after the day it was due (kept on the
    course when first sent; by the centre's present rule for courses sent before that)."""
    centre = centre_code(course)
    found = {("closings", (year, centre, "closed")): 1}
    sent = next((entry["at"] for entry in course.history or ()
                 if entry.get("to") == "roster_pending"), None)
    due = getattr(course, "roster_due_on", None)
    if due is None and course.last_day is not None:
        due = deadlines.roster_due(course.last_day, getattr(
            course.centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS))
    if sent is not None and due is not None and _day(sent) > due:
        found[("closings", (year, centre, "late"))] = 1
    return found


def _day(at) -> date:
    """The day of a history entry's time (a datetime; an ISO string in older entries)."""
    return at.date() if isinstance(at, datetime) else date.fromisoformat(str(at)[:10])


def _registration(registration, state, course_state=None) -> dict:
    """A registration counts while its course is offered (``course_state``: the course's,
    when the course is the one moving)."""
    course = registration.course
    place = course_place(course) if course is not None else None
    if state is None or place is None or (course_state or course.state) not in OFFERED:
        return {}
    found = {("registrations", place + (state,)): 1}
    if state in ACTIVE:
        key = demand_key(course, place)
        found[("demand", key + ("registrations",))] = 1
        if course.capacity:
            found[("demand", key + ("asked",))] = 1
        if state == "waitlisted":
            found[("demand", key + ("waitlisted",))] = 1
    return found


def course_registrations(course, course_state) -> dict:
    """What the course's registrations add while the course is in ``course_state``."""
    total: dict = {}
    for registration in (getattr(course, "registrations", None) or {}).values():
        for key, amount in _registration(registration, registration.state, course_state).items():
            total[key] = total.get(key, 0) + amount
    return total


def teacher_place(teacher) -> tuple[str, str]:
    """(county, school code) of the school the teacher serves now."""
    school = unit_at(find_root(teacher), getattr(teacher, "school", None))
    return (getattr(school, "county", None) or "", getattr(school, "code", None) or "")


def record_contributions(teacher, record, where: tuple | None = None) -> dict:
    """What one training record adds: its hours to the teacher's year, and itself to the
    records by source (``where``: the teacher_place, when the caller has it)."""
    if record is None or record.last_day is None:
        return {}
    where = where or teacher_place(teacher)
    year, hundredths = school_year(record.last_day), int(round((record.hours or 0) * 100))
    if getattr(record, "duplicate_of", None):       # repeats another record: never counted
        hundredths = 0
    found = {("records", (year, where[0], record.source or "", "records")): 1}
    if hundredths:
        found[("teacher_hours", (year, *where, teacher.login, teacher.stage or ""))] = hundredths
        found[("records", (year, where[0], record.source or "", "hours"))] = hundredths
    return found


def _teacher(teacher) -> dict:
    where = teacher_place(teacher)
    found: dict = {}
    if teacher.school is not None:
        found[("teachers", (where[0], teacher.stage or ""))] = 1
    for record in (getattr(teacher, "records", None) or {}).values():
        for cell, amount in record_contributions(teacher, record, where).items():
            found[cell] = found.get(cell, 0) + amount
    return found
