"""Error pages and their JSON twins (the API's error format, views/api/errors.py), chosen by path
or Accept."""
import logging
from urllib.parse import quote

from pyramid.csrf import BadCSRFToken
from pyramid.exceptions import URLDecodeError
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from ZODB.POSException import ConflictError

from ..accounts import login_sessions
from ..registration.locks import Busy
from ..registration.service import NotEmployed
from ..throttle import Throttled
from ..concurrency import write_conflicts
from .api.errors import MALFORMED, api_error, wants_json
from .input_guard import TooLarge, Unreadable

TEMPLATE = "inservice_portal:templates/errors/error.pt"
BARE_PAGE = """<!DOCTYPE html>
<html lang="zh-Hant-TW"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>錯誤：無法讀取的請求｜全國教師在職進修資訊網</title></head>
<body><main><h1>無法讀取的請求</h1><p>網址含有無法辨識的字元。請回到<a href="/">首頁</a>重新查詢。</p>
</main></body></html>
"""
log = logging.getLogger(__name__)


def error_page(request, status, title, message):
    if wants_json(request):
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                409: "conflict", 429: "too_many_requests", 500: "internal_error"}[status]
        return api_error(request, status, code, message)
    response = render_to_response(TEMPLATE, {"page_title": title, "title": title,
                                             "message": message, "status": status}, request)
    response.status_int = status
    return response


def pending_step(request) -> str:
    root = request.root
    if login_sessions.pending(root, request, login_sessions.STAGE_ENROL):
        return "mfa"
    if login_sessions.pending(root, request, login_sessions.STAGE_OTP):
        return "login-otp"
    return "login"


@forbidden_view_config()
def forbidden(exc, request):
    if request.account is None and not wants_json(request):
        # A person who is not logged in is asked to, and comes back here afterwards.
        # Quoted: an unquoted "&" would cut the query string of the page to come back to.
        came_from = quote(request.path_qs, safe="/")
        # Mid-login (password given, second factor or enrolment to come): that step first.
        step = pending_step(request)
        return HTTPSeeOther(f"{request.application_url}/{step}?came_from={came_from}")
    if request.account is None:
        return api_error(request, 401, "unauthorized", "請先登入或提供有效的存取權杖。")
    return error_page(request, 403, "沒有權限", "您的帳號沒有使用此功能的權限。")


@notfound_view_config()
def not_found(exc, request):
    return error_page(request, 404, "找不到網頁", "您要找的網頁不存在，可能已移除或網址有誤。")


@exception_view_config(BadCSRFToken)
def bad_csrf(exc, request):
    return error_page(request, 400, "表單已過期",
                      "表單的安全驗證碼無效或已過期，請重新整理頁面後再送出一次。")


@exception_view_config(URLDecodeError)
def undecodable_path(exc, request):
    """A path that is not UTF-8: nothing that reads the path (the layout, the menu) can
    render, so a bare page (or the API's JSON) answers."""
    if request.environ.get("PATH_INFO", "").startswith("/api/"):
        return api_error(request, 400, "malformed", MALFORMED)
    return Response(BARE_PAGE, status=400, content_type="text/html", charset="utf-8")


@exception_view_config(Unreadable)
def unreadable(exc, request):
    if wants_json(request):
        return api_error(request, 400, "malformed", MALFORMED)
    return error_page(request, 400, "無法讀取的請求",
                      "網址或表單內容含有無法辨識的字元或過長的內容，請回上一頁檢查後再送出。")


@exception_view_config(TooLarge)
def too_large(exc, request):
    megabytes = max(1, exc.limit // (1024 * 1024))
    message = f"送出的內容超過 {megabytes} MB 的上限，請縮小檔案或分次送出。"
    if wants_json(request):
        return api_error(request, 413, "payload_too_large", message)
    response = error_page(request, 400, "內容過大", message)
    response.status_int = 413
    return response


@exception_view_config(Throttled)
def throttled(exc, request):
    response = error_page(request, 429, "請稍後再試", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@exception_view_config(NotEmployed)
def not_employed(exc, request):
    if wants_json(request):
        return api_error(request, 403, "not_employed", str(exc))
    return error_page(request, 403, "僅能查詢研習紀錄", str(exc))


@exception_view_config(Busy)
def busy(exc, request):
    return error_page(request, 409, "系統忙碌", "系統忙碌，請稍候再試一次。")


@exception_view_config(ConflictError, last_retry_attempt=True)
def conflict(exc, request):
    write_conflicts.stats(request).add(exc, write_conflicts.GAVE_UP, request.path_info)
    return error_page(request, 409, "系統忙碌",
                      "同時有許多人在更新相同的資料，您的操作未完成。請稍候再試一次。")


@exception_view_config(Exception, retryable_error=False)
def server_error(exc, request):
    """Any other failure: logged with its traceback, answered as a page (or the API's JSON)
    that names nothing of the code, with the security headers every answer carries."""
    log.error("%s %s failed", request.method, request.path_info, exc_info=exc)
    return error_page(request, 500, "系統發生錯誤",
                      "系統處理時發生錯誤，已記錄下來。請稍後再試；若一再發生，請與本網客服聯絡。")
