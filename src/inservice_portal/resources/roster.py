"""研習名單 and 線上報到: who attended each session of a course, stored in the course.

``course.roster`` (a ``Roster``) holds one ``RosterEntry`` per teacher login with one mark per
session in schedule order; ``course.checkins`` (a ``CheckIns``) the on-line check-ins, keyed
(session index, login). Both are created on first write: older courses have neither.
"""
from dataclasses import dataclass

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.list import PersistentList


@dataclass(frozen=True)
class RosterEntry:
    """One teacher's line: ``attendance`` is one of present / leave / absent per session;
    ``source`` says where the line came from (registration, checkin, walk_in, upload, api)."""
    login: str
    attendance: tuple
    source: str = "registration"


class Roster(Persistent):
    def __init__(self):
        self.entries = OOBTree()       # login → RosterEntry
        self.saved_by = None
        self.saved_at = None

    def replace(self, entries, by, at):
        """The roster becomes exactly ``entries`` (one save of the page or the API)."""
        wanted = {entry.login: entry for entry in entries}
        for login in [k for k in self.entries.keys() if k not in wanted]:
            del self.entries[login]
        for login, entry in wanted.items():
            if self.entries.get(login) != entry:
                self.entries[login] = entry
        self.saved_by, self.saved_at = by, at


class CheckIns(Persistent):
    """Check-ins by session: BTree keys (session index, login) → instant. Many teachers check in
    at once: distinct keys in a BTree and a ``Length`` per session resolve their conflicts."""

    def __init__(self, sessions: int):
        self.data = OOBTree()
        self.counts = PersistentList(Length() for _ in range(sessions))

    def add(self, index: int, login: str, at) -> bool:
        if (index, login) in self.data:
            return False
        self.data[(index, login)] = at
        self.counts[index].change(1)
        return True

    def count(self, index: int) -> int:
        return self.counts[index]() if index < len(self.counts) else 0

    def logins(self, index: int) -> set[str]:
        return {login for _, login in self.data.keys(min=(index, ""), max=(index, "\U0010ffff"))}

    def sessions_of(self, login: str) -> set[int]:
        return {index for index in range(len(self.counts)) if (index, login) in self.data}
