"""待辦事項: the landing page of every staff role (issue 16): a centre's reviewer, an
organiser's staff, and the cross-centre view of the national centre and the ministry."""
from pyramid.view import view_config

from .. import clock, permissions, todo
from ..resources.interfaces import IMinistry, IOrganiser, IRegionCentre
from .navigation import UNIT_PAGES

TPL = "inservice_portal:templates/todo/tasks.pt"


PAGE_PERMISSIONS = {name: permission for name, _, permission in UNIT_PAGES if permission}


def _may_open(context, request, task) -> bool:
    """A task's items are its page's to show: kept for whoever may open that page."""
    own = "course.review" if IRegionCentre.providedBy(context) else "unit.courses"
    return request.has_permission(PAGE_PERMISSIONS.get(task.page, own), context)


def _page(context, request, tasks, national=None):
    tasks = [task for task in tasks if _may_open(context, request, task)]
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
