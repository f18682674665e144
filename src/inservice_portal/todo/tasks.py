"""The tasks of a region centre's reviewer, of an organiser's staff, and the cross-centre view
of the national centre and the ministry. Each task names the page where the work is done (a
view name on the unit) and lists its first items; counts are exact."""
from dataclasses import dataclass, field
from datetime import date

from pyramid.traversal import find_root

from ..accounts import licences
from ..accounts import staff as staff_accounts
from ..attendance.roster import overdue_courses
from ..catalog import Search
from ..courses.worklist import centre_courses
from ..rules import deadlines
from ..workflows import course as course_workflow

SHOWN = 10          # items listed under a task; the count and the page have the rest


@dataclass
class Task:
    key: str
    title: str
    count: int
    page: str                      # the view on the unit where the work is done
    items: list = field(default_factory=list)


def _task(key, title, page, items) -> Task:
    items = list(items)
    return Task(key, title, len(items), page, items[:SHOWN])


def _by_day(courses) -> list:
    return sorted(courses, key=lambda c: (c.first_day or date.max, c.code))


def centre_tasks(centre, today: date) -> list[Task]:
    root = find_root(centre)
    return [
        _task("courses", "待審核的研習課程", "worklist",
              _by_day(centre_courses(centre, ["pending"]).all())),
        _task("rosters", "待確認的研習名單", "worklist",
              _by_day(centre_courses(centre, ["roster_pending"]).all())),
        _task("applications", "待審核的帳號申請（含新增研習單位）", "subunits",
              staff_accounts.applications(centre)),
        _task("overdue", "研習名單逾期未送的課程", "overdue-rosters",
              overdue_courses(root, centre, today=today)),
    ]


def _organiser_courses(organiser, states):
    search = Search(find_root(organiser))
    query = (search["content_type"].eq("course") & search["organiser"].eq(organiser.code)
             & search["centre"].eq(organiser.__parent__.code) & search["state"].any(states))
    return list(search.execute(query).all())


def organiser_tasks(organiser, today: date) -> list[Task]:
    centre = organiser.__parent__
    days = getattr(centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
    ended = [c for c in _organiser_courses(organiser, ["published", "roster_returned"])
             if c.last_day and c.last_day < today]
    due = [c for c in ended if not deadlines.roster_overdue(today, c.last_day, days)]
    overdue = [c for c in ended if deadlines.roster_overdue(today, c.last_day, days)]
    reviewing = [c for c in _organiser_courses(organiser, ["published"])
                 if c.admission == "review" and c.registrations.count("applied")]
    tasks = [
        _task("returned", "被退回待修正的課程", "courses",
              _by_day(_organiser_courses(organiser, ["returned", "roster_returned"]))),
        _task("drafts", "尚未送審的課程草稿", "courses",
              _by_day(_organiser_courses(organiser, ["draft"]))),
        _task("registrations", "待審核的報名（審核制課程）", "courses", _by_day(reviewing)),
        _task("rosters_due", "待送出研習名單的課程", "courses", _by_day(due)),
        _task("rosters_overdue", "研習名單已逾期的課程", "overdue-rosters", _by_day(overdue)),
        _task("applications", "待審核的業務帳號申請", "staff",
              staff_accounts.applications(organiser)),
    ]
    if getattr(organiser, "licence_applications", None):
        tasks.append(_task("licences", "待審核的教師專長證照", "licences",
                           [teacher for teacher, _ in licences.pending(organiser)]))
    return tasks


def last_return(course) -> dict | None:
    """The reasons (as the ministry's list words them) and comment of the course's last
    return, of the course or of its roster; None if it was never returned."""
    for entry in reversed(course.history or ()):
        kind = course_workflow.RETURNS.get(entry["transition"])
        if kind:
            words = course_workflow.return_reasons(kind)
            return {"reasons": [words.get(r, r) for r in entry.get("reasons") or ()],
                    "comment": entry.get("comment") or "", "at": entry["at"]}
    return None


def national_rows(root, today: date) -> list[dict]:
    """Per centre: courses and rosters waiting on its review, and rosters overdue."""
    rows = []
    for centre in root["centres"].values():
        rows.append({"centre": centre,
                     "courses": len(centre_courses(centre, ["pending"])),
                     "rosters": len(centre_courses(centre, ["roster_pending"])),
                     "overdue": len(overdue_courses(root, centre, today=today))})
    return rows
