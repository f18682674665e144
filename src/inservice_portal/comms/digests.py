"""The morning's digests (``inservice-portal CONFIG digests``, daily by cron):

- each region centre's reviewers get what waits for them (課程待審、研習名單待確認), unless
  they turned digests off;
- each teacher with 研習資訊訂閱 gets one mail of the courses published since its last
  digest that match any of its subscriptions, with a one-click unsubscribe;
- attendees who have not answered a 回饋問卷 a week after it opened are reminded, once.

The days run are kept (``root.digest_days``): a second run the same day sends nothing, and
a run after a missed day covers it too.
"""
from datetime import date, timedelta

from .. import mail
from ..catalog.query_plan import Range, intersect
from ..courses.worklist import centre_courses
from ..workflows.course import REVIEWER
from . import feedback, links, subscriptions, unsubscribe
from .recipients import of_unit

WAITING = {"pending": "待審核的課程", "roster_pending": "待確認的研習名單"}
LISTED = 20                      # courses named in a digest; the rest are counted
SWEEP_EVERY = 1000             # subscriptions read between two sweeps of the cache


def send_all(root, registry, today: date) -> dict:
    """Send the day's digests (when the transaction commits); what was sent, counted."""
    sent = {"reviewers": 0, "teachers": 0, "feedback": 0}
    runs = root.digest_days
    if today in runs:
        return sent
    earlier = list(runs.keys(max=today, excludemax=True))
    sent["reviewers"] = send_reviewer_digests(root, registry)
    sent["teachers"] = send_subscription_digests(root, registry, earlier[-1] if earlier else None,
                                                 today)
    sent["feedback"] = feedback.remind(root, registry, today)
    runs[today] = sent["teachers"]
    return sent


# -- reviewers ---------------------------------------------------------------------------------

def send_reviewer_digests(root, registry) -> int:
    count = 0
    for centre in root["centres"].values():
        waiting = {state: sorted(centre_courses(centre, (state,)), key=lambda c: c.code)
                   for state in WAITING}
        if not any(waiting.values()):
            continue
        to = of_unit(centre, roles=REVIEWER, digest=True)
        if to:
            mail.send(mail.joined(registry, root), to,
                      f"【全國教師在職進修資訊網】{centre.title}待辦摘要",
                      reviewer_body(registry, centre, waiting))
            count += 1
    return count


def reviewer_body(registry, centre, waiting) -> str:
    lines = [f"{centre.title} 審核人員您好：", "", "目前等候您處理的事項如下："]
    for state, courses in waiting.items():
        if not courses:
            continue
        lines += ["", f"{WAITING[state]}：{len(courses)} 件"]
        lines += [f"・{c.code}　{c.title}（{c.organiser.title}）" for c in courses[:LISTED]]
        if len(courses) > LISTED:
            lines.append(f"・……另有 {len(courses) - LISTED} 件")
    lines += ["", "前往研習課程資料確認：", links.url(registry, centre, "worklist"), "",
              "不想每天收到這封摘要，可在「我的帳號」的通知設定關閉（退回等通知信不受影響）。",
              "全國教師在職進修資訊網"]
    return "\n".join(lines)


# -- teachers' subscriptions -----------------------------------------------------------------

def send_subscription_digests(root, registry, last_run: date | None, today: date) -> int:
    """One mail per teacher, of what was published from the day of the last run (which it
    did not cover) to yesterday; a subscription made since counts from the day it was made.
    Nothing is written per subscription, and a day that published nothing reads none."""
    until = today - timedelta(days=1)
    since = last_run if last_run is not None else until
    published = Range(root.catalog["published_on"], since.toordinal(), until.toordinal())
    if since > until or not intersect([published]):
        return 0
    by_login: dict = {}
    for done, subscription in enumerate(root.subscriptions.values(), 1):
        start = max(since, subscription.created.date())
        courses = subscriptions.new_courses(root, subscription, start, until) \
            if start <= until else []
        if courses:
            by_login.setdefault(subscription.login, []).append((subscription, courses))
        if done % SWEEP_EVERY == 0:              # 200,000 of them: memory stays flat
            root._p_jar.cacheGC()
    people = root["people"]
    sent = 0
    for login, found in by_login.items():
        teacher = people.get(login)
        if teacher is None or not teacher.active or not teacher.email:
            continue
        mail.send(mail.joined(registry, root), teacher.email, subject(found),
                  teacher_body(registry, root, teacher, found),
                  headers=unsubscribe.headers(registry, root, "subscriptions", login))
        sent += 1
    return sent


def subject(found) -> str:
    total = len({c.code for _, courses in found for c in courses})
    return f"【全國教師在職進修資訊網】研習資訊訂閱：{total} 門新課程"


def teacher_body(registry, root, teacher, found) -> str:
    lines = [f"{teacher.name} 老師您好：", "", "依您訂閱的條件，昨天起新公告的研習課程如下："]
    for subscription, courses in found:
        lines += ["", f"【{subscriptions.describe(subscription.criteria)}】"]
        for course in courses[:LISTED]:
            starts = course.starts_on.isoformat() if course.starts_on else ""
            lines += [f"・{course.title}（{course.organiser.title}，{starts}）",
                      f"  {links.url(registry, course, '')}"]
        if len(courses) > LISTED:
            lines.append(f"・……另有 {len(courses) - LISTED} 門，請至網站查詢")
        stop = unsubscribe.url(registry, root, "subscription", subscription.id)
        lines.append(f"不再收到這一項：{stop}")
    lines += ["", "管理訂閱條件：", links.url(registry, teacher, "subscriptions"),
              "取消全部訂閱：" + unsubscribe.url(registry, root, "subscriptions", teacher.login),
              "", "全國教師在職進修資訊網"]
    return "\n".join(lines)
