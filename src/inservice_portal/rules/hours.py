"""Training hours (研習時數), 002 Art. 10.

Art. 10 (1): hours are counted in hours and only from more than one hour, except that a class
period of 50 minutes counts as one hour, and more than 50 minutes of continuous class reaching
90 minutes counts as two. The portal applies it per session of net minutes ``m`` (breaks,
travel, sign-in and lunch already left out, Art. 10 (4)):

    m < 50        → 0
    50 ≤ m < 90   → 1
    m ≥ 90        → max(2, m/60 rounded down to a half hour)

Art. 10 (3): in credit classes one credit is 18 hours.
"""
import math
from decimal import Decimal

HOURS_PER_CREDIT = 18          # Art. 10 (3)
STEP = Decimal("0.5")          # hours are entered and credited in half hours


def session_hours(minutes: int) -> Decimal:
    """Suggested credit for one session of ``minutes`` net minutes."""
    if minutes < 0:
        raise ValueError("a session cannot last a negative time")
    if minutes < 50:
        return Decimal(0)
    if minutes < 90:
        return Decimal(1)
    halves = math.floor(Decimal(minutes) / 30)      # whole half hours
    return max(Decimal(2), halves * STEP)


def suggested_hours(session_minutes) -> Decimal:
    """The course's suggestion: the sum over its sessions."""
    return sum((session_hours(m) for m in session_minutes), Decimal(0))


def credit_hours(credits: Decimal | int | float) -> Decimal:
    return Decimal(str(credits)) * HOURS_PER_CREDIT


def is_half_hour_step(hours) -> bool:
    value = Decimal(str(hours))
    return value >= 0 and value % STEP == 0


# -- credit from attendance (Art. 10 (5)) ------------------------------------------------------
PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
ATTENDANCE = (PRESENT, LEAVE, ABSENT)


def attendance_credit(session_credits, attendance, approved, credit_class: bool = False
                      ) -> Decimal:
    """A teacher's credited hours for one course (Art. 10 (5)).

    ``session_credits`` are each session's credit (``session_hours``), ``attendance`` the
    teacher's mark for each session in the same order, ``approved`` the course's approved hours.

    - present sessions are credited; leave is not ("請假者依實際出席情形核給時數");
    - absence without leave reaching one third of the course's hours voids the course
      ("曠課超過總時數達三分之一者，該次研習不予核發研習時數");
    - the result never exceeds the approved hours.
    Credit classes (Art. 10 (3)) are credited credits × 18 = ``approved``, in proportion to the
    hours attended, rounded down to a half hour: a full attendee gets exactly credits × 18.
    """
    credits = [Decimal(str(c)) for c in session_credits]
    if len(credits) != len(attendance):
        raise ValueError("one attendance mark per session")
    unknown = set(attendance) - set(ATTENDANCE)
    if unknown:
        raise ValueError(f"unknown attendance marks: {sorted(unknown)}")
    approved = Decimal(str(approved))
    total = sum(credits, Decimal(0))
    absent = sum((c for c, a in zip(credits, attendance) if a == ABSENT), Decimal(0))
    present = sum((c for c, a in zip(credits, attendance) if a == PRESENT), Decimal(0))
    if total > 0 and absent * 3 >= total:
        return Decimal(0)
    if credit_class:
        if total == 0:
            return Decimal(0)
        share = approved * present / total
        return min(approved, math.floor(share / STEP) * STEP)
    return min(approved, present)


def day_hours(credited, sessions) -> list[tuple]:
    """Spread a course's ``credited`` hours over the days of the sessions attended, in
    date order, at most each day's attended session credit (the last day takes any rest, e.g.
    a credit class). ``sessions`` are (date, credit) of the present sessions."""
    per_day: dict = {}
    for day, credit in sessions:
        per_day[day] = per_day.get(day, Decimal(0)) + Decimal(str(credit))
    left = Decimal(str(credited))
    spread = []
    days = sorted(per_day)
    for index, day in enumerate(days):
        take = left if index == len(days) - 1 else min(left, per_day[day])
        if take > 0:
            spread.append((day, take))
        left -= take
    return spread


# -- daily and weekly caps (Art. 10 (2)) -----------------------------------------------------
DAY_CAP = Decimal(6)       # 每日教師進修時數採計以六小時為原則
WEEK_CAP = Decimal(35)     # 每週時數採計以三十五小時為原則


def apply_caps(records) -> dict:
    """Counted hours per record under the day and week caps (Art. 10 (2)).

    ``records``: iterable of (key, [(date, hours), …], approved) where ``approved`` says the
    authority specially approved the excess. Days are taken in date order (within a day, in
    the order the records are given: the caller puts the earliest credited first, so the excess
    falls on the record that went over); each day's hours count up to what is left of the day's 6 and the
    ISO week's 35; the rest is excess, counted only when approved.
    Returns key → {"counted": Decimal, "excess": Decimal, "needs_approval": bool}.
    """
    entries = []
    approved_of = {}
    for key, days, approved in records:
        approved_of[key] = approved
        entries += [(day, key, Decimal(str(hours))) for day, hours in days]
    result = {key: {"counted": Decimal(0), "excess": Decimal(0), "needs_approval": False}
              for key in approved_of}
    used_day: dict = {}
    used_week: dict = {}
    for day, key, hours in sorted(entries, key=lambda e: e[0]):      # stable
        week = day.isocalendar()[:2]
        room = max(Decimal(0), min(DAY_CAP - used_day.get(day, 0),
                                   WEEK_CAP - used_week.get(week, 0)))
        counted = hours if approved_of[key] else min(hours, room)
        excess = hours - min(hours, room)
        used_day[day] = used_day.get(day, Decimal(0)) + counted
        used_week[week] = used_week.get(week, Decimal(0)) + counted
        row = result[key]
        row["counted"] += counted
        row["excess"] += excess
        row["needs_approval"] = row["needs_approval"] or (excess > 0 and not approved_of[key])
    return result
