"""The workflow of an e-newsletter issue (電子報).

    draft ──send──▶ sending ──finish (the sending job)──▶ sent

A draft is the composers' (the national centre, the ministry); an issue being sent or sent
is public, in the archive.
"""
from pyramid.authorization import Everyone

from ..permissions import VIEW, role_principal
from ..resources.interfaces import INewsletterIssue
from . import api

STATES = {"draft": "草稿", "sending": "寄送中", "sent": "已寄出"}
MANAGE = "newsletter.manage"
# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("send", "send", "draft", "sending", MANAGE, "寄送"),
    ("finish", "finish", "sending", "sent", None, "寄送完成"),
]
TITLES = api.titles(TRANSITIONS)

COMPOSERS = ("group:national_centre", role_principal("ministry_admin"))
PUBLIC = "public"
STATE_ACL = {
    "draft":   {COMPOSERS: (VIEW, MANAGE)},
    "sending": {PUBLIC: (VIEW,), COMPOSERS: (VIEW, MANAGE)},      # (resume a stopped send)
    "sent":    {PUBLIC: (VIEW,), COMPOSERS: (VIEW,)},
}


def _principals(who) -> list:
    return [Everyone] if who == PUBLIC else list(who)


def acl_for(state: str) -> list:
    return api.acl_from(STATE_ACL[state], _principals)


def make_workflow():
    return api.build("newsletter", STATES, TRANSITIONS, "draft", api.permission_checker)


def includeme(config):
    api.register(config, make_workflow(), INewsletterIssue, "newsletter")
