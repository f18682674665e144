"""分區管理(暨推廣)中心 and the national promotion centre."""
from zope.interface import implementer

from ..rules.deadlines import DEFAULT_ROSTER_DAYS, DEFAULT_SUBMIT_DAYS
from .interfaces import IRegionCentre
from .units import Unit

# Centre kind (the glossary) → column of the permission matrix.
UNIT_KIND = {"national": "national_centre", "k12ea": "k12ea", "circle": "curriculum_circle",
             "county": "county_bureau"}


@implementer(IRegionCentre)
class RegionCentre(Unit):
    def __init__(self, code, name, kind, short="", county=None, mode="online"):
        super().__init__()
        self.code = code
        self.title = name
        self.kind = kind
        self.short = short or name
        self.county = county
        self.mode = mode                 # integration mode, 000 捌 §三
        self.auto_approve = False        # 自動審核功能設定
        self.submit_days = DEFAULT_SUBMIT_DAYS   # rules/deadlines.py: two weeks ahead
        self.block_late = False          # late submissions are flagged, or refused if True
        self.roster_days = DEFAULT_ROSTER_DAYS   # None: a month after the course (deadlines.py)

    @property
    def unit_kind(self):
        return UNIT_KIND[self.kind]
