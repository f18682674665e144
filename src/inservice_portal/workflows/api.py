"""The one way to move an object through a workflow.

repoze.workflow stays behind this module: ``transition`` always passes the request (so the
permission guard runs), records history, fires ``ObjectTransitioned`` and reindexes. Views
map ``TransitionNotAllowed`` to 409 and ``TransitionForbidden`` to 403; ``may`` answers the
same question beforehand (which buttons a page shows).

The history is written here and nowhere else, one entry format for every workflow:
``transition`` (or, for ``start``, the creation), ``from``, ``to``, ``by``, ``at``,
``reasons``, ``comment`` and, in proxy mode, ``proxy_by``.
"""
from persistent.list import PersistentList
from pyramid.authorization import ALL_PERMISSIONS, Allow, Deny, Everyone
from repoze.workflow import get_workflow
from repoze.workflow.interfaces import IWorkflowList
from repoze.workflow.workflow import CallbackInfo, Workflow, WorkflowError
from zope.interface import Attribute, Interface, implementer

from .. import clock
from ..resources.events import ObjectModified, notify

SYSTEM = "system"      # the actor of automatic transitions (自動審核)
TITLES: dict[str, dict[str, str]] = {}    # workflow name → public transition name → title
STATE_TITLES: dict[str, dict[str, str]] = {}   # workflow name → state → its title


class TransitionNotAllowed(Exception):
    """No such transition from the object's current state (→ 409)."""


class TransitionForbidden(Exception):
    """The caller lacks the transition's permission (→ 403)."""


class IObjectTransitioned(Interface):
    object = Attribute("the object")
    entry = Attribute("its new history entry")


@implementer(IObjectTransitioned)
class ObjectTransitioned:
    def __init__(self, object, entry):
        self.object = object
        self.entry = entry


def build(name, states, transitions, initial, permission_checker, guards=None):
    """A repoze.workflow ``Workflow`` from a state table and a transition table.

    ``transitions`` rows: (internal name, public name, from, to, permission, title). repoze
    wants one unique name per transition (one source state each); the public name is the
    API's, shared by e.g. submit (draft → pending) and resubmit (returned → pending).
    ``guards`` maps an internal name to callables ``(obj, info)`` that raise WorkflowError.
    """
    guards = guards or {}
    TITLES[name] = titles(transitions)
    STATE_TITLES[name] = dict(states)
    wf = Workflow("state", initial, permission_checker=permission_checker, name=name)
    for state, title in states.items():
        wf.add_state(state, title=title)
    for internal, public, source, target, permission, title in transitions:
        wf.add_transition(internal, source, target, permission=permission, title=title,
                          public=public, guards=tuple(guards.get(internal, ())))
    wf.check()
    return wf


def register(config, workflow, content_iface, type_name):
    """Register against an interface in the Pyramid registry (a class would not be found)."""
    adapters = config.registry.adapters
    wf_list = adapters.lookup((content_iface,), IWorkflowList, name=type_name, default=None)
    if wf_list is None:
        wf_list = []
        config.registry.registerAdapter(wf_list, (content_iface,), IWorkflowList, type_name)
    wf_list.append({"workflow": workflow, "elector": None})


def workflow_of(obj):
    return get_workflow(obj, obj.workflow_type, context=obj)


def state_of(obj) -> str:
    """Read the state without repoze's initialise-on-read (objects are created with one)."""
    return obj.state


def _find(wf, obj, public_name):
    for transition in wf._get_transitions(obj, from_state=state_of(obj)):
        if transition.get("public", transition["name"]) == public_name:
            return transition
    raise TransitionNotAllowed(f"目前的狀態（{state_of(obj)}）不能執行「{public_name}」。")


def allowed(obj, request) -> list[dict]:
    """The transitions the caller may take now (public name, title)."""
    wf = workflow_of(obj)
    return [{"name": t.get("public", t["name"]), "title": t["title"]}
            for t in wf.get_transitions(obj, request)]


