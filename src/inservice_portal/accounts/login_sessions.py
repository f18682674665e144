"""Server-side login sessions.

The browser's cookie (a signed Pyramid session) carries only an opaque session id and the
CSRF token: no login, name or ID number. The id maps to a ``LoginSession`` in the root, written
only when someone logs in or out, so a GET never writes. Idle expiry (30 min) is the cookie
session's own timeout; absolute expiry (12 h) is checked here against the creation time.

A session passes through stages: after the password, an account with a second factor is at
``STAGE_OTP`` and a staff account without one at ``STAGE_ENROL`` (it must enrol before anything
else); neither is logged in yet. Only a session without a stage is. A session may also carry
``proxy_for``: a centre's staff acting as a unit's account (代理模式, proxy.py).
"""
import secrets
from datetime import timedelta

from persistent import Persistent

from .. import clock

ABSOLUTE_TIMEOUT = timedelta(hours=12)
IDLE_TIMEOUT = timedelta(minutes=30)
PENDING_TIMEOUT = timedelta(minutes=10)     # to type the code, or to enrol
SESSION_KEY = "sid"
STAGE_OTP = "otp"
STAGE_ENROL = "enrol"


class LoginSession(Persistent):
    stage = None
    proxy_for = None

    def __init__(self, login: str, created, stage=None):
        self.login = login
        self.created = created
        self.stage = stage


def start(root, request, account, stage=None) -> str:
    """Log ``account`` in on ``request`` (or take it to ``stage``): a fresh session id, a fresh
    cookie and CSRF token. A pending session of the same browser is ended first."""
    old = request.session.get(SESSION_KEY)
    if old is not None and old in root.login_sessions:
        del root.login_sessions[old]
    request.session.invalidate()              # never reuse a pre-login session (fixation)
    sid = secrets.token_urlsafe(32)
    root.login_sessions[sid] = LoginSession(account.login, clock.now(), stage)
    request.session[SESSION_KEY] = sid
    request.session.new_csrf_token()
    return sid


def end(root, request):
    sid = request.session.get(SESSION_KEY)
    if sid is not None and sid in root.login_sessions:
        del root.login_sessions[sid]
    request.session.invalidate()


def end_all(root, login: str, keep=None):
    """Close every session of an account (disabling it, a password reset), and every proxy
    session acting as it; but ``keep`` (the caller's own session id)."""
    for sid in [sid for sid, s in root.login_sessions.items()
                if (s.login == login or s.proxy_for == login) and sid != keep]:
        del root.login_sessions[sid]


def current(root, request) -> LoginSession | None:
    sid = request.session.get(SESSION_KEY)
    return root.login_sessions.get(sid) if sid else None


def login_of(root, sid) -> str | None:
    """The login behind a live, complete session id, or None (unknown, ended, pending or past
    12 hours)."""
    record = root.login_sessions.get(sid) if sid else None
    if record is None or record.stage is not None:
        return None
    if clock.now() - record.created >= ABSOLUTE_TIMEOUT:
        return None
    return record.login


def pending(root, request, stage: str) -> str | None:
    """The login of this browser's session waiting at ``stage`` (not yet logged in), or None."""
    record = current(root, request)
    if record is None or record.stage != stage:
        return None
    if clock.now() - record.created >= PENDING_TIMEOUT:
        return None
    return record.login
