"""Per-course write locks: registrations for one course are written one at a time.

Why a lock and not optimistic retries or a conflict-resolving counter (each was tried):
a seat counter built on ``BTrees.Length`` (or set membership, or any type with
``_p_resolveConflict``) merges two concurrent "last seat" commits and oversells; ``readCurrent``
does not protect an object the transaction also writes; and optimistic retry on one hot course
collapses as most requests exhaust their retries. Serialising the writers of one course, and
beginning the transaction only after the lock is held (``run_locked``), keeps exactly
the capacity with no conflicts.

Two implementations behind one interface, ``locks.hold(code)`` (a context manager), chosen by
the storage (``registration.lock`` = ``local`` | ``postgresql``; by default from
``zodbconn.uri``):
- ``LocalLocks``: one ``threading.Lock`` per course, for the single-process FileStorage
  deployment (waitress threads);
- ``PostgresLocks``: a PostgreSQL session advisory lock keyed by the course code, for
  RelStorage with several processes or machines. It is held on a connection of its own,
  across the ZODB commit, and released after it.
"""
import queue
import threading
import weakref
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from ZODB.POSException import ConflictError

from ..concurrency import write_conflicts
from ..concurrency.transactions import begin_anew

NAMESPACE = 0x15E5          # the high 32 bits of every advisory key: ours, not another app's


class LocalLocks:
    def __init__(self):
        self._guard = threading.Lock()
        self._locks = weakref.WeakValueDictionary()   # a course's lock lives while in use

    def _lock(self, code):
        with self._guard:
            lock = self._locks.get(code)
            if lock is None:
                lock = self._locks[code] = _Lock()
            return lock

    @contextmanager
    def hold(self, code):
        lock = self._lock(int(code))
        with lock.lock:
            yield


class _Lock:
    """A weak-referenceable holder (a bare threading.Lock cannot be weakly referenced)."""
    __slots__ = ("lock", "__weakref__")

    def __init__(self):
        self.lock = threading.Lock()


def advisory_key(code) -> int:
    return (NAMESPACE << 32) | (int(code) & 0xFFFFFFFF)


class PostgresLocks:
    """``pg_advisory_lock`` on a small pool of dedicated connections (one per waiting thread)."""

    def __init__(self, dsn: dict):
        self.dsn = dsn
        self._idle = queue.LifoQueue()

    def _connect(self):
        import psycopg2

        conn = psycopg2.connect(**self.dsn)
        conn.autocommit = True        # session locks: no transaction held open on this side
        return conn

    def _take(self):
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._connect()

    @contextmanager
    def hold(self, code):
        key = advisory_key(code)
        conn = self._take()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", (key,))
        except Exception:
            conn.close()
            raise
        try:
            yield
        finally:
            try:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", (key,))
                self._idle.put(conn)
            except Exception:
                conn.close()          # closing the session releases its locks too


def dsn_from_uri(uri: str) -> dict:
    """psycopg2 arguments from a ``postgres://user:pw@host:port/db?…`` zodburi URI."""
    parts = urlsplit(uri)
    dsn = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
           "dbname": parts.path.lstrip("/")}
    if parts.username:
        dsn["user"] = unquote(parts.username)
    if parts.password:
        dsn["password"] = unquote(parts.password)
    return dsn


def locks_for(settings: dict):
    uri = settings.get("zodbconn.uri", "")
    kind = settings.get("registration.lock") or (
        "postgresql" if urlsplit(uri).scheme in ("postgres", "postgresql") else "local")
    if kind == "postgresql":
        return PostgresLocks(dsn_from_uri(settings.get("registration.lock_uri") or uri))
    if kind == "local":
        return LocalLocks()
    raise ValueError(f"registration.lock must be local or postgresql, not {kind!r}")


def course_locks(request_or_registry):
    registry = getattr(request_or_registry, "registry", request_or_registry)
    return registry.course_locks


def includeme(config):
    config.registry.course_locks = locks_for(config.registry.settings)


ATTEMPTS = 3


class Busy(Exception):
    """A course's write kept conflicting with other writers through every attempt."""


def run_locked(request, course, work):
    """lock → begin → ``work()`` → commit → unlock; a fresh, empty transaction is left begun
    for pyramid_tm to finish. A ConflictError (another writer of something else we touched,
    e.g. the teacher's own index) is retried in the lock; exhausted, ``Busy``."""
    tm = request.tm
    with request.registry.course_locks.hold(course.code):
        for attempt in range(1, ATTEMPTS + 1):
            # Drop the snapshot taken before the lock, and see every commit made under it.
            begin_anew(request)
            try:
                result = work()
                tm.commit()
                break
            except ConflictError as conflict:
                # The failed transaction stays current: the next attempt's abort ends it.
                last = attempt == ATTEMPTS
                write_conflicts.stats(request).add(
                    conflict, write_conflicts.GAVE_UP if last else write_conflicts.RETRIED,
                    f"course {course.code}, attempt {attempt}")
                if last:
                    begin_anew(request)    # an empty one for pyramid_tm to finish
                    raise Busy(course.code)
    tm.begin()
    return result
