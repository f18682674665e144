"""傳報單位: registering a partner system, its credentials (a client id and secrets it can
rotate, kept as argon2 digests) and who it may write and read for."""
import secrets
from datetime import timedelta

from .. import clock, vocabularies
from ..accounts import passwords
from ..resources.exchange import ExchangePlatform, Partner

MODES = {"upload": "後端傳報（上傳檔案）", "database": "資料庫對傳（Server to Server）"}
# After a rotation the old secret still works this long, so the partner can deploy the new.
OVERLAP = timedelta(days=7)


# Codes a partner may not take: the portal's own records' source, and the platform's views.
RESERVED = frozenset({"local", "format", "register", "rotate", "token", "records"})


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
    if code in platform or code in RESERVED:
        raise PartnerExists(code)
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    partner = platform.add(code, Partner(code, title, mode, counties, contact))
    return partner, rotate(partner)


def rotate(partner) -> str:
    """A new secret; those still valid keep working for OVERLAP from now, no longer."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    kept = tuple((digest, issued, until or now + OVERLAP)
                 for digest, issued, until in valid_secrets(partner))
    partner.secrets = ((passwords.hash_password(secret), now, None), *kept)
    return secret


def revoke_old(partner) -> int:
    """A secret that leaked: every secret but the newest stops now, and every token issued
    before; how many tokens went."""
    partner.secrets = partner.secrets[:1]
    tokens = partner.__parent__.tokens
    gone = [digest for digest, token in tokens.items() if token.partner == partner.code]
    for digest in gone:
        del tokens[digest]
    return len(gone)


def update(partner, values: dict) -> None:
    """The platform's managers change what a partner may do and who its contact is."""
    order = vocabularies.counties()
    partner.title, partner.mode = values["title"], values["mode"]
    partner.counties = tuple(sorted(values["counties"], key=order.index))
    partner.callback_url = values["callback_url"] or None
    partner.retrieves, partner.syncs_teachers = values["retrieves"], values["syncs_teachers"]
    partner.contact = {"name": values["contact_name"], "email": values["contact_email"],
                       "phone": values["contact_phone"]}
    partner.active = values.get("active", partner.active)


def valid_secrets(partner) -> tuple:
    """(digest, issued, valid until or None) of the secrets that still work, newest first."""
    now = clock.now()
    return tuple(s for s in partner.secrets if s[2] is None or now < s[2])


def authenticate(root, client_id: str, secret: str):
    """The active partner whose id and secret these are, or None (in about the same time
    whether or not the id is known: one argon2 verification either way)."""
    platform = root.get("exchange")
    partner = platform.get(client_id or "") if platform is not None else None
    digests = [d for d, _, _ in valid_secrets(partner)] if partner is not None else []
    if partner is None or not partner.active or not secret or not digests:
        passwords.verify(None, secret or "-")
        return None
    return partner if any(passwords.verify(d, secret) for d in digests) else None


def source_labels(root) -> dict:
    """How a transcript names a record's source: 本網研習, or the partner's name."""
    platform = root.get("exchange")
    names = {code: p.title for code, p in platform.items()} if platform is not None else {}
    return {"local": "本網研習", **names}
