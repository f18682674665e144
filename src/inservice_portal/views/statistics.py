"""統計圖表 (issue 17): the national figures for the ministry (統計圖表(全國)) and the national
centre, a centre's figures by unit (統計圖表(縣市)), the learning needs (進修儀表板), and the
public 統計專區 with its monthly and annual reports; each table as a chart (SVG), XLSX and CSV.
Every figure is read from the counters of statistics/."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from .. import audit, clock, permissions
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from ..statistics import charts, exports, publication, releases, reports, tables
from ..statistics.measures import school_year
from .statistics_reports import (COUNTY, NATIONAL, UNIT, needs, overview, public,
                                 school_rows)
from .transcript import book_response

TPL = "inservice_portal:templates/statistics/report.pt"
FILES = ("svg", "xlsx", "csv")


def _years(request, *measures) -> tuple[int, list[int]]:
    """The school year asked for (one the counters hold), else the present one; and the
    years to offer, the present one among them."""
    this = school_year(clock.now().date())
    years = sorted(set(reports.school_years(request.root, *measures)) | {this}, reverse=True)
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and int(value) in years:
        return int(value), years
    return this, years


REPORTS = {"statistics": overview, "learning-needs": needs, "figures": public}
# The counters whose school years a report offers.
MEASURES = {"statistics": ("courses",), "learning-needs": ("demand",), "figures": ("courses",)}


def _render(request, report: dict):
    """A report as the page, or as one of its files (``NAME.svg`` / ``.csv``: one table,
    ``?table=``; ``.xlsx``: every table, or the one asked for)."""
    name, _, kind = request.view_name.partition(".")
    if not kind:
        report["base"] = name
        report["query"] = {f["name"]: f["value"] for f in report["filters"] if f["value"]}
        return report
    found = report["tables"]
    wanted = request.GET.get("table")
    if wanted is not None or kind != "xlsx":
        found = [t for t in found if t.key == wanted]
        if not found or (kind == "svg" and not found[0].chart):
            raise HTTPNotFound()
    stem = f"{name}-{report['year']}" + "".join(f"-{t.key}" for t in found if wanted)
    if kind == "svg":
        response = Response(charts.svg(found[0]), content_type="image/svg+xml",
                            charset="utf-8")
        response.headers["Content-Security-Policy"] = charts.CSP
        return response
    if kind == "csv":
        return Response(exports.csv_bytes(found[0]), content_type="text/csv", charset="utf-8",
                        content_disposition=f'attachment; filename="{stem}.csv"')
    return book_response(exports.workbook(found, reports.school_year_label(report["year"])),
                         f"{stem}.xlsx")


def _views(*names):
    """The page and its files, for each of ``names``."""
    return [name for base in names for name in (base, *(f"{base}.{k}" for k in FILES))]


def _configs(context, permission, *names):
    def decorate(view):
        for name in _views(*names):
            kwargs = {} if "." in name else {"renderer": TPL}
            view = view_config(context=context, name=name, permission=permission,
                               request_method="GET", **kwargs)(view)
        return view
    return decorate


@_configs(IMinistry, NATIONAL, "statistics", "learning-needs")
@_configs(IRegionCentre, COUNTY, "statistics", "learning-needs")
@_configs(IMinistry, permissions.VIEW, "figures")
def statistics_report(context, request):
    name = request.view_name.partition(".")[0]
    year, years = _years(request, *MEASURES[name])
    report = REPORTS[name](context, request, year)
    report["years"] = years
    report["period"] = reports.school_year_label(year)
    if name == "figures":
        report["reports"] = publication.published(clock.now().date(), years)
    return _render(request, report)


# -- 月報 and 年報: published for anyone on the 5th after the month or the school year ends -----
@view_config(context=IMinistry, name="monthly-report", permission=permissions.VIEW,
             renderer="inservice_portal:templates/statistics/published.pt", request_method="GET")
@view_config(context=IMinistry, name="monthly-report.xlsx", permission=permissions.VIEW,
             request_method="GET")
def monthly_report(context, request):
    month = publication.month_of(request.GET.get("month", ""), clock.now().date())
    if month is None:
        raise HTTPNotFound()
    year = school_year(month)
    period = f"{month.year} 年 {month.month} 月"
    title = f"教師在職進修統計月報：{period}"
    found, lead = _released(request.root, releases.month_key(month),
                            lambda: tables.monthly(request.root, year, month.month))
    if request.view_name.endswith(".xlsx"):
        return book_response(exports.workbook(found, period), f"monthly-{month:%Y-%m}.xlsx")
    return {"page_title": title, "heading": title, "tables": found, "period": period,
            "xlsx": request.resource_url(context, "monthly-report.xlsx",
                                         query={"month": f"{month:%Y-%m}"}),
            "lead": f"{month.year} 年 {month.month} 月開始的研習課程與其報名，"
                    f"於 {publication.release_of_month(month):%Y 年 %-m 月 %-d 日}公布。{lead}"}


@view_config(context=IMinistry, name="annual-report", permission=permissions.VIEW,
             renderer="inservice_portal:templates/statistics/published.pt", request_method="GET")
@view_config(context=IMinistry, name="annual-report.xlsx", permission=permissions.VIEW,
             request_method="GET")
def annual_report(context, request):
    value = request.GET.get("year", "")
    today = clock.now().date()
    if not (value.isascii() and value.isdigit()) or not publication.year_released(
            int(value), today):
        raise HTTPNotFound()
    year = int(value)
    title = f"教師在職進修統計年報：{year} 學年度"
    found, lead = _released(request.root, releases.year_key(year),
                            lambda: tables.public(request.root, year))
    if request.view_name.endswith(".xlsx"):
        return book_response(exports.workbook(found, reports.school_year_label(year)),
                             f"annual-{year}.xlsx")
    return {"page_title": title, "heading": title, "tables": found,
            "period": reports.school_year_label(year),
            "xlsx": request.resource_url(context, "annual-report.xlsx",
                                         query={"year": year}),
            "lead": f"{reports.school_year_label(year)}，"
                    f"於 {publication.release_of_year(year):%Y 年 %-m 月 %-d 日}公布。{lead}"}


def _released(root, key, live):
    """A report's tables as frozen on release, or (not frozen yet) read live, and a word
    saying which."""
    found = releases.frozen(root, key)
    if found is not None:
        return found[0], f"數字為 {found[1]:%Y 年 %-m 月 %-d 日}凍結的公布版本。"
    return live(), "公布版本尚待每日統計重算時凍結，目前為即時數字。"


# -- 統計圖表(本校): the school's teachers by their hours of the school year ------------------
@view_config(context=IOrganiser, name="statistics", permission=UNIT, request_method="GET",
             renderer="inservice_portal:templates/statistics/school.pt")
def school(context, request):
    year, years = _years(request, "teacher_hours")
    rows = school_rows(request.root, context, year)
    bands = dict.fromkeys(reports.BANDS, 0)
    for r in rows:
        bands[r["band"]] += 1
    audit.record("records.list", context, request=request, detail={"statistics": year})
    return {"page_title": "統計圖表（本校）", "year": year, "years": years, "rows": rows,
            "period": reports.school_year_label(year),
            "bands": bands, "duty": reports.DUTY_HOURS,
            "short": sum(1 for r in rows if r["hours"] < reports.DUTY_HOURS)}
