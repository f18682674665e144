"""E-mail confirmation by a one-time link: only the token's SHA-256 is stored, it expires, and
using it once clears it. The same link lets an account created by a school (教師資料登錄)
choose its first password, and confirms a changed address (email_change.py): the new address
takes the account's place only then."""
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from pyramid.traversal import find_root

from .. import audit, clock, mail
from . import email_lookup
from .tokens import digest

LIFETIME = timedelta(hours=48)


def issue(request, account, reason="請點選以下連結確認您的電子郵件信箱", to=None) -> str:
    """Make a new token (any earlier one stops working) and mail the link to the account's
    address (``to``: an address it is changing to)."""
    token = secrets.token_urlsafe(32)
    account.email_token_hash = digest(token)
    account.email_token_expires = clock.now() + LIFETIME
    link = f"{request.application_url}/confirm-email?" + urlencode(
        {"login": account.login, "token": token})
    hours = int(LIFETIME.total_seconds() // 3600)
    body = (f"{account.name} 您好：\n\n{reason}（{hours} 小時內有效，限使用一次）：\n\n{link}\n\n"
            f"您的帳號：{account.login}\n\n若您未申請本網帳號，請忽略本信。\n\n全國教師在職進修資訊網")
    mail.send(request, to or account.email, "【全國教師在職進修資訊網】電子郵件信箱確認", body)
    return token


def check(account, token: str) -> str | None:
    """Why ``token`` does not confirm ``account`` now, or None if it does."""
    stored = getattr(account, "email_token_hash", None)
    if account is None or not stored or not token:
        return "此確認連結無效或已使用過。"
    if not hmac.compare_digest(stored, digest(token)):
        return "此確認連結無效或已使用過。"
    if clock.now() >= account.email_token_expires:
        return "此確認連結已逾期，請登入後重新寄送確認信。"
    return None


def confirm(account, token: str) -> str | None:
    """Confirm (once): None on success, else why not."""
    problem = check(account, token)
    if problem is None:
        if account.pending_email:
            account.email, account.pending_email = account.pending_email, None
            email_lookup.note(find_root(account), account)
            audit.record("email.change", account, actor=account.login)
        account.email_confirmed = True
        account.email_token_hash = None
        account.email_token_expires = None
    return problem
