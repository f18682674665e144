"""A short-lived cache of the public catalogue's anonymous answers: 研習課程查詢 (/search) and
``GET /api/v1/courses``.

When a popular course opens, thousands of teachers repeat the same few searches within
seconds. Those answers list published courses only and are the same for every visitor who
is not logged in, so for ``public_cache.seconds`` (10 by default; 0 turns the cache off)
each one is answered from memory, in front of the transaction, the session and the
security policy, and marked ``Cache-Control: public`` so that a proxy may keep it as well.
What a visitor may see late by that much: a new course in the list, and the seats left
shown in the list. The course page and registration itself always read the database.

Only a GET without a session cookie and without credentials is answered from the cache,
and only a 200 that sets no cookie is kept.
"""
import threading
import time
from urllib.parse import parse_qsl

from cachetools import TTLCache
from pyramid.response import Response
from pyramid.tweens import INGRESS

from . import clock

PATHS = ("/search", "/api/v1/courses")
SESSION_COOKIE = "isp_session"
DEFAULT_SECONDS = 10
DEFAULT_ENTRIES = 2000       # a page of twenty is 30–60 KB: at most ~100 MB per process
timer = time.monotonic       # (tests move it on instead of waiting)


def cache_key(request):
    """The answer depends on the path, the parameters (in any order) and the day (報名中)."""
    params = tuple(sorted(parse_qsl(request.query_string, keep_blank_values=True)))
    return request.path_info, params, clock.now().date()


def is_anonymous_get(request) -> bool:
    return (request.method == "GET" and request.path_info in PATHS
            and SESSION_COOKIE not in request.cookies
            and "Authorization" not in request.headers)


def public_cache_tween_factory(handler, registry):
    settings = registry.settings
    seconds = int(settings.get("public_cache.seconds", DEFAULT_SECONDS))
    if seconds <= 0:
        return handler
    entries = TTLCache(int(settings.get("public_cache.entries", DEFAULT_ENTRIES)), seconds,
                       timer=lambda: timer())
    lock = threading.Lock()        # TTLCache is not thread-safe; waitress serves on threads

    def tween(request):
        if not is_anonymous_get(request):
            return handler(request)
        key = cache_key(request)
        with lock:
            kept = entries.get(key)
        if kept is not None:
            status, headers, body = kept
            return Response(body=body, status=status, headerlist=list(headers))
        response = handler(request)
        if response.status_int == 200 and "Set-Cookie" not in response.headers:
            response.cache_control = f"public, max-age={seconds}"
            response.vary = ("Cookie", "Authorization")
            with lock:
                entries[key] = (response.status, tuple(response.headerlist), response.body)
        return response

    return tween


def includeme(config):
    config.add_tween("inservice_portal.public_cache.public_cache_tween_factory", under=INGRESS)
