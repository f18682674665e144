"""The course workflow: every state × transition × actor, history, auto-approval, reasons.

The expected matrix is written out here by hand from 001/002 and the workflow's states, not derived
from workflows/course.py, so that a change to the table there shows up as a failure here.
"""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from pyramid import testing
from pyramid.traversal import resource_path

from inservice_portal import clock
from inservice_portal.bootstrap import make_root
from inservice_portal.resources.accounts import Staff, Teacher
from inservice_portal.resources.course import Course
from inservice_portal.resources.organiser import Organiser
from inservice_portal.security import PortalSecurityPolicy
from inservice_portal.workflows import api
from inservice_portal.workflows import course as course_workflow

ACTORS = ["principal", "contact", "operator", "other_school", "reviewer", "other_reviewer",
          "national", "ministry", "teacher", "anonymous"]
OWN_STAFF = {"principal", "contact", "operator"}
REVIEWERS = {"reviewer", "ministry"}      # the course's own centre, and the ministry above all

# (state, public transition) → who may take it. Every other pair is refused.
EXPECTED = {
    ("draft", "submit"): OWN_STAFF,
    ("returned", "submit"): OWN_STAFF,
    ("pending", "approve"): REVIEWERS,
    ("pending", "return"): REVIEWERS,
    ("published", "cancel"): OWN_STAFF,
    ("published", "submit_roster"): OWN_STAFF,
    ("roster_returned", "submit_roster"): OWN_STAFF,
    ("roster_pending", "confirm_roster"): REVIEWERS,
    ("roster_pending", "return_roster"): REVIEWERS,
    ("closed", "reopen"): {"national"},
}
NEXT_STATE = {
    ("draft", "submit"): "pending", ("returned", "submit"): "pending",
    ("pending", "approve"): "published", ("pending", "return"): "returned",
    ("published", "cancel"): "cancelled", ("published", "submit_roster"): "roster_pending",
    ("roster_returned", "submit_roster"): "roster_pending",
    ("roster_pending", "confirm_roster"): "closed",
    ("roster_pending", "return_roster"): "roster_returned",
    ("closed", "reopen"): "roster_returned",
}
TRANSITIONS = sorted({t for _, t in EXPECTED})
REASONS = {"return": ["A"], "return_roster": ["R1"]}
COMMENTS = {"reopen": "名單更正"}        # reopening a closed course is explained (audited)


@pytest.fixture
def world():
    config = testing.setUp()
    config.hook_zca()
    config.set_security_policy(PortalSecurityPolicy())
    config.include("inservice_portal.workflows.course")
    config.include("inservice_portal.catalog")
    root = make_root()
    taipei, pingtung, nknu = (root["centres"][c] for c in ("taipei", "pingtung", "nknu"))
    school = taipei.add("353601", Organiser("353601", "臺北市立甲國小", "k12_school"))
    other = taipei.add("353602", Organiser("353602", "臺北市立乙國小", "k12_school"))
    accounts = {}

    def staff(key, unit, role):
        account = Staff(key, key, unit=resource_path(unit), staff_type=role)
        root["people"].add(key, account, send_events=False)
        unit.grant(key, role)
        accounts[key] = account

    staff("principal", school, "principal_admin")
    staff("contact", school, "contact")
    staff("operator", school, "operator")
    staff("other_school", other, "principal_admin")
    staff("reviewer", taipei, "centre_reviewer")
    staff("other_reviewer", pingtung, "centre_reviewer")
    staff("national", nknu, "national_centre")
    staff("ministry", root, "ministry_admin")
    teacher = Teacher("teacher", "教師", school="/centres/taipei/353601")
    root["people"].add("teacher", teacher, send_events=False)
    accounts["teacher"] = teacher
    accounts["anonymous"] = None
    yield SimpleNamespace(root=root, school=school, taipei=taipei, accounts=accounts,
                          registry=config.registry)
    testing.tearDown()


def request_for(world, actor):
    request = testing.DummyRequest()
    request.account = world.accounts[actor]
    request.registry = world.registry
    return request


