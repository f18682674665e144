"""本單位研習課程瀏覽: the organiser's own courses in every state, filtered by state."""
from pyramid.view import view_config

from ..catalog import Search
from ..resources.interfaces import IOrganiser
from ..workflows import course as course_workflow
from ..workflows.registration import COURSE_LIST_STATES

LIMIT = 500


def organiser_courses(organiser, state=None):
    root = organiser.__parent__.__parent__.__parent__
    search = Search(root)
    query = (search["content_type"].eq("course") & search["organiser"].eq(organiser.code)
             & search["centre"].eq(organiser.__parent__.code))
    if state:
        query &= search["state"].eq(state)
    return search.execute(query)


@view_config(context=IOrganiser, name="courses", permission="unit.courses",
             renderer="inservice_portal:templates/organiser/courses.pt", request_method="GET")
def unit_courses(context, request):
    state = request.params.get("state") or None
    if state not in course_workflow.STATES:
        state = None
    root = context.__parent__.__parent__.__parent__
    results = organiser_courses(context, state)
    courses = list(results.sort(root.catalog["code"], reverse=True, limit=LIMIT).all())
    return {"page_title": "本單位研習課程瀏覽", "courses": courses, "total": len(results),
            "state": state or "", "states": course_workflow.STATES,
            "can_add": request.has_permission("course.create", context),
            "list_states": COURSE_LIST_STATES}     # 報名名單 link (views/registration.py)
