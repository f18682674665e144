"""PostgreSQL helpers for the RelStorage tests. The workers at the bottom run in processes
started with ``spawn``, so they live here, in an importable module, not in the test file."""
import os
import secrets
from contextlib import contextmanager

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
REQUIRE = "INSERVICE_REQUIRE_POSTGRES"
BOOTSTRAP_NOTE = b"bootstrap: create the root"


def admin_connection():
    import psycopg2

    conn = psycopg2.connect(host=HOST, port=PORT, user=USER, dbname="postgres",
                            connect_timeout=3)
    conn.autocommit = True          # CREATE/DROP DATABASE cannot run in a transaction
    return conn


def server_or_skip():
    """Skip when PostgreSQL (or RelStorage) is unavailable; fail instead when it is required."""
    import pytest

    try:
        import psycopg2
        import relstorage  # noqa: F401
    except ImportError as error:
        reason = f"RelStorage[postgresql] is not installed ({error})"
    else:
        try:
            admin_connection().close()
            return
        except psycopg2.OperationalError as error:
            reason = f"PostgreSQL is not reachable at {HOST}:{PORT} as {USER}: {error}".strip()
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{REQUIRE}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def fresh_database():
    """A new, empty database for one test, dropped afterwards (even if a worker hangs on)."""
    name = f"inservice_test_{secrets.token_hex(6)}"
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield name
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def uri(dbname: str) -> str:
    # RelStorage 4's zodburi resolver builds the DSN from the URI's parts; the port must be
    # given (it would otherwise pass port='None'), and there is no ?dsn= parameter.
    return f"postgres://{USER}@{HOST}:{PORT}/{dbname}"


def open_db(zodb_uri: str):
    import zodburi
    from ZODB import DB

    factory, dbkw = zodburi.resolve_uri(zodb_uri)
    return DB(factory(), **dbkw)


def bootstrap_transactions(db) -> int:
    return sum(1 for t in db.storage.iterator() if t.description == BOOTSTRAP_NOTE)


# --- workers (run in spawned processes) ------------------------------------------------------

def race_ensure_root(zodb_uri, barrier, results):
    """Open the database, then bootstrap it together with the other worker: both build a root
    (the barrier inside make_root) before either commits, so their commits really collide."""
    from inservice_portal import bootstrap

    built = []
    make_root = bootstrap.make_root

    def slow_make_root():
        root = make_root()
        if not built:
            barrier.wait(timeout=60)
        built.append(root)
        return root

    bootstrap.make_root = slow_make_root
    db = open_db(zodb_uri)
    try:
        barrier.wait(timeout=60)
        bootstrap.ensure_root(db)
        conn = db.open()
        app_root = conn.root()[bootstrap.APP_ROOT]
        results.put({"built": len(built), "oid": app_root._p_oid,
                     "centres": len(app_root["centres"])})
        conn.close()
    except BaseException as error:     # report, so the parent fails with the cause
        results.put({"error": repr(error)})
    finally:
        db.close()


def _app(settings):
    from inservice_portal import make_config
    from inservice_portal.bootstrap import ensure_root

    config = make_config(dict(settings))
    app = config.make_wsgi_app()
    ensure_root(config.registry._zodb_databases[""])
    return app, config


def create_teacher(settings, login, name, password, results):
    """Start an app and add a teacher through it, as an admin script would."""
    try:
        import transaction
        from pyramid.threadlocal import manager

        from inservice_portal.bootstrap import APP_ROOT
        from inservice_portal.resources.accounts import Teacher

        app, config = _app(settings)
        db = config.registry._zodb_databases[""]
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        manager.push({"registry": config.registry, "request": None})
        tm.begin()
        teacher = Teacher(login, name, national_id="A123456789")
        teacher.set_password(password)
        conn.root()[APP_ROOT]["people"].add(login, teacher)
        tm.commit()
        conn.close()
        db.close()
        results.put({"ok": True})
    except BaseException as error:
        results.put({"error": repr(error)})


def log_in_over_http(settings, login, password, results):
    """Start a second app and log in through its pages."""
    try:
        import webtest

        app, config = _app(settings)
        browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        page = browser.get("/login")
        form = page.forms["login-form"]
        form["login"], form["password"] = login, password
        response = form.submit("submit")
        account = browser.get("/account", status="*")
        results.put({"login_page": page.status_int, "login": response.status_int,
                     "account": account.status_int, "text": account.text})
        config.registry._zodb_databases[""].close()
    except BaseException as error:
        results.put({"error": repr(error)})


def run_jobs(settings, results):
    """A worker process beside the serving one: runs what waits on the Redis queue, on the
    same RelStorage database, until the queue is empty."""
    try:
        from inservice_portal.jobs import runner

        _, config = _app(settings)
        runner.work(config.registry._zodb_databases[""], config.registry.settings, burst=True)
        results.put({"ok": True})
    except BaseException as error:     # report, so the parent fails with the cause
        results.put({"error": repr(error)})
