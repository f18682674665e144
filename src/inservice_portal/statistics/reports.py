"""The tables of 統計圖表, read from the counters alone (never from courses or records):
national figures by county and by centre, and a centre's by unit, for one school year."""
from dataclasses import dataclass, field

from . import cube, measures

# Registrations that hold a seat or wait for one: what the organiser has to plan for.
ACTIVE = ("applied", "accepted", "waitlisted")
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


def table(root, year: int, by: str, centre: str | None = None) -> list[Row]:
    """Rows by ``by`` (county, centre or organiser), a centre's only if ``centre`` is given;
    sorted by label. Hours are whole hours (the counters keep hundredths)."""
    rows: dict = {}

    def row(label):
        return rows.setdefault(label, Row(label))

    courses, hours = cube(root, "courses"), cube(root, "course_hours")
    at = courses.dimensions.index(by)
    mine = courses.dimensions.index("centre")
    for key, value in courses.items(year):
        if centre is None or key[mine] == centre:
            row(key[at]).figures["courses"] += value
    for key, value in hours.items(year):
        if centre is None or key[mine] == centre:
            row(key[at]).figures["hours"] += value / 100
    registrations = cube(root, "registrations")
    at, mine = registrations.dimensions.index(by), registrations.dimensions.index("centre")
    for key, value in registrations.items(year):
        if (centre is None or key[mine] == centre) and key[-1] in ACTIVE:
            figures = row(key[at]).figures
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


def bands_by_county(root, year: int) -> list[Row]:
    """Teachers with hours in ``year``, by county and band (a few cells per county)."""
    rows: dict = {}
    for (_, county, title), value in cube(root, "teacher_bands").items(year):
        row = rows.setdefault(county, Row(county or "（未填縣市）", dict.fromkeys(BANDS[1:], 0)))
        row.figures[title] += value
    return [rows[county] for county in sorted(rows)]


def school_hours(root, year: int, school) -> dict:
    """login → the teacher's credited hours of ``year``, for the teachers ``school`` holds
    in the counters (a key range: its county and code)."""
    cells = cube(root, "teacher_hours").cells
    prefix = (year, school.county or "", school.code or "")
    return {key[3]: cell() / 100
            for key, cell in cells.items(min=prefix, max=prefix + (chr(0x10FFFF),))
            if cell()}
