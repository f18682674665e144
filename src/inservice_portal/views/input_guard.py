"""Requests that cannot be read are refused before any view sees them (issue 22): a body
over the size limit answers 413 unread, and a query string or form that is not UTF-8 (or
a path: views/errors.py answers traversal's URLDecodeError) answers 400, as does a deform form whose structure markers do not nest, so that no view
meets a request it cannot decode.

Limits (bytes; settings ``request.max_body``, ``request.max_upload``): a form or JSON body
is small; a multipart upload carries files (研習附件 up to courses.attachments.MAX_BYTES).
"""
import peppercorn
from pyramid.events import ContextFound

MAX_BODY = 1024 * 1024
MAX_UPLOAD = 45 * 1024 * 1024
# A partner's batch of up to 10,000 training records (exchange/format.py), as JSON.
MAX_BATCH = 8 * 1024 * 1024
BATCH_ROUTES = ("api.exchange.records", "api.exchange.batches", "api.exchange.teachers")
# A partner's file (exchange/files.py reads at most 20 MB), with the form around it.
MAX_EXCHANGE_FILE = 21 * 1024 * 1024
FILES_ROUTE = "api.exchange.files"
# Longer than any field of the course form (item 24's 2,000 characters in bytes, twice over).
MAX_QUERY = 16 * 1024
MARKERS = ("__start__", "__end__")


class Unreadable(Exception):
    """The request is not well-formed text; answered 400 (views/errors.py)."""


class TooLarge(Exception):
    """The body is over the limit; answered 413 (views/errors.py)."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def body_limit(request, settings) -> int:
    if getattr(request.matched_route, "name", None) == FILES_ROUTE:
        return int(settings.get("request.max_exchange_file", MAX_EXCHANGE_FILE))
    if request.content_type == "multipart/form-data":
        return int(settings.get("request.max_upload", MAX_UPLOAD))
    if getattr(request.matched_route, "name", None) in BATCH_ROUTES:
        return int(settings.get("request.max_batch", MAX_BATCH))
    return int(settings.get("request.max_body", MAX_BODY))


def check(request, settings) -> None:
    limit = body_limit(request, settings)
    if (request.content_length or 0) > limit:
        raise TooLarge(limit)
    if len(request.query_string) > MAX_QUERY:
        raise Unreadable("query string too long")
    try:
        request.GET.items()
        if request.method == "POST":
            fields = list(request.POST.items())
            if any(name in MARKERS for name, _ in fields):
                peppercorn.parse(fields)           # deform's structure: balanced, known
    except ValueError as exc:       # not UTF-8 (UnicodeDecodeError), a broken multipart body
        raise Unreadable(str(exc)) from exc     # or broken peppercorn markers


def on_context_found(event):
    check(event.request, event.request.registry.settings)


def includeme(config):
    # Once the root is found, before any view: what the guard raises is answered as a page
    # (which needs the root) or as JSON.
    config.add_subscriber(on_context_found, ContextFound)
