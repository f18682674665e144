"""本單位業務帳號管理 (an organiser's own staff accounts and the applications it activates),
轄下單位帳號管理 (a centre: its units' 總負責人, and the applications it activates), and the
centre's page for one unit's staff (switching or deleting a 總負責人 is the centre's)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import reference
from ..accounts import staff as staff_accounts
from ..resources.interfaces import IOrganiser, IRegionCentre
from ..rules.staff_accounts import STAFF_TYPES, UNIT_SWITCHABLE
from .confirm import Question, ask, confirmed

STAFF_PAGE = "inservice_portal:templates/units/staff.pt"
UNITS_LIMIT = 200


def _staff_page(context, request, as_centre):
    types = reference.vocabulary("staff_types")
    return {"page_title": ("單位業務帳號管理（區管中心）：" if as_centre else "本單位業務帳號管理：")
            + context.title,
            "staff": staff_accounts.staff_of(context),
            "pending": [] if as_centre else staff_accounts.applications(context),
            "as_centre": as_centre, "types": types,
            "switchable": STAFF_TYPES if as_centre else UNIT_SWITCHABLE,
            "action": request.resource_url(context, "unit-staff" if as_centre else "staff"),
            "me": request.account.login,
            "unit_title": lambda a: staff_accounts.unit_title(request.root, a)}


DELETE = Question("刪除業務帳號", (
    "此帳號將無法再登入，角色一併移除；帳號以「已刪除」保留於紀錄中，名稱不會再給別人使用。",
    "刪除後無法復原；如需再使用，須重新申請帳號。"), "確定刪除")


def _act(context, request, as_centre, allowed):
    """The page's POST; answers a page of its own (the confirmation) or None (done)."""
    post = request.POST
    action, login = post.get("action", ""), post.get("login", "")
    try:
        if action == "delete" and action in allowed and not confirmed(request):
            # Asked only of a deletion that would be done (a member, not oneself, no open course).
            person = staff_accounts.deletable(request, context, login, as_centre=as_centre)
            return ask(request, DELETE, f"{context.title}的業務帳號 {person.name}（{login}）",
                       request.resource_url(context, "unit-staff" if as_centre else "staff"))
        if action not in allowed:
            raise staff_accounts.StaffAccountError("不明的動作。")
        if action in ("approve", "reject"):
            account = staff_accounts.decide(request, context, login, action == "approve",
                                            post.get("reason", ""))
            done = "已啟用" if action == "approve" else "已退回"
            request.session.flash(f"{done}「{account.name}」（{login}）的業務帳號申請，並已通知申請人。")
        elif action == "switch":
            account = staff_accounts.switch(request, context, login, post.get("staff_type", ""),
                                            as_centre=as_centre)
            request.session.flash(f"已將 {account.name}（{login}）切換為"
                                  f"{staff_accounts.type_title(account.staff_type)}。")
        elif action == "delete":
            account = staff_accounts.delete(request, context, login, as_centre=as_centre)
            request.session.flash(f"已刪除 {account.name}（{login}）的業務帳號。")
    except staff_accounts.StaffAccountError as refused:
        request.session.flash(f"未完成：{refused}")
    return None


@view_config(context=IOrganiser, name="staff", permission="unit.accounts", renderer=STAFF_PAGE,
             request_method="GET")
def unit_staff(context, request):
    return _staff_page(context, request, as_centre=False)


@view_config(context=IOrganiser, name="staff", permission="unit.accounts", request_method="POST")
def unit_staff_action(context, request):
    return (_act(context, request, False, ("approve", "reject", "switch", "delete"))
            or HTTPSeeOther(request.resource_url(context, "staff")))


@view_config(context=IOrganiser, name="unit-staff", permission="subunit.accounts",
             renderer=STAFF_PAGE, request_method="GET")
def centre_unit_staff(context, request):
    return _staff_page(context, request, as_centre=True)


@view_config(context=IOrganiser, name="unit-staff", permission="subunit.accounts",
             request_method="POST")
def centre_unit_staff_action(context, request):
    return (_act(context, request, True, ("switch", "delete"))
            or HTTPSeeOther(request.resource_url(context, "unit-staff")))


@view_config(context=IRegionCentre, name="subunits", permission="subunit.accounts",
             renderer="inservice_portal:templates/units/subunits.pt", request_method="GET")
def subunits(context, request):
    """轄下單位帳號管理: applications waiting on the centre, and its units with their
    總負責人 (filtered by code or name; the first 200)."""
    q = request.params.get("q", "").strip()
    units = [u for u in context.values() if not q or q in u.code or q in u.title]
    shown = units[:UNITS_LIMIT]
    rows = [{"unit": u, "admins": [a for a in staff_accounts.staff_of(u)
                                   if a.staff_type == "principal_admin"]} for u in shown]
    return {"page_title": "轄下單位帳號管理", "pending": staff_accounts.applications(context),
            "rows": rows, "total": len(units), "q": q, "limit": UNITS_LIMIT,
            "types": reference.vocabulary("staff_types"),
            "unit_title": lambda a: staff_accounts.unit_title(request.root, a),
            "kinds": reference.vocabulary("organiser_kinds")}


@view_config(context=IRegionCentre, name="subunits", permission="subunit.accounts",
             request_method="POST")
def subunits_action(context, request):
    _act(context, request, True, ("approve", "reject"))
    return HTTPSeeOther(request.resource_url(context, "subunits"))
