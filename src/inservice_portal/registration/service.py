"""The registration service (線上報名): register, withdraw, accept/reject, the waitlist.

Every write to a course's registrations goes through ``course_locks.run_locked``: take the
course's lock, THEN begin the transaction and re-read the course, do the work, commit, and
only then release. pyramid_tm began a transaction before traversal loaded the course; that
snapshot is dropped (nothing has been written yet), because a snapshot taken before the lock
would still conflict with the writer that held it.

Read side, for the pages, the API and the roster: ``accepted(course)`` in registration order,
``waitlisted(course)``, ``course.seats_left``, ``registrations_of(teacher)``.
"""
from BTrees.OOBTree import OOBTree
from pyramid.traversal import find_resource, find_root, resource_path_tuple

from .. import clock, mail
from ..reference import load
from ..resources.registration import ACTIVE, Registration
from ..resources.units import unit_at
from ..rules import eligibility, schedule
from ..vocabularies import VOCAB
from ..workflows import api as workflow_api
from ..workflows import registration as registration_workflow

FIRST_COME, REVIEW = "first_come", "review"


class Refused(Exception):
    """A registration the rules refuse; ``code`` is the API's error code (data/openapi.yaml)."""

    def __init__(self, code: str, message: str, status: int = 422, fields: dict | None = None,
                 details=None):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = fields or {}
        self.details = details or []


class NotEmployed(Exception):
    """A teacher with no current school may only read the transcript (004, the amended
    Art. 5): no registration, favourites (收藏追蹤) or calendar feed."""

    def __init__(self):
        super().__init__("您目前無服務學校（未在職），帳號僅能查詢研習紀錄（使用管理要點第 5 條）；"
                         "到職後由學校以「教師資料登錄」加入即可恢復。")


def require_employed(teacher):
    if not getattr(teacher, "employed", False):
        raise NotEmployed()


# --- read side ------------------------------------------------------------------------------

EMPTY = ()


def container(course):
    """The course's registrations; created for a course stored before they existed (a write:
    call only on a write path; evolve step 3 does it for every course)."""
    found = getattr(course, "registrations", None)
    return found if found is not None else course.add_registrations()


def _regs(course):
    return getattr(course, "registrations", None)


def get(course, login):
    regs = _regs(course)
    return regs.get(login) if regs is not None else None


def in_state(course, state) -> list[Registration]:
    regs = _regs(course)
    if regs is None:
        return []
    return [regs[login] for login in regs.logins_in(state)]


def accepted(course) -> list[Registration]:
    """錄取: the accepted registrations in registration order (the roster starts from these)."""
    return in_state(course, "accepted")


def waitlisted(course) -> list[Registration]:
    """候補: in waitlist order (position 1 first)."""
    return in_state(course, "waitlisted")


def all_of(course) -> list[Registration]:
    regs = _regs(course)
    return sorted(regs.values(), key=lambda r: r.seq) if regs is not None else []


def positions(course) -> dict[str, int]:
    """login → waitlist position, in one pass (``Registration.position`` counts each time)."""
    regs = _regs(course)
    if regs is None:
        return {}
    return {login: n for n, login in enumerate(regs.logins_in("waitlisted"), start=1)}


def count(course, state) -> int:
    regs = _regs(course)
    return regs.count(state) if regs is not None else 0


def registrations_of(teacher) -> list[Registration]:
    """個人報名紀錄: the teacher's registrations, newest course first."""
    index = getattr(teacher, "course_registrations", None)
    if not index:
        return []
    root = find_root(teacher)
    found = []
    for code, path in index.items():
        try:
            course = find_resource(root, path)
        except KeyError:
            continue                  # the course was removed
        reg = get(course, teacher.login)
        if reg is not None:
            found.append(reg)
    return sorted(found, key=lambda r: (r.course.first_day or r.created_at.date()), reverse=True)


# --- eligibility ----------------------------------------------------------------------------

