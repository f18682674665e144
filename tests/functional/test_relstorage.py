"""The app on RelStorage (PostgreSQL), as deployed with several processes (README: Configuration).

Each test gets a fresh database. Without a reachable server the tests skip, unless
INSERVICE_REQUIRE_POSTGRES=1 (CI), where they fail.
"""
import multiprocessing

import pytest

from inservice_portal.bootstrap import APP_ROOT, ensure_root

from .. import pg
from ..conftest import PASSWORD

pytestmark = pytest.mark.postgresql
SPAWN = multiprocessing.get_context("spawn")    # fresh interpreters, as separate servers are
TIMEOUT = 120


@pytest.fixture
def pg_uri():
    pg.server_or_skip()
    with pg.fresh_database() as name:
        yield pg.uri(name)


@pytest.fixture
def pg_audit_uri():
    """The audit log's own database (audit/): a second PostgreSQL database."""
    pg.server_or_skip()
    with pg.fresh_database() as name:
        yield pg.uri(name)


@pytest.fixture
def pg_settings(base_settings, pg_uri, pg_audit_uri):
    return dict(base_settings, **{"zodbconn.uri": pg_uri, "zodbconn.uri.audit": pg_audit_uri})


def run(target, *args, count=1):
    """Run ``target(*args, results)`` in ``count`` spawned processes; their reports."""
    results = SPAWN.Queue()
    processes = [SPAWN.Process(target=target, args=(*args, results)) for _ in range(count)]
    for p in processes:
        p.start()
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in processes]
    finally:
        for p in processes:
            p.join(timeout=TIMEOUT)
            if p.is_alive():
                p.kill()
    for report in reports:
        assert "error" not in report, report["error"]
    return reports


def test_uri_opens_relstorage(pg_uri):
    db = pg.open_db(pg_uri)
    try:
        assert type(db.storage).__name__ == "RelStorage"
    finally:
        db.close()


def test_two_processes_bootstrap_the_root_once(pg_uri):
    # The database exists with its ZODB root; the app root does not.
    pg.open_db(pg_uri).close()
    barrier = SPAWN.Barrier(2)
    reports = run(pg.race_ensure_root, pg_uri, barrier, count=2)
    assert [r["built"] for r in reports] == [1, 1]      # both really tried at once
    assert len({r["oid"] for r in reports}) == 1        # and both ended on the same root
    assert reports[0]["centres"] == 25
    db = pg.open_db(pg_uri)
    try:
        assert pg.bootstrap_transactions(db) == 1
    finally:
        db.close()


def test_ensure_root_is_idempotent(pg_uri):
    db = pg.open_db(pg_uri)
    try:
        ensure_root(db)
        first = db.lastTransaction()
        ensure_root(db)
        assert db.lastTransaction() == first
        assert pg.bootstrap_transactions(db) == 1
        conn = db.open()
        assert len(conn.root()[APP_ROOT]["centres"]) == 25
        conn.close()
    finally:
        db.close()


def test_a_teacher_created_in_one_process_logs_in_through_another(pg_settings, pg_uri):
    run(pg.create_teacher, pg_settings, "rs-t1", "關老師", PASSWORD)
    [report] = run(pg.log_in_over_http, pg_settings, "rs-t1", PASSWORD)
    assert (report["login_page"], report["login"], report["account"]) == (200, 303, 200)
    assert "關老師" in report["text"] and "A12345****" in report["text"]
    # The second process's write (the login session) is visible here too.
    db = pg.open_db(pg_uri)
    try:
        conn = db.open()
        sessions = list(conn.root()[APP_ROOT].login_sessions.values())
        assert [s.login for s in sessions] == ["rs-t1"]
        conn.close()
    finally:
        db.close()
