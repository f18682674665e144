"""The workflow of a shared item (資源分享區: handouts, lecturers, venues).

    private ──share──▶ shared ──withdraw──▶ withdrawn ──share(reshare)──▶ shared
                         │ take_down (centre, with a reason)
                         ▼
                     taken_down ──restore (centre)──▶ shared
                         └──revise (owner)──▶ private

Only ``shared`` items are public. The owner unit edits in every state; the centre that reviews
the owner's courses moderates: it takes a shared item down with a reason the owner sees, and
may restore it. ``STATE_ACL`` names the derived roles of resources/sharing.py only.
"""
from pyramid.authorization import Everyone

from ..permissions import VIEW, role_principal
from . import api
from ..resources.interfaces import ISharedItem

STATES = {
    "private": "未分享（僅本單位可見）",
    "shared": "已分享",
    "withdrawn": "已撤回分享",
    "taken_down": "已由中心下架",
}

# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("share", "share", "private", "shared", "sharing.edit", "分享"),
    ("reshare", "share", "withdrawn", "shared", "sharing.edit", "重新分享"),
    ("withdraw", "withdraw", "shared", "withdrawn", "sharing.edit", "撤回分享"),
    ("take_down", "take_down", "shared", "taken_down", "sharing.moderate", "下架（中心）"),
    ("restore", "restore", "taken_down", "shared", "sharing.moderate", "恢復分享（中心）"),
    ("revise", "revise", "taken_down", "private", "sharing.edit", "修正後改回未分享"),
]
TITLES = api.titles(TRANSITIONS)

OWNER = "sharing_owner"              # resources/sharing.py derives these two roles
MODERATOR = "sharing_moderator"
STAFF = "group:staff"                # every staff account (security.account_groups)
PUBLIC = "public"

EDIT = "sharing.edit"
MODERATE = "sharing.moderate"
CONTACT = "sharing.contact"          # a recommended lecturer's contact data (with consent)
HISTORY = "sharing.history"

INSIDE = (VIEW, CONTACT, HISTORY)
STATE_ACL = {
    # state:        {who: permissions}
    "private":    {OWNER: INSIDE + (EDIT,), MODERATOR: INSIDE},
    "shared":     {PUBLIC: (VIEW,), STAFF: (CONTACT,), OWNER: INSIDE + (EDIT,),
                   MODERATOR: INSIDE + (MODERATE,)},
    "withdrawn":  {OWNER: INSIDE + (EDIT,), MODERATOR: INSIDE},
    "taken_down": {OWNER: INSIDE + (EDIT,), MODERATOR: INSIDE + (MODERATE,)},
}


def _principals(who) -> list:
    return [Everyone if who == PUBLIC else who if who.startswith("group:") else role_principal(who)]


def acl_for(state: str) -> list:
    return api.acl_from(STATE_ACL[state], _principals)


class ReasonRequired(api.TransitionNotAllowed):
    """A take-down without a reason (→ 422)."""


def transition(item, request, name, comment=""):
    """The one way to move a shared item: a take-down needs the centre's reason."""
    comment = (comment or "").strip()
    if name == "take_down" and not comment:
        raise ReasonRequired("下架時請說明原因，分享單位會看到這段說明。")
    return api.transition(item, request, name, comment=comment[:1000])


def last_take_down(item) -> dict | None:
    """The most recent take-down entry while the item is down (its reason, for the owner)."""
    if item.state != "taken_down":
        return None
    return next((e for e in reversed(item.history or ()) if e["transition"] == "take_down"),
                None)


def make_workflow():
    return api.build("sharing", STATES, TRANSITIONS, "private", api.permission_checker)


def includeme(config):
    api.register(config, make_workflow(), ISharedItem, "sharing")
