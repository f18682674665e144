"""The audit log's sealer: the one writer of the hash chain (audit.py says why).

It runs in the thread whose audited transaction has just committed (an after-commit hook), in
a transaction of its own, so that the chain follows the actions within milliseconds; and
every ``audit.seal_interval`` seconds in a thread of its own, which also catches up at
start-up on what a process that died left unsealed. Within a process one thread seals at a
time; a thread that commits while another seals asks it to go round once more, so nothing
waits for the next interval. Two processes sealing at once conflict on the chain's head: the
loser tries again a moment later (the winner may well have sealed its entries already).
Every signed head is also written to the application log, a witness outside the database; the
servers sign, console commands only seal (``serve``).
"""
import logging
import threading
import time
import weakref

import transaction
from ZODB.POSException import ConflictError

from . import audit, clock

log = logging.getLogger(__name__)

ATTEMPTS = 5
DEFAULT_INTERVAL = 5.0


class Sealer:
    def __init__(self, db, signing_key: bytes | None):
        self._db = weakref.ref(db)        # SEALERS is keyed weakly by this database
        self.signing_key = signing_key
        self._mutex = threading.Lock()
        self._running = False
        self._wanted = False
        self._stopped = threading.Event()

    def wake(self):
        """Seal now in this thread, unless one is sealing: that one goes round again."""
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
                self.seal_once()
        except BaseException:
            with self._mutex:
                self._running = False
            raise

    def seal_once(self, force_head=False, signing_key=None) -> tuple[int, dict | None] | None:
        """One sealing transaction, tried again on a conflict with another process's sealer;
        (entries sealed, head signed or None), or None when it gave up (logged)."""
        db = self._db()
        if db is None:
            return None
        key = signing_key or self.signing_key
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            for attempt in range(1, ATTEMPTS + 1):
                tm.begin()
                chain = audit.ensure_log(conn.root())
                count, head = audit.seal(chain, key, clock.now(), force_head)
                if not count and head is None:
                    tm.abort()
                    return 0, None
                tm.get().note(f"audit: seal {count} entries")
                try:
                    tm.commit()
                except ConflictError:
                    tm.abort()
                    time.sleep(0.005 * attempt)
                    continue
                if head is not None:
                    log.info("audit head signed: seq %s hash %s sig %s",
                             head["seq"], head["hash"], head["sig"])
                return count, head
            log.warning("audit sealing gave up after %s conflicting attempts", ATTEMPTS)
            return None
        except Exception:
            tm.abort()
            log.exception("audit sealing failed; the entries stay in their inboxes")
            return None
        finally:
            conn.close()

    def start(self, interval: float = DEFAULT_INTERVAL):
        """Seal what is waiting (a process that died may have left some), then keep sealing
        every ``interval`` seconds in a daemon thread."""
        self.wake()
        self._thread = threading.Thread(target=self._tick, args=(interval,), daemon=True,
                                        name="audit-sealer")
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 10):
        """No more ticks; waits for a seal under way (before its databases are closed)."""
        self._stopped.set()
        thread = getattr(self, "_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _tick(self, interval):
        while not self._stopped.wait(interval) and self._db() is not None:
            self.wake()


def install(databases: dict, settings) -> Sealer:
    db = databases[audit.DB_NAME]
    sealer = audit.SEALERS[db] = Sealer(db, audit.signing_key(settings))
    return sealer


def serve(databases: dict, settings, signs: bool = True) -> Sealer:
    """What a process does at start-up: catch up, then seal on an interval. A console command
    (``signs=False``) seals but signs no head: it may run with another secret than the
    servers, and its heads would then fail every later verify."""
    sealer = sealer_of(databases)
    if not signs:
        sealer.signing_key = None
    sealer.start(interval(settings))
    return sealer


def sealer_of(databases: dict) -> Sealer:
    return audit.SEALERS[databases[audit.DB_NAME]]


def interval(settings) -> float:
    return float(settings.get("audit.seal_interval", DEFAULT_INTERVAL))
