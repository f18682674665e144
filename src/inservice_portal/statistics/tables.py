"""The tables of 統計圖表 as each level sees them: one Table per figure, which the page draws as
a chart and prints as a table, and which downloads as XLSX and CSV and answers the API. The
national tables, a centre's, the learning needs (進修儀表板) and the public 統計專區 are
chosen here, by key, from the counters that reports.py reads."""
from dataclasses import dataclass, field

from .. import reference, vocabularies
from ..courses import taxonomy
from ..resources.records import LOCAL
from . import reports
from .reports import COLUMNS, DEMAND, Row

FILL = ("fill", "報名率（%）")           # registrations per hundred seats
CLOSINGS = (("closed", "已結案課程數"), ("late", "逾期送出名單"), ("overdue", "目前逾期未結案"))


@dataclass
class Table:
    key: str                      # its name in URLs (?table=…) and the API
    title: str
    heading: str                  # what the rows are (縣市, 區管中心, …)
    columns: tuple                # ((figure, title), …)
    rows: list
    chart: str | None = None      # bar | line | stacked, or none
    drawn: tuple = ()             # the figures the chart draws
    note: str = ""
    hidden: tuple = ()            # figures summed but not shown (what a rate is made of)
    total: Row = field(init=False)

    def __post_init__(self):
        self.total = reports.total(self.rows, self.summed + tuple((n, n) for n in self.hidden))
        self.total.figures.update({name: None for name, _ in self.columns
                                   if name not in self.total.figures})
        if any(name == FILL[0] for name, _ in self.columns):
            for row in (*self.rows, self.total):
                row.figures[FILL[0]] = reports.fill_rate(row.figures)

    @property
    def summed(self) -> tuple:
        return tuple(c for c in self.columns if c[0] != FILL[0])

    @property
    def drawable(self) -> bool:
        """Whether a chart would show anything (all zeros draw empty axes)."""
        return bool(self.chart) and any(row.figures.get(name) for row in self.rows
                                        for name in self.drawn)

    def titles(self) -> dict:
        return dict(self.columns)

    def summary(self) -> str:
        """The chart in words (its text alternative): the largest and the smallest row of
        the first figure it draws, and the total."""
        name = self.drawn[0] if self.drawn else self.columns[0][0]
        rows = [r for r in self.rows if r.figures.get(name)]
        if not rows:
            return f"{self.title}：尚無資料。"
        title = self.titles().get(name, name)
        high = max(rows, key=lambda r: r.figures[name])
        low = min(rows, key=lambda r: r.figures[name])
        text = f"{self.title}，{title}合計 {_number(self.total.figures[name])}；"
        text += f"以{high.label}最多（{_number(high.figures[name])}）"
        if low is not high:
            text += f"，{low.label}最少（{_number(low.figures[name])}）"
        return text + "。"


def _number(value) -> str:
    return "—" if value is None else f"{value:,g}"


def _rows(found: dict, columns, label=lambda value: value, order=None, hidden=()) -> list[Row]:
    names = [name for name, _ in columns] + list(hidden)
    keys = order if order is not None else sorted(found)
    return [Row(label(key), {name: found.get(key, {}).get(name, 0) for name in names})
            for key in keys if key in found]


def _county(value) -> str:
    return value or "（未填縣市）"


# -- national ---------------------------------------------------------------------------
def counties(root, year, where=None) -> Table:
    rows = reports.table(root, year, "county", where)
    for row in rows:
        row.label = _county(row.label)
    return Table("counties", "各縣市開課與報名", "縣市", COLUMNS, rows, "bar",
                 ("courses", "registrations"))


def _centre_names(root) -> dict:
    return {code: centre.title for code, centre in root["centres"].items()}


def centres(root, year) -> Table:
    names = _centre_names(root)
    rows = reports.table(root, year, "centre")
    for row in rows:
        row.label = names.get(row.label, row.label)
    return Table("centres", "各區管中心開課與報名", "區管中心", COLUMNS, rows, "bar",
                 ("courses",))


