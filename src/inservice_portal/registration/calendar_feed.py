"""Calendars (iCalendar, RFC 5545, built with ``icalendar``): one course's sessions, and a
teacher's accepted sessions as a private feed.

The feed URL carries a random token (only its SHA-256 digest is stored, in
``root.calendar_feeds``); issuing a new one revokes the old, and the teacher can revoke it.
A calendar app cannot log in, so the token is the credential: it reads one teacher's
accepted sessions and nothing else.
"""
import hashlib
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from BTrees.OOBTree import OOBTree
from icalendar import Calendar, Event

from .. import clock
from . import service as service

TAIPEI = ZoneInfo("Asia/Taipei")
PRODID = "-//全國教師在職進修資訊網//inservice-portal//ZH-TW"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(root, teacher) -> str:
    service.require_employed(teacher)
    feeds = getattr(root, "calendar_feeds", None)
    if feeds is None:
        feeds = root.calendar_feeds = OOBTree()
    revoke(root, teacher)
    token = secrets.token_urlsafe(32)
    feeds[_digest(token)] = teacher.login
    teacher.calendar_feed_digest = _digest(token)
    return token


def revoke(root, teacher):
    digest = getattr(teacher, "calendar_feed_digest", None)
    feeds = getattr(root, "calendar_feeds", None)
    if digest and feeds is not None:
        feeds.pop(digest, None)
    if digest:
        teacher.calendar_feed_digest = None


def has_feed(teacher) -> bool:
    return bool(getattr(teacher, "calendar_feed_digest", None))


def teacher_for(root, token: str):
    feeds = getattr(root, "calendar_feeds", None)
    login = feeds.get(_digest(token)) if feeds is not None and token else None
    account = root["people"].get(login) if login else None
    return account if account is not None and account.active else None


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Taipei")
    return cal


def _event(request, course, uid, summary, location) -> Event:
    event = Event()
    event.add("uid", f"course-{course.code}-{uid}@inservice-portal")
    event.add("dtstamp", clock.now())
    event.add("summary", summary)
    event.add("location", location)
    event.add("url", request.resource_url(course))
    event.add("description", f"課程代碼 {course.code}｜辦理單位：{course.organiser.title}")
    return event


def _events(request, course):
    """One event per session; a course entered without sessions is one all-day event over
    items 18–19 (an empty calendar would say there is nothing to attend)."""
    for number, s in enumerate(course.sessions, start=1):
        event = _event(request, course, f"session-{number}", f"{course.title}（第 {number} 場）",
                       s.venue or course.place)
        event.add("dtstart", datetime.combine(s.date, s.start, TAIPEI))
        event.add("dtend", datetime.combine(s.date, s.end, TAIPEI))
        yield event
    if not course.sessions and course.starts_on is not None:
        event = _event(request, course, "days", course.title, course.place)
        event.add("dtstart", course.starts_on)
        event.add("dtend", (course.ends_on or course.starts_on) + timedelta(days=1))   # exclusive
        yield event


def course_calendar(request, course) -> bytes:
    cal = _calendar(course.title)
    for event in _events(request, course):
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def teacher_calendar(request, teacher) -> bytes:
    service.require_employed(teacher)
    cal = _calendar("我的研習（已錄取）")
    for reg in service.registrations_of(teacher):
        if reg.state == "accepted":
            for event in _events(request, reg.course):
                cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
