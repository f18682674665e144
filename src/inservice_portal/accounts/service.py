"""Account services shared by every page and API that manages accounts: disabling and enabling,
resetting the second factor, changing a password. Each ends what must end and writes the audit
log (a staff account's disabling and enabling through its workflow, which records them).

Account management pages call these (``disable(root, account, by, request)``) rather than
changing the account themselves.
"""
from .. import audit, clock, mail
from ..resources.interfaces import IStaff
from ..resources.units import unit_at
from ..workflows import api as workflow_api
from . import login_sessions, mfa, password_policy, tokens


OPERATOR = "system"      # the actor of a change made without a request (console script)


class LastPrincipalAdmin(ValueError):
    """003 二(六)1 "各校至少一位…「總負責人」": the unit's last active one stays."""

    def __init__(self):
        super().__init__("本單位須至少保留一位啟用中的「總負責人」：請先啟用新的總負責人業務帳號，"
                         "再停用或刪除此帳號。")


def refuse_if_last_principal_admin(root, account):
    """Raise LastPrincipalAdmin when ``account`` is its unit's only active 總負責人."""
    if not IStaff.providedBy(account) or account.staff_type != "principal_admin" \
            or not account.active:
        return
    unit = unit_at(root, account.unit)
    if unit is None:
        return
    people = root["people"]
    others = [login for login, roles in unit.__local_roles__.items()
              if "principal_admin" in roles and login != account.login
              and getattr(people.get(login), "active", False)]
    if not others:
        raise LastPrincipalAdmin()


class PasswordRejected(ValueError):
    def __init__(self, problems):
        super().__init__(" ".join(problems))
        self.problems = problems


def end_access(root, account):
    """Every login session (and proxy session acting as it) and every API token of the account."""
    login_sessions.end_all(root, account.login)
    tokens.revoke_all(root, account.login)


def disable(root, account, by, request=None, reason="", unit_closed=False):
    """停用帳號: no login from now on, and no session or token goes on working. A unit's
    last active 總負責人 is refused (LastPrincipalAdmin), unless the unit itself closed."""
    if not unit_closed:
        refuse_if_last_principal_admin(root, account)
    actor = by.login if by is not None else OPERATOR
    if IStaff.providedBy(account):
        workflow_api.transition(account, request, "disable", comment=reason,
                                actor=None if request is not None else actor)
    else:
        audit.record("account.disable", account, request=request, root=root,
                     actor=None if request is not None else actor, detail={"reason": reason})
    account.active = False
    account.disabled_at = clock.now()
    account.disabled_by = actor
    end_access(root, account)


def may_enable(account) -> bool:
    """A disabled account, not an application waiting or an account deleted."""
    return not account.active and (not IStaff.providedBy(account) or account.state == "disabled")


def enable(root, account, by, request=None):
    """恢復啟用: the account logs in again (its sessions and tokens ended when disabled)."""
    actor = by.login if by is not None else OPERATOR
    if IStaff.providedBy(account):
        workflow_api.transition(account, request, "enable",
                                actor=None if request is not None else actor)
    else:
        audit.record("account.enable", account, request=request, root=root,
                     actor=None if request is not None else actor)
    account.active = True
    account.disabled_at = account.disabled_by = None


def reset_mfa(root, account, by, request=None, registry=None):
    """重設兩步驟驗證 (a lost phone): the second factor is forgotten and the account logged out
    everywhere; a staff account enrols again at its next login. The account is told by mail
    when there is a request (or a ``registry`` to mail through); the console script's
    operator resets without one."""
    mfa.reset(account)
    end_access(root, account)
    if account.email and (request is not None or registry is not None):
        who = by.name if by is not None else "系統管理者"
        mail.send(request if request is not None else registry, account.email,
                  "【全國教師在職進修資訊網】兩步驟驗證已重設",
                  f"{account.name} 您好：\n\n您的帳號「{account.login}」的兩步驟驗證已由{who}重設，"
                  "所有登入均已結束；下次登入時請重新設定驗證器 App。\n\n"
                  "若您未曾申請重設，請立即與服務單位或所屬區管中心聯絡。\n\n全國教師在職進修資訊網")
    audit.record("mfa.reset", account, request=request, root=root,
                 actor=None if request is not None else OPERATOR,
                 detail={"by": by.login if by is not None else OPERATOR})


def set_password(root, account, password, request=None, action="password.change",
                 keep_sid=None):
    """A new password under the rules; other sessions and every token end (keep_sid: the
    caller's own session, which stays). Raises PasswordRejected."""
    problems = password_policy.problems(account, password)
    if problems:
        raise PasswordRejected(problems)
    account.set_password(password)
    account.record_success()
    login_sessions.end_all(root, account.login, keep=keep_sid)
    tokens.revoke_all(root, account.login)
    audit.record(action, account, request=request, root=root,
                 actor=None if request is not None else OPERATOR)
