"""專案屬性標籤 (000 附件十 item 3-2): the ministry's list, kept by the ministry's account.

A tag is added, retired or restored, never deleted: a retired tag stays on the courses that
carry it (and on their edits), and only active tags may be given to a course anew.
"""
from BTrees.OOBTree import OOBTree
from persistent import Persistent

from .. import clock


class ProjectTags(Persistent):
    def __init__(self, names=(), by="system"):
        self.entries = OOBTree()     # name → {"active", "added_by", "added_at", "retired_at"}
        for name in names:
            self.add(name, by)

    def add(self, name: str, by: str):
        """A new tag, or a retired one made active again."""
        entry = self.entries.get(name)
        if entry is None:
            self.entries[name] = {"active": True, "added_by": by, "added_at": clock.now(),
                                  "retired_at": None}
        elif not entry["active"]:
            self.entries[name] = dict(entry, active=True, retired_at=None)

    def retire(self, name: str):
        entry = self.entries.get(name)
        if entry is not None and entry["active"]:
            self.entries[name] = dict(entry, active=False, retired_at=clock.now())

    def active(self) -> list[str]:
        return [name for name, entry in self.entries.items() if entry["active"]]

    def rows(self) -> list[tuple[str, dict]]:
        return list(self.entries.items())


def tags_of(root) -> ProjectTags | None:
    return getattr(root, "project_tags", None)


def unknown(root, tags, kept=()) -> list[str]:
    """The tags of ``tags`` a course may not be given: neither on the list as active nor
    already on the course (``kept``: a retired tag stays where it was)."""
    listed = tags_of(root)
    if listed is None:                       # (a root older than evolve step 22)
        return []
    allowed = set(listed.active()) | set(kept)
    return [tag for tag in tags if tag not in allowed]


def clean_name(text: str) -> str:
    return " ".join((text or "").split())[:50]
