"""Telling a partner that its batch is done: a POST of the batch's outcome to the callback
URL the national centre registered for it (never a URL the batch itself names: the portal
calls only addresses an administrator chose). HTTPS, or plain HTTP to this machine (tests)."""
import json
import logging
import urllib.request
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
TIMEOUT = 10


def allowed(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme == "https" and bool(parts.hostname) or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"))


def after_commit(txn, url: str, payload: dict):
    """POST ``payload`` to ``url`` once ``txn`` has committed (not if it aborts)."""
    if url and allowed(url):
        txn.addAfterCommitHook(_post, args=(url, payload))


def _post(committed, url, payload):
    if not committed:
        return
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"},
                                     method="POST")
    try:
        # The scheme is https, or http to this machine (allowed()): no file: or ftp: URL.
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # nosec B310
            log.info("callback %s answered %s", url, answer.status)
    except OSError as failure:                 # the partner polls instead
        log.warning("callback %s failed: %s", url, failure)
