"""Server-side login sessions.

The browser's cookie (a signed Pyramid session) carries only an opaque session id and the
CSRF token: no login, name or ID number. The id maps to a ``LoginSession`` in the root, written
only when someone logs in or out, so a GET never writes. Idle expiry (30 min) is the cookie
session's own timeout; absolute expiry (12 h) is checked here against the creation time.
"""
import secrets
from datetime import timedelta

from persistent import Persistent

from . import clock

ABSOLUTE_TIMEOUT = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_KEY = "sid"


class LoginSession(Persistent):
    def __init__(self, login: str, created):
        self.login = login
        self.created = created


def start(root, request, account) -> str:
    """Log ``account`` in on ``request``: a fresh session id, a fresh cookie and CSRF token."""
    request.session.invalidate()              # never reuse a pre-login session (fixation)
    sid = secrets.token_urlsafe(32)
    root.login_sessions[sid] = LoginSession(account.login, clock.now())
    request.session[SESSION_KEY] = sid
    request.session.new_csrf_token()
    return sid


def end(root, request):
    sid = request.session.get(SESSION_KEY)
    if sid is not None and sid in root.login_sessions:
        del root.login_sessions[sid]
    request.session.invalidate()


def end_all(root, login: str):
    """Close every session of an account (disabling it, a password reset)."""
    for sid in [sid for sid, s in root.login_sessions.items() if s.login == login]:
        del root.login_sessions[sid]


def login_of(root, sid) -> str | None:
    """The login behind a live session id, or None (unknown, ended or past 12 hours)."""
    record = root.login_sessions.get(sid) if sid else None
    if record is None or clock.now() - record.created >= ABSOLUTE_TIMEOUT:
        return None
    return record.login
