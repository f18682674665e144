"""Training hours (研習時數), 002 Art. 10.

Art. 10 (1): "研習時數以小時為採計單位，超過一小時以上方得採計。但一節達五十分鐘者以一小時計；
超過五十分鐘並連續上課九十分鐘者，進修時數以二小時計算。" Our reading:

- the training's class time is counted in hours, and counts only when it is more than an hour;
  a session (場次) of net minutes ``m`` (breaks, travel, sign-in and lunch left out, Art. 10
  (4)) that reaches a class period of 50 minutes counts by the two roundings:

      50 ≤ m < 90   → 1
      m ≥ 90        → max(2, m/60 rounded down to a half hour)

- periods shorter than 50 minutes are class time too: the short periods of one day are
  pooled, and their minutes count by the hour rule — nothing up to an hour, beyond it in half
  hours (the form's unit, item 13): two 45-minute periods with a break are 1.5 hours, three
  40-minute periods 2. A session of 50 minutes or more is never pooled with them.

``day_credits`` applies this to a schedule, and every figure derives from it: the hours the
form suggests, each attendee's credited hours on the roster, and the transcript's record.

Art. 10 (3): in credit classes one credit is 18 hours, counted whole (see ``apply_caps``).
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


def pooled_hours(minutes: int) -> Decimal:
    """The pooled minutes of one day's short periods: more than an hour counts, in half hours."""
    if minutes <= 60:
        return Decimal(0)
    return math.floor(Decimal(minutes) / 30) * STEP


def day_credits(sessions) -> list[tuple]:
    """(day, hours) for each day of ``sessions``, (day, net minutes) pairs, in date order."""
    whole: dict = {}
    short: dict = {}
    for day, minutes in sessions:
        minutes = max(minutes, 0)
        whole.setdefault(day, Decimal(0))
        if minutes < 50:
            short[day] = short.get(day, 0) + minutes
        else:
            whole[day] += session_hours(minutes)
    return [(day, whole[day] + pooled_hours(short.get(day, 0))) for day in sorted(whole)]


def suggested_hours(sessions) -> Decimal:
    """The hours a schedule of (day, net minutes) sessions is worth: the form's suggestion,
    and what a full attendee is credited (up to the approved hours)."""
    return sum((hours for _, hours in day_credits(sessions)), Decimal(0))


def credit_hours(credits: Decimal | int | float) -> Decimal:
    return Decimal(str(credits)) * HOURS_PER_CREDIT


def is_half_hour_step(hours) -> bool:
    value = Decimal(str(hours))
    return value >= 0 and value % STEP == 0


# -- credit from attendance (Art. 10 (5)) ------------------------------------------------------
PRESENT, LEAVE, ABSENT = "present", "leave", "absent"
ATTENDANCE = (PRESENT, LEAVE, ABSENT)


def attendance_credit(sessions, attendance, approved, credit_class: bool = False) -> Decimal:
    """A teacher's credited hours for one course (Art. 10 (5)).

    ``sessions`` are the course's (day, net minutes), ``attendance`` the teacher's mark for
    each in the same order, ``approved`` the course's approved hours.

    - the present sessions are credited as a schedule of their own (``suggested_hours``);
      leave is not credited ("請假者依實際出席情形核給時數");
    - absence without leave reaching one third of the course's class time voids the course
      ("曠課超過總時數達三分之一者，該次研習不予核發研習時數"), counted in minutes, so that an
      absence from a short period counts too;
    - the result never exceeds the approved hours.
    Credit classes (Art. 10 (3)) are credited credits × 18 = ``approved``, in proportion to the
    class time attended, rounded down to a half hour: a full attendee gets exactly credits × 18.
    """
    sessions = [(day, max(minutes, 0)) for day, minutes in sessions]
    if len(sessions) != len(attendance):
        raise ValueError("one attendance mark per session")
    unknown = set(attendance) - set(ATTENDANCE)
    if unknown:
        raise ValueError(f"unknown attendance marks: {sorted(unknown)}")
    approved = Decimal(str(approved))
    total = sum(minutes for _, minutes in sessions)
    absent = sum(minutes for (_, minutes), a in zip(sessions, attendance) if a == ABSENT)
    present = [s for s, a in zip(sessions, attendance) if a == PRESENT]
    if total > 0 and absent * 3 >= total:
        return Decimal(0)
    if credit_class:
        if total == 0:
            return Decimal(0)
        share = approved * sum(minutes for _, minutes in present) / total
        return min(approved, math.floor(share / STEP) * STEP)
    return min(approved, suggested_hours(present))


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

    ``records``: iterable of (key, [(date, hours), …], approved, credit_class) where
    ``approved`` says the authority specially approved the excess. The caps are on days of
    training: a credit class's hours (a semester's credits × 18) are counted whole, never
    need approval for that reason, and take no room from the days they are dated on. Days are taken in date order (within a day, in
    the order the records are given: the caller puts the earliest credited first, so the excess
    falls on the record that went over); each day's hours count up to what is left of the day's 6 and the
    ISO week's 35; the rest is excess, counted only when approved.
    Returns key → {"counted": Decimal, "excess": Decimal, "needs_approval": bool}.
    """
    entries = []
    approved_of = {}
    result = {}
    for key, days, approved, credit_class in records:
        result[key] = {"counted": Decimal(0), "excess": Decimal(0), "needs_approval": False}
        if credit_class:
            result[key]["counted"] = sum((Decimal(str(h)) for _, h in days), Decimal(0))
            continue
        approved_of[key] = approved
        entries += [(day, key, Decimal(str(hours))) for day, hours in days]
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
