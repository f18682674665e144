"""A database written before modules moved into feature packages opens, evolves and serves:
every stored object loads, none is left referring to a module path that is gone, and the site
still finds its courses, tokens and sessions.

The old database is written at test time by today's code with each moved class pickled under
the path it had (moved.MOVED and SPLIT), so nothing generated is kept in the repository."""
import importlib
import shutil
import sys
from contextlib import contextmanager

import pytest
import transaction
import webtest
from pyramid.threadlocal import manager
from ZODB.broken import Broken
from ZODB.utils import u64

from inservice_portal import audit, clock, evolve, make_config
from inservice_portal.evolve import moved
from inservice_portal.accounts import password_reset, tokens
from inservice_portal.accounts.login_sessions import LoginSession
from inservice_portal.bootstrap import APP_ROOT, ensure_root
from inservice_portal.scripts.demo import load_demo


FIRST_MOVE = 16      # the first evolve step that rewrites records of moved classes


@contextmanager
def old_paths():
    """Each moved class named by its old dotted path while pickled (pickle finds a class
    where its ``__module__`` says: the old module name is made to lead there)."""
    undo = []

    def rename(cls, old):
        undo.append((cls, cls.__module__))
        cls.__module__ = old

    for old, new in moved.MOVED.items():
        module = importlib.import_module(new)
        sys.modules[old] = module
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == new:
                rename(value, old)
    added = []
    for (old, name), new in moved.SPLIT.items():
        cls = getattr(importlib.import_module(new), name)
        rename(cls, old)
        if not hasattr(sys.modules[old], name):
            setattr(sys.modules[old], name, cls)
            added.append((sys.modules[old], name))
    try:
        yield
    finally:
        for cls, module in undo:
            cls.__module__ = module
        for module, name in added:
            delattr(module, name)
        for old in moved.MOVED:
            sys.modules.pop(old, None)


def write_old_site(where):
    """The demo school year, a login session, an API token, a reset link and an audit entry:
    every kind of stored class, written under the old paths."""
    config = make_config({"zodbconn.uri": f"file://{where}/Data.fs?blobstorage_dir={where}/blobs",
                          "session.secret": "fixture-only-secret-0123456789-0123456789",
                          "argon2.time_cost": "1", "argon2.memory_cost": "1024",
                          "argon2.parallelism": "1", "mail.queue_path": str(where / "mail")})
    config.make_wsgi_app()
    databases = config.registry._zodb_databases
    manager.push({"registry": config.registry, "request": None})
    try:
        with old_paths():
            ensure_root(databases[""])
            audit.ensure_database(databases)
            tm = transaction.TransactionManager()
            conn = databases[""].open(transaction_manager=tm)
            with tm:
                root = conn.root()[APP_ROOT]
                load_demo(root)
                root.login_sessions["fixture-session"] = LoginSession("teacher-es", clock.now())
                tokens.issue(root, "teacher-es")
                now = clock.now()
                root.password_resets[tokens.digest("fixture")] = password_reset.PasswordReset(
                    "teacher-es", now, now + password_reset.TTL)
                audit.record("export", root["people"]["teacher-es"], root=root,
                             actor="moe-admin")
                # As the code of that time left it: the steps that rewrite the moved classes'
                # records (16–18) still to run.
                setattr(root, evolve.VERSION_KEY, FIRST_MOVE - 1)
            conn.close()
    finally:
        manager.pop()
        for db in databases.values():
            db.close()
    shutil.rmtree(where / "mail", ignore_errors=True)


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    where = tmp_path_factory.mktemp("pre_move")
    write_old_site(where)
    return where


@pytest.fixture
def old_site(base_settings, tmp_path, fixture_dir):
    shutil.copytree(fixture_dir, tmp_path / "site")
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


def test_the_fixture_still_has_records_of_the_old_paths(fixture_dir):
    data = (fixture_dir / "Data.fs").read_bytes()
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
