"""The nightly recomputation (`inservice-portal CONFIG statistics`): every course,
registration and teacher's contribution added up afresh, compared with the kept counters, and the
counters set to the fresh figures. The drift found is returned for the operator's report.
"""
from ..catalog import Search
from .measures import CUBES, MEASURES, banded, contributions, rolled


def fresh_figures(root, progress=None) -> dict:
    """{cube name: {key: value}} computed from the data (courses and teachers through the
    catalog); ``progress(done, "courses" or "teachers")`` is told every 10,000."""
    totals: dict = {name: {} for name in MEASURES}

    def count(obj):
        for (name, key), amount in contributions(obj, getattr(obj, "state", None)).items():
            totals[name][key] = totals[name].get(key, 0) + amount

    search = Search(root)
    courses = search.execute(search["content_type"].eq("course"))
    for done, course in enumerate(courses.all(), 1):
        count(course)
        for registration in getattr(course, "registrations", {}).values():
            count(registration)
        if progress is not None and done % 10000 == 0:
            progress(done, "courses")
    teachers = search.execute(search["content_type"].eq("teacher"))
    for done, teacher in enumerate(teachers.all(), 1):
        count(teacher)
        if progress is not None and done % 10000 == 0:
            progress(done, "teachers")
    for key, hours in totals["teacher_hours"].items():
        for (_, cell), moved in banded(key, 0, hours).items():
            totals["teacher_bands"][cell] = totals["teacher_bands"].get(cell, 0) + moved
    for name in MEASURES:
        for key, value in list(totals[name].items()):
            for (rollup, cell), amount in rolled(name, key, value).items():
                cells = totals.setdefault(rollup, {})
                cells[cell] = cells.get(cell, 0) + amount
    return {name: {k: v for k, v in cells.items() if v} for name, cells in totals.items()}


def drift(root, fresh: dict) -> dict:
    """{cube name: {key: (kept, fresh)}} where the kept counters differ from the data."""
    from . import cube
    found = {}
    for name in CUBES:
        kept, computed = cube(root, name).as_dict(), fresh.get(name, {})
        wrong = {key: (kept.get(key, 0), computed.get(key, 0))
                 for key in set(kept) | set(computed) if kept.get(key, 0) != computed.get(key, 0)}
        if wrong:
            found[name] = wrong
    return found


def rebuild(root, progress=None) -> dict:
    """Recompute, correct the counters that drifted, and return the drift corrected. Each
    is corrected by its difference, not replaced: a registration counted by a transaction
    committed while this one ran merges with the correction instead of being lost."""
    from . import cubes_of, queue
    queue.flush(root)                 # what waits in the inboxes is counted first
    fresh = fresh_figures(root, progress)
    found = drift(root, fresh)
    cubes = cubes_of(root)
    for name, cells in found.items():
        for key, (kept, computed) in cells.items():
            cubes[name].add(key, computed - kept)
    return found
