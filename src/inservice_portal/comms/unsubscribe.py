"""One-click unsubscribe (RFC 8058) without logging in: a link carries what to stop and an
HMAC of it under the portal's secret, so nothing needs storing per mail and no one can stop
another's mail by guessing. A mail client POSTs ``List-Unsubscribe=One-Click`` to the same
address; a person opening it in a browser is asked to confirm first (link scanners GET).
The HMAC is signed.py's."""
from . import links, signed

KINDS = {
    "subscription": "這一項研習資訊訂閱",
    "subscriptions": "全部的研習資訊訂閱",
    "newsletter": "電子報",
}


def token(settings, kind: str, key: str) -> str:
    return signed.token(settings, f"unsubscribe:{kind}", key)


def valid(settings, kind: str, key: str, given: str) -> bool:
    return kind in KINDS and signed.valid(settings, f"unsubscribe:{kind}", key, given)


def url(registry, root, kind: str, key: str) -> str:
    return links.url(registry, root, "unsubscribe",
                     query={"kind": kind, "key": key, "t": token(registry.settings, kind, key)})


def headers(registry, root, kind: str, key: str) -> dict:
    """The headers of RFC 2369 and RFC 8058 that let a mail client unsubscribe in one click."""
    return {"List-Unsubscribe": f"<{url(registry, root, kind, key)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
