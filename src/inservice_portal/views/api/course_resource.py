"""One course over the API: create it under an organiser, read it, edit it.

The same schema, rules and writes as the pages (schemas/course.py, courses/service.py), and
the same permissions: ``course.create`` on the organiser, the state's ACL on the course.
Reading a course one may not view answers like the page does: 401 to the anonymous, 403 to
others (a course code is no secret: codes are sequential and printed on certificates).
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ... import permissions
from .errors import ApiError
from ...bootstrap import root_factory
from ...accounts.organisers import find_organiser
from ...courses import service as course_service
from ...workflows import course as course_workflow
from . import PREFIX, json_object, reject_bad_bearer
from .course_json import course_appstruct, course_json
from .course_review import course_factory

ROUTES = {
    "api.course": ("/courses/{code}", course_factory),
    "api.organiser_courses": ("/organisers/{organiser}/courses", None),
}
EDITABLE = "或".join(f"「{course_workflow.STATES[s]}」" for s in ("draft", "returned"))


def organiser_factory(request):
    organiser = find_organiser(root_factory(request), request.matchdict["organiser"])
    if organiser is None:
        raise HTTPNotFound()
    return organiser


def includeme(config):
    for name, (path, factory) in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=factory or organiser_factory)


@view_config(route_name="api.organiser_courses", request_method="POST", renderer="json",
             permission="course.create", decorator=reject_bad_bearer)
def create(context, request):
    appstruct = course_appstruct(json_object(request), request, context)
    course = course_service.create(context, appstruct, request.account.login, request.registry)
    request.response.status = 201
    request.response.location = request.route_url("api.course", code=course.code)
    return course_json(course, request)


@view_config(route_name="api.course", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def read(context, request):
    return course_json(context, request)


# Declared with the insiders' permission (organiser staff, reviewers) so that the anonymous
# get 401 and outsiders 403 in every state; the view then tells state from role.
@view_config(route_name="api.course", request_method="PATCH", renderer="json",
             permission=course_workflow.HISTORY, decorator=reject_bad_bearer)
def update(context, request):
    if not request.has_permission("course.edit", context):
        if request.has_permission("course.manage", context.organiser):
            state = course_workflow.STATES[context.state]
            raise ApiError(409, "state_conflict",
                           f"課程目前為「{state}」，只有{EDITABLE}的課程可以修改。")
        raise ApiError(403, "forbidden", "您沒有修改此課程的權限。")
    appstruct = course_appstruct(json_object(request), request, context.organiser,
                                 course=context)
    course_service.save(context, appstruct, request.registry)
    return course_json(context, request)
