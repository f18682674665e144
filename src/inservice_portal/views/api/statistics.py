"""統計 over the API: the same reports as the pages (views/statistics.py), each table's
figures as JSON, within the caller's scope.

- ``GET /statistics``: the public 統計專區 (anyone);
- ``GET /statistics/national`` and ``/statistics/national/needs``: 統計圖表(全國);
- ``GET /statistics/centres/{centre}`` and ``…/needs``: 統計圖表(縣市) of one centre;
- ``GET /statistics/units/{organiser}/teachers``: 統計圖表(本校), each teacher's credited hours.
"""
from pyramid.traversal import find_root
from pyramid.view import view_config

from ... import audit, clock, permissions
from ...bootstrap import root_factory
from ...statistics.measures import school_year
from .. import statistics_reports as pages
from . import PREFIX, reject_bad_bearer
from .course_resource import organiser_factory
from .errors import NOT_FOUND, ApiError, malformed

ROUTES = {
    "api.statistics": ("/statistics", None),
    "api.statistics.national": ("/statistics/national", None),
    "api.statistics.national_needs": ("/statistics/national/needs", None),
    "api.statistics.centre": ("/statistics/centres/{centre}", "centre"),
    "api.statistics.centre_needs": ("/statistics/centres/{centre}/needs", "centre"),
    "api.statistics.unit": ("/statistics/units/{organiser}/teachers", "unit"),
}


def centre_factory(request):
    centre = root_factory(request)["centres"].get(request.matchdict["centre"])
    if centre is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return centre


FACTORIES = {None: root_factory, "centre": centre_factory, "unit": organiser_factory}


def includeme(config):
    for name, (path, factory) in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=FACTORIES[factory])


def _year(request) -> int:
    value = request.GET.get("year")
    if value is None:
        return school_year(clock.now().date())
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 999):
        raise malformed({"year": "year 須為學年度（民國年，例如 114）。"})
    return int(value)


def table_json(table) -> dict:
    return {"key": table.key, "title": table.title, "heading": table.heading,
            "columns": [{"name": name, "title": title} for name, title in table.columns],
            "rows": [{"label": row.label, "figures": row.figures} for row in table.rows],
            "total": table.total.figures, "summary": table.summary(), "note": table.note}


def report_json(request, report: dict) -> dict:
    wanted = request.GET.get("table")
    found = [t for t in report["tables"] if wanted is None or t.key == wanted]
    if not found:
        raise malformed({"table": "沒有此表格；可用：" + "、".join(
            t.key for t in report["tables"])})
    return {"year": report["year"], "scope": report["scope"],
            "filters": {f["name"]: f["value"] for f in report["filters"]},
            "tables": [table_json(t) for t in found]}


def _report(build):
    def view(context, request):
        return report_json(request, build(context, request, _year(request)))
    return view


JSON = {"request_method": "GET", "renderer": "json", "decorator": reject_bad_bearer}
public = view_config(route_name="api.statistics", permission=permissions.VIEW, **JSON)(
    _report(pages.public))
national = view_config(route_name="api.statistics.national", permission=pages.NATIONAL,
                       **JSON)(_report(pages.overview))
national_needs = view_config(route_name="api.statistics.national_needs",
                             permission=pages.NATIONAL, **JSON)(_report(pages.needs))
centre = view_config(route_name="api.statistics.centre", permission=pages.COUNTY, **JSON)(
    _report(pages.overview))
centre_needs = view_config(route_name="api.statistics.centre_needs", permission=pages.COUNTY,
                           **JSON)(_report(pages.needs))


@view_config(route_name="api.statistics.unit", permission=pages.UNIT, **JSON)
def unit_teachers(context, request):
    year = _year(request)
    rows = pages.school_rows(find_root(context), context, year)
    audit.record("records.list", context, request=request, detail={"statistics": year})
    return {"year": year, "unit": context.code, "duty_hours": pages.reports.DUTY_HOURS,
            "teachers": [{"login": r["teacher"].login, "name": r["teacher"].name,
                          "job_title": r["title"], "hours": r["hours"], "band": r["band"]}
                         for r in rows]}
