"""API bearer tokens: random, stored only as a SHA-256 digest, expiring and revocable."""
import hashlib
import secrets
from datetime import timedelta

from persistent import Persistent

from .. import clock

DEFAULT_TTL = timedelta(hours=8)


class ApiToken(Persistent):
    def __init__(self, login: str, created, expires_at):
        self.login = login
        self.created = created
        self.expires_at = expires_at


def digest(token: str) -> str:
    """What is stored of a secret token (API token, e-mail confirmation, password reset)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(root, login: str, ttl: timedelta = DEFAULT_TTL) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    record = ApiToken(login, now, now + ttl)
    root.api_tokens[digest(token)] = record
    return token, record


def login_of(root, token: str | None) -> str | None:
    record = root.api_tokens.get(digest(token)) if token else None
    if record is None or clock.now() >= record.expires_at:
        return None
    return record.login


def revoke(root, token: str) -> bool:
    return root.api_tokens.pop(digest(token), None) is not None


def revoke_all(root, login: str):
    for key in [k for k, t in root.api_tokens.items() if t.login == login]:
        del root.api_tokens[key]