def course_in(world, state, ended=True):
    code = world.root.course_codes.next()
    day = clock.now().date() + (timedelta(days=-3) if ended else timedelta(days=30))
    course = Course(code, "課程", starts_on=day, ends_on=day, state=state)
    world.school.add(str(code), course)
    return course


@pytest.mark.parametrize("state", list(course_workflow.STATES))
@pytest.mark.parametrize("name", TRANSITIONS)
@pytest.mark.parametrize("actor", ACTORS)
def test_transition_matrix(world, state, name, actor):
    course = course_in(world, state)
    request = request_for(world, actor)
    allowed = actor in EXPECTED.get((state, name), set())
    if allowed:
        entry = course_workflow.transition(course, request, name, reasons=REASONS.get(name, ()),
                                           comment=COMMENTS.get(name, ""))
        assert course.state == NEXT_STATE[(state, name)]
        assert (entry["from"], entry["to"], entry["by"]) == (state, course.state, actor)
        return
    error = (api.TransitionNotAllowed if (state, name) not in EXPECTED
             else api.TransitionForbidden)
    with pytest.raises(error):
        course_workflow.transition(course, request, name, reasons=REASONS.get(name, ()),
                                   comment=COMMENTS.get(name, ""))
    assert course.state == state
    assert not getattr(course, "history", None)


def test_allowed_lists_only_what_the_caller_may_take(world):
    course = course_in(world, "pending")
    assert {t["name"] for t in api.allowed(course, request_for(world, "reviewer"))} == {
        "approve", "return"}
    assert api.allowed(course, request_for(world, "principal")) == []
    assert api.allowed(course, request_for(world, "other_reviewer")) == []


def test_return_needs_a_known_reason_and_keeps_reasons_and_comment(world):
    course = course_in(world, "pending")
    reviewer = request_for(world, "reviewer")
    with pytest.raises(course_workflow.ReasonsRequired):
        course_workflow.transition(course, reviewer, "return", reasons=[])
    with pytest.raises(course_workflow.ReasonsRequired):
        course_workflow.transition(course, reviewer, "return", reasons=["no-such-code"])
    assert course.state == "pending"
    course_workflow.transition(course, reviewer, "return", reasons=["A", "8-3"],
                               comment="請補上地點")
    entry = course.history[-1]
    assert entry["reasons"] == ["A", "8-3"] and entry["comment"] == "請補上地點"
    assert course_workflow.return_reasons()["A"] == "請移除屬性標籤"


def test_full_cycle_records_every_step(world):
    course = course_in(world, "draft")
    steps = [("principal", "submit", ()), ("reviewer", "return", ["8-7"]),
             ("contact", "submit", ()), ("reviewer", "approve", ()),
             ("operator", "submit_roster", ()), ("reviewer", "confirm_roster", ()),
             ("national", "reopen", ()), ("principal", "submit_roster", ()),
             ("reviewer", "confirm_roster", ())]
    for actor, name, reasons in steps:
        course_workflow.transition(course, request_for(world, actor), name, reasons=reasons,
                                   comment=COMMENTS.get(name, ""))
    assert [e["transition"] for e in course.history] == [s[1] for s in steps]
    assert [e["by"] for e in course.history] == [s[0] for s in steps]
    assert course.state == "closed"


def test_reopening_needs_a_reason(world):
    course = course_in(world, "closed")
    national = request_for(world, "national")
    for comment in ("", "   "):
        with pytest.raises(course_workflow.ReasonsRequired):
            course_workflow.transition(course, national, "reopen", comment=comment)
    assert course.state == "closed" and not course.history
    course_workflow.transition(course, national, "reopen", comment="教師申訴：出席登錄有誤")
    assert course.history[-1]["comment"] == "教師申訴：出席登錄有誤"


def test_roster_cannot_be_submitted_before_the_course_ends(world):
    course = course_in(world, "published", ended=False)
    with pytest.raises(api.TransitionNotAllowed):
        course_workflow.transition(course, request_for(world, "principal"), "submit_roster")
    assert course.state == "published"


