"""待辦事項: the landing page of every staff role (issue 16): a centre's reviewer, an
organiser's staff, and the cross-centre view of the national centre and the ministry."""
from pyramid.view import view_config

from .. import clock, permissions, todo
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre

TPL = "inservice_portal:templates/todo/tasks.pt"


def _page(context, request, tasks, national=None):
    return {"page_title": "待辦事項", "unit": context, "tasks": tasks, "national": national,
            "total": sum(t.count for t in tasks), "last_return": todo.last_return,
            "url": lambda task: request.resource_url(context, task.page)}


@view_config(context=IRegionCentre, name="todo", permission="course.review", renderer=TPL,
             request_method="GET")
def centre_todo(context, request):
    today = clock.now().date()
    national = (todo.national_rows(request.root, today)
                if request.has_permission(permissions.NATIONAL_OVERVIEW, context) else None)
    return _page(context, request, todo.centre_tasks(context, today), national)


@view_config(context=IOrganiser, name="todo", permission="unit.courses", renderer=TPL,
             request_method="GET")
def organiser_todo(context, request):
    return _page(context, request, todo.organiser_tasks(context, clock.now().date()))


@view_config(context=IMinistry, name="todo", permission=permissions.NATIONAL_OVERVIEW,
             renderer=TPL, request_method="GET")
def national_todo(context, request):
    return _page(context, request, [], todo.national_rows(context, clock.now().date()))
