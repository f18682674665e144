"""The JSON API, version 1 (the contract: data/openapi.yaml).

URL-dispatch routes under /api/v1 whose factory is the app root, so the root's ACL decides
(VIEW for public data, AUTHENTICATED for the caller's own data). Every answer is JSON, errors
included: views raise ApiError (or return api_error when the transaction must commit).
"""
import json

from pyramid.traversal import resource_path
from pyramid.view import exception_view_config

from .errors import UNAUTHORIZED, ApiError, api_error, malformed
from ...bootstrap import root_factory
from ...clock import TAIPEI
from ...security import bearer_token

PREFIX = "/api/v1"
ROUTES = {
    "api.tokens": "/tokens",
    "api.token": "/tokens/current",
    "api.me": "/me",
    "api.centres": "/centres",
    "api.organisers": "/organisers",
    "api.openapi": "/openapi.json",
}
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def includeme(config):
    for name, path in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=root_factory)
    config.include(".course_review")
    config.include(".course_resource")
    config.include(".sharing")
    config.include(".course_search")
    config.include(".roster")
    config.include(".registrations")
    config.include(".units")
    config.include(".statistics")
    config.include(".exchange")


@exception_view_config(ApiError)
def api_error_view(exc, request):
    return exc.response(request)


def reject_bad_bearer(view):
    """View decorator: a bearer token that is unknown, expired or revoked is refused even on
    public calls, so that a client never takes an anonymous answer for its own."""
    def wrapper(context, request):
        if bearer_token(request) is not None and request.account is None:
            return api_error(request, 401, "unauthorized", UNAUTHORIZED)
        return view(context, request)

    return wrapper


# No request of the API nests deeper than a roster's entries (object → list → object → list).
MAX_DEPTH = 8


def json_object(request) -> dict:
    """The request body as a JSON object of well-formed text, or 400 malformed."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):      # bad JSON, bad UTF-8, nesting past the stack
        body = None
    if not isinstance(body, dict):
        raise malformed({}, "請求內容須為 JSON 物件。")
    if not well_formed(body, MAX_DEPTH):
        raise malformed({}, "請求內容的層次過深，或含有無效的 Unicode 字元。")
    return body


def well_formed(value, depth: int) -> bool:
    """No deeper than ``depth``, and no string holding a lone surrogate (JSON's "\\ud800"
    decodes to one; it could be neither stored as UTF-8 nor echoed back)."""
    if isinstance(value, str):
        return value.isascii() or value.encode("utf-8", "replace").decode("utf-8") == value
    if isinstance(value, (dict, list)):
        if depth == 0:
            return False
        items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
        return all((key is None or well_formed(key, depth - 1)) and well_formed(v, depth - 1)
                   for key, v in items)
    return True


def instant(value) -> str:
    """ISO 8601 with Taiwan's offset, to the second (the API's conventions)."""
    return value.astimezone(TAIPEI).replace(microsecond=0).isoformat()


def unit_json(unit) -> dict | None:
    if unit is None:
        return None
    return {"code": getattr(unit, "code", None), "name": unit.title, "path": resource_path(unit)}


def _count(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    value = value.strip()
    # ASCII digits only (int() would take "１２"), and short enough to stay a sane offset.
    if not (value.isascii() and value.isdigit()) or len(value) > 9 or int(value) < 1:
        return None
    return int(value)


def paging(request) -> tuple[int, int]:
    """(page, per_page) from the query string, or 400 malformed naming the bad ones."""
    page = _count(request.GET.get("page"), 1)
    per_page = _count(request.GET.get("per_page"), DEFAULT_PER_PAGE)
    fields = {}
    if page is None:
        fields["page"] = "頁碼須為 1 以上的整數。"
    if per_page is None or per_page > MAX_PER_PAGE:
        fields["per_page"] = f"每頁筆數須為 1 至 {MAX_PER_PAGE} 的整數。"
    if fields:
        raise malformed(fields, "分頁參數不正確。")
    return page, per_page


def page_of(items: list, total: int, page: int, per_page: int) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page}
