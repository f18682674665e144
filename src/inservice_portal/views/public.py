"""Public pages: home, the accessibility statement, the privacy policy and the contacts."""
from pyramid.view import view_config

from .. import clock, permissions
from ..catalog import Search
from ..comms import news, survey
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
    region = news.reader_region(context, request.account) if request.account else None
    open_survey = survey.current(context) if request.account else None
    if open_survey is not None and request.account.login in open_survey.answered:
        open_survey = None
    return {"page_title": "首頁", "courses": list(upcoming_courses(context, clock.now().date())),
            "news": news.latest(context, region), "survey": open_survey}


@view_config(context=IMinistry, name="accessibility", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/accessibility.pt", request_method="GET")
def accessibility(context, request):
    return {"page_title": "無障礙說明"}


@view_config(context=IMinistry, name="privacy", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/privacy.pt", request_method="GET")
def privacy(context, request):
    return {"page_title": "個人資料保護"}


@view_config(context=IMinistry, name="contact", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/contact.pt", request_method="GET")
def contact(context, request):
    """聯絡我們: the national centre first, then each centre, with the contact details each
    keeps on 修改本單位通訊資料 (none invented where a centre has not entered them)."""
    centres = list(context["centres"].values())
    return {"page_title": "聯絡我們",
            "centres": sorted(centres, key=lambda c: c.kind != "national")}
