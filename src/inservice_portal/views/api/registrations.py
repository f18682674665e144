"""線上報名 over the API: register, withdraw, the organiser's list and accept/reject,
my registrations, and my calendar (iCalendar).

Writes go through ``course_locks.run_locked``: the course's lock is taken before the
transaction that reads the seats begins (see registrations.py for why)."""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.traversal import find_root
from pyramid.view import view_config

from ...registration import calendar_feed
from ... import permissions
from ...registration import service as service
from .errors import ApiError, malformed
from ...registration.locks import run_locked
from ...workflows import api as workflow_api
from ...workflows import registration as registration_workflow
from . import PREFIX, instant, json_object, page_of, paging, reject_bad_bearer
from ..downloads import ics_response
from .course_review import course_factory
from ...bootstrap import root_factory

ROUTES = {
    "api.course_registrations": ("/courses/{code}/registrations", "course"),
    "api.course_registration": ("/courses/{code}/registrations/{login}", "course"),
    "api.registration_transitions": ("/courses/{code}/registrations/{login}/transitions",
                                     "course"),
    "api.my_registrations": ("/me/registrations", "root"),
    "api.my_calendar": ("/me/calendar.ics", "root"),
    "api.my_calendar_feed": ("/me/calendar-feed", "root"),
}


def includeme(config):
    factories = {"course": course_factory, "root": root_factory}
    for name, (path, factory) in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=factories[factory])


def registration_json(reg, with_history=False, position=None) -> dict:
    body = {"course": reg.course.code, "login": reg.login, "state": reg.state,
            "state_label": registration_workflow.STATES[reg.state],
            "created_at": instant(reg.created_at)}
    if reg.state == "waitlisted":
        body["position"] = position or reg.position
    if with_history:
        body["history"] = [{"transition": e["transition"], "from": e["from"], "to": e["to"],
                            "by": e["by"], "at": instant(e["at"])} for e in reg.history or ()]
    return body


def teacher_of(request):
    account = request.account
    if account is None:
        raise ApiError(401, "unauthorized", "請先登入或提供有效的存取權杖。")
    if account.kind != "teacher":
        raise ApiError(403, "forbidden", "只有教師個人帳號可以報名研習。")
    return account


def refused(error: service.Refused) -> ApiError:
    fields = dict(error.fields)
    if error.details:
        fields["conflicts"] = "、".join(f"{d['course'].code} {d['course'].title}"
                                       for d in error.details)
    return ApiError(error.status, error.code, error.message, fields)


