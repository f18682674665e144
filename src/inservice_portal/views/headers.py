"""Security headers on every response (資通系統防護基準; OWASP secure headers)."""
from pyramid.settings import asbool

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

STATIC_PREFIXES = ("/static/", "/deform_static/")

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# Served over HTTPS only (session.secure): browsers are told to keep to it for a year.
HSTS = "max-age=31536000; includeSubDomains"


def security_headers_tween_factory(handler, registry):
    headers = dict(HEADERS)
    if asbool(registry.settings.get("session.secure", False)):
        headers["Strict-Transport-Security"] = HSTS

    def tween(request):
        response = handler(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        # The raw path: one that is not UTF-8 is answered 400 (errors.py), still with headers.
        if not request.environ.get("PATH_INFO", "").startswith(STATIC_PREFIXES):
            # Pages may carry personal data: no shared or back-button caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return tween


def includeme(config):
    config.add_tween("inservice_portal.views.headers.security_headers_tween_factory")
