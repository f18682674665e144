"""課程意見回饋問卷: a closed course's questionnaire (``course.questionnaire``). Who was
invited and who answered are kept apart from the answers, which are filed under random keys
and hold no login: the organiser learns neither who said what nor in which order. Answers
arriving together fall into a BTree's buckets and a tree set, which resolve concurrent
inserts, rather than into one list every answer would rewrite."""
import secrets

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent


class Questionnaire(Persistent):
    reminded_on = None

    def __init__(self, questions, invited, invited_on):
        self.questions = tuple(questions)          # ((code, text), …): national, then own
        self.invited = OOTreeSet(invited)
        self.invited_on = invited_on
        self.answered = OOTreeSet()
        self.answers = OOBTree()                   # random key → {code: 1–5, "comment": …}
        self.count = Length()

    def add(self, login: str, answer: dict):
        self.answered.insert(login)
        key = secrets.token_hex(8)
        while key in self.answers:
            key = secrets.token_hex(8)
        self.answers[key] = answer
        self.count.change(1)
