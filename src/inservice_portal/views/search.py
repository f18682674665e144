"""研習課程查詢: keyword search over published courses (the registration issue adds filters)."""
from hypatia.text.parsetree import ParseError
from pyramid.view import view_config

from .. import permissions
from ..catalog import Search
from ..resources.interfaces import IMinistry

PER_PAGE = 20


def published_courses(root, keyword: str):
    """The published courses matching ``keyword`` (all of them when it is blank)."""
    search = Search(root)
    query = search["content_type"].eq("course") & search["state"].eq("published")
    if keyword.strip():
        query &= search["text"].contains(keyword)
    return search.execute(query)


@view_config(context=IMinistry, name="search", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/search.pt", request_method="GET")
def search_page(context, request):
    keyword = request.params.get("q", "").strip()[:100]
    try:
        page = max(1, int(request.params.get("page", "1")))
    except ValueError:
        page = 1
    error = None
    try:
        results = published_courses(context, keyword)
        total = len(results)
        start = (page - 1) * PER_PAGE
        courses = list(results.sort(context.catalog["starts_on"], reverse=True,
                                    limit=start + PER_PAGE).all())[start:]
    except ParseError:
        error, total, courses = "查詢字詞的格式無法辨識，請改用一般文字查詢。", 0, []
    return {"page_title": "研習課程查詢", "q": keyword, "courses": courses, "total": total,
            "page": page, "pages": max(1, -(-total // PER_PAGE)), "error": error}
