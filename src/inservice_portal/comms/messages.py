"""線上短訊: an organiser writes to everyone registered for one of its courses (a change of
room), a region centre to the staff of its units. Each message lands in each recipient's
inbox in the portal (read or unread) and is mailed to each, one mail apiece: no recipient sees
another's address. There is no messaging between teachers, nor a reply: the sender's contact
is given instead.
"""
import secrets

from pyramid.threadlocal import get_current_registry
from pyramid.traversal import find_resource, resource_path

from .. import clock, mail
from ..jobs import job
from ..jobs.runner import submit
from ..resources.messages import Inbox, Message
from ..resources.shards import ShardedMap
from . import links

REACHED = ("applied", "accepted", "waitlisted")    # registrations a course message reaches
MAX_BODY = 4000
IN_REQUEST = 200             # recipients delivered in the request; beyond, a job does it
BATCH = 200
JOB = "messages.deliver"


class MessageError(Exception):
    """A message refused (nobody to send it to)."""


def ensure_messages(root):
    if getattr(root, "messages", None) is None:
        root.messages = ShardedMap()
    if getattr(root, "inboxes", None) is None:
        root.inboxes = ShardedMap()          # login → Inbox: a send writes no account


def inbox_of(root, login: str, create=False):
    inbox = root.inboxes.get(login)
    if inbox is None and create:
        inbox = root.inboxes[login] = Inbox()
    return inbox


def unread(root, account) -> int:
    inbox = inbox_of(root, account.login)
    return inbox.unread() if inbox is not None else 0


def course_recipients(course) -> list[str]:
    registrations = getattr(course, "registrations", None)
    if registrations is None:
        return []
    return [login for state in REACHED for login in registrations.logins_in(state)]


def unit_recipients(centre) -> list[str]:
    """The active staff of every organiser the centre reviews."""
    logins = []
    for organiser in centre.values():
        logins += list(organiser.__local_roles__.keys())
    return list(dict.fromkeys(logins))


def send(request, sender_unit, logins, subject: str, body: str, about=None) -> Message:
    """Keep the message and deliver it: in the request to a course's registrants, in a
    background job beyond IN_REQUEST recipients (a centre's units: each inbox written is a
    chance to conflict with its owner reading, and the whole send would run again)."""
    root = request.root
    people = root["people"]
    accounts = [a for a in (people.get(login) for login in logins) if a is not None and a.active]
    if not accounts:
        raise MessageError("目前沒有可收訊的對象。")
    now = clock.now()
    message = Message(f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}", resource_path(sender_unit),
                      request.account.login, subject, body, now,
                      about=resource_path(about) if about is not None else None,
                      recipients=len(accounts))
    root.messages[message.id] = message
    recipients = [a.login for a in accounts]
    if len(recipients) <= IN_REQUEST:
        deliver(root, request.registry, message, recipients)
    else:
        message.job_id = submit(root, request.registry.settings, JOB, request.account.login,
                                {"id": message.id, "logins": recipients}).id
    return message


def deliver(root, registry, message, logins):
    """Into each inbox, and by mail, one apiece."""
    sender_unit = find_resource(root, message.sender_unit)
    about = find_resource(root, message.about) if message.about else None
    text = mail_body(registry, root, sender_unit, message, about)
    people = root["people"]
    for login in logins:
        inbox_of(root, login, create=True).deliver(message.id)
        account = people.get(login)
        if account is not None and account.email:
            mail.send(mail.joined(registry, root), account.email,
                      f"【全國教師在職進修資訊網】{message.subject}", text)


@job(JOB)
def deliver_job(root, progress, id: str, logins: list) -> dict:
    """A message to many, delivered BATCH at a time (idempotent: an inbox holds an id once,
    and a batch's mail commits with it; a run again after a crash re-sends the last batch's
    mail at most)."""
    message = root.messages[id]
    start = getattr(message, "delivered", 0)
    for begin in range(start, len(logins), BATCH):
        deliver(root, get_current_registry(), message, logins[begin:begin + BATCH])
        message.delivered = min(begin + BATCH, len(logins))
        progress(message.delivered, len(logins), f"已送達 {message.delivered} / {len(logins)} 位")
    return {"delivered": len(logins)}


def mail_body(registry, root, sender_unit, message, about) -> str:
    lines = [f"寄件單位：{sender_unit.title}"]
    if about is not None:
        lines.append(f"相關課程：{about.title}（課程代碼 {about.code}）")
    lines += ["", message.body, "", "此訊息亦保存於網站的「我的訊息」：",
              links.url(registry, root, "messages"), "",
              "此信由系統自動寄出，請勿直接回覆；如有疑問請洽寄件單位。", "全國教師在職進修資訊網"]
    return "\n".join(lines)


def received(root, account, limit=100) -> list[tuple]:
    """(message, read, sender unit title) of the account's inbox, newest first."""
    inbox = inbox_of(root, account.login)
    if inbox is None:
        return []
    found = []
    for id, read in inbox.newest():
        message = root.messages.get(id)
        if message is not None:
            found.append((message, read, _title(root, message.sender_unit)))
        if len(found) >= limit:
            break
    return found


def _title(root, path):
    try:
        return find_resource(root, path).title
    except KeyError:
        return ""


def mark_read(root, account, id: str) -> bool:
    inbox = inbox_of(root, account.login)
    return inbox is not None and inbox.mark_read(id)


def mark_all_read(root, account) -> int:
    inbox = inbox_of(root, account.login)
    if inbox is None:
        return 0
    return sum(inbox.mark_read(id) for id, read in list(inbox.entries.items()) if not read)
