"""Conflicts that still happen are logged with the object's class and oid and counted per class
in /metrics, which only the addresses in ``metrics.allow`` (loopback by default) may read."""
import logging

import pytest
import webtest
from ZODB.POSException import ConflictError

from inservice_portal.concurrency import write_conflicts


@pytest.fixture
def config(config):
    """A view that always conflicts on a (pretend) course, as a hot spot would."""
    def always_conflicts(request):
        conflict = ConflictError(oid=b"\0" * 7 + b"\x2a", serials=(b"\0" * 8, b"\0" * 8))
        conflict.class_name = "inservice_portal.x.Course"
        raise conflict

    config.add_route("hot", "/hot")
    config.add_view(always_conflicts, route_name="hot", permission="__no_permission_required__")
    return config


def client(app, addr):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": addr})


def test_a_conflict_is_retried_then_answers_409_and_both_are_counted(app, caplog):
    caplog.set_level(logging.INFO, logger="inservice_portal.concurrency.write_conflicts")
    answer = client(app, "127.0.0.1").get("/hot", headers={"Accept": "application/json"},
                                           status=409)
    assert answer.json["error"]["code"] == "conflict"
    stats = write_conflicts.stats(app.registry)
    assert stats.by_class(write_conflicts.RETRIED) == {"inservice_portal.x.Course": 2}
    assert stats.by_class(write_conflicts.GAVE_UP) == {"inservice_portal.x.Course": 1}
    gave_up = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "gave_up on inservice_portal.x.Course oid 0x2a (/hot)" in gave_up[0].getMessage()
    metrics = client(app, "127.0.0.1").get("/metrics").text
    assert ('inservice_write_conflicts_total{object_class="inservice_portal.x.Course",'
            'outcome="gave_up"} 1.0') in metrics


def test_metrics_are_for_the_monitoring_host_only(app, settings):
    assert client(app, "::1").get("/metrics").status_int == 200
    refused = client(app, "192.0.2.7").get("/metrics", status=403)
    assert "inservice_write_conflicts" not in refused.text
