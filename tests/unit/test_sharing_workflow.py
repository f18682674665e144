"""The shared item's workflow and its roles, against the permission matrix (000 附件二 §六:
every staff account may share; teachers and the public browse; only the owner unit edits;
centres moderate their units' items)."""
import pytest
from pyramid.authorization import ACLHelper, Everyone

from inservice_portal import permissions
from inservice_portal.workflows import sharing as wf

KIND_FUNCTIONS = ("sharing.handouts", "sharing.lecturers", "sharing.venues")
ORGANISER_ROLES = ("principal_admin", "contact", "operator")


def test_the_matrix_lets_every_staff_role_share_on_its_own_unit():
    kinds = permissions.matrix()["unit_kinds"]
    for kind in kinds:
        for role in permissions.roles_held_on(kind):
            assert set(KIND_FUNCTIONS) <= permissions.role_permissions(role, kind), (role, kind)
    assert set(KIND_FUNCTIONS) <= set(permissions.matrix()["unit_scoped"])


def test_the_table_names_every_state_and_only_derived_roles():
    assert set(wf.STATE_ACL) == set(wf.STATES)
    for rows in wf.STATE_ACL.values():
        assert set(rows) <= {wf.OWNER, wf.MODERATOR, wf.STAFF, wf.PUBLIC}
    for _, _, source, target, permission, _ in wf.TRANSITIONS:
        assert source in wf.STATES and target in wf.STATES
        assert permission in (wf.EDIT, wf.MODERATE)


def may(state, principals, permission):
    acl = wf.acl_for(state)
    return bool(ACLHelper().permits(type("Item", (), {"__acl__": acl})(), principals, permission))


OWNER = [Everyone, "system.Authenticated", "group:staff", permissions.role_principal(wf.OWNER)]
MODERATOR = [Everyone, "system.Authenticated", "group:staff",
             permissions.role_principal(wf.MODERATOR)]
OTHER_STAFF = [Everyone, "system.Authenticated", "group:staff"]
TEACHER = [Everyone, "system.Authenticated", permissions.role_principal("teacher")]
ANONYMOUS = [Everyone]


@pytest.mark.parametrize("state", list(wf.STATES))
def test_who_may_do_what_in_each_state(state):
    shared = state == "shared"
    assert may(state, OWNER, "view") and may(state, OWNER, wf.EDIT)
    assert may(state, MODERATOR, "view") and not may(state, MODERATOR, wf.EDIT)
    assert may(state, MODERATOR, wf.MODERATE) is (state in ("shared", "taken_down"))
    assert not may(state, OWNER, wf.MODERATE)
    for outsider in (OTHER_STAFF, TEACHER, ANONYMOUS):
        assert may(state, outsider, "view") is shared
        assert not may(state, outsider, wf.EDIT) and not may(state, outsider, wf.MODERATE)
    # a lecturer's contact data: staff of any unit, never teachers or the public
    assert may(state, OTHER_STAFF, wf.CONTACT) is shared
    assert not may(state, TEACHER, wf.CONTACT) and not may(state, ANONYMOUS, wf.CONTACT)


def test_a_take_down_needs_a_reason():
    class Item:
        state = "shared"

    with pytest.raises(wf.ReasonRequired):
        wf.transition(Item(), None, "take_down", comment="  ")
