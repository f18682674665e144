"""Starting and ending 代理模式 (proxy.py): a centre's page to pick a unit's account, and the
banner's end button."""
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import permissions
from ..accounts import proxy
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre

PROXY = "proxy_mode"      # 代理模式, a function of the matrix (000 附件二 §六)


@view_config(context=IRegionCentre, name="proxy", permission=PROXY, request_method="GET",
             renderer="inservice_portal:templates/proxy/choose.pt")
def choose(context, request):
    if request.account is not request.real_account:
        raise HTTPForbidden()          # one proxy at a time
    code = request.GET.get("unit", "").strip()[:20]
    unit = context.get(code) if code else None
    if unit is not None and not IOrganiser.providedBy(unit):
        unit = None
    people = request.root["people"]
    accounts = []
    if unit is not None:
        for login, roles in sorted(unit.__local_roles__.items()):
            account = people.get(login)
            if proxy.may_act_as(request.root, context, account):
                accounts.append({"account": account, "roles": roles})
    return {"page_title": "代理模式", "centre": context, "code": code, "unit": unit,
            "accounts": accounts, "searched": bool(code)}


@view_config(context=IRegionCentre, name="proxy-start", permission=PROXY,
             request_method="POST")
def start(context, request):
    target = request.root["people"].get(request.POST.get("login", ""))
    try:
        proxy.start(request.root, request, context, target)
    except proxy.ProxyRefused:
        raise HTTPBadRequest("無法代理此帳號。")
    request.session.flash(f"已進入代理模式：您正以 {target.name}（{target.login}）的身分操作。")
    return HTTPSeeOther(request.resource_url(proxy.unit_of(request.root, target)))


@view_config(context=IMinistry, name="proxy-end", permission=permissions.AUTHENTICATED,
             request_method="POST")
def end(context, request):
    if proxy.end(context, request):
        request.session.flash("已結束代理模式。")
    return HTTPSeeOther(request.application_url + "/account")
