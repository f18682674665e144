"""inservice-portal: 全國教師在職進修資訊網.

``main`` is the WSGI app factory; ``make_config`` builds the configurator so that tests can add
to it before the app is made.
"""
import os
import secrets
from pathlib import Path

from pyramid.config import Configurator
from pyramid.renderers import JSON
from pyramid.session import SignedCookieSessionFactory
from pyramid.settings import asbool

from . import audit, security
from .evolve import moved
from .audit import sealer as audit_sealer
from .accounts import passwords
from .bootstrap import ensure_root, root_factory
from .catalog import queue as catalog_queue
from .exchange import callbacks as exchange_callbacks
from .exchange import feed as exchange_feed
from .statistics import queue as statistics_queue
from .accounts.login_sessions import IDLE_TIMEOUT

CONSOLE = "inservice_portal.console"     # set by the console script: see main()
DEFAULTS = {
    "pyramid.default_locale_name": "zh_Hant",
    "retry.attempts": "3",
    "tm.manager_hook": "pyramid_tm.explicit_manager",
}


def session_secret(settings: dict) -> str:
    """``session.secret``, else the ``INSERVICE_SESSION_SECRET`` environment variable, else the
    file ``session.secret_file`` (created with a random value on first start)."""
    secret = settings.get("session.secret") or os.environ.get("INSERVICE_SESSION_SECRET")
    if secret:
        return secret
    path = settings.get("session.secret_file")
    if not path:
        raise ValueError("set session.secret, session.secret_file or INSERVICE_SESSION_SECRET")
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def audit_uri(settings: dict) -> str:
    """``zodbconn.uri.audit``, else a database beside the main one (audit/ says why)."""
    if settings.get("zodbconn.uri.audit"):
        return settings["zodbconn.uri.audit"]
    uri = settings.get("zodbconn.uri", "")
    if uri.startswith("memory://"):
        return "memory://"
    if uri.startswith("file://"):
        path = uri[len("file://"):].partition("?")[0]
        return f"file://{Path(path).with_name('Audit.fs')}"
    raise ValueError("set zodbconn.uri.audit: the audit log's own database")


# ZODB keeps at most ``pool_size`` closed connections per database (7 by default) and discards
# the others with their object caches: a server with more threads than that (waitress: 8)
# opened a connection with a cold cache on most requests. Every thread holds one connection
# to each database, so each keeps at least this many; more cost nothing until used.
POOL_SIZE = 32


def keep_connections(databases: dict, size: int):
    for db in databases.values():
        if db.getPoolSize() < size:
            db.setPoolSize(size)


def make_config(settings: dict) -> Configurator:
    settings = {**DEFAULTS, **settings}
    settings["zodbconn.uri.audit"] = audit_uri(settings)
    settings["session.secret"] = session_secret(settings)
    passwords.configure(settings)
    config = Configurator(settings=settings, root_factory=root_factory)
    config.include("pyramid_chameleon")
    config.add_renderer("json", JSON(ensure_ascii=False))    # readable Chinese in API answers
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.include(".concurrency.write_conflicts")
    config.include("pyramid_zodbconn")
    keep_connections(config.registry._zodb_databases,
                     int(settings.get("zodbconn.pool_size", POOL_SIZE)))
    moved.install(config.registry._zodb_databases)
    audit_sealer.install(config.registry._zodb_databases, settings)
    catalog_queue.Indexer.install(config.registry._zodb_databases)
    statistics_queue.Folder.install(config.registry._zodb_databases)
    exchange_feed.Writer.install(config.registry._zodb_databases)
    exchange_callbacks.configure(settings)
    config.hook_zca()          # repoze.workflow looks workflows up through the ZCA registry
    config.set_session_factory(security.capped_flash(SignedCookieSessionFactory(
        settings["session.secret"],
        cookie_name="isp_session",
        secure=asbool(settings.get("session.secure", False)),
        httponly=True,
        samesite="Lax",
        timeout=int(IDLE_TIMEOUT.total_seconds()),
        reissue_time=60,
        serializer=security.CookieJSON,
    )))
    config.add_translation_dirs("colander:locale", "deform:locale")
    config.include(".security")
    config.include(".throttle")
    config.include(".catalog")
    config.include(".workflows.course")
    config.include(".courses.service")
    config.include(".workflows.sharing")
    config.include(".workflows.news")
    config.include(".workflows.newsletter")
    config.include(".workflows.ticket")
    config.include(".attendance.records")
    config.include(".workflows.registration")
    config.include(".workflows.staff_account")
    config.include(".accounts.email_lookup")
    config.include(".statistics")
    config.include(".exchange.moves")
    config.include(".comms")
    config.include(".registration.locks")
    config.include(".forms")
    config.include(".views.upgrade_gate")
    config.include(".views.headers")
    config.include(".views.input_guard")
    config.include(".courses.public_cache")
    config.include(".views.navigation")
    config.include(".mail")
    config.include(".audit")
    config.add_static_view("static", "inservice_portal:static", cache_max_age=3600)
    config.add_static_view("deform_static", "deform:static", cache_max_age=3600)
    config.include(".views.api")
    config.scan(".views")
    return config


def main(global_config, **settings):
    config = make_config(settings)
    app = config.make_wsgi_app()
    db = config.registry._zodb_databases[""]
    ensure_root(db)
    audit.ensure_database(config.registry._zodb_databases)
    # Catch up on entries a dead process left unsealed, then seal on an interval.
    audit_sealer.serve(config.registry._zodb_databases, settings,
                       signs=not asbool(global_config.get(CONSOLE, False)))
    catalog_queue.Indexer.serve(config.registry._zodb_databases, settings)
    statistics_queue.Folder.serve(config.registry._zodb_databases, settings)
    exchange_feed.Writer.serve(config.registry._zodb_databases, settings)
    return app
