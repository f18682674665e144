"""Account services shared by every page and API that manages accounts: disabling, resetting the
second factor, changing a password. Each ends what must end and writes the audit log.

Account management pages call these (``disable(root, account, by, request)``) rather than
changing the account themselves.
"""
from .. import audit, clock
from . import login_sessions, mfa, password_policy, tokens


OPERATOR = "system"      # the actor of a change made without a request (console script)


class PasswordRejected(ValueError):
    def __init__(self, problems):
        super().__init__(" ".join(problems))
        self.problems = problems


def end_access(root, account):
    """Every login session (and proxy session acting as it) and every API token of the account."""
    login_sessions.end_all(root, account.login)
    tokens.revoke_all(root, account.login)


def disable(root, account, by, request=None, reason=""):
    """停用帳號: no login from now on, and no session or token goes on working."""
    account.active = False
    account.disabled_at = clock.now()
    account.disabled_by = by.login if by is not None else "system"
    end_access(root, account)
    audit.record("account.disable", account, request=request, root=root,
                 actor=None if request is not None else (by.login if by else OPERATOR),
                 detail={"reason": reason})


def reset_mfa(root, account, by, request=None):
    """重設兩步驟驗證 (a lost phone): the second factor is forgotten and the account logged out
    everywhere; a staff account enrols again at its next login."""
    mfa.reset(account)
    end_access(root, account)
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
