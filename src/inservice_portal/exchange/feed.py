"""回撈: the change feed partners page through by cursor (DESIGN.md §10), of every training
record written, rewritten or removed, whoever wrote it (a roster's confirmation, a partner's
batch).

Each change is noted in its writer's own inbox, in the writer's transaction; one writer
(``Writer``, as the catalog's indexer) appends them to the feed after the commit, giving each
the next number. Every append writes ``Feed.last``, so two appends never commit out of order:
a reader who has seen number n will never later find a change numbered below n (no skip),
and a record's earlier entry is removed when it changes again (each record once, at its
latest change). An entry holds the record as it was then, so a page is read from the feed
alone.
"""
import heapq

from pyramid.traversal import find_root

from ..concurrency.single_writer import SingleWriter, wake_after_commit
from ..resources.exchange import Feed
from ..resources.ministry import APP_ROOT
from ..statistics.measures import teacher_place

INBOX_ATTR = "_inservice_feed_inbox"


def feed_of(root) -> Feed:
    platform = root["exchange"]
    if getattr(platform, "feed", None) is None:     # a platform older than evolve step 33
        platform.feed = Feed()
    return platform.feed


def note(teacher, key: tuple, where=None) -> None:
    """Have the teacher's record ``key``, as it is now (just written or removed), entered in
    the feed once this transaction commits (``where``: the teacher_place, when the caller
    has it). The entry is made here, where teacher and record are at hand."""
    root = find_root(teacher)
    if "exchange" not in root:
        return
    entry = entry_of(teacher, key, where)
    conn = root._p_jar
    if conn is None:                                # a tree not stored yet (a demo, a test)
        append(feed_of(root), teacher.login, key, entry)
        return
    feed_of(root).inboxes.add(conn, INBOX_ATTR, (teacher.login, tuple(key), entry))
    writer = Writer.writers().get(conn.db())
    if writer is not None:
        wake_after_commit(conn.transaction_manager.get(), writer)


def flush(root) -> int:
    """Append what waits. The inboxes are read connection by connection, not in commit
    order: a record changed by two transactions since the last flush is entered once, as it
    is now (this transaction sees both commits), not as either entry copied it."""
    feed = feed_of(root)
    waiting = [(login, tuple(key), entry) for _, _, (login, key, entry) in feed.inboxes.waiting()]
    seen: dict = {}
    for login, key, _ in waiting:
        seen[(login, key)] = seen.get((login, key), 0) + 1
    for (login, key), count in seen.items():
        if count > 1:
            teacher = root["people"].get(login)
            entry = entry_of(teacher, key) if teacher is not None else None
            if entry is not None:
                append(feed, login, key, entry)
    for login, key, entry in waiting:
        if seen[(login, key)] == 1:
            append(feed, login, key, entry)
    return len(waiting)


def entry_of(teacher, key, where=None) -> dict:
    record = (getattr(teacher, "records", None) or {}).get(key)
    county = (where or teacher_place(teacher))[0]
    return snapshot(teacher, key, record, county)


def append(feed, login: str, key: tuple, entry: dict) -> int:
    county = entry["county"]
    old = feed.latest.get((login, *key))
    if old is not None:
        gone = feed.entries.pop(old, None)
        if gone is not None:
            feed.by_county.get(gone["county"], {}).pop(old, None)
    feed.last += 1
    seq = feed.last
    feed.entries[seq] = entry
    feed.county(county)[seq] = 1
    feed.latest[(login, *key)] = seq
    return seq


def snapshot(teacher, key, record, county) -> dict:
    entry = {"login": getattr(teacher, "login", ""), "national_id": getattr(teacher, "national_id", ""),
             "county": county, "source": key[0], "source_record_id": key[1],
             "deleted": record is None}
    if record is not None:
        entry.update(title=record.title, organiser=record.organiser,
                     course_code=record.course_code, hours=str(record.hours),
                     first_day=record.first_day.isoformat() if record.first_day else None,
                     last_day=record.last_day.isoformat() if record.last_day else None,
                     credit_class=bool(record.credit_class))
    return entry


def county_of(feed, login: str, records) -> str | None:
    """The county the feed holds the teacher's records under (by the first one), or None."""
    first = next(iter(records.keys()), None)
    number = feed.latest.get((login, *first)) if first is not None else None
    entry = feed.entries.get(number) if number is not None else None
    return entry["county"] if entry is not None else None


def read(feed, counties: tuple, after: int, limit: int) -> tuple[list, int]:
    """(entries after number ``after``, at most ``limit``, in order; the cursor to go on
    from) of the teachers of ``counties`` (none: every county)."""
    if counties:
        numbers = heapq.merge(*(feed.by_county[c].keys(after + 1) for c in counties
                                if c in feed.by_county))
        taken = [(n, feed.entries[n]) for n, _ in zip(numbers, range(limit))]
    else:
        taken = [item for item, _ in zip(feed.entries.items(after + 1), range(limit))]
    return [dict(entry, seq=n) for n, entry in taken], (taken[-1][0] if taken else after)


class Writer(SingleWriter):
    name = "exchange feed writer"
    interval_setting = "exchange.feed_interval"

    def work(self, conn):
        root = conn.root().get(APP_ROOT)
        if root is None or "exchange" not in root:
            return False, 0
        count = flush(root)
        return bool(count), count
