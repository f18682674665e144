"""Who may read and edit the roster, and approve hours over the caps, in each course state.
Written out by hand (001): the organiser's own staff edit it while the course is
published or its roster returned; the course's centre (and the ministry) read it always and
approve excess hours once closed; another school and another centre get nothing."""
import pytest

from inservice_portal.workflows import course as course_workflow

from .test_course_workflow import ACTORS, course_in, request_for, world  # noqa: F401

OWN_STAFF = {"principal", "contact", "operator"}
READERS = OWN_STAFF | {"reviewer", "ministry"}
EXPECTED = {
    "course.roster": {"published": OWN_STAFF, "roster_returned": OWN_STAFF},
    "course.history": {state: READERS for state in course_workflow.STATES},
    "record.approve": {"closed": {"reviewer", "ministry"}},
}


@pytest.mark.parametrize("permission", sorted(EXPECTED))
@pytest.mark.parametrize("state", list(course_workflow.STATES))
def test_roster_permissions(world, permission, state):  # noqa: F811
    course = course_in(world, state)
    granted = {actor for actor in ACTORS
               if request_for(world, actor).has_permission(permission, course)}
    assert granted == EXPECTED[permission].get(state, set())
