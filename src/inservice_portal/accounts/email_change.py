"""變更電子郵件信箱: a new address replaces the old one only once it is confirmed from a link
mailed to it, and the old address is told, with a link that undoes the change.

A session left open is not enough to take an account over: the change asks for the password
(the profile form), a reset link goes only to a confirmed address (password_reset.py), and
the owner of the old address can take the account back for a week: the undo restores the old
address, ends every session, token and reset link, and forgets the second factor (one who
took the account may have enrolled their own). A later change keeps the first undo link.
"""
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from .. import audit, clock, mail, throttle
from . import email_confirmation, email_lookup, mfa, password_reset
from .service import end_access
from .tokens import digest

UNDO_LIFETIME = timedelta(days=7)


def request_change(request, account, new_email: str):
    """Keep ``new_email`` waiting for its confirmation; mail the link there and the undo link
    to the address in use."""
    throttle.of(request).take("mail.account", account.login)
    old = account.email
    account.pending_email = new_email
    email_confirmation.issue(request, account, to=new_email,
                             reason="您申請將帳號的電子郵件信箱改為本信箱，請點選以下連結確認")
    undo = account.email_undo
    # A live undo link stays with the address the owner had: a second change (by one who took
    # the account) must not take it from them.
    if old and not (undo and clock.now() < undo["expires"]):
        token = secrets.token_urlsafe(32)
        account.email_undo = {"hash": digest(token), "expires": clock.now() + UNDO_LIFETIME,
                              "email": old, "confirmed": bool(account.email_confirmed)}
        link = f"{request.application_url}/undo-email-change?" + urlencode(
            {"login": account.login, "token": token})
        mail.send(request, old, "【全國教師在職進修資訊網】電子郵件信箱變更通知",
                  f"{account.name} 您好：\n\n您的帳號「{account.login}」申請將電子郵件信箱由本信箱改為 "
                  f"{new_email}。\n\n若這不是您本人的操作，請於 7 天內點選以下連結取消變更，"
                  f"並將結束此帳號所有登入：\n\n{link}\n\n全國教師在職進修資訊網")
    audit.record("email.change_request", account, request=request)


def undo_problem(account, token: str) -> str | None:
    """Why ``token`` cannot undo ``account``'s change now, or None."""
    undo = getattr(account, "email_undo", None) if account is not None else None
    if not undo or not token or not hmac.compare_digest(undo["hash"], digest(token)):
        return "此連結無效或已使用過。"
    if clock.now() >= undo["expires"]:
        return "此連結已逾期，請洽服務學校或本網客服協助。"
    return None


def undo(root, request, account, token: str) -> str | None:
    """Restore the old address and end every session and token; None, or why not."""
    problem = undo_problem(account, token)
    if problem is None:
        previous = account.email_undo
        account.email, account.email_confirmed = previous["email"], previous["confirmed"]
        email_lookup.note(root, account)
        account.pending_email = account.email_undo = None
        account.email_token_hash = account.email_token_expires = None
        end_access(root, account)
        password_reset.forget(root, account.login)
        mfa.reset(account)
        audit.record("email.change_undone", account, request=request, root=root,
                     actor=account.login)
    return problem