def may(obj, request, public_name) -> bool:
    """Could the caller take ``public_name`` now: a transition from the present state, its
    permission held (where it names one), and no guard objecting."""
    wf = workflow_of(obj)
    try:
        step = _find(wf, obj, public_name)
    except TransitionNotAllowed:
        return False
    if not _permitted(step, obj, request):
        return False
    info = CallbackInfo(wf, step, request=request)
    try:
        for guard in step.get("guards", ()):
            guard(obj, info)
    except WorkflowError:
        return False
    return True


def transition(obj, request, public_name, reasons=(), comment="", actor=None):
    """Move ``obj`` by ``public_name``; ``request=None`` only for system transitions."""
    wf = workflow_of(obj)
    step = _find(wf, obj, public_name)
    if not _permitted(step, obj, request):
        raise TransitionForbidden(step["permission"])
    source = state_of(obj)
    try:
        wf.transition(obj, request, step["name"])
    except WorkflowError as error:       # a guard refused
        raise TransitionNotAllowed(str(error)) from error
    entry = _record(obj, request, step.get("public", step["name"]), source, actor,
                    reasons=list(reasons), comment=comment)
    notify(ObjectTransitioned(obj, entry), getattr(request, "registry", None))
    notify(ObjectModified(obj), getattr(request, "registry", None))
    return entry


def start(obj, request, name, actor=None, at=None) -> dict:
    """The first entry of a new object's history (a registration filed, an account applied
    for): made in its initial state, from none."""
    return _record(obj, request, name, None, actor, at=at)


def note(obj, request, name, comment="") -> dict:
    """An entry for a change that keeps the state (a staff account's type switched)."""
    return _record(obj, request, name, state_of(obj), None, comment=comment)


def _permitted(step, obj, request) -> bool:
    # A transition without a permission is guarded by its caller (e.g. on another object).
    permission = step.get("permission")
    return request is None or permission is None or bool(request.has_permission(permission, obj))


def _record(obj, request, name, source, actor, reasons=(), comment="", at=None) -> dict:
    entry = {"transition": name, "from": source, "to": state_of(obj),
             "by": actor or _actor(request), "at": at or clock.now(),
             "reasons": list(reasons), "comment": comment}
    proxy_by = _proxy_by(request)
    if proxy_by:                         # 代理模式: both identities, the unit's and the person's
        entry["proxy_by"] = proxy_by
    history = getattr(obj, "history", None)
    if history is None:
        history = obj.history = PersistentList()
    history.append(entry)
    return entry


def _actor(request):
    account = getattr(request, "account", None) if request is not None else None
    return account.login if account is not None else SYSTEM


def _proxy_by(request):
    real = getattr(request, "real_account", None) if request is not None else None
    account = getattr(request, "account", None) if request is not None else None
    if real is not None and account is not None and real.login != account.login:
        return real.login
    return None


def permission_checker(permission, context, request):
    return bool(request.has_permission(permission, context))


# -- the readable tables each workflow module keeps ------------------------------------------------

def title_of(workflow: str, public_name: str) -> str:
    """A transition's title (for the audit log), or its name where the workflow is unknown."""
    return TITLES.get(workflow, {}).get(public_name, public_name)


def state_title(workflow: str, state) -> str:
    """A state's title (for the audit log), or the state itself where unknown."""
    return STATE_TITLES.get(workflow, {}).get(state, state)


def titles(transitions) -> dict[str, str]:
    """Public transition name → title, from rows (name, public name, from, to, permission,
    title); where rows share a public name the first row's title stands."""
    found = {}
    for row in transitions:
        found.setdefault(row[1], row[5])
    return found


def acl_from(state_acl: dict, principals, extra=()) -> list:
    """An ACL from one state's row of a STATE_ACL table ({who: permissions}), then ``extra``
    entries, closed by a deny of everything; ``principals(who)`` names who each ``who`` is."""
    acl = [(Allow, principal, tuple(perms))
           for who, perms in state_acl.items() for principal in principals(who)]
    return acl + list(extra) + [DENY_REST]


DENY_REST = (Deny, Everyone, ALL_PERMISSIONS)
