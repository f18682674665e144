"""A site whose database is behind this code's evolve steps answers 503 until they have run.

The steps change what the code expects of stored objects (step 11: each catalogued object
keeps its own docid), so serving an older database would index, unindex and answer wrongly.
The operator runs ``inservice-portal CONFIG evolve``; the gate opens by itself once the
database has caught up (each request looks until then: one read of the root).
"""
import html
import logging

import transaction
from pyramid.response import Response
from pyramid.tweens import INGRESS

from .api.errors import api_error, wants_json
from ..bootstrap import APP_ROOT
from ..evolve import pending

log = logging.getLogger(__name__)

MESSAGE = "系統升級中，請稍後再試。"
PAGE = """<!DOCTYPE html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>系統升級中｜全國教師在職進修資訊網</title></head>
<body><main><h1>系統升級中</h1><p>{message}</p></main></body></html>
"""


def steps_behind(db) -> list[int]:
    """The evolve steps the stored site still lacks (none for a new or current one)."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        root = conn.root().get(APP_ROOT)
        return [number for number, _, _ in pending(root)] if root is not None else []
    finally:
        tm.abort()
        conn.close()


def tween_factory(handler, registry):
    """The outermost tween: 503 (a page, or the API's JSON error) while the database is
    behind, then the app. Once caught up, a request costs one flag's read."""
    db = registry._zodb_databases[""]
    state = {"caught_up": False, "told": False}

    def gate(request):
        if not state["caught_up"]:
            behind = steps_behind(db)
            state["caught_up"] = not behind
            if behind:
                if not state["told"]:
                    state["told"] = True
                    log.error("the database lacks evolve steps %s: every request is answered "
                              "503 until `inservice-portal CONFIG evolve` has run them", behind)
                return refusal(request)
        return handler(request)

    return gate


def refusal(request) -> Response:
    if wants_json(request):
        response = api_error(request, 503, "maintenance", MESSAGE)
    else:
        response = Response(PAGE.format(message=html.escape(MESSAGE)), status=503,
                            content_type="text/html", charset="utf-8")
    response.headers["Retry-After"] = "300"
    response.cache_control = "no-store"
    return response


def includeme(config):
    config.add_tween("inservice_portal.views.upgrade_gate.tween_factory", under=INGRESS)