def audience_codes(teacher) -> tuple:
    """The teacher's item-14 categories (14-1 … 14-6): by the school's kind where the school
    gives one, else (and in a complete high school) by the teacher's stage."""
    form = load("course_form")
    school = unit_at(find_root(teacher), getattr(teacher, "school", None))
    by_type = form["school_type_audiences"].get(getattr(school, "school_type", None))
    return tuple(by_type or form["stage_audiences"].get(getattr(teacher, "stage", None), ()))


def applicant(teacher) -> eligibility.Applicant:
    return eligibility.Applicant(stage_codes=audience_codes(teacher),
                                 title=getattr(teacher, "job_title", None),
                                 employed=bool(getattr(teacher, "employed", False)))


def offer(course) -> eligibility.Offer:
    return eligibility.Offer(state=course.state, audience_stages=tuple(course.audience_stages),
                             audience_titles=tuple(course.audience_titles),
                             opens=course.registration_opens, closes=course.registration_closes,
                             opens_at=course.registration_opens_time,
                             closes_at=course.registration_closes_time,
                             first_day=course.first_day)


LABELS = {"stage_label": lambda c: VOCAB["audience_stages"].get(c, c),
          "title_label": lambda c: VOCAB["audience_titles"].get(c, c)}


def checks(teacher, course, now=None) -> list[eligibility.Check]:
    return eligibility.checks(applicant(teacher), offer(course), now or clock.now(),
                              **LABELS)


def conflicts(teacher, course) -> list[dict]:
    """Courses the teacher is accepted or waiting for whose sessions overlap this one's."""
    mine = _slots(course)
    if not mine:
        return []
    found = []
    for other in registrations_of(teacher):
        other_course = other.course
        if other_course is course or other.state not in ACTIVE:
            continue
        pairs = schedule.clashes(mine, _slots(other_course))
        if pairs:
            found.append({"course": other_course, "state": other.state, "sessions": pairs})
    return found


def _slots(course) -> list[tuple]:
    return [(s.date, s.start, s.end) for s in course.sessions]


# --- transitions ----------------------------------------------------------------------------

def _move(request, reg, name, actor=None):
    """One transition through the workflow service, keeping the order index in step."""
    regs = reg.__parent__
    old = reg.state
    entry = workflow_api.transition(reg, request if actor is None else None, name, actor=actor)
    regs.file(reg, old_state=old)
    return entry


def _index_for_teacher(teacher, course):
    index = getattr(teacher, "course_registrations", None)
    if index is None:
        index = teacher.course_registrations = OOBTree()
    index[course.code] = resource_path_tuple(course)


def refusal(request, course, teacher) -> Refused | None:
    """The one rule of who may register for a course now (None: they may): the teacher meets
    every eligibility check, the course's ACL grants them ``registration.register`` (a
    teacher's role on a published course; ``request`` None: the demo loader), and they hold
    no live registration for it. A schedule conflict is not a refusal: it asks to confirm."""
    failed = next((c for c in checks(teacher, course) if not c.ok), None)
    if failed is not None:
        return Refused(failed.code, failed.text)
    if request is not None and not request.has_permission(registration_workflow.REGISTER, course):
        return Refused("forbidden", "您的帳號不能報名此課程。", 403)
    existing = get(course, teacher.login)
    if existing is not None and existing.state != "withdrawn":
        return Refused("duplicate", "您已報名此課程（目前狀態："
                       f"{registration_workflow.STATES[existing.state]}），不能重複報名。", 409)
    return None


def may_withdraw(request, reg) -> bool:
    """取消報名 offered to the caller: the workflow's withdraw from the registration's state,
    its permission, and its guard (the course still takes registrations)."""
    return workflow_api.may(reg, request, "withdraw")


