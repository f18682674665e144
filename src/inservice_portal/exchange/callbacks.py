"""Telling a partner that its batch is done: a POST of the batch's outcome to the callback
URL the national centre registered for it (never a URL the batch itself names). Only to
HTTPS on a public address, never redirected: the portal must not be made to call into its
own network (169.254.169.254, the database, …). Plain HTTP to this machine only where
``exchange.callback_loopback`` allows it (the tests' settings)."""
import ipaddress
import json
import logging
import socket
import urllib.request
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
TIMEOUT = 10
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_loopback_allowed = False


def configure(settings):
    global _loopback_allowed
    _loopback_allowed = str(settings.get("exchange.callback_loopback", "")).lower() == "true"


def allowed(url: str) -> bool:
    """The URL's form: https with a host, or (where allowed) http to this machine."""
    parts = urlsplit(url or "")
    if parts.scheme == "http":
        return _loopback_allowed and parts.hostname in LOOPBACK
    return parts.scheme == "https" and bool(parts.hostname)


def _public(url: str) -> bool:
    """Whether every address the host resolves to is a public one (or, where allowed, this
    machine's)."""
    host = urlsplit(url).hostname
    if _loopback_allowed and host in LOOPBACK:
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_global for i in infos)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None                            # a 3xx is the answer, not followed


def after_commit(txn, url: str, payload: dict):
    """POST ``payload`` to ``url`` once ``txn`` has committed (not if it aborts)."""
    if url and allowed(url):
        txn.addAfterCommitHook(_post, args=(url, payload))


def _post(committed, url, payload):
    if not committed:
        return
    if not _public(url):
        log.warning("callback %s refused: not a public address", url)
        return
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        # https to a public address, or http to this machine where allowed (above).
        with opener.open(request, timeout=TIMEOUT) as answer:  # nosec B310
            log.info("callback %s answered %s", url, answer.status)
    except OSError as failure:                 # the partner polls instead
        log.warning("callback %s failed: %s", url, failure)
