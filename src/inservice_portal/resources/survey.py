"""網站滿意度調查 (000: 網站各類滿意度調查統計分析): ``/surveys/<year>``, one survey a year that
the national centre opens for a period. As in the course questionnaire, who answered is kept
apart from the answers (random keys, each with the respondent's role only)."""
import secrets

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent
from pyramid.authorization import Allow, Authenticated
from zope.interface import implementer

from ..permissions import VIEW, role_principal
from .folder import Folder
from .interfaces import ISurvey, ISurveys

MANAGE = "survey.manage"


@implementer(ISurveys)
class Surveys(Folder):
    title = "網站滿意度調查"
    __acl__ = [(Allow, Authenticated, VIEW),
               (Allow, "group:national_centre", MANAGE),
               (Allow, role_principal("ministry_admin"), MANAGE)]


@implementer(ISurvey)
class Survey(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self, year: int, opens_on, closes_on, created_by: str):
        self.year = year
        self.opens_on = opens_on
        self.closes_on = closes_on
        self.created_by = created_by
        self.answered = OOTreeSet()
        self.answers = OOBTree()                   # random key → {"role": …, code: 1–5, …}
        self.count = Length()

    @property
    def title(self) -> str:
        return f"{self.year - 1911} 年網站滿意度調查"

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.closes_on

    def add(self, login: str, answer: dict):
        self.answered.insert(login)
        key = secrets.token_hex(8)
        while key in self.answers:
            key = secrets.token_hex(8)
        self.answers[key] = answer
        self.count.change(1)
