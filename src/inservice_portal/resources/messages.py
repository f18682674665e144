"""線上短訊: a message kept once (``root.messages``, sharded by id) and an ``Inbox`` per
account (``root.inboxes``, by login) that holds the ids it received and which of them are
read. Ids sort by time."""
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent


class Message(Persistent):
    job_id = None               # the job delivering it, when it had many recipients
    delivered = 0               # … and how many it has reached

    def __init__(self, id: str, sender_unit: str, sender_login: str, subject: str, body: str,
                 sent_at, about: str | None = None, recipients: int = 0):
        self.id = id
        self.sender_unit = sender_unit      # path of the organiser or centre that wrote
        self.sender_login = sender_login
        self.subject = subject
        self.body = body
        self.sent_at = sent_at
        self.about = about                  # the course's path, for a message to its registrants
        self.recipients = recipients


class Inbox(Persistent):
    """One account's messages: id → read (bool), and the number unread (a ``Length``: a
    message arriving while the account marks another read does not conflict)."""

    def __init__(self):
        self.entries = OOBTree()
        self.unread = Length()

    def deliver(self, id: str):
        if id not in self.entries:
            self.entries[id] = False
            self.unread.change(1)

    def mark_read(self, id: str) -> bool:
        if self.entries.get(id) is False:
            self.entries[id] = True
            self.unread.change(-1)
            return True
        return False

    def newest(self):
        """(id, read) pairs, newest first."""
        return reversed(self.entries.items())
