"""Absolute links in mail. A mail written in a request links where that request was served; a
nightly run or a job has no such request and reads ``portal.url``, the address users know
(set in production: a link to localhost would reach nobody)."""
from urllib.parse import urlencode

from pyramid.threadlocal import get_current_request
from pyramid.traversal import resource_path

DEFAULT = "http://localhost:6543"


def base_url(registry) -> str:
    configured = registry.settings.get("portal.url")
    if configured:
        return configured.rstrip("/")
    request = get_current_request()
    url = getattr(request, "application_url", None)
    return url.rstrip("/") if url else DEFAULT


def url(registry, resource, *elements, query: dict | None = None) -> str:
    """The address of ``resource`` (and view names ``elements``) for a mail."""
    path = resource_path(resource).rstrip("/")
    tail = "/".join(elements)
    address = f"{base_url(registry)}{path}/{tail}"
    return f"{address}?{urlencode(query)}" if query else address
