"""研習課程查詢: the public catalogue's criteria and search, shared by the /search page and
``GET /api/v1/courses``, so that both accept and refuse exactly the same things.

``parse_criteria(params)`` checks the query string against the package's vocabularies (no
literals here) and answers the criteria and, per parameter, what is wrong with it;
``search(root, criteria, today, offset, limit)`` answers the total and one page of courses.

Which courses: by default the catalogue lists ``published`` courses only ("published
courses only") — the courses one can still register for or attend. With ``finished=1`` it
also lists the courses that took place (roster under review, roster returned, closed), which
are public too (workflows/course.py STATE_ACL), so that a teacher can find a past course.
Cancelled courses are never listed (their own page still says so); drafts, pending and
returned courses are not public at all.
"""
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..catalog import CATALOGUED, resolve_path
from ..resources.interfaces import ICourse
from ..catalog.query_plan import AnyOf, Eq, Range, intersect, page, text_match
from ..registration import service as registration
from ..rules import eligibility
from . import taxonomy
from ..schemas.written import read_date
from ..vocabularies import (audience_stages, centres, counties, delivery_modes, levels, scopes,
                            stages)

CATALOGUE_STATES = ("published",)
FINISHED_STATES = ("roster_pending", "roster_returned", "closed")
MAX_KEYWORD = 100
MAX_TAG = 50
MAX_HOURS = Decimal(10000)
# Deep pages cost as much as sorting the whole result: past this many, narrow the search.
MAX_RESULTS_PAGED = 10000

# sort parameter → (sort index, descending, label)
SORTS = {
    "-starts_on": ("starts_on", True, "開課日期（由新到舊）"),
    "starts_on": ("starts_on", False, "開課日期（由舊到新）"),
    "-code": ("code", True, "最新登錄（課程代碼由大到小）"),
    "code": ("code", False, "課程代碼（由小到大）"),
    "-hours": ("hours", True, "研習時數（由多到少）"),
    "hours": ("hours", False, "研習時數（由少到多）"),
}
DEFAULT_SORT = "-starts_on"


