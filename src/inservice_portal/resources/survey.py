"""網站滿意度調查 (000: 網站各類滿意度調查統計分析): ``/surveys/<year>``, one survey a year that
the national centre opens for a period. As in the course questionnaire, who answered is kept
apart from the answers (each with the respondent's role only: feedback.Answers)."""
from pyramid.authorization import Allow, Authenticated
from zope.interface import implementer

from ..permissions import VIEW, role_principal
from .feedback import Answers
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
class Survey(Answers):
    __name__ = None
    __parent__ = None

    def __init__(self, year: int, opens_on, closes_on, created_by: str):
        super().__init__()
        self.year = year
        self.opens_on = opens_on
        self.closes_on = closes_on
        self.created_by = created_by

    @property
    def title(self) -> str:
        return f"{self.year - 1911} 年網站滿意度調查"

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.closes_on
