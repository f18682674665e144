"""One writer for a structure that many would otherwise write at once.

Two transactions that touch different courses or accounts must not conflict, yet some
structures are shared by nature: the audit log's hash chain, the search catalog. Writers
instead append to an inbox of their own connection (nobody else writes it), and one
``SingleWriter`` folds the inboxes into the shared structure, in a transaction of its own:

- in a serving process, by a daemon thread of its own: nudged after each commit that added to
  an inbox, it waits ``BATCH_DELAY`` for more and folds them all in one transaction (a fold
  per commit, inline, took a second fsync'd commit per registration: the rush ran a third
  slower); and every ``interval`` seconds, which also catches up at start-up on what a
  process that died left behind (the inboxes are committed with the actions, so nothing is
  lost);
- where no thread runs (a console command, the tests' apps), right after the commit, in the
  committing thread.

Within a process one thread writes at a time; a thread that commits while another writes asks
it to go round once more, so nothing waits for the interval. Two processes writing at once
conflict on the shared structure: the loser tries again a moment later.
"""
import logging
import os
import secrets
import socket
import threading
import time
import weakref

import transaction
from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.POSException import ConflictError

log = logging.getLogger(__name__)

ATTEMPTS = 5
BATCH_DELAY = 0.05                # seconds a nudged writer waits for more to fold at once
_HOOKED = object()
HOST = socket.gethostname()


class InboxMap(OOBTree):
    """inbox key → inbox. Large buckets: a new inbox (a new connection) splits one seldom, and
    a split is the one change of a bucket that cannot be merged with a concurrent insert."""

    max_leaf_size = 500


class Inbox(Persistent):
    """One connection's entries for the writer: only that connection's transactions write
    here, and they drop what the writer has done (its ``done`` mark) as they add, so the
    writer never writes an inbox."""

    def __init__(self):
        self.count = 0
        self.entries = LOBTree()          # n → entry

    def add(self, entry, done: int):
        for n in list(self.entries.keys(None, done)):
            del self.entries[n]
        self.count += 1
        self.entries[self.count] = entry


class Inboxes(Persistent):
    """Every connection's inbox, and how far the writer has come in each."""

    inbox_class = Inbox

    def __init__(self):
        self.inboxes = InboxMap()         # key → inbox
        self.done = OOBTree()             # key → how many of its entries are done

    def add(self, conn, attr: str, entry):
        key = inbox_key(conn, attr)
        inbox = self.inboxes.get(key)
        if inbox is None:
            inbox = self.inboxes[key] = self.inbox_class()
        inbox.add(entry, self.done.get(key, 0))

    def waiting(self, keys=None):
        """(key, n, entry) of each entry not done yet, marking each inbox done as it goes
        (the caller's transaction commits the marks with the work)."""
        for key in list(keys if keys is not None else self.inboxes.keys()):
            inbox, start = self.inboxes.get(key), self.done.get(key, 0)
            if inbox is None or inbox.count <= start:
                continue
            for n, entry in inbox.entries.items(start + 1):
                yield key, n, entry
            self.done[key] = inbox.count


def inbox_key(conn, attr: str) -> str:
    """The inbox of a connection (which serves one transaction at a time): a key no other
    connection, process or machine uses, remembered on the connection under ``attr``."""
    key = getattr(conn, attr, None)
    if key is None:
        key = f"{HOST}-{os.getpid()}-{secrets.token_hex(6)}"
        setattr(conn, attr, key)
    return key


