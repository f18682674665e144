"""問答集 (``/faq``): entries by category, kept by the national centre and the ministry; and
意見交流's tickets (``root.tickets``: the questions people send, sharded by id, and
``root.ticket_index``: (centre, sent at, id) for each centre's list)."""
from persistent import Persistent
from persistent.list import PersistentList
from pyramid.authorization import Allow, Everyone
from zope.interface import implementer

from ..permissions import VIEW, role_principal
from .counters import Counter
from .folder import Folder
from .interfaces import IFaq, ITicket

FAQ_MANAGE = "faq.manage"


@implementer(IFaq)
class Faq(Folder):
    title = "問答集"
    __acl__ = [(Allow, Everyone, VIEW),
               (Allow, "group:national_centre", FAQ_MANAGE),
               (Allow, role_principal("ministry_admin"), FAQ_MANAGE)]

    def __init__(self):
        super().__init__()
        self.ids = Counter()


class FaqEntry(Persistent):
    def __init__(self, category: str, question: str, answer: str, order: int = 0):
        self.category = category
        self.question = question
        self.answer = answer
        self.order = order


@implementer(ITicket)
class Ticket(Persistent):
    """A question from anyone (logged in or not) to the national centre or a region centre
    (``centre``: its code): the thread of messages, and its state (workflows/ticket.py). Not
    in the tree: the centre's page lists and answers its own, the sender reads it through the
    signed link mailed to them."""

    workflow_type = "ticket"
    state = "open"
    history = None
    __name__ = None
    __parent__ = None

    def __init__(self, id: str, centre: str, category: str, subject: str, name: str,
                 email: str, login: str | None, created_at):
        self.id = id
        self.centre = centre
        self.category = category
        self.subject = subject
        self.name = name
        self.email = email
        self.login = login
        self.created_at = created_at
        self.thread = PersistentList()         # {"by": "sender" | login, "at", "text"}

    @property
    def title(self) -> str:                    # (the audit log's title of the object)
        return self.subject
