"""線上報到 (000 伍 二(一)): teachers check in to a session by scanning a QR code on the
organiser's screen, or by typing the 6-digit code shown under it.

Nothing is stored to make a code: the QR token and the 6-digit code are HMACs of (course code,
session index, time window) under a key derived from the site's secret. A window lasts
``ROTATION`` seconds and a code is taken in its own window and the next, so the screen shows a
new one every 30 s and none works for more than 60 s: a photo forwarded or a code replayed later
fails, and a code of one session or course does not check anyone in to another. Check-in opens
30 minutes before the session starts and closes when it ends.
"""
import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from .. import clock
from . import roster as roster_service

ROTATION = 30                        # seconds between new codes on the screen
GRACE_WINDOWS = 1                    # a code is still taken during the following window
OPENS_BEFORE = timedelta(minutes=30)


class CheckInRefused(Exception):
    pass


def key_of(settings) -> bytes:
    return hashlib.sha256(b"checkin|" + settings["session.secret"].encode()).digest()


def window(now=None) -> int:
    return int((now or clock.now()).timestamp()) // ROTATION


def seconds_left(now=None) -> int:
    now = now or clock.now()
    return ROTATION - int(now.timestamp()) % ROTATION


def _mac(key, course, index, win, purpose) -> bytes:
    return hmac.new(key, f"{purpose}|{course.code}|{index}|{win}".encode(), hashlib.sha256).digest()


def token(key, course, index, win) -> str:
    mac = base64.urlsafe_b64encode(_mac(key, course, index, win, "qr")[:16]).decode().rstrip("=")
    return f"{win}.{mac}"


def code(key, course, index, win) -> str:
    return f"{int.from_bytes(_mac(key, course, index, win, 'code')[:8], 'big') % 10**6:06d}"


def opening_hours(session) -> tuple[datetime, datetime]:
    start = datetime.combine(session.date, session.start, tzinfo=clock.TAIPEI)
    end = datetime.combine(session.date, session.end, tzinfo=clock.TAIPEI)
    return start - OPENS_BEFORE, end


def is_open(session, now=None) -> bool:
    opens, closes = opening_hours(session)
    return opens <= (now or clock.now()) < closes


def _fresh_windows(now):
    current = window(now)
    return [current - k for k in range(GRACE_WINDOWS + 1)]


def _session(course, index):
    sessions = roster_service.schedule(course)
    if not isinstance(index, int) or not 0 <= index < len(sessions):
        raise CheckInRefused("找不到這個場次。")
    return sessions[index]


def _refuse_unless_open(session, now):
    if not is_open(session, now):
        opens, closes = opening_hours(session)
        raise CheckInRefused(f"此場次的報到時間為 {opens:%Y-%m-%d %H:%M} 至 {closes:%H:%M}。")


def verify_token(key, course, index, value, now=None) -> int:
    """The session index if ``value`` is the session's current (or previous) QR token."""
    now = now or clock.now()
    session = _session(course, index)
    if not any(hmac.compare_digest(value or "", token(key, course, index, w))
               for w in _fresh_windows(now)):
        raise CheckInRefused("此報到連結已失效（報到碼每 30 秒更新，請掃描螢幕上最新的 QR Code）。")
    _refuse_unless_open(session, now)
    return index


def verify_code(key, course, value, now=None) -> int:
    """The index of the open session whose current (or previous) 6-digit code is ``value``."""
    now = now or clock.now()
    value = (value or "").strip()
    for index, session in enumerate(roster_service.schedule(course)):
        if is_open(session, now) and any(hmac.compare_digest(value, code(key, course, index, w))
                                         for w in _fresh_windows(now)):
            return index
    raise CheckInRefused("報到碼不正確或已過期（報到碼每 30 秒更新），或目前不在報到時間內。")


def check_in(course, index, login, now=None) -> bool:
    """Record the check-in; False if the teacher had already checked in to the session. The
    check-ins of one session all write its one list: call under the course's lock
    (course_locks.run_locked), as registrations are written."""
    return roster_service.checkins_of(course, create=True).add(index, login, now or clock.now())


def count(course, index) -> int:
    checkins = roster_service.checkins_of(course)
    return checkins.count(index) if checkins is not None else 0
