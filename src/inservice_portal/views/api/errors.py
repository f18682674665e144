"""The API's error format: {"error": {"code", "message", "fields"}}."""
import json

from pyramid.response import Response

UNAUTHORIZED = "請先登入或提供有效的存取權杖。"
MALFORMED = "請求的格式不正確。"
NOT_FOUND = "找不到指定的資料。"


def wants_json(request) -> bool:
    if request.path.startswith("/api/"):
        return True
    offers = request.accept.acceptable_offers(["text/html", "application/json"])
    return bool(offers) and offers[0][0] == "application/json"


def api_error(request, status: int, code: str, message: str, fields: dict | None = None):
    # "fields" is always present (possibly empty) so that clients can read it unconditionally.
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json", charset="utf-8")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="inservice-portal"'  # RFC 6750 §3
    return response


class ApiError(Exception):
    """Raised by API views; rendered by views/api's exception view. Raising aborts the
    transaction, so views that must keep a write (a failed login's count) return api_error."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields

    def response(self, request):
        return api_error(request, self.status, self.code, self.message, self.fields)


def malformed(fields: dict, message: str = MALFORMED) -> ApiError:
    return ApiError(400, "malformed", message, fields)
