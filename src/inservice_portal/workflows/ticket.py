"""The workflow of an 意見交流 ticket.

    open ──answer──▶ answered ──follow_up (the sender writes again)──▶ open

No permission on the transitions: a ticket is not in the tree, and its callers guard it (the
centre's page, permission course.review on that centre; the sender's signed link).
"""
from ..resources.interfaces import ITicket
from . import api

STATES = {"open": "待回覆", "answered": "已回覆"}
# (internal name, public name, from, to, permission, title)
TRANSITIONS = [
    ("answer", "answer", "open", "answered", None, "回覆"),
    ("follow_up", "follow_up", "answered", "open", None, "提出後續問題"),
]
TITLES = api.titles(TRANSITIONS)


def make_workflow():
    return api.build("ticket", STATES, TRANSITIONS, "open", api.permission_checker)


def includeme(config):
    api.register(config, make_workflow(), ITicket, "ticket")