def by_month(root, year, centre: str | None = None) -> Table:
    found = {row.label: row.figures for row in reports.table(root, year, "month", {"centre": centre} if centre else None)}
    rows = [Row(label, found.get(month, dict.fromkeys(dict(COLUMNS), 0)))
            for month, label in reports.months(year)]
    return Table("months", "各月份開課與報名（依課程開始月份）", "月份", COLUMNS, rows, "line",
                 ("courses", "registrations"))


BANDS_NOTE = ("依教師目前服務學校的縣市與任教教育階段計（離職、退休而無服務學校者不列入）；"
              "「0 小時」為目前在職而該學年度沒有研習時數的教師。")


def bands(root, year) -> Table:
    columns = tuple((title, title) for title in reports.BANDS)
    return Table("bands", "教師研習時數區間（依縣市）", "縣市",
                 columns, _rows(reports.bands_by(root, year, "county"), columns, _county),
                 "stacked", reports.BANDS, note=BANDS_NOTE)


def bands_by_stage(root, year) -> Table:
    columns = tuple((title, title) for title in reports.BANDS)
    found = reports.bands_by(root, year, "stage")
    order, label = _named(vocabularies.stages(), found)
    return Table("stage_bands", "教師研習時數區間（依任教教育階段）", "任教教育階段", columns,
                 _rows(found, columns, label, order), "stacked", reports.BANDS,
                 note=BANDS_NOTE)


def sources(root, year) -> Table:
    """Records by county: the portal's own (線上登錄) and those exchanged from county systems."""
    columns = (("local", "本網研習紀錄"), ("exchanged", "交換匯入紀錄"),
               ("local_hours", "本網核給時數"), ("exchanged_hours", "交換匯入時數"))
    found: dict = {}
    for (_, county, source, figure), value in reports.cube(root, "records").items(year):
        kind = "local" if source == LOCAL else "exchanged"
        name = kind if figure == "records" else f"{kind}_hours"
        figures = found.setdefault(county, dict.fromkeys(dict(columns), 0))
        figures[name] += value if figure == "records" else value / 100
    return Table("sources", "研習紀錄來源（本網與縣市系統交換）", "縣市", columns,
                 _rows(found, columns, _county), "stacked", ("local", "exchanged"))


def closings(root, year, overdue: dict) -> Table:
    """Rosters closed per centre, those sent late (Art. 12), and ``overdue`` now (centre code
    → courses past due: the catalog's, since only time makes them so)."""
    names = _centre_names(root)
    found = reports.by_figure(root, "closings", year, "centre")
    for code, count in overdue.items():
        if count:
            found.setdefault(code, {})["overdue"] = count
    return Table("closings", "研習結案情形（第 12 條）", "區管中心", CLOSINGS,
                 _rows(found, CLOSINGS, lambda code: names.get(code, code)), "bar",
                 ("closed", "late"), note="「目前逾期未結案」為今日的數字，不分學年度。")


ASKED = ("asked",)          # registrations of courses with seats: the fill rate's numerator


def _demand_table(key, title, heading, found, label, order, chart="bar") -> Table:
    return Table(key, title, heading, DEMAND + (FILL,),
                 _rows(found, DEMAND, label, order, hidden=ASKED), chart,
                 ("seats", "registrations"), hidden=ASKED)


def _named(names: dict, found: dict):
    """(order, label) of coded values: the vocabulary's order, unknown codes after it."""
    return ([*names, *sorted(set(found) - set(names))],
            lambda value: names.get(value, value or "（未填）"))


def scopes(root, year, where=None, key="scopes") -> Table:
    found = reports.demand(root, year, "scope", where)
    order, label = _named(vocabularies.scopes(), found)
    return _demand_table(key, "各研習範疇（附件十一）", "研習範疇", found, label, order)


FEEDBACK_NOTE = ("課程意見回饋問卷（系統寄送問卷線上填答）全國共同題的平均分數（5 非常同意 … "
                 "1 非常不同意），依課程辦理縣市與課程開始的學年度，計已結案的課程。")


