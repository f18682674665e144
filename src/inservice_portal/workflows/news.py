"""The workflow of a news item (最新消息).

    draft ──publish──▶ published ──withdraw──▶ withdrawn ──publish(republish)──▶ published

Only published items are public (an expired one stays readable, unlisted). The publisher's
reviewers (resources/news.py derives their EDITOR role) and the ministry edit in every state.
"""
from pyramid.authorization import Everyone

from ..permissions import VIEW, role_principal
from ..resources.interfaces import INewsItem
from . import api

STATES = {"draft": "草稿", "published": "已發布", "withdrawn": "已下架"}

MANAGE = "news.manage"
# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("publish", "publish", "draft", "published", MANAGE, "發布"),
    ("republish", "publish", "withdrawn", "published", MANAGE, "重新發布"),
    ("withdraw", "withdraw", "published", "withdrawn", MANAGE, "下架"),
]
TITLES = api.titles(TRANSITIONS)

EDITOR = "news_editor"
MINISTRY = "ministry_admin"
PUBLIC = "public"
INSIDE = (VIEW, MANAGE)
STATE_ACL = {
    "draft":     {(EDITOR, MINISTRY): INSIDE},
    "published": {PUBLIC: (VIEW,), (EDITOR, MINISTRY): INSIDE},
    "withdrawn": {(EDITOR, MINISTRY): INSIDE},
}


def _principals(who) -> list:
    return [Everyone] if who == PUBLIC else [role_principal(r) for r in who]


def acl_for(state: str) -> list:
    return api.acl_from(STATE_ACL[state], _principals)


def make_workflow():
    return api.build("news", STATES, TRANSITIONS, "draft", api.permission_checker)


def includeme(config):
    api.register(config, make_workflow(), INewsItem, "news")
