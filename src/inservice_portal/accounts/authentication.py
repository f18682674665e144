"""Checking a login and password, with lockout (資通系統防護基準: 5 failures → 15 minutes).

Every failure answers the same: an unknown login, a wrong password and a locked account are
indistinguishable to the caller, and an unknown login costs the same argon2 verification.
"""
from .. import clock
from . import mfa, passwords

FAILURE_MESSAGE = "帳號或密碼不正確。連續輸入錯誤 5 次，帳號將暫停登入 15 分鐘。"


class LoginFailed(Exception):
    def __init__(self, message=FAILURE_MESSAGE):
        super().__init__(message)
        self.message = message


def authenticate(root, login: str, password: str, begin_anew=None):
    """Return the account, or raise LoginFailed. Counts failures on known accounts.

    The argon2 check reads only; ``begin_anew`` (the views pass transactions.begin_anew) then
    starts the short transaction that records the outcome, in which the account is checked
    again: an account disabled or locked meanwhile fails the login, and a password changed
    meanwhile (a new one, or the same one rehashed) is checked again."""
    account = root["people"].get((login or "").strip())
    usable = account is not None and account.active and not account.is_locked(clock.now())
    checked = account.password_hash if usable else None
    ok = passwords.verify(checked, password)        # equal cost for every failure
    fresh = ok and passwords.needs_rehash(checked) and passwords.hash_password(password)
    if begin_anew is not None:
        begin_anew()
    now = clock.now()
    if account is None or account.is_locked(now) or (account.active and not usable):
        raise LoginFailed()                         # unknown, or locked (then or now)
    if usable and account.password_hash != checked:
        # Changed meanwhile (a concurrent rehash, a new password): the new one decides.
        ok, fresh = passwords.verify(account.password_hash, password), None
    if not ok or not account.active:
        account.record_failure(now)
        raise LoginFailed()
    if not mfa.enrolled(account):
        # With a second factor to come, the failure count stands until it is given: a right
        # password must not wipe the count of wrong codes (that would allow endless guessing).
        account.record_success()
    if fresh:
        account.rehash(password, fresh)
    return account
