"""移轉研習單位: the ministry moves a unit to another centre (a school changing hands, as
臺中市's and 桃園市's private senior highs did in 106/107), with a reason, audited.

The tree is the jurisdiction, so the unit moves in the tree, and every path that names it is
written again: its courses (and each registrant's index of them), its teachers' school, its
staff accounts' unit and their waiting applications, and its shared items' owner. Each
object touched is noted for the catalog's indexer (catalog/queue.py), which reconciles it
where it now stands.
"""
from pyramid.traversal import resource_path, resource_path_tuple

from .. import audit, statistics
from ..catalog import Search, queue
from ..resources.interfaces import ICourse
from . import staff
from .organisers import find_organiser


class MoveRefused(ValueError):
    """A move that cannot be made; ``str()`` says why, in Chinese."""


def move_unit(request, root, code: str, centre_code: str, reason: str):
    unit = find_organiser(root, code)
    reason = (reason or "").strip()
    if unit is None:
        raise MoveRefused(f"找不到單位代碼 {code}。")
    if centre_code not in root["centres"] or centre_code == unit.__parent__.code:
        raise MoveRefused("請選擇另一個審核單位。")
    if not reason:
        raise MoveRefused("移轉單位請說明原因。")
    old_centre, old_path = unit.__parent__, resource_path(unit)
    courses = [c for c in unit.values() if ICourse.providedBy(c)]
    counted = courses + [r for c in courses for r in (getattr(c, "registrations", None) or {})
                         .values()]
    with statistics.tracking(*counted):           # their centre changes in the counters
        old_centre.remove(code, send_events=False)
        root["centres"][centre_code].add(code, unit, send_events=False)
    new_path = resource_path(unit)
    _follow(root, unit, old_centre, old_path, new_path)
    unit.jurisdiction = f"教育部移轉（{reason}）"
    audit.record("unit.move", unit, request=request,
                 detail={"from": old_centre.code, "to": centre_code, "reason": reason})
    return unit


def _follow(root, unit, old_centre, old_path, new_path):
    people = root["people"]
    for course in (c for c in unit.values() if ICourse.providedBy(c)):
        queue.note(course)
        registrations = getattr(course, "registrations", None)
        for login in registrations.keys() if registrations is not None else ():
            index = getattr(people.get(login), "course_registrations", None)
            if index is not None and course.code in index:
                index[course.code] = resource_path_tuple(course)
    search = Search(root)
    for teacher in search.execute(search["school"].eq(old_path)).all():
        teacher.school = new_path
        queue.note(teacher)
    for item in search.execute(search["owner"].eq(old_path)).all():
        item.owner = new_path
        queue.note(item)
    waiting = getattr(old_centre, "staff_applications", None) or {}
    for login in list(unit.__local_roles__) + list(waiting):
        account = people.get(login)
        if account is not None and getattr(account, "unit", None) == old_path:
            account.unit = new_path
            if login in waiting:                 # a 總負責人 waiting on the old centre
                staff.file_with(staff.approver_of(unit, account.staff_type), login,
                                waiting.pop(login))
