"""Course workflow over the API: the transitions a caller may take, taking one, and the
reviewer's worklist (/courses/{code}/transitions, /review/pending)."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ... import permissions
from .errors import ApiError, malformed
from ...bootstrap import root_factory
from ...catalog import find_course
from ...workflows import api as workflow_api
from ...workflows import course as course_workflow
from ...courses.worklist import centre_courses
from . import PREFIX, instant, json_object, page_of, paging, reject_bad_bearer

ROUTES = {
    "api.course_transitions": ("/courses/{code}/transitions", "course"),
    "api.review_pending": ("/review/pending", "root"),
}


def course_factory(request):
    """The course named by the URL's code: the context, so that its state's ACL decides."""
    course = find_course(root_factory(request), request.matchdict["code"])
    if course is None:
        raise HTTPNotFound()
    return course


def includeme(config):
    factories = {"course": course_factory, "root": root_factory}
    for name, (path, factory) in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=factories[factory])


def history_json(course) -> list[dict]:
    return [{"transition": e["transition"], "from": e["from"], "to": e["to"], "by": e["by"],
             "at": instant(e["at"]), "reasons": e["reasons"], "comment": e["comment"],
             **({"proxy_by": e["proxy_by"]} if e.get("proxy_by") else {})}
            for e in course.history or ()]


@view_config(route_name="api.course_transitions", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def list_transitions(context, request):
    return {"state": context.state,
            "transitions": workflow_api.allowed(context, request)}


@view_config(route_name="api.course_transitions", request_method="POST", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def take_transition(context, request):
    body = json_object(request)
    name, reasons, comment = body.get("transition"), body.get("reasons", []), body.get("comment", "")
    fields = {}
    if not isinstance(name, str) or not name:
        fields["transition"] = "請指定 transition。"
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        fields["reasons"] = "reasons 須為代碼字串的陣列。"
    if not isinstance(comment, str):
        fields["comment"] = "comment 須為字串。"
    if fields:
        raise malformed(fields)
    try:
        course_workflow.transition(context, request, name, reasons=reasons, comment=comment[:2000])
    except course_workflow.ReasonsRequired as error:
        raise ApiError(422, "reasons_required", str(error), {"reasons": str(error)})
    except course_workflow.Incomplete as error:
        raise ApiError(422, "incomplete_course", str(error), error.problems)
    except workflow_api.TransitionForbidden:
        raise ApiError(403, "forbidden", "您沒有執行此動作的權限。")
    except workflow_api.TransitionNotAllowed as error:
        raise ApiError(409, "invalid_transition", str(error))
    return {"code": context.code, "state": context.state, "history": history_json(context)}


@view_config(route_name="api.review_pending", request_method="GET", renderer="json",
             permission=permissions.AUTHENTICATED, decorator=reject_bad_bearer)
def review_pending(context, request):
    """The worklist of a centre the caller reviews: courses and rosters awaiting it."""
    code = request.GET.get("centre", "")
    centre = context["centres"].get(code) if code else None
    if centre is None:
        raise ApiError(404, "not_found", "找不到指定的分區管理中心。", {"centre": "請指定中心代碼。"})
    if not request.has_permission("course.review", centre):
        raise ApiError(403, "forbidden", "您不是此中心的審核人員。")
    page, per_page = paging(request)
    results = centre_courses(centre, ["pending", "roster_pending"])
    ordered = list(results.sort(context.catalog["starts_on"], limit=page * per_page).all())
    items = [{"code": c.code, "title": c.title, "state": c.state, "organiser": c.organiser.code,
              "starts_on": c.first_day.isoformat() if c.first_day else None}
             for c in ordered[(page - 1) * per_page:]]
    return page_of(items, len(results), page, per_page)
