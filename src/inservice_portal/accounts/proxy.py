"""代理模式 (proxy mode): a centre's staff act as one of its units' accounts, for support.

While it lasts, the request's ``account`` is the unit's account (its rights, its pages) and
``real_account`` the centre's staff member; history entries (workflows/api.py ``proxy_by``) and
the audit log (``actor`` and ``on_behalf``) record both. It lives on the server-side session
(login_sessions.py), so it ends with the session, and a banner shows it on every page.
"""

from .. import audit
from . import login_sessions
from ..resources.interfaces import IOrganiser
from ..resources.units import unit_at


class ProxyRefused(Exception):
    pass


def unit_of(root, account):
    return unit_at(root, getattr(account, "unit", None))


def may_act_as(root, centre, target) -> bool:
    """Only a staff account of an organiser under ``centre`` (not a centre's, not a teacher's)."""
    if target is None or target.kind != "staff" or not target.active:
        return False
    unit = unit_of(root, target)
    return unit is not None and IOrganiser.providedBy(unit) and unit.__parent__ is centre


def start(root, request, centre, target):
    record = login_sessions.current(root, request)
    if record is None or record.stage is not None or request.real_account is None:
        raise ProxyRefused("not logged in")
    if record.proxy_for:
        raise ProxyRefused("already in proxy mode")
    if not may_act_as(root, centre, target):
        raise ProxyRefused("not an account of this centre's units")
    record.proxy_for = target.login
    audit.record("proxy.start", target, request=request, root=root,
                 actor=request.real_account.login, on_behalf=target.login,
                 centre=centre.__name__)


def end(root, request):
    record = login_sessions.current(root, request)
    if record is None or not record.proxy_for:
        return False
    target = root["people"].get(record.proxy_for)
    audit.record("proxy.end", target, request=request, root=root,
                 actor=request.real_account.login, on_behalf=record.proxy_for)
    record.proxy_for = None
    return True
