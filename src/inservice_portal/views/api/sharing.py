"""資源分享區 over the API (GET /sharing/{kind}, GET /sharing/{kind}/{id}).

Anyone may read shared items; an item in another state answers as its ACL says (its owner
and moderators see it, others get 403). Only public fields go out: never a lecturer's contact
data, whoever asks.
"""
from hypatia.text.parsetree import ParseError
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ... import permissions, vocabularies
from ...sharing import service as sharing
from ...courses import taxonomy
from .errors import malformed
from ...bootstrap import root_factory
from ...resources.sharing import FOLDERS
from . import PREFIX, instant, page_of, paging, reject_bad_bearer, unit_json

ROUTES = {
    "api.sharing": "/sharing/{kind}",
    "api.sharing_item": "/sharing/{kind}/{id}",
}


def item_factory(request):
    """The item named by the URL: the context, so that its state's ACL decides."""
    folder = root_factory(request)["sharing"].get(request.matchdict["kind"])
    item = folder.get(request.matchdict["id"]) if folder is not None else None
    if item is None:
        raise HTTPNotFound()
    return item


def includeme(config):
    config.add_route("api.sharing", PREFIX + ROUTES["api.sharing"], factory=root_factory)
    config.add_route("api.sharing_item", PREFIX + ROUTES["api.sharing_item"],
                     factory=item_factory)


def item_json(item, request) -> dict:
    """The public fields of an item."""
    data = {"id": item.id, "kind": item.content_type, "state": item.state, "title": item.title,
            "description": item.description, "tags": list(item.tags),
            "owner": unit_json(item.owner_unit()), "url": request.resource_url(item),
            "created_at": instant(item.created_at)}
    if item.content_type == "handout":
        licence = sharing.licences().get(item.licence, {})
        data.update(stage=item.stage, scope=item.scope, sub_item=item.sub_item,
                    course_code=item.course_code,
                    licence={"code": item.licence, "label": licence.get("label"),
                             "url": licence.get("url")},
                    files=[{"filename": a.filename, "content_type": a.content_type,
                            "size": a.size,
                            "url": request.resource_url(item, "@@download", name)}
                           for name, a in item.attachments.items()])
    elif item.content_type == "lecturer":
        data.update(name=item.title, affiliation=item.affiliation,
                    expertise_stages=list(item.expertise_stages),
                    expertise_scopes=list(item.expertise_scopes), expertise=item.expertise)
    else:
        data.update(address=item.address, county=item.county, capacity=item.capacity,
                    facilities=list(item.facilities))
    return data


def course_json(course, request) -> dict:
    return {"code": course.code, "title": course.title, "organiser": course.organiser.title,
            "starts_on": course.starts_on.isoformat() if course.starts_on else None,
            "place": course.place, "url": request.resource_url(course)}


def _filters(request) -> dict:
    params = request.GET
    chosen = {name: params.get(name, "").strip() for name in ("q", "stage", "scope", "county",
                                                              "tag")}
    fields = {}
    if chosen["stage"] and chosen["stage"] not in taxonomy.stages():
        fields["stage"] = f"stage 須為 {'、'.join(taxonomy.stages())} 之一。"
    if chosen["scope"] and chosen["scope"] not in vocabularies.scopes():
        fields["scope"] = "scope 須為 \"1\"…\"6\" 之一。"
    if chosen["county"] and chosen["county"] not in vocabularies.counties():
        fields["county"] = "沒有這個縣市名稱。"
    if len(chosen["q"]) > 100:
        fields["q"] = "查詢字詞請在 100 字以內。"
    if fields:
        raise malformed(fields, "查詢條件不正確。")
    return chosen


@view_config(route_name="api.sharing", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def list_items(context, request):
    folder = context["sharing"].get(request.matchdict["kind"])
    if folder is None:
        raise HTTPNotFound()
    page, per_page = paging(request)
    kind = FOLDERS[folder.__name__].content_type
    start = (page - 1) * per_page
    try:
        results = sharing.browse(context, kinds=(kind,), **_filters(request))
        items = sharing.newest_first(context, results, limit=start + per_page)[start:]
    except ParseError:
        raise malformed({"q": "查詢字詞的格式無法辨識。"}, "查詢條件不正確。") from None
    return page_of([item_json(i, request) for i in items], len(results), page, per_page)


@view_config(route_name="api.sharing_item", request_method="GET", renderer="json",
             permission=permissions.VIEW, decorator=reject_bad_bearer)
def get_item(context, request):
    return dict(item_json(context, request),
                related_courses=[course_json(c, request)
                                 for c in sharing.related_courses(context, request)])
