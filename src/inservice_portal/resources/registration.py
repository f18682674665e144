"""線上報名: a teacher's registration for a course, kept in ``course.registrations[login]``.

``Registrations`` is the course's BTree folder of them, keyed by login, plus an order index
``(state, seq) → login`` that answers "how many accepted", "who is first on the waitlist" and
"what is my waitlist position" with a range scan instead of loading every registration. Both
are written only by the registration service, under the course's lock (registrations.py).
"""
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zope.interface import implementer

from ..workflows import registration as registration_workflow
from .folder import Folder
from .interfaces import IRegistration

STATES = tuple(registration_workflow.STATES)
ACTIVE = ("applied", "accepted", "waitlisted")   # states that hold a place or a claim


@implementer(IRegistration)
class Registration(Persistent):
    content_type = "registration"
    workflow_type = "registration"
    __name__ = None
    __parent__ = None

    def __init__(self, login: str, seq: int, created_at, state: str = "applied"):
        self.login = login
        self.seq = seq                # registration order within the course (first come …)
        self.created_at = created_at
        self.state = state
        self.history = None

    @property
    def course(self):
        return self.__parent__.__parent__ if self.__parent__ is not None else None

    @property
    def position(self) -> int | None:
        """候補順位: 1 for the first waitlisted teacher; None unless waitlisted."""
        if self.state != "waitlisted" or self.__parent__ is None:
            return None
        return self.__parent__.rank("waitlisted", self.seq)

    @property
    def __acl__(self):
        return registration_workflow.acl_for(self.state, self.login)


class Registrations(Folder):
    """The registrations of one course (``course.registrations``), keyed by login."""

    __name__ = "registrations"
    title = "線上報名"

    def __init__(self):
        super().__init__()
        self.last_seq = 0
        self.order = OOBTree()        # (state, seq) → login

    @property
    def __acl__(self):
        return []                     # the course's ACL decides (inherited)

    def next_seq(self) -> int:
        self.last_seq += 1
        return self.last_seq

    def logins_in(self, state: str) -> list[str]:
        """Logins in ``state``, in registration order."""
        return list(self.order.values(min=(state, 0), max=(state, float("inf"))))

    def count(self, state: str) -> int:
        return len(self.order.keys(min=(state, 0), max=(state, float("inf"))))

    def rank(self, state: str, seq: int) -> int:
        return len(self.order.keys(min=(state, 0), max=(state, seq)))

    def file(self, registration, old_state=None):
        """Keep the order index in step with a registration's (new) state and seq."""
        if old_state is not None:
            self.order.pop((old_state, registration.seq), None)
        self.order[(registration.state, registration.seq)] = registration.login
