"""身分證統一編號 / 新式居留證 check digits; who activates which staff account (001, 003)."""
import pytest

from inservice_portal.rules import national_id, staff_accounts
from inservice_portal.rules.staff_accounts import CENTRE, UNIT


@pytest.mark.parametrize("value, ok", [
    ("A123456789", True),          # the textbook example
    ("F131104093", True),
    ("A123456788", False),         # check digit off by one
    ("A323456789", False),         # second character must be 1, 2 (or 8, 9)
    ("A800000014", True),          # 新式居留證 (8 or 9 in second place), same sum
    ("A800000015", False),
    ("a123456789", True),          # normalised to upper case
    ("Ａ１２３４５６７８９", True),  # full-width input, normalised by NFKC
    ("A12345678", False), ("", False), ("1234567890", False),
])
def test_national_id(value, ok):
    assert national_id.is_valid(value) is ok


def test_every_check_digit_completes_a_valid_id():
    for first9 in ("A12345678", "Z29999999", "I10000000", "O20000000", "W80000001"):
        assert national_id.problem(first9 + national_id.check_digit(first9)) is None


def test_problems_say_which():
    assert "格式" in national_id.problem("A1234")
    assert "檢查碼" in national_id.problem("A123456780")


@pytest.mark.parametrize("staff_type, has_management, who", [
    ("principal_admin", True, CENTRE),     # 003 二(六)1
    ("principal_admin", False, CENTRE),
    ("contact", True, UNIT),               # 003 二(六)2
    ("operator", True, UNIT),
    ("contact", False, CENTRE),            # no 本單位帳號管理 (社教與法人機構, 學科中心)
    ("operator", False, CENTRE),
])
def test_approver(staff_type, has_management, who):
    assert staff_accounts.approver(staff_type, has_management) == who


def test_a_centres_own_account_is_the_national_centres_to_activate():
    assert staff_accounts.approver("centre_reviewer", True) == staff_accounts.NATIONAL


def test_an_unknown_type_has_no_approver():
    with pytest.raises(ValueError):
        staff_accounts.approver("ministry_admin", True)


@pytest.mark.parametrize("old, new, unit, centre", [
    ("contact", "operator", True, True),
    ("operator", "contact", True, True),
    ("contact", "principal_admin", False, True),     # 001 參四(三)4(4)
    ("principal_admin", "contact", False, True),
    ("contact", "contact", False, False),
    ("operator", "centre_reviewer", False, False),
])
def test_who_may_switch(old, new, unit, centre):
    assert staff_accounts.unit_may_switch(old, new) is unit
    assert staff_accounts.centre_may_switch(old, new) is centre


def test_deletion_waits_for_every_course_to_finish():
    assert staff_accounts.may_delete([])
    assert not staff_accounts.may_delete([123])