def feedback(root, year, county: str | None = None) -> Table:
    """The national questions of the courses' 回饋問卷: answers and each question's mean."""
    questions = reference.load("feedback_questions")["questions"]
    sums: dict = {}
    for (_, place, question, figure), value in reports.cube(root, "feedback").items(year):
        if county is None or place == county:
            sums.setdefault(place, {}).setdefault(question, {})[figure] = value
    columns = (("answers", "填答人次"), *questions.items())
    rows = [Row(_county(place), _means(found, columns)) for place, found in sorted(sums.items())]
    table = Table("feedback", "研習回饋問卷（全國共同題）", "縣市", columns, rows, "bar",
                  tuple(questions)[-1:], note=FEEDBACK_NOTE)
    whole: dict = {}
    for found in sums.values():
        for question, figures in found.items():
            for figure, value in figures.items():
                whole.setdefault(question, {}).setdefault(figure, 0)
                whole[question][figure] += value
    table.total = Row("全體", _means(whole, columns))
    return table


def _means(found: dict, columns) -> dict:
    counts = [f.get("count", 0) for f in found.values()]
    figures = {"answers": max(counts, default=0)}
    for code, _ in columns[1:]:
        cell = found.get(code, {})
        figures[code] = round(cell["sum"] / cell["count"], 2) if cell.get("count") else None
    return figures


def national(root, year, overdue: dict) -> list[Table]:
    return [counties(root, year), centres(root, year), by_month(root, year),
            scopes(root, year), bands(root, year), bands_by_stage(root, year),
            sources(root, year), closings(root, year, overdue), feedback(root, year)]


# -- a centre (縣市 / 區管中心) -------------------------------------------------------------
def units(root, year, centre) -> Table:
    rows = reports.table(root, year, "organiser", {"centre": centre.code})
    for row in rows:
        unit = centre.get(row.label)
        row.label = f"{unit.title}（{row.label}）" if unit is not None else row.label
    return Table("units", "各辦理單位開課與報名", "辦理單位", COLUMNS, rows, "bar",
                 ("courses", "registrations"))


def county(root, year, centre) -> list[Table]:
    found = [units(root, year, centre), by_month(root, year, centre.code),
             scopes(root, year, {"centre": centre.code})]
    return found + ([feedback(root, year, centre.county)] if centre.county else [])


# -- 進修儀表板 (learning needs) ------------------------------------------------------------
NEEDS_BY = {"scope": "研習範疇", "stage": "教育階段", "delivery": "研習方式",
            "county": "縣市", "month": "月份", "sub_item": "課程細項"}


def need(root, year, by: str, where: dict) -> Table:
    if by == "scope":
        return scopes(root, year, where, key="scope")
    found = reports.demand(root, year, by, where)
    order, label = None, (lambda v: v or "（未填）")
    if by == "stage":
        order, label = _named(vocabularies.stages(), found)
    elif by == "delivery":
        order, label = _named(vocabularies.delivery_modes(), found)
    elif by == "county":
        label = _county
    elif by == "month":
        names = dict(reports.months(year))
        order, label = list(names), names.get
    elif by == "sub_item":
        stage = where.get("stage", "")
        label = lambda v: f"{v} {taxonomy.label_of(stage, v) or ''}".strip() if v else "（未填）"
    return _demand_table(by, f"各{NEEDS_BY[by]}的名額與報名", NEEDS_BY[by], found, label,
                         order, "line" if by == "month" else "bar")


def needs(root, year, where: dict) -> list[Table]:
    """The dashboard's tables; sub-items only within one stage (their codes are the stage's)."""
    kinds = ["scope", "stage", "delivery", "month"]
    if where.get("stage"):
        kinds.insert(1, "sub_item")
    if not where.get("county") and not where.get("centre"):
        kinds.insert(-1, "county")
    return [need(root, year, by, where) for by in kinds]


# -- 統計專區 (public) -----------------------------------------------------------------------
def public(root, year) -> list[Table]:
    return [counties(root, year), by_month(root, year), scopes(root, year), bands(root, year),
            sources(root, year)]


def monthly(root, year, month) -> list[Table]:
    """月報: the courses that began in ``month`` of school year ``year``, and their
    registrations, by county and by scope."""
    where = {"month": month}
    return [counties(root, year, where), scopes(root, year, where)]
