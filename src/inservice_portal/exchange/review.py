"""匯入紀錄審查: imported records that break a rule of hours (over the day's 6 or the week's
35, Art. 10 (2)) wait for the centre of the teacher's county, which approves the excess
(專案核准) or rejects the record (it leaves the transcript; the partner reads it as gone).

Kept as a list by (county, login, source, record id), refreshed for the teachers a batch
wrote, so that a centre reads its own key range, never the teachers."""
from .. import audit, clock, statistics
from ..attendance import records as transcripts
from ..resources.records import LOCAL
from ..statistics.measures import teacher_place
from . import duplicates, feed


def refresh(root, teachers) -> None:
    """Put on the list the imported records of ``teachers`` ((teacher, its place) pairs)
    that need approval, and take off those that no longer do."""
    waiting = root["exchange"].review
    for teacher, place in teachers:
        county = place[0]
        for line in transcripts.capped(teacher):
            record = line["record"]
            if record.source == LOCAL:
                continue
            key = (county, teacher.login, record.source, record.source_record_id)
            if line["needs_approval"]:
                if key not in waiting:
                    waiting[key] = {"since": clock.now(), "excess": str(line["excess"])}
            else:
                waiting.pop(key, None)


def forget(root, login: str) -> None:
    """Take a teacher off every county's list (the teacher moved: refresh puts back)."""
    waiting = root["exchange"].review
    for county in _counties(waiting):
        for key in list(waiting.keys(min=(county, login), max=(county, login, "\uffff"))):
            del waiting[key]


def _counties(waiting) -> list:
    """The counties on the list, one step each (never a walk of its entries)."""
    found, after = [], None
    while True:
        try:
            key = waiting.minKey(after)
        except ValueError:
            return found
        found.append(key[0])
        after = (key[0] + "\uffff",)


def waiting_in(root, county: str) -> list[dict]:
    """The records waiting for ``county``'s centre, with their teacher and record."""
    people, found = root["people"], []
    for key, info in root["exchange"].review.items(min=(county,)):
        if key[0] != county:
            break
        teacher = people.get(key[1])
        record = (getattr(teacher, "records", None) or {}).get(key[2:])
        if record is not None:
            found.append({"key": key, "teacher": teacher, "record": record, **info})
    return found


class NotWaiting(LookupError):
    pass


def decide(root, request, key: tuple, approve: bool, reason: str = "") -> None:
    """Approve the record's excess hours, or reject the record, as the centre's reviewer."""
    waiting = root["exchange"].review
    teacher = root["people"].get(key[1])
    store = getattr(teacher, "records", None)
    if key not in waiting or store is None or key[2:] not in store:
        raise NotWaiting(key)
    by = request.account.login
    if approve:
        transcripts.approve_excess(teacher, key[2:], by)
    else:
        with statistics.tracking_record(teacher, key[2:]):
            del store[key[2:]]
        duplicates.release(teacher, key[2:])
        feed.note(teacher, key[2:])
    del waiting[key]
    refresh(root, [(teacher, teacher_place(teacher))])     # room freed under the caps
    audit.record("exchange.review", teacher, request=request,
                 detail={"partner": key[2], "record": key[3],
                         "step": "approve" if approve else "reject", "reason": reason})
