"""mfa.py: the accepted window, one use per code, recovery codes, enrolment's proof."""
from datetime import timedelta

import pyotp
import pytest

from inservice_portal import clock
from inservice_portal.accounts import mfa
from inservice_portal.resources.accounts import Staff, Teacher

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def account():
    staff = Staff("s1", "測試")
    mfa.enrol_known_secret(staff, SECRET)
    return staff


def code_at(when, secret=SECRET):
    return pyotp.TOTP(secret).at(when)


def test_required_for_staff_optional_for_teachers():
    assert mfa.required_for(Staff("s", "s")) and not mfa.required_for(Teacher("t", "t"))


@pytest.mark.parametrize("seconds,ok", [(-60, False), (-30, True), (0, True), (30, True),
                                        (60, False)])
def test_window_is_one_step_either_side(account, seconds, ok):
    now = clock.now()
    assert mfa.verify_code(account, code_at(now + timedelta(seconds=seconds)), now) == ok


def test_a_code_is_used_once_and_older_ones_die_with_it(account):
    now = clock.now()
    assert mfa.verify_code(account, code_at(now), now)
    assert not mfa.verify_code(account, code_at(now), now)
    assert not mfa.verify_code(account, code_at(now - timedelta(seconds=30)), now)
    assert mfa.verify_code(account, code_at(now + timedelta(seconds=30)), now)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "１２３４５６", None])
def test_malformed_codes_are_refused(account, code):
    assert not mfa.verify_code(account, code)


def test_recovery_codes_each_once_any_case_and_hashed():
    account = Teacher("t1", "t")
    secret = mfa.new_secret()
    codes = mfa.enrol(account, secret, pyotp.TOTP(secret).now())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not set(codes) & set(account.recovery_hashes)
    assert mfa.verify_second_factor(account, codes[3].upper())
    assert not mfa.verify_second_factor(account, codes[3])
    assert len(account.recovery_hashes) == 9


def test_enrolment_needs_a_code_from_the_secret():
    account = Teacher("t1", "t")
    secret = mfa.new_secret()
    assert mfa.enrol(account, secret, "000000" if pyotp.TOTP(secret).now() != "000000"
                     else "111111") is None
    assert not mfa.enrolled(account)
    assert mfa.enrol(account, "not base32!", "123456") is None
    assert mfa.enrol(account, mfa.grouped(secret).lower(), pyotp.TOTP(secret).now())
    assert account.otp_secret == secret


def test_reset_forgets_everything(account):
    mfa.reset(account)
    assert not mfa.enrolled(account) and account.recovery_hashes == ()
    assert not mfa.verify_second_factor(account, code_at(clock.now()))


def test_qr_is_an_svg_data_uri_of_the_otpauth_uri(account):
    uri = mfa.provisioning_uri(account, SECRET)
    assert uri.startswith("otpauth://totp/") and f"secret={SECRET}" in uri
    assert mfa.qr_data_uri(uri).startswith("data:image/svg+xml")
