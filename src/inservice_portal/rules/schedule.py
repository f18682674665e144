"""Schedule conflicts (時段衝堂): do two courses' sessions overlap?

Sessions are half-open intervals [start, end): one that ends at 12:00 does not clash with one
that starts at 12:00. Pure: (date, start time, end time) triples in, overlapping pairs out.
"""
from datetime import date, datetime, time


def interval(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    return datetime.combine(day, start), datetime.combine(day, end)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Half-open: [a0, a1) and [b0, b1) share an instant. Empty intervals share none."""
    return a[0] < b[1] and b[0] < a[1] and a[0] < a[1] and b[0] < b[1]


def clashes(mine, theirs) -> list[tuple]:
    """The (mine, theirs) pairs of sessions, given as (date, start, end), that overlap."""
    return [(m, t) for m in mine for t in theirs
            if overlaps(interval(*m), interval(*t))]
