"""Multi-factor authentication (多因子驗證): TOTP (RFC 6238) and one-time recovery codes.

Required for every staff account (業務帳號), optional for teachers. A code is accepted in the
current 30-second step or one step either side (clock drift), and never twice: the account
remembers the last step it accepted, so replaying a code — even inside its window — fails.
Recovery codes are random (50 bits each), stored as SHA-256 digests (high entropy makes a slow
hash pointless) and struck off when used.
"""
import hashlib
import hmac
import secrets

import pyotp
import segno

from .. import clock

ISSUER = "全國教師在職進修資訊網"
DRIFT_STEPS = 1                 # one step (30 s) either side of now
RECOVERY_CODES = 10
OTP_FAILURE = "驗證碼不正確或已使用過。連續輸入錯誤 5 次，帳號將暫停登入 15 分鐘。"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"   # no look-alikes (0/o, 1/l/i)


def required_for(account) -> bool:
    return account.kind == "staff"


def enrolled(account) -> bool:
    return bool(getattr(account, "otp_secret", None))


def new_secret() -> str:
    return pyotp.random_base32(32)


def normalise_secret(secret: str) -> str:
    return (secret or "").replace(" ", "").upper()


def valid_secret(secret: str) -> bool:
    secret = normalise_secret(secret)
    if len(secret) < 16:
        return False
    try:
        pyotp.TOTP(secret).now()
    except Exception:       # not base32
        return False
    return True


def provisioning_uri(account, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.login, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data URI for an <img> (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an authenticator app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _step(totp: pyotp.TOTP, now) -> int:
    return totp.timecode(now)


def matching_step(secret: str, code: str, now=None, after: int = 0) -> int | None:
    """The time step (> ``after``) whose code is ``code``, or None."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = _step(totp, now or clock.now())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(account, code: str, now=None) -> bool:
    """Check a TOTP code and use it up: the same code (or an older one) is refused from now on."""
    if not enrolled(account):
        return False
    step = matching_step(account.otp_secret, code, now, after=account.otp_last_step)
    if step is None:
        return False
    account.otp_last_step = step
    return True


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").replace(" ", "").encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def use_recovery_code(account, code: str) -> bool:
    digest = _digest(code or "")
    remaining = tuple(getattr(account, "recovery_hashes", ()) or ())
    for stored in remaining:
        if hmac.compare_digest(stored, digest):
            account.recovery_hashes = tuple(h for h in remaining if h != stored)
            return True
    return False


def verify_second_factor(account, code: str, now=None) -> bool:
    """A TOTP code, or else a recovery code (each usable once)."""
    code = (code or "").strip()
    if code.replace(" ", "").isdigit():
        return verify_code(account, code, now)
    return use_recovery_code(account, code)


def enrol(account, secret: str, code: str, now=None) -> list[str] | None:
    """Turn MFA on with ``secret`` once ``code`` proves the app holds it; the new recovery codes
    (shown once, stored hashed), or None when the code does not match."""
    secret = normalise_secret(secret)
    if not valid_secret(secret):
        return None
    step = matching_step(secret, code, now)
    if step is None:
        return None
    account.otp_secret = secret
    account.otp_last_step = step        # the code that enrolled cannot log in afterwards
    codes = new_recovery_codes()
    account.recovery_hashes = tuple(_digest(c) for c in codes)
    return codes


def enrol_known_secret(account, secret: str):
    """Enrol without a proof (the demo and test fixtures, whose secret is published)."""
    account.otp_secret = normalise_secret(secret)
    account.otp_last_step = 0
    account.recovery_hashes = ()


def reset(account):
    """Forget the second factor: a staff account must enrol again at its next login."""
    account.otp_secret = None
    account.otp_last_step = 0
    account.recovery_hashes = ()
