"""The workflow of a staff account (業務帳號; accounts/staff.py, 001 參四(三)4, 003 二(六)).

    applied ──approve──▶ active ──disable──▶ disabled ──enable──▶ active
       │                   │                    │
       └──reject──▶ rejected  └──delete──▶ deleted ◀──delete──┘

An application waits ``applied`` on its approver; a rejected one is then removed, so that its
login is free again (the audit log keeps the decision). A deleted account is kept, so that its
login is never reused. Only an ``active`` account logs in.

The transitions name no permission: who decides is a permission on another object (the
approver unit's ``unit.accounts``, the centre's ``subunit.accounts``, the account manager's
rule in views/account_admin.py), which the callers check before they move the account.
"""
from . import api
from ..resources.interfaces import IStaff

STATES = {
    "applied": "待審核",
    "active": "使用中",
    "disabled": "已停用",
    "rejected": "未通過審核",
    "deleted": "已刪除",
}

# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("approve", "approve", "applied", "active", None, "審核通過並啟用"),
    ("reject", "reject", "applied", "rejected", None, "退回申請"),
    ("disable", "disable", "active", "disabled", None, "停用帳號"),
    ("enable", "enable", "disabled", "active", None, "恢復啟用"),
    ("delete_active", "delete", "active", "deleted", None, "刪除帳號"),
    ("delete_disabled", "delete", "disabled", "deleted", None, "刪除帳號"),
]
TITLES = api.titles(TRANSITIONS)


def make_workflow():
    return api.build("staff", STATES, TRANSITIONS, "applied", api.permission_checker)


def includeme(config):
    api.register(config, make_workflow(), IStaff, "staff")
