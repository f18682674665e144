"""電子報: the national centre composes an issue (text, and links to courses and news),
previews it (a test mail to itself), and sends it to the subscribers as a background job, in
batches that each commit their mail with the count done, so that the job, run again after a
crash, carries on where it stopped and mails no one twice. Every mail carries a one-click
unsubscribe (RFC 8058) that works without logging in; sent issues are archived publicly.
"""
from bisect import bisect_right

from pyramid.threadlocal import get_current_registry

from .. import clock, mail
from ..catalog import find_course
from ..courses.search import CATALOGUE_STATES, FINISHED_STATES
from ..jobs import job
from ..jobs.runner import abandoned, submit
from ..resources.newsletter import NewsletterIssue, ensure_newsletter_room
from ..workflows import api as workflow_api
from . import links, unsubscribe
from .bulk import Bulk

BATCH = 500                  # mails committed at once (and the job's progress)
PUBLIC_COURSES = CATALOGUE_STATES + FINISHED_STATES     # a course an issue may recommend
JOB = "newsletter.send"


class NewsletterError(Exception):
    """An issue refused (a course code or news item that does not exist)."""


def room_of(root):
    return root["newsletter"]


# -- subscribers ---------------------------------------------------------------------------------

def subscribed(root, login: str) -> bool:
    return login in room_of(root).subscribers


def subscribe(root, login: str):
    room_of(root).subscribers[login] = clock.now().date()


def unsubscribe_login(root, login: str) -> bool:
    return room_of(root).subscribers.pop(login, None) is not None


# -- composing -----------------------------------------------------------------------------------

def create(root, request, fields: dict) -> NewsletterIssue:
    _check(root, fields)
    room = ensure_newsletter_room(root)
    issue = NewsletterIssue(request.account.login, clock.now(), **fields)
    room.add(str(room.numbers.next()), issue)
    workflow_api.start(issue, request, "create")
    return issue


def edit(root, issue, fields: dict):
    _check(root, fields)
    issue.update(**fields)


def _check(root, fields):
    missing = [str(code) for code in fields.get("course_codes", ())
               if getattr(find_course(root, code), "state", None) not in PUBLIC_COURSES]
    news = root["news"]
    missing += [f"消息 {id}" for id in fields.get("news_ids", ()) if str(id) not in news
                or news[str(id)].state != "published"]
    if missing:
        raise NewsletterError("找不到（或尚未公開）：" + "、".join(missing))


def compose(registry, root, issue) -> tuple[str, str, str]:
    """The subject of ``issue`` and its text before and after the subscriber's own
    unsubscribe link (the same for all: composed once for a send)."""
    lines = [issue.body.strip()]
    courses = [c for c in (find_course(root, code) for code in issue.course_codes) if c]
    if courses:
        lines += ["", "【推薦研習課程】"]
        lines += [f"・{c.title}（{c.organiser.title}）\n  {links.url(registry, c, '')}"
                  for c in courses]
    news = [root["news"][str(id)] for id in issue.news_ids if str(id) in root["news"]]
    if news:
        lines += ["", "【最新消息】"]
        lines += [f"・{n.title}\n  {links.url(registry, n, '')}" for n in news]
    lines += ["", "線上閱讀與過去各期：" + links.url(registry, room_of(root), ""),
              "不想再收到電子報："]
    subject = f"【全國教師在職進修資訊網電子報】第 {issue.number} 期：{issue.title}"
    return subject, "\n".join(lines), "\n\n全國教師在職進修資訊網"


def personal(registry, root, composed, login: str) -> tuple[str, str]:
    subject, head, tail = composed
    return subject, head + "\n" + unsubscribe.url(registry, root, "newsletter", login) + tail


def send_test(request, issue):
    """預覽: the issue as a subscriber gets it, to the composer only."""
    account = request.account
    composed = compose(request.registry, request.root, issue)
    subject, body = personal(request.registry, request.root, composed, account.login)
    mail.send(request, account.email, "［測試］" + subject, body)


# -- sending -------------------------------------------------------------------------------------

def send(request, issue):
    """Start sending: the issue moves to 寄送中 and a job mails the subscribers."""
    workflow_api.transition(issue, request, "send")
    issue.total = len(room_of(request.root).subscribers)
    _submit(request, issue)


def may_resume(issue, job, settings) -> bool:
    """A send whose job failed, or died with its process, may be started again."""
    return issue.state == "sending" and (job is None or job.state == "failed"
                                         or abandoned(job, settings))


def resume(request, issue):
    """寄送中 no more: the job again, carrying on after the last subscriber it reached."""
    _submit(request, issue)


def _submit(request, issue):
    issue.job_id = submit(request.root, request.registry.settings, JOB,
                          request.account.login, {"number": issue.number}).id


@job(JOB)
def send_job(root, progress, number: int) -> dict:
    """Mail every subscriber, BATCH at a time, in the order of their logins, after the last
    one an earlier run reached (one who subscribed since, before it, waits for the next
    issue; one who left is not mailed; no one is mailed twice)."""
    registry = get_current_registry()
    issue = room_of(root)[str(number)]
    if issue.state == "sent":
        return {"sent": issue.sent}
    logins = sorted(room_of(root).subscribers.keys())
    logins = logins[bisect_right(logins, issue.reached):] if issue.reached else logins
    people = root["people"]
    subject, head, tail = compose(registry, root, issue)
    bulk = Bulk(registry, root._p_jar.transaction_manager, subject,
                head + "\n@@unsubscribe@@\n" + tail,
                {"List-Unsubscribe": "<@@unsubscribe@@>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    total = issue.sent + len(logins)
    for start in range(0, len(logins), BATCH):
        batch = logins[start:start + BATCH]
        for login in batch:
            account = people.get(login)
            if account is None or not account.active or not account.email:
                continue
            bulk.send(account.email,
                      unsubscribe=unsubscribe.url(registry, root, "newsletter", login))
        issue.sent, issue.reached = issue.sent + len(batch), batch[-1]
        progress(issue.sent, total, f"已寄出 {issue.sent} / {total} 封")
        root._p_jar.cacheGC()
    workflow_api.transition(issue, None, "finish", actor=workflow_api.SYSTEM)
    issue.sent_at = clock.now()
    return {"sent": issue.sent}
