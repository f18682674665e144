"""The registration workflow's tables: graph, state ACLs, and what it adds to a course's ACL."""
import pytest
from pyramid.authorization import ACLHelper, Everyone

from inservice_portal.workflows import registration as wf

OWNER, STAFF, REVIEWER = "user:t1", "role:principal_admin", "role:centre_reviewer"
OTHER = "user:t2"


def permits(acl, principal, permission):
    class Ctx:
        __acl__ = acl
    return bool(ACLHelper().permits(Ctx(), [Everyone, principal], permission))


def test_the_graph():
    edges = {(public, source, target) for _, public, source, target, *_ in wf.TRANSITIONS}
    assert edges == {
        ("accept", "applied", "accepted"), ("reject", "applied", "rejected"),
        ("waitlist", "applied", "waitlisted"), ("promote", "waitlisted", "accepted"),
        ("withdraw", "applied", "withdrawn"), ("withdraw", "accepted", "withdrawn"),
        ("withdraw", "waitlisted", "withdrawn"), ("reapply", "withdrawn", "applied")}
    wf.make_workflow()          # repoze's own consistency check


@pytest.mark.parametrize("state", list(wf.STATES))
@pytest.mark.parametrize("principal,permission,allowed_in", [
    (OWNER, "view", set(wf.STATES)),
    (OTHER, "view", set()),
    (OWNER, wf.WITHDRAW, {"applied", "accepted", "waitlisted"}),
    (OTHER, wf.WITHDRAW, set()),
    (STAFF, wf.WITHDRAW, {"applied", "accepted", "waitlisted"}),
    (STAFF, wf.REVIEW, {"applied", "waitlisted"}),
    (OWNER, wf.REVIEW, set()),
    (REVIEWER, "view", set(wf.STATES)),
    (REVIEWER, wf.REVIEW, set()),
    (REVIEWER, wf.WITHDRAW, set()),
])
def test_state_acl(state, principal, permission, allowed_in):
    assert permits(wf.acl_for(state, "t1"), principal, permission) is (state in allowed_in)


@pytest.mark.parametrize("state,teacher_registers,staff_lists", [
    ("draft", False, False), ("pending", False, False), ("returned", False, False),
    ("published", True, True), ("cancelled", False, True), ("closed", False, True),
])
def test_course_aces(state, teacher_registers, staff_lists):
    from inservice_portal.workflows.course import acl_for

    acl = acl_for(state)
    assert permits(acl, "role:teacher", wf.REGISTER) is teacher_registers
    assert permits(acl, STAFF, wf.MANAGE) is staff_lists
    assert permits(acl, REVIEWER, wf.LIST) is staff_lists
    assert not permits(acl, REVIEWER, wf.MANAGE)
    assert not permits(acl, "role:teacher", wf.LIST)
