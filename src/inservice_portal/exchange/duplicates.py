"""重複登錄 (002 Art. 12(1)): a course entered here must not also come from another site; when
the same training (same organiser, title and days) reaches a teacher's transcript from two
sources, the later one is flagged ``duplicate_of`` the first (the portal's own first) and is
never counted: not in the transcript's hours, not in the statistics' hours."""
import re
import unicodedata

from .. import statistics
from ..resources.records import LOCAL


def _text(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).lower()


def same(a, b) -> bool:
    return (a.source != b.source and (a.first_day, a.last_day) == (b.first_day, b.last_day)
            and _text(a.title) == _text(b.title) and _text(a.organiser) == _text(b.organiser))


def _from_other_sources(teacher, source: str) -> list:
    """The teacher's records from a source other than ``source``: only they can repeat one
    of it, and their keys say so without loading a record (a roster confirming 2,000
    teachers, most with the portal's own records alone, loads none)."""
    records = getattr(teacher, "records", None) or {}
    return [records[key] for key in records.keys() if key[0] != source]


def original(teacher, record):
    """The key of the record from another source that ``record`` repeats, the portal's own
    first, or None."""
    found = [r for r in _from_other_sources(teacher, record.source)
             if same(r, record) and not getattr(r, "duplicate_of", None)]
    found.sort(key=lambda r: (r.source != LOCAL, r.written_at is None, r.written_at or 0))
    return found[0].key if found else None


def flag(teacher, record) -> None:
    """Mark an imported record that repeats one the teacher has (called before it counts)."""
    record.duplicate_of = original(teacher, record)


def mark_repeats_of(teacher, key) -> None:
    """A record of the portal's own was written: imported ones repeating it stop counting."""
    local = (getattr(teacher, "records", None) or {}).get(key)
    others = _from_other_sources(teacher, key[0]) if local is not None else []
    for other in [r for r in others if same(r, local)]:
        if getattr(other, "duplicate_of", None) != key:
            with statistics.tracking_record(teacher, other.key):
                other.duplicate_of = key


def release(teacher, key) -> None:
    """Record ``key`` is gone: those that repeated it count again."""
    for other in [r for r in _from_other_sources(teacher, key[0])
                  if getattr(r, "duplicate_of", None) == key]:
        with statistics.tracking_record(teacher, other.key):
            other.duplicate_of = original(teacher, other)
