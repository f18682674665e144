"""An account's security, for those who manage it (/people/<login>/@@security): disable the
account or enable it again, reset its second factor; and the audited full display of a
teacher's national ID.

Minimal pages: the account management pages (another area) link here or call
accounts_service directly. Who may: the ministry's administrators, the account's own unit's
account managers (本單位帳號管理), and its centre (轄下單位帳號管理); for a teacher, the school's
teacher-data staff (教師資料登錄) too. Never oneself, never in proxy mode.
"""
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.traversal import find_resource, find_root
from pyramid.view import view_config

from ..accounts import service as accounts_service, mfa
from .. import audit, permissions
from ..rules.national_id import mask_national_id
from ..resources.interfaces import IAccount, ITeacher

MANAGING = ("unit.accounts", "subunit.accounts")


def home_unit(root, account):
    path = getattr(account, "unit", None) or getattr(account, "school", None)
    if not path:
        return root
    try:
        return find_resource(root, path)
    except KeyError:
        return root


def may_manage(request, account) -> bool:
    real = request.real_account
    if real is None or real is not request.account or real.login == account.login:
        return False
    root = find_root(account)
    unit = home_unit(root, account)
    wanted = MANAGING + (("unit.teachers",) if account.kind == "teacher" else ())
    return (request.has_permission("unit.accounts", root)
            or any(request.has_permission(p, unit) for p in wanted))


def check(request, account):
    if not may_manage(request, account):
        raise HTTPForbidden()


@view_config(context=IAccount, name="security", permission=permissions.AUTHENTICATED,
             request_method="GET", renderer="inservice_portal:templates/account/security.pt")
def security_page(context, request):
    check(request, context)
    return {"page_title": f"帳號安全管理：{context.name}", "account": context,
            "mfa_on": mfa.enrolled(context), "may_enable": accounts_service.may_enable(context),
            "masked_id": mask_national_id(getattr(context, "national_id", ""))}


@view_config(context=IAccount, name="disable", permission=permissions.AUTHENTICATED,
             request_method="POST")
def disable(context, request):
    check(request, context)
    if context.active:
        try:
            accounts_service.disable(find_root(context), context, request.real_account,
                                     request=request, reason=request.POST.get("reason", "")[:200])
        except accounts_service.LastPrincipalAdmin as refusal:
            request.session.flash(f"未停用：{refusal}")
            return HTTPSeeOther(request.resource_url(context, "@@security"))
    request.session.flash(f"已停用帳號 {context.login}，其登入與存取權杖均已失效。")
    return HTTPSeeOther(request.resource_url(context, "@@security"))


@view_config(context=IAccount, name="enable", permission=permissions.AUTHENTICATED,
             request_method="POST")
def enable(context, request):
    check(request, context)
    if accounts_service.may_enable(context):
        accounts_service.enable(find_root(context), context, request.real_account,
                                request=request)
        request.session.flash(f"已恢復啟用帳號 {context.login}，可以再登入。")
    return HTTPSeeOther(request.resource_url(context, "@@security"))


@view_config(context=IAccount, name="reset-mfa", permission=permissions.AUTHENTICATED,
             request_method="POST")
def reset_mfa(context, request):
    check(request, context)
    accounts_service.reset_mfa(find_root(context), context, request.real_account,
                               request=request)
    request.session.flash(f"已重設 {context.login} 的兩步驟驗證；下次登入時須重新設定。")
    return HTTPSeeOther(request.resource_url(context, "@@security"))


@view_config(context=ITeacher, name="national-id", permission=permissions.AUTHENTICATED,
             request_method="POST", renderer="inservice_portal:templates/account/national_id.pt")
def national_id(context, request):
    """The full number, for the teacher or for staff whose duty needs it; a POST (it writes the
    audit entry) and never cached (headers.py sends no-store on every page)."""
    own = request.real_account is not None and request.real_account is request.account \
        and request.account.login == context.login
    if not (own or may_manage(request, context)):
        raise HTTPForbidden()
    audit.record("national_id.display", context, request=request,
                 detail={"purpose": "本人查看" if own else "業務需要"})
    return {"page_title": "身分證統一編號", "account": context, "full_id": context.national_id,
            "back": (request.application_url + "/account") if own
            else request.resource_url(context, "@@security")}
