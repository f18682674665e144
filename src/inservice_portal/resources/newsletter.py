"""電子報: ``/newsletter/<number>``, the issues the national centre composes and sends, and
the accounts that receive them (``subscribers``: login → the day they subscribed; sharded,
as many teachers subscribe at once)."""
from persistent import Persistent
from pyramid.authorization import Allow, Everyone
from zope.interface import implementer

from ..permissions import VIEW, role_principal
from ..workflows import newsletter as newsletter_workflow
from .counters import Counter
from .folder import Folder
from .interfaces import INewsletterIssue, INewsletterRoom
from .shards import ShardedMap

MANAGE = newsletter_workflow.MANAGE


@implementer(INewsletterRoom)
class NewsletterRoom(Folder):
    title = "電子報"
    __acl__ = [(Allow, Everyone, VIEW),
               (Allow, "group:national_centre", MANAGE),
               (Allow, role_principal("ministry_admin"), MANAGE)]

    def __init__(self):
        super().__init__()
        self.numbers = Counter()
        self.subscribers = ShardedMap()


@implementer(INewsletterIssue)
class NewsletterIssue(Persistent):
    content_type = "newsletter"
    workflow_type = "newsletter"
    __name__ = None
    __parent__ = None
    state = "draft"
    history = None
    sent = 0                    # recipients done so far
    reached = None              # the last subscriber's login done (the job resumes after it)
    total = None                # recipients when sending began
    job_id = None
    sent_at = None
    FIELDS = {"title": "", "body": "", "course_codes": (), "news_ids": ()}

    def __init__(self, created_by: str, created_at, **fields):
        self.created_by = created_by
        self.created_at = created_at
        self.update(**{**self.FIELDS, **fields})

    def update(self, **fields):
        unknown = set(fields) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"unknown newsletter fields: {sorted(unknown)}")
        for name, value in fields.items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)

    @property
    def number(self) -> int:
        return int(self.__name__)

    @property
    def __acl__(self):
        return newsletter_workflow.acl_for(self.state)


def ensure_newsletter_room(root):
    if "newsletter" not in root:
        root.add("newsletter", NewsletterRoom(), send_events=False)
    return root["newsletter"]


