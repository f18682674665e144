"""Public reference data: region centres, organisers, and the OpenAPI document."""
from pyramid.view import view_config

from ... import permissions, reference
from .errors import ApiError
from . import page_of, paging, reject_bad_bearer


def centres_in_order(root) -> list:
    """The 25 centres in centres.yaml's order (national, k12ea, circle, then the counties)."""
    order = {c["code"]: i for i, c in enumerate(reference.centres())}
    return sorted(root["centres"].values(), key=lambda c: (order.get(c.__name__, len(order)),
                                                           c.__name__))


def centre_json(centre) -> dict:
    return {"code": centre.code, "name": centre.title, "kind": centre.kind,
            "county": centre.county, "auto_approve": centre.auto_approve,
            "integration_mode": centre.mode}


def organiser_json(organiser, centre) -> dict:
    return {"code": organiser.code, "name": organiser.title, "kind": organiser.kind,
            "centre": centre.code}


@view_config(route_name="api.centres", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def centres(context, request):
    page, per_page = paging(request)
    every = centres_in_order(context)
    start = (page - 1) * per_page
    return page_of([centre_json(c) for c in every[start:start + per_page]], len(every),
                   page, per_page)


def organisers_slice(centres, start: int, stop: int) -> list[dict]:
    """Items ``start:stop`` of the organisers of ``centres`` taken one after the other, by
    slicing each centre's BTree keys: 21,000 organisers are never loaded for one page."""
    items = []
    for centre in centres:
        size = len(centre)                          # a BTrees.Length: no scan
        if start < size and stop > 0:
            for name in centre.keys()[max(start, 0):min(stop, size)]:
                items.append(organiser_json(centre[name], centre))
        start, stop = start - size, stop - size
        if stop <= 0:
            break
    return items


@view_config(route_name="api.organisers", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def organisers(context, request):
    page, per_page = paging(request)
    code = request.GET.get("centre", "").strip()
    if code:
        centre = context["centres"].get(code)
        if centre is None:
            raise ApiError(404, "not_found", "找不到這個分區管理中心。",
                           {"centre": "沒有這個代碼的中心。"})
        chosen = [centre]
    else:
        chosen = centres_in_order(context)
    start = (page - 1) * per_page
    return page_of(organisers_slice(chosen, start, start + per_page),
                   sum(len(c) for c in chosen), page, per_page)


@view_config(route_name="api.openapi", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def openapi(context, request):
    return reference.load("openapi")   # kept as YAML in data/, parsed once per process
