"""Tokens (log in, log out) and the caller's own account."""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ... import audit, clock, permissions, throttle
from ...accounts import mfa, tokens
from .errors import ApiError, api_error, malformed
from ...accounts.authentication import LoginFailed, authenticate
from ...security import bearer_token
from ...concurrency.transactions import begin_anew
from ...resources.units import unit_at as find_unit
from . import instant, json_object, unit_json

REQUIRED = "必填，須為非空字串。"


# No CSRF: the call carries no cookie credentials and sets no cookie (the OpenAPI document's security scheme).
@view_config(route_name="api.tokens", request_method="POST", renderer="json",
             permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def create_token(context, request):
    body = json_object(request)
    fields = {name: REQUIRED for name in ("login", "password")
              if not isinstance(body.get(name), str) or not body[name]}
    if "otp" in body and not isinstance(body["otp"], str):
        fields["otp"] = "須為字串。"
    if fields:
        raise malformed(fields)
    limits, client = throttle.of(request), throttle.client(request)
    limits.check("login.client", client)
    limits.check("otp.client", client)
    try:
        account = authenticate(context, body["login"], body["password"],
                               begin_anew=lambda: begin_anew(request))
    except LoginFailed as failed:
        limits.hit("login.client", client)
        # Returned, not raised: the transaction must commit for the failure to count toward
        # the lockout shared with the login page. Same answer for every cause.
        known = context["people"].get(body["login"].strip())
        audit.record("login.failure", known, request=request, root=context,
                     actor=known.login if known is not None else "anonymous",
                     detail={"step": "password", "via": "api"})
        return api_error(request, 401, "invalid_credentials", failed.message)
    refused = second_factor(context, request, account, body.get("otp"))
    if refused is not None:
        return refused
    token, record = tokens.issue(context, account.login)
    request.response.status_int = 201
    return {"token": token, "expires_at": instant(record.expires_at)}


def second_factor(root, request, account, otp):
    """None when the account may have a token; else the error answer (returned, so that a wrong
    code's failure count commits, as for the password)."""
    if mfa.enrolled(account):
        if not otp:
            return api_error(request, 401, "otp_required",
                             "此帳號已啟用兩步驟驗證，請一併提供驗證器 App 的驗證碼（otp）。")
        if not mfa.verify_second_factor(account, otp):
            account.record_failure(clock.now())
            throttle.of(request).hit("otp.client", throttle.client(request))
            audit.record("login.failure", account, request=request, root=root,
                         actor=account.login, detail={"step": "second_factor", "via": "api"})
            return api_error(request, 401, "invalid_otp", mfa.OTP_FAILURE)
    elif mfa.required_for(account):
        return api_error(request, 403, "mfa_enrolment_required",
                         "業務帳號須先在網站登入並啟用兩步驟驗證，才能取得存取權杖。")
    account.record_success()
    audit.record("login.success", account, request=request, root=root, actor=account.login,
                 detail={"via": "api"})
    return None


@view_config(route_name="api.token", request_method="DELETE",
             permission=permissions.AUTHENTICATED)
def revoke_token(context, request):
    token = bearer_token(request)
    if token is None:    # a browser session: there is no token behind this call to revoke
        raise ApiError(404, "not_found", "本次呼叫未使用存取權杖，沒有可撤銷的權杖。")
    tokens.revoke(context, token)
    response = Response(status=204)
    del response.content_type     # 204 has no body, hence no type
    return response


def roles_of(root, account) -> list[dict]:
    """Global roles (unit null), then the local roles held on the account's own unit."""
    rows = [{"role": role, "unit": None} for role in account.global_roles()]
    unit = find_unit(root, getattr(account, "unit", None) or getattr(account, "school", None))
    if unit is not None:
        rows += [{"role": role, "unit": unit_json(unit)} for role in unit.roles_of(account.login)]
    return rows


@view_config(route_name="api.me", request_method="GET", renderer="json",
             permission=permissions.AUTHENTICATED)
def me(context, request):
    account = request.account
    body = {"login": account.login, "kind": account.kind, "roles": roles_of(context, account)}
    # Deliberately field by field: never the national ID, the name or the e-mail.
    if account.kind == "teacher":
        body["school"] = unit_json(find_unit(context, account.school))
    else:
        body["unit"] = unit_json(find_unit(context, account.unit))
    return body
