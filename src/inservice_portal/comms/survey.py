"""網站滿意度調查: the national centre opens one survey a year for a period; every logged-in
account may answer once, on a five-point scale; the results are tabled and charted by role
(教師、研習辦理單位、區域管理中心、教育部) with the statistics' tables and charts."""
from .. import clock
from ..concurrency.transactions import transaction_of
from ..resources.feedback import MIN_SHOWN
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from ..resources.survey import Survey, Surveys
from ..resources.units import unit_at
from ..statistics.reports import Row
from ..statistics.tables import Table
from .feedback import scale

QUESTIONS = {
    "S1": "整體而言，我對本網站感到滿意",
    "S2": "研習課程查詢容易找到需要的課程",
    "S3": "線上報名與報名紀錄查詢的流程順暢",
    "S4": "研習時數與紀錄的資料正確、查詢方便",
    "S5": "網站回應速度令人滿意",
    "S6": "網頁內容清楚易讀，在手機上也方便使用",
}
ROLES = {"teacher": "教師", "organiser": "研習辦理單位", "centre": "區域管理中心",
         "ministry": "教育部"}
MAX_COMMENT = 1000


class SurveyError(Exception):
    pass


def ensure_surveys(root):
    if "surveys" not in root:
        root.add("surveys", Surveys(), send_events=False)
    return root["surveys"]


def open_survey(surveys, year: int, opens_on, closes_on, login: str) -> Survey:
    if str(year) in surveys:
        raise SurveyError(f"{year - 1911} 年的調查已經建立。")
    if closes_on < opens_on:
        raise SurveyError("結束日期不可早於開始日期。")
    survey = Survey(year, opens_on, closes_on, login)
    surveys.add(str(year), survey, send_events=False)
    return survey


def current(root):
    """The survey open today, if any."""
    today = clock.now().date()
    surveys = root.get("surveys")
    found = surveys.get(str(today.year)) if surveys is not None else None
    return found if found is not None and found.is_open(today) else None


def role_of(root, account) -> str:
    if account.kind == "teacher":
        return "teacher"
    unit = unit_at(root, account.unit)
    if IMinistry.providedBy(unit):
        return "ministry"
    if IRegionCentre.providedBy(unit):
        return "centre"
    return "organiser" if IOrganiser.providedBy(unit) else "teacher"


def answer(root, survey, account, scores: dict, comment: str = ""):
    if not survey.is_open(clock.now().date()):
        raise SurveyError("本調查目前未開放填答。")
    if account.login in survey.answered:
        raise SurveyError("您已填答過本年度的調查，謝謝。")
    if set(scores) != set(QUESTIONS) or any(s not in scale() for s in scores.values()):
        raise SurveyError("請回答每一題（1 至 5 分）。")
    survey.add(account.login, {**scores, "role": role_of(root, account),
                               "comment": (comment or "").strip()[:MAX_COMMENT]},
               transaction_of(survey))


def tables(survey) -> list[Table]:
    """By role: respondents and each question's mean; the whole as the total. A role with
    fewer than MIN_SHOWN answers is not shown apart (a centre's one or two), and nothing is
    shown below MIN_SHOWN in all."""
    columns = (("answers", "填答人數"), *QUESTIONS.items())
    answers = list(survey.answers.values()) if len(survey.answers) >= MIN_SHOWN else []
    groups: dict = {}
    for found in answers:
        groups.setdefault(found["role"], []).append(found)
    rows = [Row(title, _figures(groups[role], columns)) for role, title in ROLES.items()
            if len(groups.get(role, ())) >= MIN_SHOWN]
    table = Table("roles", f"{survey.title}：各題平均分數（1–5 分），依填答者身分", "身分",
                  columns, rows, "bar", tuple(QUESTIONS),
                  note=f"平均分數為 5 分量表（5 非常同意 … 1 非常不同意）；填答少於 {MIN_SHOWN} 人的"
                       "身分不單獨列出，只計入全體。")
    table.total = Row("全體", _figures(answers, columns))
    return [table]


def _figures(answers: list, columns) -> dict:
    figures = {"answers": len(answers)}
    for code, _ in columns[1:]:
        scores = [a[code] for a in answers if code in a]
        figures[code] = round(sum(scores) / len(scores), 2) if scores else None
    return figures


def comments(survey) -> list[str]:
    """The comments, sorted (never in the order they came) and without who wrote them."""
    if len(survey.answers) < MIN_SHOWN:
        return []
    return sorted(a["comment"] for a in survey.answers.values() if a.get("comment"))
