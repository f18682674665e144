"""Who a course's audience (000 附件十 item 14, six categories) takes: a teacher's category
comes from the school's kind (學校類別) where the school gives one, else from the teacher's
stage. Written out by hand from item 14's list: 14-1 高級中等學校, 14-2 高職職業學校,
14-3 國中(含完全中學國中部), 14-4 國小, 14-5 幼兒園, 14-6 特殊教育學校."""
from datetime import timedelta

import pytest
from pyramid import testing
from pyramid.traversal import resource_path

from inservice_portal import clock
from inservice_portal.bootstrap import make_root
from inservice_portal.registration import service
from inservice_portal.resources.accounts import Teacher
from inservice_portal.resources.course import Course
from inservice_portal.resources.organiser import Organiser


@pytest.fixture
def root():
    testing.setUp()
    yield make_root()
    testing.tearDown()


def teacher_at(root, school_type, stage, login="t"):
    school = Organiser(f"s-{login}", "某校", "k12_school")
    school.school_type = school_type
    root["centres"]["taipei"].add(school.code, school, send_events=False)
    teacher = Teacher(login, "某老師", national_id="", school=resource_path(school), stage=stage)
    root["people"].add(login, teacher, send_events=False)
    return teacher


@pytest.mark.parametrize("school_type, stage, codes", [
    ("special_education", "elementary", ("14-6",)),      # nothing mapped here before
    ("special_education", "senior_high", ("14-6",)),
    ("vocational", "senior_high", ("14-2",)),            # 高職 apart from 高中
    ("senior_high", "senior_high", ("14-1",)),
    ("junior_high", "junior_high", ("14-3",)),
    ("elementary", "elementary", ("14-4",)),
    ("kindergarten", "kindergarten", ("14-5",)),
    ("complete_high", "junior_high", ("14-3",)),         # 完全中學: by the teacher's own stage
    ("complete_high", "senior_high", ("14-1", "14-2")),
    (None, "senior_high", ("14-1", "14-2")),             # a school that gives no kind
    (None, "elementary", ("14-4",)),
])
def test_a_teachers_category_comes_from_the_schools_kind(root, school_type, stage, codes):
    assert service.audience_codes(teacher_at(root, school_type, stage)) == codes


def test_a_course_for_special_education_schools_takes_their_teachers(root):
    today = clock.now().date()
    course = Course(1, "特殊教育學生輔導實務", state="published", audience_stages=("14-6",),
                    registration_opens=today - timedelta(days=1),
                    registration_closes=today + timedelta(days=5),
                    starts_on=today + timedelta(days=7), ends_on=today + timedelta(days=7))
    special = teacher_at(root, "special_education", "elementary", "se")
    primary = teacher_at(root, "elementary", "elementary", "es")
    assert all(check.ok for check in service.checks(special, course))
    refused = [c.code for c in service.checks(primary, course) if not c.ok]
    assert refused == ["not_eligible_stage"]
