"""Anonymous answers (課程意見回饋問卷, 網站滿意度調查): who answered is kept apart from the
answers, which are filed under random keys and hold no login: no one learns who said what,
nor in which order. Answers arriving together fall into a BTree's buckets and a tree set,
which resolve concurrent inserts, rather than into one list every answer would rewrite."""
import secrets

from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

MIN_SHOWN = 5        # answers before anyone sees any figure of them, statistics included


class Answers(Persistent):
    def __init__(self):
        self.answered = OOTreeSet()                # logins
        self.answers = OOBTree()                   # random key → {code: 1–5, "comment": …}

    def add(self, login: str, answer: dict, txn=None):
        """File an answer; ``txn`` (the transaction that writes it) loses its user, which
        would otherwise tie the stored answer to the login in Data.fs and its backups."""
        if txn is not None:
            txn.user = ""
        self.answered.insert(login)
        key = secrets.token_hex(8)
        while key in self.answers:
            key = secrets.token_hex(8)
        self.answers[key] = answer


class Questionnaire(Answers):
    """A closed course's 回饋問卷 (``course.questionnaire``)."""

    reminded_on = None

    def __init__(self, questions, invited, invited_on):
        super().__init__()
        self.questions = tuple(questions)          # ((code, text), …): national, then own
        self.invited = OOTreeSet(invited)
        self.invited_on = invited_on
