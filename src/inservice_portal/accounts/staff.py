"""業務帳號: the online application, activation by the right approver, switching a unit's
contacts and operators, and deleting an old account (001 參四(三)4; 003 二(六)).

Applications wait on the approver: ``approver.staff_applications`` (login → when applied) on the
organiser for its 聯絡人/作業人員, on its region centre for its 總負責人 (rules.staff_accounts
decides). An account is personal (003 二(六)2): nothing renames it or gives it to another
person; a new person applies for a new account, and the old one is deleted (kept as "deleted",
so its login is never reused) once every course it registered is finished.
"""
from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_resource, find_root, resource_path

from . import email_confirmation, service as accounts_service
from .. import audit, clock, mail, permissions, reference
from ..catalog import Search
from ..resources.accounts import Staff
from ..resources.events import ObjectModified, notify
from ..resources.interfaces import IRegionCentre, IStaff
from ..resources.organiser import APPLIED as UNIT_APPLIED
from ..rules import staff_accounts as rule
from ..rules.jurisdiction import NATIONAL as NATIONAL_CENTRE
from ..workflows import api as workflow_api
from .organisers import find_organiser

APPLIED, ACTIVE, DISABLED, DELETED = "applied", "active", "disabled", "deleted"


class StaffAccountError(ValueError):
    """A refused action, with the message to show."""


def has_account_management(unit) -> bool:
    return "unit.accounts" in permissions.unit_functions(unit.unit_kind)


def approver_of(unit, staff_type):
    """The unit (organiser), the region centre above it, or the national centre (for a
    centre's own staff) that activates this application."""
    who = rule.approver(staff_type, has_account_management(unit))
    if who == rule.NATIONAL:
        return find_root(unit)["centres"][NATIONAL_CENTRE]
    return unit if who == rule.UNIT else unit.__parent__


def find_unit(root, code: str):
    """The organiser, or the region centre, with this code; None if there is none."""
    code = (code or "").strip()
    if not code:
        return None
    return find_organiser(root, code) or root["centres"].get(code)


def type_problem(unit, staff_type) -> str | None:
    """Why an account of ``staff_type`` cannot be applied for on ``unit``, or None."""
    if IRegionCentre.providedBy(unit):
        if unit.code == NATIONAL_CENTRE:
            return "全國推廣中心的業務帳號請洽教育部。"
        if staff_type not in rule.CENTRE_TYPES:
            return "區管中心的業務帳號請選擇「區管中心審核人員」。"
    elif staff_type not in rule.STAFF_TYPES:
        return "學校或單位的業務帳號請選擇總負責人、聯絡人或作業人員。"
    return None


def type_title(staff_type) -> str:
    return (reference.vocabulary("staff_types").get(staff_type)
            or reference.vocabulary("roles").get(staff_type, staff_type))


def apply(request, unit, login, password, name, email, phone, staff_type) -> Staff:
    """File an application; the account exists (so its login is taken) but cannot log in."""
    account = file_application(unit, login, password, name, email, phone, staff_type)
    approver = approver_of(unit, staff_type)
    workflow_api.start(account, request, "apply", actor=login)
    email_confirmation.issue(request, account, reason="請點選以下連結確認您申請業務帳號時填寫的電子郵件信箱")
    audit.record("staff.apply", account, request=request, actor=login,
                 detail={"unit": resource_path(unit), "staff_type": staff_type})
    mail.send(request, email, "【全國教師在職進修資訊網】業務帳號申請已收到",
              f"{name} 您好：\n\n您申請的業務帳號「{login}」（{unit.title}，{type_title(staff_type)}）"
              f"已送出，待{approver.title}審核啟用；審核結果將以電子郵件通知您。\n\n全國教師在職進修資訊網")
    reviewers = approver_addresses(approver)
    if reviewers:
        page = "staff" if approver is unit else "subunits"   # a unit's page, or a centre's
        mail.send(request, reviewers, "【全國教師在職進修資訊網】有待審核的業務帳號申請",
                  f"{unit.title}的{name}申請{type_title(staff_type)}業務帳號「{login}」，"
                  f"請至「{'本單位業務帳號管理' if page == 'staff' else '轄下單位帳號管理'}」審核：\n\n"
                  f"{request.resource_url(approver, page)}\n\n全國教師在職進修資訊網")
    return account


# The roles on an approver unit whose holders activate applications filed there.
APPROVER_ROLES = ("principal_admin", "centre_reviewer", "national_centre")


def approver_addresses(approver) -> list[str]:
    people = find_root(approver)["people"]
    found = [people.get(login) for login, roles in approver.__local_roles__.items()
             if set(roles) & set(APPROVER_ROLES)]
    return sorted({a.email for a in found if a is not None and a.active and a.email})


def file_application(unit, login, password, name, email, phone, staff_type) -> Staff:
    """The application itself: an inactive account, filed with its approver."""
    account = Staff(login, name, email, unit=resource_path(unit), staff_type=staff_type,
                    phone=phone)
    account.set_password(password)
    account.active = False
    account.state = APPLIED
    find_root(unit)["people"].add(login, account)
    file_with(approver_of(unit, staff_type), login, clock.now())
    return account


def file_with(approver, login, when):
    """An application waiting on ``approver`` since ``when``."""
    if getattr(approver, "staff_applications", None) is None:
        approver.staff_applications = OOBTree()
    approver.staff_applications[login] = when


def applications(approver) -> list:
    """The accounts waiting on ``approver``, oldest first."""
    people = find_root(approver)["people"]
    pending = getattr(approver, "staff_applications", None) or {}
    found = [(when, people.get(login)) for login, when in pending.items()]
    return [account for when, account in sorted(found, key=lambda p: p[0]) if account is not None]


