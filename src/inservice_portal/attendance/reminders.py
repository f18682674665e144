"""Reminders of overdue rosters (000 未結案研習課程催覆; the deadline is the centre's
``roster_days``, rules/deadlines.py): each organiser with a course whose roster is past
due gets one e-mail listing them (``inservice-portal CONFIG remind-rosters``, daily by cron)."""
from .. import mail
from ..comms.recipients import of_unit
from .roster import overdue_courses
from ..rules import deadlines

SUBJECT = "研習名單逾期提醒（未結案課程）"


def overdue_by_organiser(root, today=None) -> dict:
    """organiser → its overdue courses, over every centre."""
    result: dict = {}
    for centre in root["centres"].values():
        for course in overdue_courses(root, centre, today=today):
            result.setdefault(course.organiser, []).append(course)
    return result


def body(organiser, courses, days) -> str:
    lines = [f"{organiser.title} 您好：", "",
             f"依規定，研習名單應於{deadlines.roster_rule_text(days)}送出。下列課程的研習名單已逾期，"
             "請儘速登錄並送出，以便核給教師研習時數：", ""]
    for course in courses:
        lines.append(f"・課程代碼 {course.code}　{course.title}（最後場次 {course.last_day.isoformat()}）")
    lines += ["", "全國教師在職進修資訊網"]
    return "\n".join(lines)


def send_reminders(root, registry, today=None) -> list[tuple]:
    """Mail every organiser with overdue rosters (at the current transaction's commit);
    return (organiser code, number of courses, recipients) for each."""
    sent = []
    for organiser, courses in sorted(overdue_by_organiser(root, today).items(),
                                     key=lambda item: item[0].code):
        to = of_unit(organiser)
        if not to:
            continue
        days = getattr(organiser.__parent__, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
        mail.send(registry, to, SUBJECT, body(organiser, courses, days))
        sent.append((organiser.code, len(courses), to))
    return sent
