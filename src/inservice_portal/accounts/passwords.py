"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A real hash to verify against when the login is unknown, so both failures cost the same time.
_DUMMY = _hasher.hash("not a password")


def configure(settings: dict):
    """Tune the cost from settings (tests use a cheap one; production keeps the defaults)."""
    global _hasher, _DUMMY
    keys = {"time_cost", "memory_cost", "parallelism"}
    params = {k: int(settings[f"argon2.{k}"]) for k in keys if f"argon2.{k}" in settings}
    if params:
        _hasher = PasswordHasher(**params)
        _DUMMY = _hasher.hash("not a password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


MIN_LENGTH = 8


def check_new(password: str, *, login: str = "") -> str | None:
    """Why ``password`` may not be chosen as a new password, or None when it may."""
    if len(password or "") < MIN_LENGTH:
        return f"密碼至少需 {MIN_LENGTH} 個字元。"
    if login and password.strip().lower() == login.strip().lower():
        return "密碼不可與帳號相同。"
    return None
