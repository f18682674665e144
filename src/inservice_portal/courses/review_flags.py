"""What the reviewer is warned about (never blocking unless a centre says so).

- Art. 9 (002): the activity may need the authority's consent (rules.restricted).
- Art. 12 (002): entered fewer than the centre's N days before the first session ("late"), or
  after it took place (補登, "retroactive"), judged on the day of the first submission.
"""
from dataclasses import dataclass

from .. import clock
from ..reference import load
from ..rules import deadlines, restricted

LABELS = {deadlines.LATE: "逾期登錄", deadlines.RETROACTIVE: "補登（研習後登錄）",
          "art9": "第 9 條須經主管機關同意"}


@dataclass(frozen=True)
class Flag:
    code: str          # late | retroactive | art9
    text: str


def timeliness(course) -> str | None:
    first = course.first_day
    if first is None:
        return None
    submitted = course.submitted_on or clock.now().date()
    centre = course.centre
    return deadlines.submission_timeliness(submitted, first, getattr(centre, "submit_days", deadlines.DEFAULT_SUBMIT_DAYS))


def restricted_flags(course) -> list[restricted.RestrictedFlag]:
    """002 Art. 9's example activities found in the title or outline."""
    return restricted.flags(load("restricted_activities"), course.title, course.outline)


def course_flags(course) -> list[Flag]:
    found = [Flag("art9", f.describe()) for f in restricted_flags(course)]
    when = timeliness(course)
    if when in (deadlines.LATE, deadlines.RETROACTIVE):
        days = getattr(course.centre, "submit_days", deadlines.DEFAULT_SUBMIT_DAYS)
        detail = (f"於研習開始前不足 {days} 天登錄（第 12 條）" if when == deadlines.LATE
                  else "研習已開始後才登錄（第 12 條）")
        found.append(Flag(when, f"{LABELS[when]}：{detail}"))
    return found


def flag_codes(course) -> list[str]:
    return sorted({flag.code for flag in course_flags(course)})
