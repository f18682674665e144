"""Organisers are placed under the centre that reviews them (Art. 11), once per code."""
import pytest
from pyramid import testing

from inservice_portal.bootstrap import make_root
from inservice_portal.accounts.organisers import (DuplicateOrganiser, find_organiser,
                                         register_organiser)


@pytest.fixture
def root():
    testing.setUp()
    yield make_root()
    testing.tearDown()


@pytest.mark.parametrize("kwargs, centre", [
    (dict(kind="university", county="臺中市"), "nknu"),
    (dict(kind="k12_school", county="花蓮縣", ownership="national", stage="senior_high"), "k12ea"),
    (dict(kind="k12_school", county="臺北市", ownership="private", stage="senior_high"), "taipei"),
    (dict(kind="k12_school", county="屏東縣", ownership="county", stage="elementary"), "pingtung"),
    (dict(kind="social_education", county="高雄市"), "nknu"),
    (dict(kind="subject_centre"), "circle"),
])
def test_registered_under_the_reviewing_centre(root, kwargs, centre):
    organiser = register_organiser(root, "123456", "測試單位", **kwargs)
    assert organiser.__parent__ is root["centres"][centre]
    assert organiser.jurisdiction.startswith("Art. 11")
    assert find_organiser(root, "123456") is organiser


def test_a_unit_code_is_registered_once_nationally(root):
    register_organiser(root, "123456", "甲", kind="university", county="臺中市")
    with pytest.raises(DuplicateOrganiser):
        register_organiser(root, "123456", "乙", kind="k12_school", county="屏東縣",
                           ownership="county", stage="elementary")
    assert find_organiser(root, "654321") is None
