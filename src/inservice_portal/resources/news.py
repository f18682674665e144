"""最新消息: ``/news/<id>``, the items the ministry, the national centre and each region centre
publish. An item belongs to its publisher, a unit (``publisher``: its path); whoever reviews
at that unit edits it (``__local_roles__`` are the unit's, as if the item were held there).

The room keeps the published items in order of publication (``published``) and the pinned
ones apart (``pinned``), so that the home page reads the newest few, never every item.
"""
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent
from pyramid.traversal import find_resource, find_root
from zope.interface import implementer

from ..workflows import news as news_workflow
from .counters import Counter
from .folder import Folder
from .interfaces import INewsItem, INewsRoom

EDITOR = news_workflow.EDITOR
# the roles that review at a unit, and so edit its news (001: the centres and the national centre)
EDITING_ROLES = ("ministry_admin", "national_centre", "centre_reviewer")


@implementer(INewsRoom)
class NewsRoom(Folder):
    title = "最新消息"

    def __init__(self):
        super().__init__()
        self.ids = Counter()
        self.published = OOBTree()        # (published_at, id) → None, oldest first
        self.pinned = OOTreeSet()         # ids of pinned items


class NewsRoles:
    """An item's ``__local_roles__``: EDITOR for who holds a reviewing role at its publisher."""

    def __init__(self, item):
        self.item = item

    def get(self, login, default=()):
        unit = self.item.publisher_unit()
        held = unit.roles_of(login) if unit is not None else ()
        return (EDITOR,) if set(held) & set(EDITING_ROLES) else default


@implementer(INewsItem)
class NewsItem(Persistent):
    content_type = "news"
    workflow_type = "news"
    __name__ = None
    __parent__ = None
    state = "draft"
    history = None
    published_at = None
    filed = None                       # its key in the room's ``published``, while published
    FIELDS = {"title": "", "body": "", "expires_on": None, "pinned": False}

    def __init__(self, publisher: str, created_by: str, created_at, **fields):
        self.publisher = publisher
        self.created_by = created_by
        self.created_at = created_at
        self.attachments = OOBTree()
        self.update(**{**self.FIELDS, **fields})

    def update(self, **fields):
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown news fields: {sorted(unknown)}")
        for name, value in fields.items():
            setattr(self, name, value)

    @property
    def id(self) -> int:
        return int(self.__name__)

    def publisher_unit(self):
        try:
            return find_resource(find_root(self), self.publisher)
        except (KeyError, AttributeError):
            return None

    @property
    def publisher_title(self) -> str:
        unit = self.publisher_unit()
        return unit.title if unit is not None else ""

    @property
    def __local_roles__(self):
        return NewsRoles(self)

    @property
    def __acl__(self):
        return news_workflow.acl_for(self.state)


def ensure_news_room(root):
    if "news" not in root:
        root.add("news", NewsRoom(), send_events=False)
    return root["news"]
