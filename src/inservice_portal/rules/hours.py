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
