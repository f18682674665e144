"""Checking a login and password, with lockout (資通系統防護基準: 5 failures → 15 minutes).

Every failure answers the same: an unknown login, a wrong password and a locked account are
indistinguishable to the caller, and an unknown login costs the same argon2 verification.
"""
from . import clock, mfa, passwords

FAILURE_MESSAGE = "帳號或密碼不正確。連續輸入錯誤 5 次，帳號將暫停登入 15 分鐘。"


class LoginFailed(Exception):
    def __init__(self, message=FAILURE_MESSAGE):
        super().__init__(message)
        self.message = message


def authenticate(root, login: str, password: str):
    """Return the account, or raise LoginFailed. Counts failures on known accounts."""
    now = clock.now()
    account = root["people"].get((login or "").strip())
    if account is None:
        passwords.verify(None, password)          # equal cost for unknown logins
        raise LoginFailed()
    if account.is_locked(now):
        passwords.verify(None, password)
        raise LoginFailed()
    if not account.active or not passwords.verify(account.password_hash, password):
        account.record_failure(now)
        raise LoginFailed()
    if not mfa.enrolled(account):
        # With a second factor to come, the failure count stands until it is given: a right
        # password must not wipe the count of wrong codes (that would allow endless guessing).
        account.record_success()
    if passwords.needs_rehash(account.password_hash):
        account.rehash(password)
    return account