def decide(request, approver, login, approve: bool, reason: str = "") -> Staff:
    """Activate or reject an application filed with ``approver`` (the caller has checked the
    approver's permission: unit.accounts on an organiser, subunit.accounts on a centre)."""
    pending = getattr(approver, "staff_applications", None)
    if pending is None or login not in pending:
        raise StaffAccountError(f"帳號 {login} 不在本單位待審核的申請中（或已審核）。")
    if not approve and not reason.strip():
        raise StaffAccountError("退回申請請填寫原因。")      # (the application stays as filed)
    root = find_root(approver)
    account = root["people"][login]
    unit = find_resource(root, account.unit)
    del pending[login]
    new_unit = getattr(unit, "state", ACTIVE) == UNIT_APPLIED     # 新增研習單位 (unit_application)
    if approve:
        workflow_api.transition(account, request, "approve")
        unit.grant(login, account.staff_type)
        account.active = True
        if new_unit:
            unit.state = ACTIVE
        result = "已審核通過並啟用，現在即可登入。"
    else:
        workflow_api.transition(account, request, "reject", comment=reason.strip())
        root["people"].remove(login)          # never an account: the login is free again
        if new_unit:
            unit.__parent__.remove(unit.code)   # (the unit code may apply again)
        result = f"未通過審核，原因：{reason.strip()}。如有疑問請洽{approver.title}。"
    mail.send(request, account.email, "【全國教師在職進修資訊網】業務帳號申請審核結果",
              f"{account.name} 您好：\n\n您申請的業務帳號「{login}」（{unit.title}，"
              f"{type_title(account.staff_type)}）{result}\n\n全國教師在職進修資訊網")
    return account


def unit_title(root, account) -> str:
    """The account's unit by name; a unit that applied with it says so (unit_application)."""
    try:
        unit = find_resource(root, account.unit)
    except KeyError:
        return account.unit
    if getattr(unit, "state", ACTIVE) == UNIT_APPLIED:
        return f"{unit.title}（新增研習單位申請：{unit.code}，{unit.jurisdiction}）"
    return unit.title


def staff_of(unit) -> list:
    """The unit's active staff accounts (those holding a role on it), by type then name."""
    people = find_root(unit)["people"]
    order = {t: n for n, t in enumerate(rule.STAFF_TYPES)}
    found = [people.get(login) for login in unit.__local_roles__.keys()]
    staff = [a for a in found if a is not None and IStaff.providedBy(a)]
    return sorted(staff, key=lambda a: (order.get(a.staff_type, 9), a.name, a.login))


def _member(unit, login):
    account = find_root(unit)["people"].get(login)
    if account is None or not IStaff.providedBy(account) or account.unit != resource_path(unit) \
            or account.state not in (ACTIVE, DISABLED):
        raise StaffAccountError(f"帳號 {login} 不是本單位的業務帳號。")
    return account


def switch(request, unit, login, new_type, as_centre=False) -> Staff:
    """切換業務帳號類別: the unit's admin between 聯絡人 and 作業人員; the centre any way."""
    account = _member(unit, login)
    allowed = rule.centre_may_switch if as_centre else rule.unit_may_switch
    if not allowed(account.staff_type, new_type):
        if account.staff_type == "principal_admin" or new_type == "principal_admin":
            raise StaffAccountError("總負責人身分之切換須由所屬區管中心辦理。")
        raise StaffAccountError("無法切換為此帳號類別。")
    _keep_a_principal_admin(unit, account)
    unit.revoke(login, account.staff_type)
    unit.grant(login, new_type)
    change = f"{type_title(account.staff_type)} → {type_title(new_type)}"
    workflow_api.note(account, request, "switch", change)
    audit.record("staff.switch", account, request=request,
                 detail={"from": account.staff_type, "to": new_type})
    account.staff_type = new_type
    notify(ObjectModified(account), request.registry)
    return account


def _keep_a_principal_admin(unit, account):
    try:
        accounts_service.refuse_if_last_principal_admin(find_root(unit), account)
    except accounts_service.LastPrincipalAdmin as refusal:
        raise StaffAccountError(str(refusal)) from None


def open_courses(unit, login) -> list:
    """Codes of the unit's courses that ``login`` registered and that are not finished yet."""
    root = find_root(unit)
    search = Search(root)
    query = (search["content_type"].eq("course") & search["organiser"].eq(unit.code)
             & search["centre"].eq(unit.__parent__.code)
             & search["state"].notany(list(rule.FINISHED_STATES)))
    return sorted(c.code for c in search.execute(query).all()
                  if getattr(c, "created_by", None) == login)


def delete(request, unit, login, as_centre=False) -> Staff:
    """Delete an old account: refused while any course it registered is still open."""
    account = deletable(request, unit, login, as_centre)
    workflow_api.transition(account, request, "delete")
    unit.revoke(login, account.staff_type)
    account.active = False
    accounts_service.end_access(find_root(unit), account)
    notify(ObjectModified(account), request.registry)
    return account


def deletable(request, unit, login, as_centre=False) -> Staff:
    """The account ``delete`` would delete, or StaffAccountError saying why it would not."""
    account = _member(unit, login)
    if account.staff_type == "principal_admin" and not as_centre:
        raise StaffAccountError("總負責人帳號之刪除須向所屬區管中心申請。")
    if request.account is not None and request.account.login == login:
        raise StaffAccountError("不能刪除自己的帳號。")
    _keep_a_principal_admin(unit, account)
    still_open = open_courses(unit, login)
    if not rule.may_delete(still_open):
        raise StaffAccountError(
            f"帳號 {login} 登錄的課程尚未全部完成名單確認（課程代碼：{'、'.join(map(str, still_open))}），"
            "請待處理狀態皆為「名單確認通過」後再刪除。")
    return account
