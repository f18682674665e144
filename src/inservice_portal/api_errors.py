"""The API's error format (API.md): {"error": {"code", "message", "fields"}}."""
import json

from pyramid.response import Response


def wants_json(request) -> bool:
    if request.path.startswith("/api/"):
        return True
    offers = request.accept.acceptable_offers(["text/html", "application/json"])
    return bool(offers) and offers[0][0] == "application/json"


def api_error(request, status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json", charset="utf-8")
