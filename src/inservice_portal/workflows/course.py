"""The course workflow (000 附件十二 §一; 002 Art. 8–12).

    draft ──submit──▶ pending ──approve──▶ published ──submit_roster──▶ roster_pending
      returned ◀─return─┘  ▲                   │ cancel                 │ confirm_roster
          └──submit(resubmit)┘              cancelled     roster_returned ◀┤ return_roster
                                                              └─submit_roster┘   ▼
                                                                closed ──reopen──▶ roster_returned

A course's ACL is a function of its state: ``STATE_ACL`` below, one row per state, naming
role groups only. Nothing is inherited from above: what the table does not grant is denied.
"""
from pyramid.authorization import Allow, Everyone
from pyramid.threadlocal import get_current_registry
from repoze.workflow.workflow import WorkflowError
from zope.interface import Interface

from .. import clock

from ..permissions import VIEW, role_principal
from ..reference import load
from . import api
from . import registration as registration_workflow
from ..rules.deadlines import DEFAULT_SUBMIT_DAYS, LATE, RETROACTIVE, submission_timeliness
from ..resources.interfaces import ICourse

STATES = {
    "draft": "草稿",
    "pending": "待審核",
    "returned": "退回修正",
    "published": "審核通過（已公告）",
    "cancelled": "已取消",
    "roster_pending": "研習名單待確認",
    "roster_returned": "研習名單退回修正",
    "closed": "已結案",
}

# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("submit", "submit", "draft", "pending", "course.submit", "送出審核"),
    ("resubmit", "submit", "returned", "pending", "course.submit", "修正後重新送審"),
    ("approve", "approve", "pending", "published", "course.review", "審核通過"),
    ("return", "return", "pending", "returned", "course.review", "退回修正"),
    ("cancel", "cancel", "published", "cancelled", "course.cancel", "取消課程"),
    ("submit_roster", "submit_roster", "published", "roster_pending", "course.roster", "送出研習名單"),
    ("resubmit_roster", "submit_roster", "roster_returned", "roster_pending", "course.roster",
     "修正後重新送出研習名單"),
    ("confirm_roster", "confirm_roster", "roster_pending", "closed", "course.confirm_roster",
     "確認名單並結案"),
    ("return_roster", "return_roster", "roster_pending", "roster_returned",
     "course.confirm_roster", "退回研習名單"),
    ("reopen", "reopen", "closed", "roster_returned", "course.reopen", "重新開啟（全國推廣中心）"),
]

# The public name's title, for history lines (the first row of a public name wins).
TITLES = api.titles(TRANSITIONS)

# Role groups. Organiser staff hold course.create/course.manage on every organiser kind and
# reviewers hold course.review on their unit (001 肆); tests check this against the matrix.
ORGANISER = ("principal_admin", "contact", "operator")
REVIEWER = ("centre_reviewer", "national_centre", "ministry_admin")
NATIONAL = "group:national_centre"        # the national centre, wherever the course is
PUBLIC = "public"

# (course.message: 線上短訊 to its registrants; course.feedback: its 回饋問卷's own questions
# and paper results — comms/)
READ = (VIEW, "course.copy", "course.message", "course.feedback")
HISTORY = "course.history"    # the record of transitions: organiser staff and reviewers, always
# (also the right to read the roster). record.approve: the reviewers' special approval of a
# closed course's hours over the day/week caps (002 Art. 10 (2)).
STATE_ACL = {
    # state:            {who: permissions}
    "draft":           {ORGANISER: READ + ("course.edit", "course.submit"), REVIEWER: (VIEW,)},
    "pending":         {ORGANISER: READ, REVIEWER: (VIEW, "course.review")},
    "returned":        {ORGANISER: READ + ("course.edit", "course.submit"), REVIEWER: (VIEW,)},
    "published":       {PUBLIC: (VIEW,), ORGANISER: READ + ("course.cancel", "course.roster"),
                        REVIEWER: (VIEW,)},
    "cancelled":       {PUBLIC: (VIEW,), ORGANISER: READ, REVIEWER: (VIEW,)},
    "roster_pending":  {PUBLIC: (VIEW,), ORGANISER: READ,
                        REVIEWER: (VIEW, "course.confirm_roster")},
    "roster_returned": {PUBLIC: (VIEW,), ORGANISER: READ + ("course.roster",), REVIEWER: (VIEW,)},
    "closed":          {PUBLIC: (VIEW,), ORGANISER: READ, REVIEWER: (VIEW, "record.approve"),
                        NATIONAL: ("course.reopen",)},
}

