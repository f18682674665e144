"""002 Art. 11: which centre reviews which organiser, clause by clause."""
import pytest

from inservice_portal import reference
from inservice_portal.rules.jurisdiction import OrganiserFacts as F
from inservice_portal.rules.jurisdiction import reviewing_centre

COUNTIES = {c["county"]: c["code"] for c in reference.centres() if c["county"]}


@pytest.mark.parametrize("facts, centre, clause", [
    # (1) universities and teacher-education universities
    (F("teacher_education_university", county="高雄市"), "nknu", "(1)"),
    (F("university", county="臺北市"), "nknu", "(1)"),
    # (2) national and private senior highs, outside Taipei and Kaohsiung for private ones
    (F("k12_school", county="臺中市", ownership="national", stage="senior_high"), "k12ea", "(2)"),
    (F("k12_school", county="臺北市", ownership="national", stage="senior_high"), "k12ea", "(2)"),
    (F("k12_school", county="花蓮縣", ownership="private", stage="senior_high"), "k12ea", "(2)"),
    (F("k12_school", county="臺北市", ownership="private", stage="senior_high"), "taipei", "(4)"),
    (F("k12_school", county="高雄市", ownership="private", stage="senior_high"), "kaohsiung", "(4)"),
    # (3) teacher-training centres: their own authority
    (F("social_education", county="臺北市", authority="local"), "taipei", "(3)"),
    (F("social_education", authority="central"), "k12ea", "(3)"),
    # (4) county senior highs, and junior highs down to kindergartens, public or private
    (F("k12_school", county="屏東縣", ownership="county", stage="senior_high"), "pingtung", "(4)"),
    (F("k12_school", county="新北市", ownership="county", stage="junior_high"), "newtaipei", "(4)"),
    (F("k12_school", county="臺北市", ownership="private", stage="junior_high"), "taipei", "(4)"),
    (F("k12_school", county="連江縣", ownership="county", stage="elementary"), "lienchiang", "(4)"),
    (F("k12_school", county="臺南市", ownership="private", stage="kindergarten"), "tainan", "(4)"),
    # (5) social-education bodies and legal persons
    (F("social_education", county="臺中市"), "nknu", "(5)"),
    # (6) back-end reporting counties verify their own: Tainan exchanges by database
    (F("k12_school", county="臺南市", ownership="county", stage="elementary"), "tainan", "(4)"),
    # since 106/107 the private senior highs of 臺中市 and 桃園市 are the city bureaus' (000 沿革)
    (F("k12_school", county="臺中市", ownership="private", stage="senior_high"), "taichung", "(4)"),
    (F("k12_school", county="桃園市", ownership="private", stage="senior_high"), "taoyuan", "(4)"),
    (F("k12_school", county="新竹縣", ownership="private", stage="senior_high"), "k12ea", "(2)"),
    # a national special-education or vocational school is clause 2's whatever stage is entered
    (F("k12_school", county="臺南市", ownership="national", stage="elementary",
       school_type="special_education"), "k12ea", "(2)"),
    (F("k12_school", county="花蓮縣", ownership="national", stage=None,
       school_type="vocational"), "k12ea", "(2)"),
    (F("k12_school", county="花蓮縣", ownership="county", stage="elementary",
       school_type="special_education"), "hualien", "(4)"),
    # (5) as amended: bodies recognised by law and unincorporated groups, or the review panel
    (F("social_education", county="臺中市", accreditation="by_law"), "nknu", "(5)"),
    (F("social_education", county="臺中市", accreditation="panel"), "nknu", "認可審查小組"),
    # (7) as amended (004): local offices (衛生局、社會局…) and community colleges: the county
    (F("local_agency", county="嘉義縣"), "chiayi", "(7)"),
    (F("community_college", county="臺北市"), "taipei", "(7)"),
    # units the article does not name
    (F("subject_centre"), "circle", "not named"),
    (F("guidance_group"), "k12ea", "not named"),
    (F("experimental_education", county="宜蘭縣"), "yilan", "(4)"),
])
def test_reviewing_centre(facts, centre, clause):
    code, cited = reviewing_centre(facts, COUNTIES)
    assert code == centre
    assert clause in cited


def test_every_county_has_its_centre():
    assert len(COUNTIES) == 22


def test_unknown_kind_or_county_is_an_error():
    with pytest.raises(ValueError):
        reviewing_centre(F("shop"), COUNTIES)
    with pytest.raises(ValueError):
        reviewing_centre(F("k12_school", county="火星市", stage="elementary"), COUNTIES)
