"""The counters are folded in by one writer (single_writer.py says why).

Moving a counter in the request's own transaction made the cubes objects that every
registration writes: a Length cell resolves concurrent changes, but the first use of a key
inserts it into the cube's BTree, and 32 registrations at once inserting the same key
collided and were retried. Now the subscribers add their changes, as deltas, to their
connection's inbox in the same transaction, and the ``Folder`` adds them to the cubes right
after the commit, in a transaction of its own: only the folder writes the cubes. The figures
may lag a change by milliseconds; code that must read what its own transaction just counted
(the recomputation, tests) calls ``flush``.
"""
from ..resources.ministry import APP_ROOT
from ..concurrency.single_writer import Inboxes, SingleWriter, wake_after_commit

INBOX_ATTR = "_inservice_statistics_inbox"


def queue_of(root) -> Inboxes:
    """The inboxes of changes, each entry ``{(cube, key): delta}``."""
    queue = getattr(root, "statistics_queue", None)
    if queue is None:                     # a root older than evolve step 27
        queue = root.statistics_queue = Inboxes()
    return queue


def note(root, deltas: dict) -> None:
    """Have ``deltas`` added to the counters once this transaction commits (at once for a
    tree not stored yet, which has no concurrent writers)."""
    from . import fold
    conn = root._p_jar
    if conn is None:
        fold(root, deltas)
        return
    queue_of(root).add(conn, INBOX_ATTR, deltas)
    folder = Folder.writers().get(conn.db())
    if folder is not None:
        wake_after_commit(conn.transaction_manager.get(), folder)


def flush(root) -> int:
    """Add every change not yet added to the counters, in this transaction; how many."""
    from . import fold
    done = 0
    for _, _, deltas in queue_of(root).waiting():
        fold(root, deltas)
        done += 1
    return done


class Folder(SingleWriter):
    name = "statistics folder"
    interval_setting = "statistics.fold_interval"

    def work(self, conn):
        root = conn.root().get(APP_ROOT)
        if root is None or getattr(root, "statistics_queue", None) is None:
            return False, 0
        count = flush(root)
        return bool(count), count