# The organiser's own staff reach a course through the organiser's local roles; reviewers
# through their centre's (or the root's) local roles; a foreign centre's reviewer holds no
# role in this lineage and so gets nothing.


def _principals(who) -> list:
    return ([Everyone] if who == PUBLIC else [who] if isinstance(who, str)
            else [role_principal(r) for r in who])


def acl_for(state: str) -> list:
    history = [(Allow, role_principal(r), HISTORY) for r in ORGANISER + REVIEWER]
    return api.acl_from(STATE_ACL[state], _principals,   # + 線上報名 (workflows/registration.py)
                        history + registration_workflow.course_aces(state))


def return_reasons(kind: str = "course") -> dict[str, str]:
    return load("return_reasons")[kind]


def has_ended(course) -> bool:
    """The course's last session is over: a roster is submitted only then."""
    return course.ends_on is not None and course.ends_on < clock.now().date()


def course_has_ended(course, info):
    if not has_ended(course):
        raise WorkflowError("研習尚未結束，結束後才能送出研習名單。")


GUARDS = {"submit_roster": (course_has_ended,)}


class ReasonsRequired(api.TransitionNotAllowed):
    """A return without a reason from the list (→ 422)."""


class Incomplete(api.TransitionNotAllowed):
    """A course sent for review that the form would refuse (→ 422, naming each item)."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__("課程資料尚未完整，不能送出審核：" + "；".join(problems.values()))


class ICompleteness(Interface):
    """``problems(course)``: field → what the course form would refuse there (courses/)."""


RETURNS = {"return": "course", "return_roster": "roster"}


def check_reasons(name: str, reasons) -> list[str]:
    """Returning needs at least one reason from the ministry's list; others take none."""
    reasons = list(reasons or ())
    kind = RETURNS.get(name)
    if kind is None:
        return []
    known = return_reasons(kind)
    unknown = [r for r in reasons if r not in known]
    if not reasons or unknown:
        raise ReasonsRequired("請至少選擇一項退回原因" + (f"（無此原因代碼：{'、'.join(unknown)}）"
                                                      if unknown else "。"))
    return reasons


EXPLAINED = {"reopen"}      # audited: reopening a closed course says why


def transition(course, request, name, reasons=(), comment=""):
    """The course's one transition service: validates reasons, applies the centre's
    settings (blocking late submissions, auto-approval) and records everything."""
    reasons = check_reasons(name, reasons)
    if name in EXPLAINED and not (comment or "").strip() and (
            request is None or any(t["name"] == name for t in api.allowed(course, request))):
        # (one who may not take it at all is told so by api.transition below)
        raise ReasonsRequired("重新開啟已結案的課程須說明原因。")
    centre = course.__parent__.__parent__
    if name == "submit" and (request is None or api.may(course, request, "submit")):
        _refuse_if_incomplete(course, request)
        _refuse_if_late_is_blocking(course, centre)
        if course.submitted_on is None:
            course.submitted_on = clock.now().date()   # the late flag judges the first entry
    entry = api.transition(course, request, name, reasons=reasons, comment=comment)
    if name == "submit" and getattr(centre, "auto_approve", False):
        # 自動審核: the centre chose to publish on submission; the history says so. Marked
        # before the transition, whose reindex then files it for 自動審核瀏覽.
        course.auto_approved = True
        api.transition(course, None, "approve", comment="自動審核", actor=api.SYSTEM)
    if course.state == "published" and course.published_on is None:
        course.published_on = clock.now().date()     # (indexed when the catalog flushes)
    return entry


def _refuse_if_incomplete(course, request):
    """002 Art. 8 reviews a complete course: one the form would refuse is not sent (nor
    published by auto-approval), by page or API alike."""
    registry = request.registry if request is not None else get_current_registry()
    check = registry.queryUtility(ICompleteness)
    problems = check(course) if check is not None else {}
    if problems:
        raise Incomplete(problems)


def _refuse_if_late_is_blocking(course, centre):
    if not getattr(centre, "block_late", False) or course.starts_on is None:
        return
    timeliness = submission_timeliness(clock.now().date(), course.starts_on,
                                       getattr(centre, "submit_days", DEFAULT_SUBMIT_DAYS))
    if timeliness in (LATE, RETROACTIVE):
        raise api.TransitionNotAllowed(
            f"本中心規定研習須於開始前 {centre.submit_days} 天送審，此課程已逾期，無法送出。")


def make_workflow():
    return api.build("course", STATES, TRANSITIONS, "draft", api.permission_checker, GUARDS)


def includeme(config):
    api.register(config, make_workflow(), ICourse, "course")