def test_auto_approval_publishes_at_once_and_says_so(world):
    world.taipei.auto_approve = True
    course = course_in(world, "draft")
    course_workflow.transition(course, request_for(world, "principal"), "submit")
    assert course.state == "published"
    assert course.auto_approved is True
    assert [(e["transition"], e["by"], e["comment"]) for e in course.history] == [
        ("submit", "principal", ""), ("approve", api.SYSTEM, "自動審核")]


def test_without_auto_approval_submission_waits(world):
    course = course_in(world, "draft")
    course_workflow.transition(course, request_for(world, "principal"), "submit")
    assert course.state == "pending"
    assert not getattr(course, "auto_approved", False)


def test_late_submission_blocks_only_when_the_centre_says_so(world):
    course = course_in(world, "draft", ended=False)
    course.starts_on = clock.now().date() + timedelta(days=3)
    world.taipei.block_late = True
    with pytest.raises(api.TransitionNotAllowed):
        course_workflow.transition(course, request_for(world, "principal"), "submit")
    world.taipei.block_late = False
    course_workflow.transition(course, request_for(world, "principal"), "submit")
    assert course.state == "pending"


def test_transition_reindexes_the_state(world):
    from inservice_portal.catalog import Search

    course = course_in(world, "draft")
    search = Search(world.root)
    assert len(search.execute(search["state"].eq("draft"))) == 1
    course_workflow.transition(course, request_for(world, "principal"), "submit")
    assert len(search.execute(search["state"].eq("draft"))) == 0
    assert len(search.execute(search["state"].eq("pending"))) == 1


@pytest.mark.parametrize("state", list(course_workflow.STATES))
def test_state_acl_visibility(world, state):
    """Drafts and submissions are private to the organiser and its reviewers; from
    publication on, everyone may read."""
    from pyramid.authorization import ACLHelper

    course = course_in(world, state)
    policy = PortalSecurityPolicy()
    public = state not in ("draft", "pending", "returned")
    for actor in ACTORS:
        request = request_for(world, actor)
        principals = policy.effective_principals(request, course)
        can_view = bool(ACLHelper().permits(course, principals, "view"))
        expected = public or actor in OWN_STAFF | REVIEWERS
        assert can_view == expected, (actor, state)


def test_role_groups_agree_with_the_permission_matrix():
    from inservice_portal import permissions
    organiser_kinds = ["k12_school", "teacher_education_university", "university",
                       "social_education", "subject_centre", "guidance_group",
                       "experimental_education"]
    for role in course_workflow.ORGANISER:
        for kind in organiser_kinds:
            assert "course.manage" in permissions.role_permissions(role, kind), (role, kind)
    for role, kind in [("centre_reviewer", "county_bureau"), ("centre_reviewer", "k12ea"),
                       ("national_centre", "national_centre"), ("ministry_admin", "ministry")]:
        assert "course.review" in permissions.role_permissions(role, kind)


# What each actor may do to a course besides transitions, per state (STATE_ACL), by hand.
EDITABLE_STATES = {"draft", "returned"}


@pytest.mark.parametrize("state", list(course_workflow.STATES))
def test_state_acl_edit_copy_and_history(world, state):
    """Only the organiser's own staff edit (in draft and returned) and copy (always); the
    organiser's staff and the course's reviewers read the history; nobody else does any."""
    from pyramid.authorization import ACLHelper

    course = course_in(world, state)
    policy = PortalSecurityPolicy()
    for actor in ACTORS:
        principals = policy.effective_principals(request_for(world, actor), course)

        def may(permission):
            return bool(ACLHelper().permits(course, principals, permission))
        assert may("course.edit") == (actor in OWN_STAFF and state in EDITABLE_STATES), (actor, state)
        assert may("course.copy") == (actor in OWN_STAFF), (actor, state)
        assert may(course_workflow.HISTORY) == (actor in OWN_STAFF | REVIEWERS), (actor, state)
