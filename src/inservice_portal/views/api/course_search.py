"""GET /api/v1/courses: the public catalogue, the same search as the /search page.

Parameters as the OpenAPI document lists them, plus ``hours_min``/``hours_max``, ``sort`` and paging;
malformed ones answer 400 with ``error.fields`` naming each.
"""
from pyramid.view import view_config

from ... import clock, permissions
from ...courses import search as course_search
from .errors import ApiError, malformed
from . import PREFIX, page_of, paging, reject_bad_bearer
from .course_json import _hhmm, _iso
from ...bootstrap import root_factory

ROUTE = "api.course_search"


def includeme(config):
    config.add_route(ROUTE, PREFIX + "/courses", factory=root_factory)


def _number(value):
    return None if value is None else float(value)


def course_list_item(course, now) -> dict:
    """One course as the catalogue lists it: the fields of a result line. (The full course,
    GET /api/v1/courses/{code}, is a superset.)"""
    organiser = course.organiser
    return {
        "code": course.code, "title": course.title,
        "organiser": {"code": organiser.code, "name": organiser.title},
        "centre": course.centre.code, "county": organiser.county,
        "stage": course.stage, "scope": course.scope, "level": course.level,
        "starts_on": _iso(course.starts_on), "ends_on": _iso(course.ends_on),
        "registration_opens": _iso(course.registration_opens),
        "registration_closes": _iso(course.registration_closes),
        "registration_opens_time": _hhmm(course.registration_opens_time),
        "registration_closes_time": _hhmm(course.registration_closes_time),
        "registration_open": course_search.is_open(course, now),
        "hours": _number(course.approved_hours), "place": course.place,
        "seats_left": course.seats_left,
    }


@view_config(route_name=ROUTE, request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def list_courses(context, request):
    fields = {}
    try:
        page, per_page = paging(request)
    except ApiError as error:
        fields.update(error.fields)
        page, per_page = 1, 1
    criteria, errors = course_search.parse_criteria(request.GET)
    fields.update(errors)
    if not fields and page * per_page > course_search.MAX_RESULTS_PAGED:
        fields["page"] = (f"只能取得前 {course_search.MAX_RESULTS_PAGED} 筆結果，"
                          "請加上條件縮小查詢範圍。")
    if fields:
        raise malformed(fields, "查詢參數不正確。")
    now = clock.now()
    results = course_search.search(context, criteria, now.date(), (page - 1) * per_page,
                                   per_page)
    return page_of([course_list_item(c, now) for c in results.courses], results.total,
                   page, per_page)
