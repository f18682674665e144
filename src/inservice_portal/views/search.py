"""研習課程查詢: keyword and filters over the public catalogue (course_search.py).

A GET form: the whole state is in the query string, so a search is a shareable URL and the
browser's back button works. Malformed parameters re-render the form with what was typed and
an error summary linking to each field (never a 500).
"""
from functools import cache
from html import escape

from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.traversal import resource_path
from pyramid.view import view_config

from .. import clock, permissions
from .. import vocabularies
from ..comms import subscriptions
from ..courses import search as course_search
from ..courses.search import parse_criteria
from ..resources.interfaces import IMinistry
from ..schemas.course import hours_text

PER_PAGE = 20

# Field labels, shared by the form and the error summary.
LABELS = {
    "q": "關鍵字", "county": "縣市", "centre": "分區管理中心", "organiser": "辦理單位代碼",
    "stage": "教育階段（課程內容）", "scope": "進修範疇", "level": "進修階層",
    "audience_stage": "參加對象教育階段別", "delivery": "實施方式", "tag": "專案屬性標籤",
    "starts_from": "開課日期（起）", "starts_to": "開課日期（迄）", "open": "報名中",
    "finished": "包含已結束的課程",
    "hours_min": "研習時數（下限）", "hours_max": "研習時數（上限）", "sort": "排序",
    "page": "頁碼",
}


def page_number(value) -> tuple[int, str | None]:
    value = (value or "").strip()
    if not value:
        return 1, None
    if not (value.isascii() and value.isdigit()) or len(value) > 6 or int(value) < 1:
        return 1, "頁碼須為 1 以上的整數。"
    return int(value), None


class Html(str):
    """Markup built here (escaped piece by piece): Chameleon inserts it as it is."""

    def __html__(self):
        return self


def options(choices: dict, selected: str, blank: str | None = "不限") -> Html:
    """A select's options in one string: the form has many of them, and a Chameleon loop
    iteration per option cost more than the rest of the page (README: Performance)."""
    out = [f'<option value="">{blank}</option>'] if blank is not None else []
    for code, label in choices.items():
        mark = " selected" if code == selected else ""
        out.append(f'<option value="{escape(code)}"{mark}>{escape(label)}</option>')
    return Html("".join(out))


@cache
def choices() -> dict:
    return {"counties": vocabularies.counties(), "centres": vocabularies.centres(),
            "stages": vocabularies.stages(), "scopes": vocabularies.scopes(),
            "levels": vocabularies.levels(), "audience_stages": vocabularies.audience_stages(),
            "delivery_modes": vocabularies.delivery_modes(),
            "sorts": {k: v[2] for k, v in course_search.SORTS.items()}}


@view_config(context=IMinistry, name="search", permission=permissions.VIEW,
             renderer="inservice_portal:templates/public/search.pt", request_method="GET")
def search_page(context, request):
    criteria, errors = parse_criteria(request.GET)
    page, page_error = page_number(request.GET.get("page"))
    if page_error:
        errors["page"] = page_error
    elif page * PER_PAGE > course_search.MAX_RESULTS_PAGED:
        errors["page"] = (f"只能瀏覽前 {course_search.MAX_RESULTS_PAGED} 筆結果，"
                          "請加上條件縮小查詢範圍。")
    now = clock.now()
    today = now.date()
    results = None
    if not errors:
        results = course_search.search(context, criteria, today, (page - 1) * PER_PAGE,
                                       PER_PAGE)
    total = results.total if results else 0
    pages = max(1, -(-total // PER_PAGE))
    shown = min(pages, course_search.MAX_RESULTS_PAGED // PER_PAGE)
    query = criteria.query_string()

    def page_url(n):
        return request.resource_url(context, "search", query={**query, "page": n} if n > 1
                                    else query)

    return {
        "page_title": "研習課程查詢", "values": {k: request.GET.get(k, "") for k in LABELS},
        "criteria": criteria, "errors": errors, "labels": LABELS,
        "courses": results.courses if results else [], "total": total,
        "searched": results is not None, "page": page, "pages": pages,
        "prev_url": page_url(page - 1) if page > 1 and results else None,
        "next_url": page_url(page + 1) if page < shown and results else None,
        "is_open": lambda course: course_search.is_open(course, now),
        "hours_text": hours_text, "options": options, **choices(),
        "url_of": lambda course: request.application_url + resource_path(course) + "/",
        "subscribe_url": subscribe_url(request, criteria) if results else None,
    }


def subscribe_url(request, criteria):
    """「訂閱此查詢條件」, where the search uses criteria a subscription keeps (the same for
    every visitor: the page may be cached; /subscribe finds the teacher)."""
    kept = {name: value for name, value in criteria.query_string().items()
            if name in subscriptions.FIELDS}
    return request.resource_url(request.root, "subscribe", query=kept) if kept else None


@view_config(context=IMinistry, name="subscribe", permission=permissions.AUTHENTICATED,
             request_method="GET")
def subscribe(context, request):
    """On to the teacher's own 研習資訊訂閱 page, with the search's criteria filled in."""
    account = request.account
    if account.kind != "teacher" or account is not request.real_account:
        raise HTTPForbidden("研習資訊訂閱限教師帳號使用。")
    kept = {name: request.GET[name] for name in subscriptions.FIELDS if request.GET.get(name)}
    return HTTPSeeOther(request.resource_url(account, "subscriptions", query=kept))