@view_config(route_name="api.course_registrations", request_method="POST", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def register(context, request):
    """Body (optional): ``{"confirm": true}`` to register despite a schedule conflict."""
    teacher = teacher_of(request)
    body = json_object(request) if request.body else {}
    confirm = body.get("confirm", False)
    if not isinstance(confirm, bool):
        raise malformed({"confirm": "confirm 須為 true 或 false。"})
    try:
        reg = run_locked(request, context,
                                 lambda: service.register(request, context, teacher, confirm))
    except service.Refused as error:
        raise refused(error)
    request.response.status_int = 201
    body = {"state": reg.state, "course": context.code}
    if reg.state == "waitlisted":
        body["position"] = reg.position
    return body


@view_config(route_name="api.course_registrations", request_method="GET", renderer="json",
             permission=registration_workflow.LIST, decorator=reject_bad_bearer)
def list_registrations(context, request):
    """Organiser staff and reviewers: every registration in registration order."""
    page, per_page = paging(request)
    state = request.GET.get("state")
    if state is not None and state not in registration_workflow.STATES:
        raise malformed({"state": "未知的報名狀態。"})
    regs = [r for r in service.all_of(context) if state is None or r.state == state]
    people = find_root(context)["people"]
    waiting = service.positions(context)
    items = []
    for reg in regs[(page - 1) * per_page:page * per_page]:
        item = registration_json(reg, position=waiting.get(reg.login))
        person = people.get(reg.login)
        item["name"] = person.name if person is not None else ""
        items.append(item)
    return dict(page_of(items, len(regs), page, per_page),
                seats_left=context.seats_left, capacity=context.capacity)


def registration_or_404(course, login):
    reg = service.get(course, login)
    if reg is None:
        raise ApiError(404, "not_found", "找不到此報名紀錄。")
    return reg


@view_config(route_name="api.course_registration", request_method="DELETE", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def withdraw(context, request):
    """取消報名, by the teacher or the organiser's staff (the registration's ACL decides)."""
    login = request.matchdict["login"]

    def work():
        reg = registration_or_404(context, login)
        if not request.has_permission(permissions.VIEW, reg):
            raise ApiError(404, "not_found", "找不到此報名紀錄。")     # not yours: not shown
        try:
            service.withdraw(request, context, reg)
        except workflow_api.TransitionForbidden:
            raise ApiError(403, "forbidden", "您沒有取消此報名的權限。")
        except workflow_api.TransitionNotAllowed as error:
            raise ApiError(409, "invalid_transition", str(error))
        return registration_json(reg)

    return run_locked(request, context, work)


@view_config(route_name="api.registration_transitions", request_method="POST", renderer="json",
             permission=registration_workflow.LIST, decorator=reject_bad_bearer)
def decide(context, request):
    """報名審核: ``{"transition": "accept" | "reject"}`` (organiser staff, review courses)."""
    body = json_object(request)
    name = body.get("transition")
    if name not in ("accept", "reject"):
        raise malformed({"transition": "transition 須為 accept 或 reject。"})
    login = request.matchdict["login"]

    def work():
        reg = registration_or_404(context, login)
        try:
            service.decide(request, context, reg, name)
        except service.Refused as error:
            raise refused(error)
        except workflow_api.TransitionForbidden:
            raise ApiError(403, "forbidden", "您沒有審核此報名的權限。")
        except workflow_api.TransitionNotAllowed as error:
            raise ApiError(409, "invalid_transition", str(error))
        return registration_json(reg, with_history=True)

    return run_locked(request, context, work)


@view_config(route_name="api.my_registrations", request_method="GET", renderer="json",
             permission=permissions.AUTHENTICATED, decorator=reject_bad_bearer)
def my_registrations(context, request):
    account = request.account
    if account.kind != "teacher":
        raise ApiError(403, "forbidden", "只有教師個人帳號有報名紀錄。")
    page, per_page = paging(request)
    regs = service.registrations_of(account)
    items = []
    for reg in regs[(page - 1) * per_page:page * per_page]:
        item = registration_json(reg)
        course = reg.course
        item.update(title=course.title, organiser=course.organiser.title,
                    starts_on=course.first_day.isoformat() if course.first_day else None)
        items.append(item)
    return page_of(items, len(regs), page, per_page)


@view_config(route_name="api.my_calendar", request_method="GET",
             permission=NO_PERMISSION_REQUIRED, decorator=reject_bad_bearer)
def my_calendar(context, request):
    """My accepted sessions: with ``?token=`` (a private feed token, for calendar apps), or as
    the logged-in teacher (session or bearer token)."""
    feed_token = request.GET.get("token")
    if feed_token is not None:
        teacher = calendar_feed.teacher_for(context, feed_token)
        if teacher is None:
            raise ApiError(404, "not_found", "此行事曆訂閱網址無效或已撤銷。")
    else:
        teacher = request.account
        if teacher is None:
            raise ApiError(401, "unauthorized", "請先登入，或使用行事曆訂閱網址。")
        if teacher.kind != "teacher":
            raise ApiError(403, "forbidden", "只有教師個人帳號有研習行事曆。")
    return ics_response(calendar_feed.teacher_calendar(request, teacher), "my-courses.ics")


@view_config(route_name="api.my_calendar_feed", request_method="POST", renderer="json",
             permission=permissions.AUTHENTICATED, decorator=reject_bad_bearer)
def new_feed(context, request):
    """A new private feed URL (the previous one stops working)."""
    teacher = request.account
    if teacher.kind != "teacher":
        raise ApiError(403, "forbidden", "只有教師個人帳號有研習行事曆。")
    token = calendar_feed.issue(context, teacher)
    request.response.status_int = 201
    return {"url": request.route_url("api.my_calendar", _query={"token": token})}


@view_config(route_name="api.my_calendar_feed", request_method="DELETE",
             permission=permissions.AUTHENTICATED, decorator=reject_bad_bearer)
def revoke_feed(context, request):
    calendar_feed.revoke(context, request.account)
    response = Response(status=204)
    del response.content_type
    return response

