"""Public pages: home and the accessibility statement."""
from pyramid.view import view_config

from .. import clock, permissions
from ..catalog import Search
from ..resources.interfaces import IMinistry

UPCOMING = 10


def upcoming_courses(root, today, limit=UPCOMING):
    search = Search(root)
    query = (search["content_type"].eq("course") & search["state"].eq("published")
             & search["starts_on"].ge(today.toordinal()))
    return search.execute(query).sort(search["starts_on"], limit=limit).all()


@view_config(context=IMinistry, renderer="inservice_portal:templates/public/home.pt",
             permission=permissions.VIEW, request_method="GET")
def home(context, request):
    return {"page_title": "首頁", "courses": list(upcoming_courses(context, clock.now().date()))}


@view_config(context=IMinistry, name="accessibility", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/accessibility.pt", request_method="GET")
def accessibility(context, request):
    return {"page_title": "無障礙說明"}