class SingleWriter:
    """Subclasses give ``name`` and ``work(conn, **options)``: do the folding in ``conn``'s
    transaction and return (changed, result); nothing is committed unless changed."""

    name = "single writer"
    interval_setting = None           # the ini setting of its interval, in seconds
    default_interval = 5.0

    @classmethod
    def writers(cls) -> weakref.WeakKeyDictionary:
        """main database → this kind's writer (install); a database without one is served by
        its module's ``flush`` only."""
        if "_writers" not in cls.__dict__:
            cls._writers = weakref.WeakKeyDictionary()
        return cls._writers

    @classmethod
    def install(cls, databases: dict):
        db = databases[""]
        writer = cls.writers()[db] = cls(db)
        return writer

    @classmethod
    def of(cls, databases: dict):
        return cls.writers()[databases[""]]

    @classmethod
    def serve(cls, databases: dict, settings):
        writer = cls.of(databases)
        writer.start(float(settings.get(cls.interval_setting, cls.default_interval)))
        return writer

    def __init__(self, db):
        self._db = weakref.ref(db)        # registries key writers weakly by their database
        self._mutex = threading.Lock()
        self._running = False
        self._wanted = False
        self._stopped = threading.Event()
        self._nudged = threading.Event()
        self._thread = None

    def work(self, conn, **options) -> tuple[bool, object]:
        raise NotImplementedError

    def committed(self, result):
        """After a commit of ``work``'s changes (e.g. to log what a witness should see)."""

    def nudge(self):
        """There is work: the thread folds it shortly, with whatever else comes meanwhile; with
        no thread, fold it now."""
        if self._thread is not None and self._thread.is_alive():
            self._nudged.set()
        else:
            self.wake()

    def wake(self):
        """Write now in this thread, unless one is writing: that one goes round again."""
        with self._mutex:
            self._wanted = True
            if self._running:
                return
            self._running = True
        try:
            while True:
                with self._mutex:
                    if not self._wanted:
                        self._running = False     # in the same hold as the check: no wake lost
                        return
                    self._wanted = False
                self.run_once()
        except BaseException:
            with self._mutex:
                self._running = False
            raise

    def run_once(self, **options):
        """One transaction of ``work``, tried again on a conflict with another process's
        writer; ``work``'s result, or None when it gave up or failed (logged)."""
        db = self._db()
        if db is None:
            return None
        tm = transaction.TransactionManager()
        try:
            conn = db.open(transaction_manager=tm)
        except Exception:                 # closed under us: the process (or a test) is ending
            self._stopped.set()
            return None
        try:
            for attempt in range(1, ATTEMPTS + 1):
                tm.begin()
                changed, result = self.work(conn, **options)
                if not changed:
                    tm.abort()
                    return result
                tm.get().note(self.name)
                try:
                    tm.commit()
                except ConflictError:
                    tm.abort()
                    time.sleep(0.005 * attempt)
                    continue
                self.committed(result)
                return result
            log.warning("%s gave up after %s conflicting attempts", self.name, ATTEMPTS)
            return None
        except Exception:
            tm.abort()
            log.exception("%s failed; what it had to do waits in the inboxes", self.name)
            return None
        finally:
            conn.close()

    def start(self, interval: float):
        """Catch up now, then again every ``interval`` seconds in a daemon thread."""
        self.wake()
        self._thread = threading.Thread(target=self._tick, args=(interval,), daemon=True,
                                        name=self.name)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10):
        """No more ticks; waits for a run under way, then folds what is left (before its
        databases are closed: a console command leaves nothing behind)."""
        self._stopped.set()
        self._nudged.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            self._thread = None
        self.wake()

    def _tick(self, interval):
        while True:
            if self._nudged.wait(interval):
                self._stopped.wait(BATCH_DELAY)
            self._nudged.clear()
            if self._stopped.is_set() or self._db() is None:
                return
            self.wake()


def wake_after_commit(txn, writer: SingleWriter):
    """Nudge ``writer`` once ``txn`` has committed (once, however often this is called)."""
    try:
        txn.data(writer)
    except KeyError:
        txn.set_data(writer, _HOOKED)
        txn.addAfterCommitHook(_committed, (writer,))


def _committed(ok: bool, writer: SingleWriter):
    if ok:
        writer.nudge()
