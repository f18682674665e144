"""Links that carry their own proof (取消訂閱, 意見交流's status page): an HMAC of what they
name, under a key for that purpose derived from the session secret (``comms.signing_key``
sets one of its own: give it before rotating the session secret, or every link mailed so far
stops working)."""
import hashlib
import hmac


def _key(settings) -> bytes:
    given = settings.get("comms.signing_key")
    if given:
        return given.encode()
    return hmac.new(settings["session.secret"].encode(), b"inservice-portal mailed links",
                    hashlib.sha256).digest()


def token(settings, purpose: str, value: str) -> str:
    return hmac.new(_key(settings), f"{purpose}:{value}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def valid(settings, purpose: str, value: str, given: str | None) -> bool:
    return bool(value) and hmac.compare_digest(token(settings, purpose, value), given or "")
