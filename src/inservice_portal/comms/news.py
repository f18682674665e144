"""最新消息: news by the ministry, the national centre and each region centre (for its
county), written as drafts, published and withdrawn through their workflow, pinned or not,
listed until they expire. The home page shows the national news to everyone, and a centre's
own to those of its region; ``/news/atom.xml`` is their Atom feed.
"""
from functools import cache
from itertools import islice

from feedgen.feed import FeedGenerator
from pyramid.traversal import resource_path

from .. import clock, reference
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from ..resources.news import EDITING_ROLES, NewsItem, ensure_news_room
from ..resources.units import unit_at
from ..workflows import api as workflow_api

LISTED = 6                   # on the home page
SCANNED = 500                # newest published items looked through for a page of one region


class NewsError(Exception):
    """A news action refused (not an editor anywhere, bad dates)."""


def room_of(root):
    """The news room (made by bootstrap and evolve step 35: a page never writes it)."""
    return root["news"]


def publisher_for(root, account):
    """The unit whose news ``account`` writes: its centre (or the national centre) where it
    reviews there; the ministry for the ministry's account; else None."""
    unit = unit_at(root, getattr(account, "unit", None))
    if not (IRegionCentre.providedBy(unit) or IMinistry.providedBy(unit)):
        return None
    return unit if set(unit.roles_of(account.login)) & set(EDITING_ROLES) else None


def region_of(unit) -> str | None:
    """The region centre's code of a news publisher: None for the ministry and the national
    centre, whose news is for everyone."""
    if IRegionCentre.providedBy(unit) and unit.kind != "national":
        return unit.code
    return None


@cache
def regions() -> dict[str, str]:
    """Region centre code → its short name (the national centre's news is everyone's)."""
    return {c["code"]: c["short"] for c in reference.centres() if c["kind"] != "national"}


def reader_region(root, account) -> str | None:
    """The region whose news a reader is shown besides the national news: a teacher's school's
    centre, a staff account's unit's centre; None for a visitor."""
    unit = unit_at(root, getattr(account, "school", None) or getattr(account, "unit", None))
    if IOrganiser.providedBy(unit):
        unit = unit.__parent__
    return region_of(unit) if IRegionCentre.providedBy(unit) else None


def create(root, request, publisher, fields: dict) -> NewsItem:
    _check(fields)
    room = ensure_news_room(root)
    item = NewsItem(resource_path(publisher), request.account.login, clock.now(), **fields)
    room.add(str(room.ids.next()), item)
    workflow_api.start(item, request, "create")
    refile(room, item)
    return item


def edit(item, fields: dict):
    _check(fields)
    item.update(**fields)
    refile(item.__parent__, item)


def transition(item, request, name):
    workflow_api.transition(item, request, name)
    if item.state == "published":
        item.published_at = clock.now()
    refile(item.__parent__, item)


def _check(fields):
    expires = fields.get("expires_on")
    if expires is not None and expires < clock.now().date():
        raise NewsError("下架日期不可早於今天。")


def refile(room, item):
    """Keep the room's order of publication and its pinned set as the item now stands."""
    if item.filed is not None:
        room.published.pop(item.filed, None)
        item.filed = None
    if item.id in room.pinned:
        room.pinned.remove(item.id)
    if item.state == "published":
        item.filed = (item.published_at, item.id)
        room.published[item.filed] = None
        if item.pinned:
            room.pinned.insert(item.id)


def is_current(item, today) -> bool:
    return item.state == "published" and (item.expires_on is None or item.expires_on >= today)


def latest(root, region: str | None, limit: int = LISTED) -> list[NewsItem]:
    """The pinned current items, then the newest current ones, of the nation and ``region``."""
    room = room_of(root)
    today = clock.now().date()

    def shown(item):
        return is_current(item, today) and _region(item) in (None, region)

    pinned = [room[str(id)] for id in room.pinned]
    pinned = sorted((i for i in pinned if shown(i)), key=lambda i: i.published_at, reverse=True)
    rest = (i for i in islice(newest(room), SCANNED) if shown(i) and not i.pinned)
    return pinned + list(islice(rest, max(limit - len(pinned), 0)))


def newest(room):
    """Published items, newest first (lazily: the caller takes what it needs)."""
    for _, id in reversed(room.published.keys()):
        yield room[str(id)]


def _region(item):
    """The item's region, read from its publisher's path (``/centres/<code>``): the lists
    look through many items and need not load each publisher."""
    code = item.publisher.rstrip("/").rpartition("/")[2]
    return code if code in regions() else None


def listing(root, region: str | None = None) -> list[NewsItem]:
    """The current news, newest first: all of it, or the national news and ``region``'s."""
    today = clock.now().date()
    found = [i for i in islice(newest(room_of(root)), SCANNED)
             if is_current(i, today) and (region is None or _region(i) in (None, region))]
    return sorted(found, key=lambda i: not i.pinned)         # (stable: newest first within)


def of_publisher(root, publisher) -> list[NewsItem]:
    """Every item of one publisher, in every state, newest first (its editors' list)."""
    path = resource_path(publisher)
    items = [i for i in room_of(root).values() if i.publisher == path]
    return sorted(items, key=lambda i: i.id, reverse=True)


def atom(request, items, title: str) -> bytes:
    feed = FeedGenerator()
    room = room_of(request.root)
    feed.id(request.resource_url(room, "atom.xml"))
    feed.title(title)
    feed.language("zh-TW")
    feed.link(href=request.resource_url(room), rel="alternate")
    feed.link(href=request.resource_url(room, "atom.xml"), rel="self")
    feed.updated(max((i.published_at for i in items), default=clock.now()))
    for item in reversed(items):            # feedgen prepends: add the oldest first
        entry = feed.add_entry()
        entry.id(request.resource_url(item))
        entry.title(item.title)
        entry.link(href=request.resource_url(item))
        entry.author({"name": item.publisher_title})
        entry.published(item.published_at)
        entry.updated(item.published_at)
        entry.content(item.body, type="text")
    return feed.atom_str(pretty=True)
