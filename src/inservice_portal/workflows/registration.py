"""The registration workflow (線上報名 / 錄取 / 候補 / 取消).

    applied ──accept──▶ accepted ◀──promote── waitlisted
       │ └──reject──▶ rejected                    ▲
       └──────────────waitlist────────────────────┘
    applied | accepted | waitlisted ──withdraw──▶ withdrawn ──reapply──▶ applied

First-come courses (admission ``first_come``) accept or waitlist at once, as the system; review
courses wait in ``applied`` for the organiser's accept/reject. A freed seat promotes the first
waitlisted teacher (the system again). Only the registration service (registrations.py) moves
a registration, under the course's lock.

A registration's ACL is a function of its state (``STATE_ACL``): the teacher it belongs to
(``OWNER``), the organiser's staff and the reviewers, by role; nothing else is inherited.
"""
from pyramid.authorization import Allow
from repoze.workflow.workflow import WorkflowError

from ..permissions import VIEW, role_principal
from . import api
from ..resources.interfaces import IRegistration

STATES = {
    "applied": "已報名（待審核）",
    "accepted": "錄取",
    "waitlisted": "候補",
    "rejected": "未錄取",
    "withdrawn": "已取消報名",
}

REVIEW = "registration.review"        # 報名審核: accept / reject (organiser staff)
WITHDRAW = "registration.withdraw"    # 取消報名: the teacher, or the organiser's staff
REGISTER = "registration.register"    # on a course: a teacher may register (published only)
LIST = "registration.list"            # on a course: see its registrations (staff, reviewers)
MANAGE = "registration.manage"        # on a course: exports, accept/reject pages (staff)

# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("accept", "accept", "applied", "accepted", REVIEW, "錄取"),
    ("reject", "reject", "applied", "rejected", REVIEW, "不錄取"),
    ("waitlist", "waitlist", "applied", "waitlisted", REVIEW, "列入候補"),
    ("promote", "promote", "waitlisted", "accepted", REVIEW, "候補遞補錄取"),
    ("withdraw_applied", "withdraw", "applied", "withdrawn", WITHDRAW, "取消報名"),
    ("withdraw_accepted", "withdraw", "accepted", "withdrawn", WITHDRAW, "取消報名"),
    ("withdraw_waitlisted", "withdraw", "waitlisted", "withdrawn", WITHDRAW, "取消報名"),
    ("reapply", "reapply", "withdrawn", "applied", REGISTER, "重新報名"),
]
TITLES = api.titles(TRANSITIONS)

ORGANISER = ("principal_admin", "contact", "operator")
REVIEWER = ("centre_reviewer", "national_centre", "ministry_admin")
OWNER = "owner"                       # the teacher the registration belongs to

STATE_ACL = {
    "applied":    {OWNER: (VIEW, WITHDRAW), ORGANISER: (VIEW, REVIEW, WITHDRAW), REVIEWER: (VIEW,)},
    "accepted":   {OWNER: (VIEW, WITHDRAW), ORGANISER: (VIEW, WITHDRAW), REVIEWER: (VIEW,)},
    "waitlisted": {OWNER: (VIEW, WITHDRAW), ORGANISER: (VIEW, REVIEW, WITHDRAW), REVIEWER: (VIEW,)},
    "rejected":   {OWNER: (VIEW,), ORGANISER: (VIEW,), REVIEWER: (VIEW,)},
    "withdrawn":  {OWNER: (VIEW,), ORGANISER: (VIEW,), REVIEWER: (VIEW,)},
}

# What the registration side adds to a course's ACL (workflows/course.py acl_for): teachers
# register while it is published; staff and reviewers see registrations once it has been.
COURSE_LIST_STATES = ("published", "cancelled", "roster_pending", "roster_returned", "closed")


def acl_for(state: str, login: str) -> list:
    return api.acl_from(STATE_ACL[state], lambda who: [f"user:{login}"] if who == OWNER
                        else [role_principal(r) for r in who])


def course_aces(state: str) -> list:
    """Entries for a course's ACL in ``state`` (placed before its final deny)."""
    aces = []
    if state == "published":
        aces.append((Allow, role_principal("teacher"), (REGISTER,)))
    if state in COURSE_LIST_STATES:
        aces += [(Allow, role_principal(r), (LIST, MANAGE)) for r in ORGANISER]
        aces += [(Allow, role_principal(r), (LIST,)) for r in REVIEWER]
    return aces


def course_is_published(registration, info):
    """Registrations move only while their course takes registrations."""
    course = registration.course
    if course is None or course.state != "published":
        raise WorkflowError("課程目前不在報名期間（未公告、已取消或已結束），報名狀態不能變更。")


GUARDS = {name: (course_is_published,) for name, *_ in TRANSITIONS}


def make_workflow():
    return api.build("registration", STATES, TRANSITIONS, "applied", api.permission_checker,
                     GUARDS)


def includeme(config):
    api.register(config, make_workflow(), IRegistration, "registration")