@dataclass
class Criteria:
    q: str = ""
    centre: str = ""
    county: str = ""
    organiser: str = ""
    stage: str = ""
    audience_stage: str = ""
    scope: str = ""
    sub_item: str = ""
    level: str = ""
    tag: str = ""
    delivery: str = ""
    starts_from: date | None = None
    starts_to: date | None = None
    open: bool = False
    finished: bool = False
    hours_min: Decimal | None = None
    hours_max: Decimal | None = None
    sort: str = DEFAULT_SORT

    def is_blank(self) -> bool:
        return all(getattr(self, f.name) == f.default for f in fields(self) if f.name != "sort")

    def query_string(self) -> dict:
        """The non-default criteria as query parameters (shareable URLs, pager links)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, Decimal):
                value = f"{value.normalize():f}"
            out[f.name] = str(value)
        return out


PARAMETERS = tuple(f.name for f in fields(Criteria))


def _choice(value, allowed, message):
    return (value, None) if value in allowed else ("", message)


def _date(value):
    try:
        return read_date(value), None
    except ValueError as exc:
        return None, f"日期不正確：{exc}。"


def _hours(value):
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None, "時數須為數字（例如 3 或 1.5）。"
    if not number.is_finite() or number < 0 or number > MAX_HOURS:
        return None, f"時數須在 0 至 {MAX_HOURS} 之間。"
    return number, None


def parse_criteria(params) -> tuple[Criteria, dict[str, str]]:
    """Criteria from a query string (a MultiDict or dict), and {parameter: zh-TW message} for
    every malformed one. Blank parameters mean "any"."""
    def get(name):
        value = params.get(name)
        return value.strip() if isinstance(value, str) else ""

    c, errors = Criteria(), {}

    def check(name, result):
        value, error = result
        if error:
            errors[name] = error
        else:
            setattr(c, name, value)

    if len(get("q")) > MAX_KEYWORD:
        errors["q"] = f"關鍵字請在 {MAX_KEYWORD} 字以內。"
    else:
        c.q = get("q")
    choices = {
        "centre": (centres(), "沒有這個分區管理中心。"),
        "county": (counties(), "沒有這個縣市。"),
        "stage": (stages(), "沒有這個教育階段。"),
        "audience_stage": (audience_stages(), "沒有這個參加對象教育階段別。"),
        "scope": (scopes(), "沒有這個進修範疇。"),
        "level": (levels(), "沒有這個進修階層。"),
        "delivery": (delivery_modes(), "沒有這個實施方式。"),
        "sort": (SORTS, "沒有這種排序方式。"),
    }
    for name, (allowed, message) in choices.items():
        if get(name):
            check(name, _choice(get(name), allowed, message))
    if get("sub_item"):
        # a sub-item's code means something only within a stage and a scope (附件十一)
        if c.stage and c.scope and taxonomy.is_valid(c.stage, c.scope, get("sub_item")):
            c.sub_item = get("sub_item")
        else:
            errors["sub_item"] = "課程細項須搭配教育階段與進修範疇，並為該範疇的細項代碼（例如 1-1-1）。"
    organiser = get("organiser")
    if organiser:
        if len(organiser) <= 20 and organiser.isascii() and organiser.isalnum():
            c.organiser = organiser
        else:
            errors["organiser"] = "辦理單位代碼須為英數字（例如 353601）。"
    if len(get("tag")) > MAX_TAG:
        errors["tag"] = f"屬性標籤請在 {MAX_TAG} 字以內。"
    else:
        c.tag = get("tag")
    for name in ("starts_from", "starts_to"):
        if get(name):
            check(name, _date(get(name)))
    for name in ("hours_min", "hours_max"):
        if get(name):
            check(name, _hours(get(name)))
    for name, label in (("open", "報名中"), ("finished", "包含已結束的課程")):
        if get(name) not in ("", "0", "1"):
            errors[name] = f"「{label}」請填 1（是）或 0（否）。"
        setattr(c, name, get(name) == "1")
    if c.starts_from and c.starts_to and c.starts_from > c.starts_to:
        errors["starts_to"] = "開課日期的「迄」不可早於「起」。"
    if c.hours_min is not None and c.hours_max is not None and c.hours_min > c.hours_max:
        errors["hours_max"] = "時數上限不可小於下限。"
    return c, errors


@dataclass
class Results:
    total: int
    courses: list


def clauses(root, c: Criteria, today: date) -> list:
    catalog = root.catalog
    # Only courses are catalogued today: their content-type clause would match everything.
    out = [] if CATALOGUED == (ICourse,) else [Eq(catalog["content_type"], "course")]
    states = CATALOGUE_STATES + (FINISHED_STATES if c.finished else ())
    out.append(AnyOf(catalog["state"], states, complete=True))    # every course has a state
    for name, index in (("centre", "centre"), ("county", "county"), ("organiser", "organiser"),
                        ("stage", "stage"), ("scope", "scope"), ("sub_item", "sub_item"),
                        ("audience_stage", "audience_stages"), ("delivery", "delivery_modes"),
                        ("tag", "tags")):
        value = getattr(c, name)
        if value:
            out.append(Eq(catalog[index], value))
    if c.level:
        out.append(Eq(catalog["level"], int(c.level)))
    if c.starts_from or c.starts_to:
        out.append(Range(catalog["starts_on"],
                         c.starts_from.toordinal() if c.starts_from else None,
                         c.starts_to.toordinal() if c.starts_to else None))
    if c.open:
        # (without an opening date: open since publication; without a closing date: until the
        # day before the course — catalog/discriminators.py)
        out.append(Range(catalog["registration_opens"], None, today.toordinal(), complete=True))
        out.append(Range(catalog["registration_closes"], today.toordinal(), None))
    if c.hours_min is not None or c.hours_max is not None:
        out.append(Range(catalog["hours"],
                         float(c.hours_min) if c.hours_min is not None else None,
                         float(c.hours_max) if c.hours_max is not None else None))
    if c.q:
        out.append(text_match(catalog["text"], c.q, lambda term: _code(catalog, term)))
    return out


def _code(catalog, term):
    """A keyword that is a course code (課程代碼) finds that course."""
    if term.isascii() and term.isdigit() and len(term) <= 12:
        return catalog["code"].applyEq(int(term))
    return None


def matching_docids(root, c: Criteria, today: date):
    return intersect(clauses(root, c, today))


def search(root, c: Criteria, today: date, offset: int = 0, limit: int = 20) -> Results:
    """The total and courses ``offset … offset+limit`` in ``c.sort`` order."""
    docids = matching_docids(root, c, today)
    index_name, reverse, _ = SORTS[c.sort]
    bounds = {}
    if index_name == "starts_on":
        bounds = {"lo": c.starts_from and c.starts_from.toordinal(),
                  "hi": c.starts_to and c.starts_to.toordinal()}
    chosen = page(root.catalog[index_name], docids, reverse, offset, limit, **bounds)
    path_for = root.objectmap.path_for
    return Results(len(docids), [course for course in (resolve_path(root, path_for(d)) for d in chosen)
                                 if course is not None])


def is_open(course, now: datetime) -> bool:
    """報名中: published, and ``now`` (Taipei) within the registration window as the eligibility
    rule reads it, times included (items 16–17; the day before the course where 17 is blank).
    (The search filter's index is by day: on the first and last day it lists a course for the
    whole day; this says whether it is open at this moment.)"""
    return (course.state == eligibility.REGISTRABLE_STATE
            and eligibility.window_check(registration.offer(course), now).ok)
