"""A teacher's status in one course: 已報名 → 已錄取 → 已報到 → 已核給時數.

Read from the course's registration (the registration branch's ``course.registrations``, when
present), its check-ins and the teacher's training record; nothing is stored for it.
"""
from . import records
from . import roster as roster_service

STEPS = (("applied", "已報名"), ("accepted", "已錄取"), ("checked_in", "已報到"),
         ("credited", "已核給時數"))
OTHER_STATES = {"waitlisted": "候補中", "rejected": "未錄取", "withdrawn": "已取消報名"}


def course_status(course, teacher) -> dict:
    registrations = getattr(course, "registrations", None)
    registration = registrations.get(teacher.login) if registrations is not None else None
    state = getattr(registration, "state", None)
    checkins = roster_service.checkins_of(course)
    sessions = roster_service.schedule(course)
    checked = sorted(checkins.sessions_of(teacher.login)) if checkins is not None else []
    record = (records.records_of(teacher) or {}).get(records.course_key(course))
    done = {
        "applied": registration is not None and state != "withdrawn",
        "accepted": state == "accepted",
        "checked_in": bool(checked),
        "credited": record is not None,
    }
    if registration is None and (checked or record is not None):
        done["applied"] = done["accepted"] = None        # a walk-in: no registration at all
    return {"steps": [{"name": n, "title": t, "done": done[n]} for n, t in STEPS],
            "note": OTHER_STATES.get(state),
            "checked_in": checked,
            "sessions": len(sessions), "record": record}
