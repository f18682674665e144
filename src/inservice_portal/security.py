"""The security policy: who is asking (session cookie or bearer token) and what they hold.

Principals: ``system.Everyone``, ``system.Authenticated``, ``user:<login>``, the account's global
roles, and ``role:<name>`` for each local role granted on a unit in the context's lineage (the
Kotti / Substance D local-roles pattern). ACLs name roles only; see permissions.py.
"""
import json

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.location import lineage
from pyramid.traversal import find_resource, find_root

from .accounts import login_sessions, tokens
from .bootstrap import root_factory
from .permissions import NOBODY, role_principal

FLASH_KEPT = 3
FLASH_CHARS = 400       # one message (a course's missing items can take 300)
FLASH_BUDGET = 600      # all kept messages together: about 2.4 KB of the 4 KB cookie


def capped_flash(factory):
    """The session keeps the last few flash messages only, within a budget of characters: it
    travels in the cookie, and a client that posts without following the redirects, or
    messages naming long titles, would otherwise grow it past what a browser sends back
    (issue 22)."""
    class Session(factory):
        def flash(self, msg, queue="", allow_duplicate=True):
            if isinstance(msg, str) and len(msg) > FLASH_CHARS:
                msg = msg[:FLASH_CHARS - 1] + "…"
            super().flash(msg, queue, allow_duplicate)
            key = "_f_" + queue
            kept, size = [], 0
            for message in reversed(self[key][-FLASH_KEPT:]):      # the newest first
                size += len(str(message))
                if kept and size > FLASH_BUDGET:
                    break
                kept.insert(0, message)
            if kept != self[key]:
                self[key] = kept
    return Session


class CookieJSON:
    """The session cookie's serializer: JSON kept as UTF-8 (pyramid's default escapes every
    Chinese character to six bytes; a cookie holds 4 KB)."""

    @staticmethod
    def dumps(value) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @staticmethod
    def loads(data: bytes):
        return json.loads(data.decode("utf-8"))


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class PortalSecurityPolicy:
    def __init__(self):
        self.helper = ACLHelper()

    def identity(self, request):
        """The active Account making this request, or None."""
        return request.account

    def authenticated_userid(self, request):
        account = request.account
        return account.login if account is not None else None

    def effective_principals(self, request, context) -> list[str]:
        account = request.account
        if account is None:
            return [Everyone]
        principals = [Everyone, Authenticated, f"user:{account.login}"]
        principals += [role_principal(r) for r in account.global_roles()]
        principals += account_groups(find_root(context), account)
        for node in lineage(context):
            local = getattr(node, "__local_roles__", None)
            if local:
                principals += [role_principal(r) for r in local.get(account.login, ())]
        return principals

    def permits(self, request, context, permission):
        return self.helper.permits(context, self.effective_principals(request, context), permission)

    def remember(self, request, userid, **kw):
        return []  # login_sessions.start does the work; the cookie session sets its own header

    def forget(self, request, **kw):
        return []


def find_real_account(request):
    """Request property ``request.real_account``: the person at the keyboard, from a bearer
    token, else from a complete login session."""
    root = root_factory(request)     # pyramid_tm asks before traversal has set request.root
    token = bearer_token(request)
    if token is not None:
        login = tokens.login_of(root, token)
    else:
        login = login_sessions.login_of(root, request.session.get(login_sessions.SESSION_KEY))
    if login is None:
        return None
    account = root["people"].get(login)
    return account if account is not None and account.active else None


def find_account(request):
    """Request property ``request.account``: whose rights this request uses — the real account,
    or in proxy mode (代理模式) the unit's account the real one acts for."""
    real = request.real_account
    if real is None or bearer_token(request) is not None:
        return real
    root = root_factory(request)
    proxied = getattr(login_sessions.current(root, request), "proxy_for", None)
    if proxied:
        account = root["people"].get(proxied)
        if account is not None and account.active:
            return account
    return real


def account_groups(root, account) -> list[str]:
    """Groups that hold wherever one stands: every staff account (who may see a recommended
    lecturer's contact data, given with consent); the national centre's staff act nationally
    for the few things that are theirs alone (reopening a closed course)."""
    groups = ["group:staff"] if getattr(account, "kind", None) == "staff" else []
    path = getattr(account, "unit", None)
    if not path:
        return groups
    try:
        unit = find_resource(root, path)
    except KeyError:
        return groups
    if getattr(unit, "kind", None) == "national" and "national_centre" in unit.roles_of(account.login):
        groups.append("group:national_centre")
    return groups


def csrf_applies(request) -> bool:
    """CSRF protects cookie-authenticated requests; bearer-token API calls carry no cookie."""
    return bearer_token(request) is None


def includeme(config):
    config.set_security_policy(PortalSecurityPolicy())
    config.add_request_method(find_real_account, "real_account", reify=True)
    config.add_request_method(find_account, "account", reify=True)
    config.set_default_csrf_options(require_csrf=True, callback=csrf_applies)
    config.set_default_permission(NOBODY)   # a view without a permission is closed to all
