"""The reports of 統計圖表 as the pages and the API both show them (views/statistics.py,
views/api/statistics.py): for a context and a school year, the tables and the filters of the
national and county figures, the learning needs and the public area, and a school's teachers."""
from pyramid.traversal import find_root

from .. import vocabularies
from ..accounts import teachers as teacher_accounts
from ..attendance.roster import overdue_courses
from ..resources.interfaces import IRegionCentre
from ..schemas.accounts import job_titles
from ..statistics import reports, tables

NATIONAL = "stats.national"
COUNTY = "stats.county"
UNIT = "stats.unit"


def _choice(request, name, options: dict) -> str:
    value = request.GET.get(name, "")
    return value if value in options else ""


def _is_centre(context) -> bool:
    """A centre that sees its own units only (the national centre sees the nation's)."""
    return IRegionCentre.providedBy(context) and context.kind != "national"


def _overdue(root) -> dict:
    return {centre.code: len(overdue_courses(root, centre))
            for centre in root["centres"].values()}


# -- the reports: (context, request) → what the page, its charts and files show ------------
def overview(context, request, year: int) -> dict:
    root = find_root(context)
    if _is_centre(context):
        found, scope = tables.county(root, year, context), context.title
    else:
        # Overdue rosters are looked up per centre: only for the page and its own table.
        wanted = request.GET.get("table") in (None, "closings")
        found = tables.national(root, year, _overdue(root) if wanted else {})
        scope = "全國"
    return {"page_title": "統計圖表", "heading": f"統計圖表（{scope}）", "scope": scope,
            "year": year, "tables": found, "filters": [],
            "lead": "開設的研習課程、名額與報名、教師研習時數與結案情形。"}


def needs(context, request, year: int) -> dict:
    """進修儀表板: seats offered against registrations, of a centre's own units' courses (the
    nation's, or one county's, at the ministry and the national centre), and of one stage if
    chosen."""
    where, filters = {}, []
    counties = dict.fromkeys(vocabularies.counties())
    if _is_centre(context):
        where["centre"] = context.code
    else:
        county = _choice(request, "county", counties)
        filters.append({"name": "county", "label": "縣市", "value": county,
                        "options": [("", "全國"), *((c, c) for c in counties)]})
        if county:
            where["county"] = county
    stages = vocabularies.stages()
    stage = _choice(request, "stage", stages)
    filters.append({"name": "stage", "label": "教育階段", "value": stage,
                    "options": [("", "全部"), *stages.items()]})
    if stage:
        where["stage"] = stage
    scope = context.title if _is_centre(context) else where.get("county") or "全國"
    return {"page_title": "進修儀表板", "heading": f"進修儀表板（{scope}）", "scope": scope,
            "year": year, "filters": filters,
            "tables": tables.needs(find_root(context), year, where),
            "lead": "教師報名的研習範疇、課程細項與研習方式，與提供名額的比較"
                    "（報名率超過 100% 表示需求大於名額）；取消課程依課程開始月份計。"}


def public(context, request, year: int) -> dict:
    return {"page_title": "統計專區", "heading": "統計專區", "scope": "全國", "year": year,
            "filters": [], "tables": tables.public(find_root(context), year),
            "lead": "全國教師在職進修的年度統計，開放下載（CSV 與 XLSX）。"}


def school_rows(root, school, year: int) -> list[dict]:
    """The school's teachers with their credited hours of ``year`` and band, fewest first."""
    hours = reports.school_hours(root, year, school)
    titles = job_titles()
    rows = [{"teacher": t, "title": titles.get(t.job_title, ""), "hours": hours.get(t.login, 0)}
            for t in teacher_accounts.teachers_of(root, school)]
    rows.sort(key=lambda r: (r["hours"], r["teacher"].name))
    for r in rows:
        r["band"] = reports.band(r["hours"])
    return rows
