"""統計圖表 (issue 17): the national figures for the ministry (統計圖表(全國)) and the national
centre, and a centre's figures by unit (統計圖表(縣市)), for one school year (學年度), read from
the counters of statistics/; as XLSX too."""
from openpyxl import Workbook
from openpyxl.styles import Font
from pyramid.view import view_config

from .. import audit, clock
from ..accounts import teachers as teacher_accounts
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from ..schemas.accounts import job_titles
from ..statistics import reports
from ..statistics.measures import school_year
from .transcript import book_response

TPL = "inservice_portal:templates/statistics/overview.pt"
NATIONAL = "stats.national"
COUNTY = "stats.county"
UNIT = "stats.unit"


def _years(request, *measures) -> tuple[int, list[int]]:
    """The school year asked for (one the counters hold), else the present one; and the
    years to offer, the present one among them."""
    this = school_year(clock.now().date())
    years = sorted(set(reports.school_years(request.root, *measures)) | {this}, reverse=True)
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and int(value) in years:
        return int(value), years
    return this, years


def _tables(request, context) -> tuple[int, list, list[dict]]:
    """(year, years, tables): national tables at the ministry and the national centre, a
    centre's by unit elsewhere."""
    root = request.root
    year, years = _years(request)
    if IRegionCentre.providedBy(context) and context.kind != "national":
        rows = reports.table(root, year, "organiser", centre=context.code)
        for row in rows:
            unit = context.get(row.label)
            row.label = f"{unit.title}（{row.label}）" if unit is not None else row.label
        return year, years, [{"title": "各單位", "heading": "辦理單位", "rows": rows,
                               "columns": reports.COLUMNS}]
    centres = root["centres"]
    by_centre = reports.table(root, year, "centre")
    for row in by_centre:
        centre = centres.get(row.label)
        row.label = centre.title if centre is not None else row.label
    by_county = reports.table(root, year, "county")
    for row in by_county:
        row.label = row.label or "（未填縣市）"
    bands = [(title, title) for title in reports.BANDS[1:]]
    return year, years, [
        {"title": "各縣市", "heading": "縣市", "rows": by_county, "columns": reports.COLUMNS},
        {"title": "各區管中心", "heading": "區管中心", "rows": by_centre,
         "columns": reports.COLUMNS},
        {"title": "教師研習時數（有研習紀錄的教師人數）", "heading": "縣市",
         "rows": reports.bands_by_county(root, year), "columns": bands}]


@view_config(context=IMinistry, name="statistics", permission=NATIONAL, renderer=TPL,
             request_method="GET")
@view_config(context=IRegionCentre, name="statistics", permission=COUNTY, renderer=TPL,
             request_method="GET")
def overview(context, request):
    year, years, tables = _tables(request, context)
    for t in tables:
        t["total"] = reports.total(t["rows"], t["columns"])
    return {"page_title": "統計圖表", "year": year, "years": years, "tables": tables,
            "scope": _scope_title(context)}


def _scope_title(context) -> str:
    if IRegionCentre.providedBy(context) and context.kind != "national":
        return context.title
    return "全國"


@view_config(context=IMinistry, name="statistics.xlsx", permission=NATIONAL,
             request_method="GET")
@view_config(context=IRegionCentre, name="statistics.xlsx", permission=COUNTY,
             request_method="GET")
def overview_xlsx(context, request):
    year, _, tables = _tables(request, context)
    book = Workbook()
    book.remove(book.active)
    for t in tables:
        sheet = book.create_sheet(t["title"][:31])       # Excel's limit on a sheet's name
        sheet.append([t["heading"], *(title for _, title in t["columns"])])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in [*t["rows"], reports.total(t["rows"], t["columns"])]:
            sheet.append([row.label, *(row.figures[name] for name, _ in t["columns"])])
    return book_response(book, f"statistics-{year}.xlsx")



# -- 統計圖表(本校): the school's teachers by their hours of the school year ------------------
@view_config(context=IOrganiser, name="statistics", permission=UNIT, request_method="GET",
             renderer="inservice_portal:templates/statistics/school.pt")
def school(context, request):
    root = request.root
    year, years = _years(request, "teacher_hours")
    hours = reports.school_hours(root, year, context)
    titles = job_titles()
    rows = [{"teacher": t, "title": titles.get(t.job_title, ""), "hours": hours.get(t.login, 0)}
            for t in teacher_accounts.teachers_of(root, context)]
    rows.sort(key=lambda r: (r["hours"], r["teacher"].name))
    bands = dict.fromkeys(reports.BANDS, 0)
    for r in rows:
        r["band"] = reports.band(r["hours"])
        bands[r["band"]] += 1
    audit.record("records.list", context, request=request, detail={"statistics": year})
    return {"page_title": "統計圖表（本校）", "year": year, "years": years, "rows": rows,
            "bands": bands, "duty": reports.DUTY_HOURS,
            "short": sum(1 for r in rows if r["hours"] < reports.DUTY_HOURS)}
