"""傳報單位: registering a partner system, its credentials (a client id and secrets it can
rotate, kept as argon2 digests) and who it may write and read for."""
import secrets
from datetime import timedelta

from .. import clock
from ..accounts import passwords
from ..resources.exchange import ExchangePlatform, Partner

MODES = {"upload": "後端傳報（上傳檔案）", "database": "資料庫對傳（Server to Server）"}
# After a rotation the old secret still works this long, so the partner can deploy the new.
OVERLAP = timedelta(days=7)


class PartnerExists(ValueError):
    pass


def platform_of(root) -> ExchangePlatform:
    return root["exchange"]


def ensure_platform(root) -> ExchangePlatform:
    if "exchange" not in root:
        root.add("exchange", ExchangePlatform(), send_events=False)
    return root["exchange"]


def register(root, code, title, mode, counties=(), contact=None) -> tuple[Partner, str]:
    """A new partner and its first secret (shown once: only its digest is kept)."""
    platform = platform_of(root)
    if code in platform:
        raise PartnerExists(code)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    partner = platform.add(code, Partner(code, title, mode, counties, contact))
    return partner, rotate(partner)


def rotate(partner) -> str:
    """A new secret; the previous one keeps working for OVERLAP, older ones stop."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    partner.secrets = ((passwords.hash_password(secret), now), *partner.secrets[:1])
    partner.previous_until = now + OVERLAP if len(partner.secrets) > 1 else None
    return secret


def authenticate(root, client_id: str, secret: str):
    """The active partner whose id and secret these are, or None."""
    partner = platform_of(root).get(client_id or "") if "exchange" in root else None
    if partner is None or not partner.active or not secret:
        return None
    current, *previous = partner.secrets or ((None, None),)
    if passwords.verify(current[0], secret):
        return partner
    if previous and partner.previous_until and clock.now() < partner.previous_until \
            and passwords.verify(previous[0][0], secret):
        return partner
    return None


def source_labels(root) -> dict:
    """How a transcript names a record's source: 本網研習, or the partner's name."""
    platform = root.get("exchange")
    names = {code: p.title for code, p in platform.items()} if platform is not None else {}
    return {"local": "本網研習", **names}
