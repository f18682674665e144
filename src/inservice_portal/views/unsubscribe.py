"""取消訂閱 from a mail, without logging in (comms/unsubscribe.py): a GET asks to confirm (a
link scanner must not unsubscribe anyone); the POST — the page's button, or a mail client's
RFC 8058 one-click ``List-Unsubscribe=One-Click`` — does it. The POST takes no CSRF token: it
carries its own proof (the link's HMAC), reads no cookie, and only ever stops mail."""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from .. import audit, permissions
from ..comms import newsletter, subscriptions, unsubscribe
from ..resources.interfaces import IMinistry

PAGE = "inservice_portal:templates/comms/unsubscribe.pt"


def _checked(request):
    kind, key, token = (request.params.get(n, "") for n in ("kind", "key", "t"))
    if not unsubscribe.valid(request.registry.settings, kind, key, token):
        raise HTTPBadRequest("取消訂閱的連結不完整或已失效，請登入網站後於「研習資訊訂閱」管理。")
    return kind, key, token


@view_config(context=IMinistry, name="unsubscribe", permission=permissions.VIEW,
             request_method="GET", renderer=PAGE)
def confirm(context, request):
    kind, key, token = _checked(request)
    return {"page_title": "取消訂閱", "what": unsubscribe.KINDS[kind], "done": False,
            "kind": kind, "key": key, "token": token}


@view_config(context=IMinistry, name="unsubscribe", permission=permissions.VIEW,
             request_method="POST", renderer=PAGE, require_csrf=False)
def stop(context, request):
    kind, key, _ = _checked(request)
    stopped = stop_mail(context, kind, key)
    if stopped is not None:
        audit.record("subscription.unsubscribe", stopped, request=request,
                     detail={"kind": unsubscribe.KINDS[kind]})
    return {"page_title": "已取消訂閱", "what": unsubscribe.KINDS[kind], "done": True}


def stop_mail(root, kind, key):
    """Stop what the link names; the account it was for (None when already stopped)."""
    if kind == "subscription":
        found = root.subscriptions.get(key)
        teacher = root["people"].get(found.login) if found is not None else None
        return teacher if teacher is not None and subscriptions.remove(root, teacher, key) else None
    if kind == "subscriptions":
        teacher = root["people"].get(key)
        return teacher if teacher is not None and subscriptions.remove_all(root, teacher) else None
    if kind == "newsletter":
        account = root["people"].get(key)
        return account if account is not None and newsletter.unsubscribe_login(root, key) else None
    return None
