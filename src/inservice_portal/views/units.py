"""Unit pages: a region centre with its organisers, an organiser with its courses."""
from pyramid.view import view_config

from .. import permissions, reference
from ..resources.interfaces import IOrganiser, IRegionCentre
from ..resources.organiser import ACTIVE


@view_config(context=IRegionCentre, renderer="inservice_portal:templates/public/centre.pt",
             permission=permissions.VIEW, request_method="GET")
def centre_page(context, request):
    return {"page_title": context.title,
            "modes": reference.vocabulary("integration_modes"),
            "kinds": reference.vocabulary("organiser_kinds"),
            "organisers": [o for o in context.values() if o.state == ACTIVE]}


@view_config(context=IOrganiser, renderer="inservice_portal:templates/public/organiser.pt",
             permission=permissions.VIEW, request_method="GET")
def organiser_page(context, request):
    visible = [c for c in context.values() if request.has_permission(permissions.VIEW, c)]
    return {"page_title": context.title,
            "kinds": reference.vocabulary("organiser_kinds"),
            "courses": sorted(visible, key=lambda c: c.code, reverse=True)}
