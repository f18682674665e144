"""The figures of 統計圖表, read from the counters alone (never from courses or records):
national figures by county, centre and month, a centre's by unit, the learning needs
(進修儀表板), rosters closed and records by source, for one school year."""
from dataclasses import dataclass, field

from . import cube, measures
from .measures import ACTIVE

COLUMNS = (("courses", "開設課程數"), ("hours", "提供研習時數"), ("registrations", "報名人次"),
           ("accepted", "錄取人次"), ("waitlisted", "候補人次"))


@dataclass
class Row:
    label: str
    figures: dict = field(default_factory=lambda: dict.fromkeys(dict(COLUMNS), 0))

    def add(self, other: "Row"):
        for name, value in other.figures.items():
            self.figures[name] += value


def school_years(root, *names) -> list[int]:
    """The school years the counters of ``names`` hold, newest first: one step through each
    BTree per year held, never a walk of its cells."""
    years = set()
    for name in names or ("courses",):
        cells, after = cube(root, name).cells, None
        while True:
            try:
                key = cells.minKey(after)
            except ValueError:             # no key at or after ``after`` (len() would walk)
                break
            years.add(key[0])
            after = (key[0] + 1,)
    return sorted(years, reverse=True)


def cells(root, measure: str, year: int, by: str, where: dict | None = None):
    """(dimensions, (key, value) of each cell) of ``measure`` in ``year`` whose dimensions
    hold the values of ``where``: from the smallest of its cubes (measures.ROLLUPS) that
    has ``by`` and ``where``'s dimensions, read as a key range as far as ``where`` allows."""
    where = where or {}
    needed = {by, *where}
    names = [measures.rollup_name(measure, dims) for dims in measures.ROLLUPS.get(measure, ())
             if needed <= set(dims)]
    name = min(names, key=lambda n: len(measures.CUBES[n]), default=measure)
    if not needed <= set(measures.CUBES[name]):
        raise ValueError(f"{measure} is not counted by {sorted(needed)}")
    counters = cube(root, name)
    dims = counters.dimensions
    prefix = [year]
    for dim in dims[1:]:
        if dim not in where:
            break
        prefix.append(where[dim])
    tests = [(dims.index(k), v) for k, v in where.items() if dims.index(k) >= len(prefix)]
    found = ((key, value) for key, value in counters.starting(tuple(prefix))
             if all(key[i] == wanted for i, wanted in tests))
    return dims, found


def table(root, year: int, by: str, where: dict | None = None) -> list[Row]:
    """Rows by ``by`` (county, centre, organiser or month), of the cells whose dimensions hold
    the values of ``where`` (e.g. {"centre": "taipei"}); sorted by label. Hours are whole
    hours (the counters keep hundredths)."""
    rows: dict = {}

    def read(name):
        dims, found = cells(root, name, year, by, where)
        at = dims.index(by)
        for key, value in found:
            yield key, rows.setdefault(key[at], Row(key[at])).figures, value

    for _, figures, value in read("courses"):
        figures["courses"] += value
    for _, figures, value in read("course_hours"):
        figures["hours"] += value / 100
    for key, figures, value in read("registrations"):
        if key[-1] in ACTIVE:
            figures["registrations"] += value
            if key[-1] in ("accepted", "waitlisted"):
                figures[key[-1]] += value
    return [rows[label] for label in sorted(rows)]


def total(rows: list[Row], columns=COLUMNS) -> Row:
    whole = Row("合計", dict.fromkeys((name for name, _ in columns), 0))
    for row in rows:
        whole.add(row)
    return whole


# The kindergarten teachers' duty (18 hours a year); a school also counts who has none.
DUTY_HOURS = 18
NONE = "0 小時"
BANDS = (NONE, *(title for _, title in measures.BANDS))


def band(hours: float) -> str:
    return measures.band(round(hours * 100)) if hours else NONE


def bands_by(root, year: int, by: str) -> dict:
    """{county or stage: {band: teachers}} of the teachers serving a school now (county ""
    holds those who serve none): those with hours in ``year`` by band, and "0 小時" the
    rest of those serving now (a few cells of each cube, never the teachers)."""
    at = {"county": 1, "stage": 2}[by]
    found: dict = {}
    for key, value in cube(root, "teacher_bands").items(year):
        if key[1]:
            figures = found.setdefault(key[at], dict.fromkeys(BANDS, 0))
            figures[key[3]] += value
    for (county, stage), value in cube(root, "teachers").items():
        figures = found.setdefault(county if by == "county" else stage, dict.fromkeys(BANDS, 0))
        figures[NONE] += value
    for figures in found.values():
        figures[NONE] = max(0, figures[NONE] - sum(figures[b] for b in BANDS[1:]))
    return found


def school_hours(root, year: int, school) -> dict:
    """login → the teacher's credited hours of ``year``, for the teachers ``school`` holds
    in the counters (a key range: its county and code)."""
    prefix = (year, school.county or "", school.code or "")
    return {key[3]: value / 100 for key, value in cube(root, "teacher_hours").starting(prefix)}


# -- 進修儀表板: seats offered against registrations, from the ``demand`` counters ------------
DEMAND = (("courses", "開設課程數"), ("seats", "提供名額"), ("registrations", "報名人次"),
          ("waitlisted", "候補人次"), ("cancelled", "取消課程數"))


def demand(root, year: int, by: str, where: dict | None = None) -> dict:
    """{value of ``by``: {figure: total}} of ``year``, of the cells whose dimensions hold the
    values of ``where`` (e.g. {"county": "臺北市", "stage": "國小"})."""
    found = by_figure(root, "demand", year, by, where)
    return {value: {**dict.fromkeys(dict(DEMAND), 0), **figures}
            for value, figures in found.items()}


def fill_rate(figures: dict) -> float | None:
    """Registrations per hundred seats, of the courses that limit their seats (over 100:
    more asked than offered)."""
    seats = figures.get("seats", 0)
    return round(figures.get("asked", 0) * 100 / seats, 1) if seats else None


def by_figure(root, name: str, year: int, by: str, where: dict | None = None) -> dict:
    """{value of ``by``: {figure: total}} of a cube whose last dimension is the figure."""
    dims, found = cells(root, name, year, by, where)
    at = dims.index(by)
    totals: dict = {}
    for key, value in found:
        figures = totals.setdefault(key[at], {})
        figures[key[-1]] = figures.get(key[-1], 0) + value
    return totals


def school_year_label(year: int) -> str:
    return f"{year} 學年度（{year + 1911} 年 8 月至 {year + 1912} 年 7 月）"


def months(year: int) -> list[tuple[int, str]]:
    """The months of school year ``year`` in its order, August first: (month, label)."""
    first = year + 1911
    return [(m, f"{first + (m < 8)} 年 {m} 月") for m in (*range(8, 13), *range(1, 8))]
