"""意見交流: anyone writes to the national centre (the site, accounts) or to a region centre
(its courses and rosters); the question becomes a ticket the centre answers on its page; the
sender follows it through a signed link mailed to them (no account needed), is mailed the
answer, and may write again on the same ticket."""
import secrets

from BTrees.OOBTree import OOBTree

from .. import clock, mail
from ..resources.faq import Ticket
from ..resources.shards import ShardedMap
from ..workflows import api as workflow_api
from . import links, signed
from .faq import CATEGORIES
from .recipients import of_unit

MAX_TEXT = 4000
ANSWERING = ("centre_reviewer", "national_centre")


class ContactError(Exception):
    pass


def ensure_tickets(root):
    if getattr(root, "tickets", None) is None:
        root.tickets = ShardedMap()
        root.ticket_index = OOBTree()


def token(settings, id: str) -> str:
    return signed.token(settings, "ticket", id)


def find(root, settings, id: str, given: str):
    """The ticket ``id`` if ``given`` is its token, else None."""
    found = root.tickets.get(id or "")
    return found if found is not None and signed.valid(settings, "ticket", id, given) else None


def status_url(registry, root, ticket) -> str:
    return links.url(registry, root, "ask-status",
                     query={"id": ticket.id, "t": token(registry.settings, ticket.id)})


def open_ticket(request, centre, fields: dict) -> Ticket:
    if fields["category"] not in CATEGORIES:
        raise ContactError("請選擇問題類別。")
    root = request.root
    account = request.account
    now = clock.now()
    ticket = Ticket(f"{now:%Y%m%d}-{secrets.token_hex(4)}", centre.code, fields["category"],
                    fields["subject"], fields["name"], fields["email"],
                    account.login if account is not None else None, now)
    ticket.thread.append({"by": "sender", "at": now, "text": fields["text"]})
    workflow_api.start(ticket, request, "open")
    root.tickets[ticket.id] = ticket
    root.ticket_index[(centre.code, now, ticket.id)] = 1
    url = status_url(request.registry, root, ticket)
    mail.send(request, ticket.email, f"【全國教師在職進修資訊網】已收到您的問題：{ticket.subject}",
              f"{ticket.name} 您好：\n\n我們已收到您寄給{centre.title}的問題，回覆後會以電子郵件"
              f"通知您。查看處理情形：\n{url}\n\n全國教師在職進修資訊網")
    staff = of_unit(centre, roles=ANSWERING)
    if staff:
        mail.send(request, staff, f"【全國教師在職進修資訊網】意見交流：{ticket.subject}",
                  f"有一則新的意見交流待回覆：\n{links.url(request.registry, centre, 'tickets')}")
    return ticket


def of_centre(root, centre, state: str | None = None) -> list[Ticket]:
    """The centre's tickets, newest first (``state``: only those in it)."""
    keys = root.ticket_index.keys(min=(centre.code,), max=(centre.code + "\uffff",))
    found = [root.tickets.get(id) for _, _, id in reversed(keys)]
    return [t for t in found if t is not None and (state is None or t.state == state)]


def answer(request, centre, ticket, text: str):
    if ticket.centre != centre.code:
        raise ContactError("這則問題不是寄給本中心的。")
    if ticket.state != "open":
        raise ContactError("這則問題已經回覆過了（提問者再提問時會重新列為待回覆）。")
    ticket.thread.append({"by": request.account.login, "at": clock.now(), "text": text})
    workflow_api.transition(ticket, request, "answer")
    mail.send(request, ticket.email, f"【全國教師在職進修資訊網】您的問題已回覆：{ticket.subject}",
              f"{ticket.name} 您好：\n\n{centre.title}的回覆：\n\n{text}\n\n"
              f"查看全文或再提出問題：\n{status_url(request.registry, request.root, ticket)}\n\n"
              "全國教師在職進修資訊網")


def follow_up(request, ticket, text: str):
    """The sender writes again: an answered ticket is open once more."""
    ticket.thread.append({"by": "sender", "at": clock.now(), "text": text})
    if ticket.state == "answered":
        workflow_api.transition(ticket, request, "follow_up")
