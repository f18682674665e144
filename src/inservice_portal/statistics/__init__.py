"""統計: aggregates kept current by event subscribers (DESIGN.md §11), recomputed from the
data on demand or nightly, with any drift reported.

``root.statistics`` maps a measure's name to its Cube (cubes.py); measures.py says what each
object contributes in each state. Subscribers move that contribution when a course or a
registration changes state, or a registration is filed; ``tracking`` moves contributions
around the changes that no event announces; queue.py has one writer fold the changes in.
"""
from contextlib import contextmanager

from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_root

from ..resources.events import IObjectAdded
from ..resources.interfaces import ICourse, ITeacher
from ..workflows.api import IObjectTransitioned
from . import queue
from .cubes import Cube
from .measures import (CUBES, OFFERED, banded, contributions, course_registrations,
                       record_contributions, rolled, teacher_place)


def cubes_of(root) -> OOBTree:
    """The stored cubes, each made on its measure's first change by the folder (the one
    writer: root.statistics is made with the root, or by evolve step 27)."""
    cubes = root.statistics
    for name, dimensions in CUBES.items():
        if name not in cubes:
            cubes[name] = Cube(dimensions)
    return cubes


def cube(root, name) -> Cube:
    """A measure's cube to read (an empty one, not stored, before its first change)."""
    stored = getattr(root, "statistics", None)
    found = stored.get(name) if stored is not None else None
    return found if found is not None else Cube(CUBES[name])


def move(root, obj, before: str | None, after: str | None) -> None:
    """Take ``obj``'s contribution in ``before`` away and add its contribution in ``after``."""
    apply(root, contributions(obj, before), contributions(obj, after))


def apply(root, old: dict, new: dict) -> None:
    """Count the change from ``old`` to ``new`` contributions (folded in after the commit by
    the one writer of the cubes: queue.py)."""
    deltas = dict(new)
    for cell, amount in old.items():
        deltas[cell] = deltas.get(cell, 0) - amount
    deltas = {cell: delta for cell, delta in deltas.items() if delta}
    if deltas:
        queue.note(root, deltas)


def fold(root, deltas: dict) -> None:
    """Add ``deltas`` to the cubes, and move teachers between bands as their hours change:
    the folder's work (queue.py), never a request's."""
    cubes = cubes_of(root)
    for (name, key), delta in deltas.items():
        if name == "teacher_hours":
            before = cubes[name].value(key)
            for (derived, cell), moved in banded(key, before, before + delta).items():
                cubes[derived].add(cell, moved)
        cubes[name].add(key, delta)
        for (rollup, cell), amount in rolled(name, key, delta).items():
            cubes[rollup].add(cell, amount)


@contextmanager
def tracking(*objects):
    """Around a change no transition announces (a teacher's training records written by the
    closing service, a unit moved to another centre with its courses): each object's
    contribution in its present state moves with the change."""
    def now(obj):
        return contributions(obj, getattr(obj, "state", None))

    before = [now(obj) for obj in objects]
    yield
    for obj, old in zip(objects, before):
        apply(find_root(obj), old, now(obj))


@contextmanager
def tracking_record(teacher, key, where=None):
    """Around a change to one of a teacher's training records (``key``): only that record's
    contribution moves (a roster of 2,000 need not recount each teacher's whole transcript)."""
    def now(where):
        return record_contributions(teacher, (getattr(teacher, "records", None) or {}).get(key),
                                    where)

    if not ITeacher.providedBy(teacher):       # as contributions(): only teachers count
        yield
        return
    where = where or teacher_place(teacher)         # (county, school), when the caller has it
    before = now(where)
    yield
    apply(find_root(teacher), before, now(where))


def on_transitioned(event):
    entry, obj = event.entry, event.object
    before, after = entry.get("from"), entry.get("to")
    if before == after:
        return
    root = find_root(obj)
    move(root, obj, before, after)
    if ICourse.providedBy(obj) and (before in OFFERED) != (after in OFFERED):
        apply(root, course_registrations(obj, before), course_registrations(obj, after))


def on_added(event):
    """A course or registration filed in a state, a teacher's account made (a new
    teacher counts among those serving a school)."""
    found = contributions(event.object, getattr(event.object, "state", None))
    if found:
        apply(find_root(event.object), {}, found)


def includeme(config):
    config.add_subscriber(on_transitioned, IObjectTransitioned)
    config.add_subscriber(on_added, IObjectAdded)
