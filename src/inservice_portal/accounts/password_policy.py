"""Password rules (資通系統防護基準 身分驗證管理).

Teachers: at least 8 characters and not a common password (data/common_passwords.txt,
compared case-insensitively). Staff, in addition: at least three of the four character
classes (lower case, upper case, digits, symbols), and none of the last 3 passwords.
"""
from functools import cache
from importlib import resources

from . import passwords

MIN_LENGTH = 8
MIN_CLASSES = 3
MAX_LENGTH = 256          # argon2 would take more, but a form field need not


@cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("inservice_portal") / "data" / "common_passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def character_classes(password: str) -> int:
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password)))


def problems(account, password: str) -> list[str]:
    """What is wrong with ``password`` as ``account``'s new password (empty: acceptable)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"密碼至少需 {MIN_LENGTH} 個字元。")
    if len(password) > MAX_LENGTH:
        found.append(f"密碼不可超過 {MAX_LENGTH} 個字元。")
    if password.lower() in common_passwords() or password.lower() == account.login.lower():
        found.append("此密碼過於常見或與帳號相同，容易被猜中，請改用其他密碼。")
    if account.kind == "staff":
        if character_classes(password) < MIN_CLASSES:
            found.append("業務帳號的密碼須包含大寫字母、小寫字母、數字、符號其中至少三種。")
        history = tuple(account.password_history) or (account.password_hash,)
        if any(passwords.verify(old, password) for old in history if old):
            found.append("不可與最近 3 次使用過的密碼相同。")
    return found