def register(request, course, teacher, confirm=False) -> Registration:
    """Register ``teacher``; call inside ``run_locked``. First-come courses accept while
    seats are left and waitlist after; review courses leave it ``applied``."""
    problem = refusal(request, course, teacher)
    if problem is not None:
        raise problem
    regs = container(course)
    existing = regs.get(teacher.login)
    clashing = conflicts(teacher, course)
    if clashing and not confirm:
        titles = "、".join(f"{c['course'].title}（{c['course'].code}）" for c in clashing)
        raise Refused("schedule_conflict",
                      f"本課程的場次時間與您已報名的課程重疊：{titles}。確定仍要報名請再確認。",
                      fields={"confirm": "時段衝堂，確定報名請送出 confirm: true。"},
                      details=clashing)
    now = clock.now()
    if existing is None:
        reg = Registration(teacher.login, regs.next_seq(), now)
        reg.history = None
        regs.add(teacher.login, reg, registry=getattr(request, "registry", None))
        workflow_api.start(reg, None, "register", actor=teacher.login, at=now)
        regs.file(reg)
    else:                          # withdrawn earlier: registering again joins at the end
        reg = existing
        regs.order.pop((reg.state, reg.seq), None)
        reg.seq, reg.created_at = regs.next_seq(), now
        workflow_api.transition(reg, None, "reapply", actor=teacher.login)
        regs.file(reg)
    _index_for_teacher(teacher, course)
    if course.admission != REVIEW:
        left = course.seats_left
        _move(request, reg, "accept" if left is None or left > 0 else "waitlist",
              actor=workflow_api.SYSTEM)
    return reg


def withdraw(request, course, reg, by_staff=False) -> list[Registration]:
    """取消報名; a freed seat promotes the first waitlisted teacher(s), who are told by mail.
    Returns the promoted registrations. ``request``'s caller must hold the withdraw
    permission on ``reg`` (checked by the workflow service)."""
    was = reg.state
    _move(request, reg, "withdraw")
    promoted = fill_seats(request, course) if was == "accepted" else []
    return promoted


def fill_seats(request, course) -> list[Registration]:
    promoted = []
    while True:
        left = course.seats_left
        queue = course.registrations.logins_in("waitlisted")
        if not queue or (left is not None and left <= 0):
            return promoted
        reg = course.registrations[queue[0]]
        _move(request, reg, "promote", actor=workflow_api.SYSTEM)
        promoted.append(reg)
        _tell(request, course, reg, "候補遞補錄取通知",
              "有學員取消報名，您已由候補遞補為「錄取」。")


def decide(request, course, reg, name):
    """報名審核 (review courses): ``accept`` while seats are left, or ``reject``."""
    if name not in ("accept", "reject"):
        raise Refused("invalid_transition", "只能錄取或不錄取。", 400)
    if name == "accept" and reg.state == "applied":
        left = course.seats_left
        if left is not None and left <= 0:
            raise Refused("full", "名額已滿，無法再錄取。", 409)
    _move(request, reg, name)
    if name == "accept":
        _tell(request, course, reg, "研習錄取通知", "辦理單位已審核您的報名：錄取。")
    else:
        _tell(request, course, reg, "研習報名審核結果", "辦理單位已審核您的報名：未錄取。")


def _tell(request, course, reg, subject, news):
    teacher = find_root(course)["people"].get(reg.login)
    if teacher is None or not teacher.email:
        return
    days = "、".join(s.date.isoformat() for s in course.sessions) or (
        course.starts_on.isoformat() if course.starts_on else "")
    url = request.resource_url(course) if hasattr(request, "resource_url") else ""
    body = (f"{teacher.name} 老師您好：\n\n{news}\n\n"
            f"課程：{course.title}（課程代碼 {course.code}）\n"
            f"辦理單位：{course.organiser.title}\n日期：{days}\n地點：{course.place}\n"
            f"{url}\n\n如無法參加，請登入「個人報名紀錄」取消報名，將名額留給其他教師。\n")
    mail.send(request, teacher.email, f"{subject}：{course.title}", body)
