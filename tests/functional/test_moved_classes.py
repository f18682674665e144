"""A database written before modules moved into feature packages (tests/fixtures/pre_move,
made by tests/fixtures/make_pre_move_db.py) opens, evolves and serves: every stored object
loads, none is left referring to a module path that is gone, and the site still finds its
courses, tokens and sessions."""
import shutil
from pathlib import Path

import pytest
import transaction
import webtest
from ZODB.broken import Broken
from ZODB.utils import u64

from inservice_portal import evolve, make_config, moved
from inservice_portal.accounts import tokens
from inservice_portal.bootstrap import APP_ROOT

FIXTURE = Path(__file__).parent.parent / "fixtures" / "pre_move"


@pytest.fixture
def old_site(base_settings, tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "site")
    where = tmp_path / "site"
    config = make_config(dict(base_settings, **{
        "zodbconn.uri": f"file://{where}/Data.fs?blobstorage_dir={where}/blobs"}))
    app = config.make_wsgi_app()
    yield app, config.registry._zodb_databases
    for db in config.registry._zodb_databases.values():
        db.close()


def records(db):
    """(oid, pickle) of every object's current record."""
    return moved.current_records(db.storage)


def load_every_object(db) -> list[str]:
    """Every stored object activated; the ones whose class could not be found."""
    conn = db.open()
    try:
        broken = []
        for oid, _ in records(db):
            obj = conn.get(oid)
            getattr(obj, "_p_activate", lambda: None)()
            if isinstance(obj, Broken):
                broken.append(f"{u64(oid)}: {type(obj).__module__}.{type(obj).__name__}")
        return broken
    finally:
        conn.close()


def test_the_fixture_still_has_records_of_the_old_paths():
    data = (FIXTURE / "Data.fs").read_bytes()
    assert all(name in data for name in moved.stale_names()), "the fixture lost its point"


def test_an_old_database_opens_evolves_and_serves(old_site):
    app, databases = old_site
    db = databases[""]
    assert load_every_object(db) == []                     # through the aliases
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    with tm:
        evolve.run(conn.root()[APP_ROOT], tm=tm, log=lambda message: None)
    conn.close()
    for database in databases.values():
        assert load_every_object(database) == []
        stale = [u64(oid) for oid, data in records(database)
                 if any(name in data for name in moved.stale_names())]
        assert stale == [], "records still naming a moved module"

    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    assert "十二年國教五堂課多元評量--自然領域案例與實作" in browser.get("/search", {"q": "自然領域"}).text
    conn = db.open()
    root = conn.root()[APP_ROOT]
    assert root.login_sessions.get("fixture-session").login == "teacher-es"
    assert len(root.api_tokens) == 1 and len(root.password_resets) == 1
    conn.close()
