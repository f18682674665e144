"""The audit log's sealer: the one writer of the hash chain (audit/ says why).

A ``single_writer.SingleWriter``: it seals right after each audited commit and every
``audit.seal_interval`` seconds, catching up at start-up. Every signed head is also written to
the application log, a witness outside the database; the servers sign, console commands only
seal (``serve``).
"""
import logging

from .. import audit, clock
from ..concurrency.single_writer import SingleWriter

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5.0


class Sealer(SingleWriter):
    name = "audit sealer"

    def __init__(self, db, signing_key: bytes | None):
        super().__init__(db)
        self.signing_key = signing_key

    def work(self, conn, force_head=False, signing_key=None):
        count, head = audit.seal(audit.ensure_log(conn.root()), signing_key or self.signing_key,
                                 clock.now(), force_head)
        return bool(count or head), (count, head)

    def committed(self, result):
        count, head = result
        if head is not None:
            log.info("audit head signed: seq %s hash %s sig %s",
                     head["seq"], head["hash"], head["sig"])

    def seal_once(self, force_head=False, signing_key=None) -> tuple[int, dict | None] | None:
        """(entries sealed, head signed or None), or None when it gave up (logged)."""
        return self.run_once(force_head=force_head, signing_key=signing_key)


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
