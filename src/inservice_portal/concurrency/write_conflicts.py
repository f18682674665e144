"""Write conflicts, logged with the object's class and oid and counted for the operator.

Two transactions that touch different courses or accounts must never conflict (no shared
object that every request writes). A conflict that pyramid_retry absorbs still costs a re-run
of the request; one that exhausts the attempts reaches a person as a 409 — a bug report, so
both are logged with what collided and counted per class in ``/metrics`` (Prometheus text),
which answers the addresses in ``metrics.allow`` (loopback by default) and refuses others.
"""
import logging
import threading
from collections import Counter

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client import Counter as PromCounter
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid_retry import IBeforeRetry
from ZODB.POSException import ConflictError
from ZODB.utils import oid_repr

log = logging.getLogger(__name__)

RETRIED, GAVE_UP = "retried", "gave_up"


def describe(exc) -> tuple[str, str]:
    """(class, oid) of the object a ConflictError names; ``?`` where ZODB did not say."""
    class_name = getattr(exc, "class_name", None) or "?"
    oid = getattr(exc, "oid", None)
    return class_name, oid_repr(oid) if oid is not None else "?"


class ConflictStats:
    """Conflicts per (class, outcome) in this process: a Prometheus counter and a plain copy
    that tests and benchmarks read without parsing text."""

    def __init__(self):
        self.metrics = CollectorRegistry()
        self._counter = PromCounter(
            "inservice_write_conflicts", "ZODB write conflicts by object class and outcome",
            ["object_class", "outcome"], registry=self.metrics)
        self._lock = threading.Lock()
        self.counts = Counter()

    def add(self, exc, outcome: str, where: str = ""):
        class_name, oid = describe(exc)
        self._counter.labels(class_name, outcome).inc()
        with self._lock:
            self.counts[(class_name, outcome)] += 1
        level = logging.WARNING if outcome == GAVE_UP else logging.INFO
        log.log(level, "write conflict %s on %s oid %s%s", outcome, class_name, oid,
                f" ({where})" if where else "")

    def by_class(self, outcome: str | None = None) -> dict[str, int]:
        with self._lock:
            found = Counter()
            for (class_name, kind), n in self.counts.items():
                if outcome is None or kind == outcome:
                    found[class_name] += n
            return dict(found)

    def total(self, outcome: str | None = None) -> int:
        return sum(self.by_class(outcome).values())

    def reset(self):
        with self._lock:
            self.counts.clear()


def stats(request_or_registry) -> ConflictStats:
    registry = getattr(request_or_registry, "registry", request_or_registry)
    return registry.conflict_stats


def on_retry(event):
    if isinstance(event.exception, ConflictError):
        stats(event.request).add(event.exception, RETRIED, event.request.path_info)


def metrics_view(request):
    allowed = request.registry.settings.get("metrics.allow", "127.0.0.1 ::1").split()
    if request.client_addr not in allowed:
        return Response("僅供監控主機讀取（metrics.allow）。", status=403,
                        content_type="text/plain", charset="utf-8")
    return Response(generate_latest(stats(request).metrics),
                    content_type="text/plain", charset="utf-8")


def includeme(config):
    config.registry.conflict_stats = ConflictStats()
    config.add_subscriber(on_retry, IBeforeRetry)
    config.add_route("metrics", "/metrics")
    config.add_view(metrics_view, route_name="metrics", request_method="GET",
                    permission=NO_PERMISSION_REQUIRED)
