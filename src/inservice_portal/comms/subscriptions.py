"""研習資訊訂閱 (002 Art. 5; 000 says teachers keep some 200,000 of them): a teacher saves a
search — 縣市、教育階段、進修範疇、課程細項、關鍵字、實施方式 — and is mailed the courses
published since that match it (digests.py). A subscription is matched by asking the catalog
for its criteria and a publication day, never by reading courses.

Subscriptions live in ``root.subscriptions`` (sharded: many teachers save at once), and each
teacher keeps the ids of its own, so its page never looks through the others.
"""
import secrets
from datetime import date

from persistent import Persistent

from .. import clock
from ..catalog import resolve_path
from ..catalog.query_plan import Range, intersect
from ..courses.search import clauses, parse_criteria
from ..resources.shards import ShardedMap
from ..vocabularies import delivery_modes, scopes, stages

FIELDS = ("county", "stage", "scope", "sub_item", "q", "delivery")
MAX_PER_TEACHER = 20


class SubscriptionError(Exception):
    """A subscription refused (bad criteria, too many, none at all)."""


class Subscription(Persistent):
    def __init__(self, id: str, login: str, criteria: dict, created):
        self.id = id
        self.login = login
        self.criteria = dict(criteria)
        self.created = created


def ensure_subscriptions(root):
    if getattr(root, "subscriptions", None) is None:
        root.subscriptions = ShardedMap()


def check(values: dict) -> dict:
    """The criteria a subscription keeps, checked as the search checks them (same messages);
    raises SubscriptionError naming what is wrong."""
    criteria = {name: (values.get(name) or "").strip() for name in FIELDS}
    criteria = {name: value for name, value in criteria.items() if value}
    if not criteria:
        raise SubscriptionError("請至少選擇一項訂閱條件，否則每天會收到全國所有新課程。")
    _, errors = parse_criteria(criteria)
    if errors:
        raise SubscriptionError("；".join(errors.values()))
    return criteria


def of_teacher(root, teacher) -> list[Subscription]:
    found = (root.subscriptions.get(id) for id in getattr(teacher, "subscriptions", ()) or ())
    return [s for s in found if s is not None]


def add(root, teacher, values: dict) -> Subscription:
    criteria = check(values)
    mine = of_teacher(root, teacher)
    if any(s.criteria == criteria for s in mine):
        raise SubscriptionError("已經訂閱過相同條件。")
    if len(mine) >= MAX_PER_TEACHER:
        raise SubscriptionError(f"訂閱條件最多 {MAX_PER_TEACHER} 組，請先刪除不需要的。")
    subscription = Subscription(secrets.token_urlsafe(12), teacher.login, criteria, clock.now())
    root.subscriptions[subscription.id] = subscription
    teacher.subscriptions = tuple(getattr(teacher, "subscriptions", ()) or ()) + (subscription.id,)
    return subscription


def remove(root, teacher, id: str) -> bool:
    """Stop one subscription of ``teacher``'s (another's id is not found)."""
    ids = tuple(getattr(teacher, "subscriptions", ()) or ())
    if id not in ids:
        return False
    teacher.subscriptions = tuple(i for i in ids if i != id)
    root.subscriptions.pop(id, None)
    return True


def remove_all(root, teacher) -> int:
    ids = tuple(getattr(teacher, "subscriptions", ()) or ())
    for id in ids:
        root.subscriptions.pop(id, None)
    teacher.subscriptions = ()
    return len(ids)


def describe(criteria: dict) -> str:
    """A subscription in words: 「臺北市・國小・進修範疇 課程與教學・關鍵字「閱讀」」."""
    words = []
    if criteria.get("county"):
        words.append(criteria["county"])
    if criteria.get("stage"):
        words.append(stages().get(criteria["stage"], criteria["stage"]))
    if criteria.get("scope"):
        words.append("進修範疇 " + scopes().get(criteria["scope"], criteria["scope"]))
    if criteria.get("sub_item"):
        words.append("課程細項 " + criteria["sub_item"])
    if criteria.get("delivery"):
        words.append(delivery_modes().get(criteria["delivery"], criteria["delivery"]))
    if criteria.get("q"):
        words.append(f"關鍵字「{criteria['q']}」")
    return "・".join(words)


def new_courses(root, subscription, since: date, until: date) -> list:
    """The published courses matching ``subscription`` that were published ``since`` …
    ``until`` (both included), by course code."""
    criteria, errors = parse_criteria(subscription.criteria)
    if errors:           # a vocabulary changed since it was saved: matching less would mislead
        return []
    found = clauses(root, criteria, until)
    found.append(Range(root.catalog["published_on"], since.toordinal(), until.toordinal()))
    path_for = root.objectmap.path_for
    courses = [resolve_path(root, path_for(docid)) for docid in intersect(found)]
    return sorted((c for c in courses if c is not None), key=lambda c: c.code)
