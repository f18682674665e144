"""資源分享區 services: vocabularies, sharing a new item, browsing and search through the
catalog, the links between courses and shared items, and the counts per unit and centre.

Views and the API call these; they never walk the tree. Only ``shared`` items are public: a
browse query always says so, and the links from a course page show only shared items.
"""
from collections import Counter as Tally

from hypatia.query import Any, Eq
from pyramid.traversal import find_root, resource_path

from .. import clock, reference
from ..catalog import Search, find_course, link_key
from ..resources.events import ObjectModified, notify
from ..resources.sharing import KINDS
from ..workflows.sharing import STATES

SHARED = "shared"
KIND_ORDER = ("handout", "lecturer", "venue")


# -- vocabularies (package data) ----------------------------------------------------------------
def licences() -> dict[str, dict]:
    """Code → {label, url} (data/licences.yaml)."""
    return reference.load("licences")


def facilities() -> dict[str, str]:
    """Code → label (data/facilities.yaml)."""
    return reference.load("facilities")


# -- sharing ------------------------------------------------------------------------------------
def add_item(root, kind: str, unit, login: str, registry=None, **fields):
    """A new private item of ``kind`` owned by ``unit``, under the next number."""
    area = root["sharing"]
    cls = KINDS[kind]
    item = cls(resource_path(unit), login, clock.now(), **fields)
    number = area.ids.next()
    area[cls.folder_name].add(str(number), item, registry=registry)
    return item


def modified(item, registry=None):
    notify(ObjectModified(item), registry)      # the catalog reindexes


# -- browsing -----------------------------------------------------------------------------------
def browse(root, kinds=KIND_ORDER, q="", stage="", scope="", county="", tag="", owner=None,
           centre=None, states=(SHARED,)):
    """The items matching every given filter, as a hypatia result set; ``q`` is Chinese full
    text (ParseError for a malformed query is the caller's)."""
    search = Search(root)
    query = Any(search["content_type"], list(kinds)) & Any(search["state"], list(states))
    if q.strip():
        query &= search["text"].contains(q.strip())
    if stage:
        query &= Any(search["stages"], [stage])
    if scope:
        query &= Any(search["scopes"], [scope])
    if county:
        query &= Eq(search["county"], county)
    if tag:
        query &= Any(search["tags"], [tag])
    if owner is not None:
        query &= Eq(search["owner"], owner)
    if centre is not None:
        query &= Eq(search["owner_centre"], centre)
    return search.execute(query)


def newest_first(root, results, limit=None) -> list:
    """The items of ``results`` by number, newest first; with ``limit``, only that many are
    loaded (the catalog sorts)."""
    ordered = results.sort(root.catalog["sharing_id"], reverse=True, limit=limit)
    return [item for item in ordered.all() if item is not None]


# -- links between courses and items ------------------------------------------------------------
def related_courses(item, request=None) -> list:
    """The courses of an item: a handout's course, the courses a lecturer taught (by name, from
    the courses' item 8), the courses held at a venue (by name or address, item 20 and the
    sessions, plus the codes its owner named). Only those the caller may see."""
    root = find_root(item)
    found = {}
    for code in item.related_courses:
        course = find_course(root, code)
        if course is not None:
            found[course.code] = course
    search = Search(root)
    for index in ("lecturer_names", "places"):
        keys = [link_key(v) for v in getattr(item, index)]
        if keys:
            query = Eq(search["content_type"], "course") & Any(search[index], keys)
            for course in search.execute(query).all():
                found[course.code] = course
    courses = [c for c in found.values() if request is None or request.has_permission("view", c)]
    return sorted(courses, key=lambda c: (c.starts_on is None, c.starts_on), reverse=True)


def items_of_course(course) -> dict[str, list]:
    """The shared items that belong to a course page: handouts from it, its lecturers who are
    recommended, the venues where it is held."""
    root = find_root(course)
    if "sharing" not in root:
        return {kind: [] for kind in KIND_ORDER}
    search = Search(root)
    shared = Eq(search["state"], SHARED)
    lecturers = [link_key(r.get("name", "")) for r in course.lecturers]
    places = [link_key(p) for p in [course.place] + [s.venue for s in course.sessions]]
    queries = {
        "handout": Any(search["related_courses"], [course.code]),
        "lecturer": Any(search["lecturer_names"], [k for k in lecturers if k] or ["\0"]),
        "venue": Any(search["places"], [k for k in places if k] or ["\0"])
                 | Any(search["related_courses"], [course.code]),
    }
    return {kind: newest_first(root, search.execute(
                Eq(search["content_type"], kind) & shared & query))
            for kind, query in queries.items()}


# -- counts (統計: how much each unit shares) ----------------------------------------------------
def counts(root, owner=None, centre=None) -> dict[str, dict[str, dict[str, int]]]:
    """Owner unit path → kind → state → number of items, for one unit or a centre's units."""
    return tally(browse(root, states=tuple(STATES), owner=owner, centre=centre).all())


def tally(items) -> dict[str, dict[str, dict[str, int]]]:
    """``counts`` of items already loaded."""
    numbers = Tally((i.owner, i.content_type, i.state) for i in items if i is not None)
    table: dict = {}
    for (unit, kind, state), n in numbers.items():
        table.setdefault(unit, {}).setdefault(kind, {})[state] = n
    return table

