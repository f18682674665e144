"""Password reset by e-mail (忘記密碼): a one-time, time-limited link.

The token is random (256 bits) and only its SHA-256 digest is stored; it works once and for 30
minutes. A reset sets the password and nothing else: an account with a second factor still
needs it at the next login, so a stolen mailbox alone does not open the account.
"""
import secrets
from datetime import timedelta

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from .. import audit, clock, mail, throttle
from .tokens import digest

TTL = timedelta(minutes=30)


class PasswordReset(Persistent):
    def __init__(self, login, created, expires_at):
        self.login = login
        self.created = created
        self.expires_at = expires_at


def _resets(root):
    if root.password_resets is None:
        root.password_resets = OOBTree()
    return root.password_resets


def request_reset(root, request, login: str) -> bool:
    """Mail a reset link to the account's confirmed address; False (and no write) for an
    unknown or disabled login, one without a confirmed address, and for one asked for too often (counted whether or not it is an
    account's, so that the limit tells nothing). The page answers the same either way."""
    login = (login or "").strip()
    if not throttle.of(request).hit("mail.account", login):
        return False
    account = root["people"].get(login)
    if account is None or not account.active or not account.email or not account.email_confirmed:
        return False
    forget(root, account.login)              # only the newest link works
    resets = _resets(root)
    token = secrets.token_urlsafe(32)
    now = clock.now()
    resets[digest(token)] = PasswordReset(account.login, now, now + TTL)
    link = f"{request.application_url}/password-reset-confirm?token={token}"
    mail.send(request, account.email, "重設密碼通知",
              f"{account.name} 您好：\n\n有人（希望是您）申請重設全國教師在職進修資訊網帳號 "
              f"{account.login} 的密碼。請於 30 分鐘內開啟下列連結設定新密碼（僅能使用一次）：\n\n"
              f"{link}\n\n若您沒有提出申請，請忽略本信，您的密碼不會改變。\n")
    audit.record("password.reset_request", account, request=request, root=root)
    return True


def forget(root, login: str):
    """Every reset link of ``login`` stops working."""
    resets = _resets(root)
    for key in [k for k, r in resets.items() if r.login == login]:
        del resets[key]


def account_for(root, token: str | None):
    """The account a live token resets, or None (unknown, used or expired). Reads only."""
    if not token or root.password_resets is None:
        return None
    record = root.password_resets.get(digest(token))
    if record is None or clock.now() >= record.expires_at:
        return None
    account = root["people"].get(record.login)
    return account if account is not None and account.active else None


def use_up(root, token: str):
    """The link works once: forget it."""
    root.password_resets.pop(digest(token), None)
