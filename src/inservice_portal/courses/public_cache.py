"""A short-lived cache of the public catalogue's anonymous answers: 研習課程查詢 (/search) and
``GET /api/v1/courses``.

When a popular course opens, thousands of teachers repeat the same few searches within
seconds. Those answers list published courses only and are the same for every visitor who
is not logged in, so for ``public_cache.seconds`` (10 by default; 0 turns the cache off)
each one is answered from memory, in front of the transaction, the session and the
security policy, and marked ``Cache-Control: public`` so that a proxy may keep it as well.
What a visitor may see late by that much (plus the time of one search, while a stale answer
is searched again): a new course in the list, and the seats left shown in the list. The
course page and registration itself always read the database.

Only a GET without a session cookie and without credentials is answered from the cache,
and only a 200 that sets no cookie is kept.
"""
import threading
import time
from urllib.parse import parse_qsl

from cachetools import LRUCache
from pyramid.response import Response
from pyramid.tweens import INGRESS

from .. import clock

PATHS = ("/search", "/api/v1/courses")
SESSION_COOKIE = "isp_session"
DEFAULT_SECONDS = 10
DEFAULT_ENTRIES = 2000       # pages of twenty: bounds the memory each process gives it
timer = time.monotonic       # (tests move it on instead of waiting)
WAIT_SECONDS = 30            # the longest a visitor waits for the same search by another


def cache_key(request):
    """The answer depends on the path, the parameters (in any order) and the day (報名中)."""
    params = tuple(sorted(parse_qsl(request.query_string, keep_blank_values=True)))
    return request.path_info, params, clock.now().date()


def is_anonymous_get(request) -> bool:
    # The raw path: this tween is outside the error views, and decoding a path that is not
    # UTF-8 would fail here instead of being answered 400 within.
    return (request.method == "GET" and request.environ.get("PATH_INFO") in PATHS
            and SESSION_COOKIE not in request.cookies
            and "Authorization" not in request.headers)


class AnswerCache:
    """Kept answers by key, each fresh for ``seconds``. When one goes stale, the first request
    for it searches again while the others are still given the stale copy (and when there is
    none yet, they wait for that first search): a popular search is made once per period, not
    once per waiting visitor — and never by a crowd at once on a cold connection."""

    def __init__(self, seconds: int, size: int):
        self.seconds = seconds
        self.kept = LRUCache(size)       # key → (fresh until, status, headers, body)
        self.busy: dict = {}             # key → Event, set when its search is done
        self.lock = threading.Lock()     # LRUCache is not thread-safe; waitress uses threads

    def answer(self, key, search):
        while True:
            with self.lock:
                kept = self.kept.get(key)
                if kept is not None and kept[0] > timer():
                    return kept
                searching = self.busy.get(key)
                if searching is None:
                    searching = self.busy[key] = threading.Event()
                    break                # this request searches
            if kept is not None:
                return kept              # stale, while another request searches again
            searching.wait(WAIT_SECONDS)
            if not searching.is_set():
                return None              # the other search takes too long: search alone
        try:
            fresh = search()
            if fresh is not None:
                with self.lock:
                    self.kept[key] = fresh
            return fresh
        finally:
            with self.lock:
                del self.busy[key]
            searching.set()


def public_cache_tween_factory(handler, registry):
    settings = registry.settings
    seconds = int(settings.get("public_cache.seconds", DEFAULT_SECONDS))
    if seconds <= 0:
        return handler
    cache = AnswerCache(seconds, int(settings.get("public_cache.entries", DEFAULT_ENTRIES)))

    def tween(request):
        if not is_anonymous_get(request):
            return handler(request)
        answered = []

        def search():
            response = handler(request)
            answered.append(response)
            if response.status_int != 200 or "Set-Cookie" in response.headers:
                return None
            response.cache_control = f"public, max-age={seconds}"
            response.vary = ("Cookie", "Authorization")
            return (timer() + seconds, response.status, tuple(response.headerlist),
                    response.body)

        kept = cache.answer(cache_key(request), search)
        if answered:
            return answered[0]
        if kept is None:
            return handler(request)
        _, status, headers, body = kept
        return Response(body=body, status=status, headerlist=list(headers))

    return tween


def includeme(config):
    config.add_tween("inservice_portal.courses.public_cache.public_cache_tween_factory", under=INGRESS)
