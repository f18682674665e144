"""稽核紀錄: the audit log, browsed by user, object and date, newest first, paged.

The ministry (/audit) sees every entry; a centre (/centres/<c>/audit) the entries about its
own units and their accounts only (audit/ keeps each entry's centre).
"""
from pyramid.traversal import resource_path
from pyramid.view import view_config

from .. import audit, permissions
from ..resources.interfaces import IMinistry, IRegionCentre
from ..workflows.api import state_title

PER_PAGE = 50


def _filters(request, units) -> tuple[dict, list, dict]:
    """The filters asked for (a unit only if it is one of ``units``), the errors, the days."""
    params = request.GET
    filters = {"actor": params.get("actor", "").strip()[:64],
               "object": params.get("object", "").strip()[:300],
               "unit": params.get("unit", "") if params.get("unit", "") in units else "",
               "since": params.get("since", "").strip()[:10],
               "until": params.get("until", "").strip()[:10]}
    days = {"since": audit.parse_day(filters["since"]), "until": audit.parse_day(filters["until"])}
    errors = [f"「{label}」須為日期，請以西元年-月-日填寫（例如 2026-03-01）。"
              for key, label in (("since", "起日"), ("until", "迄日"))
              if filters[key] and days[key] is None]
    return filters, errors, days


def _page_of(seqs_total, page) -> tuple[int, int]:
    pages = max(1, -(-seqs_total // PER_PAGE))
    return min(page, pages), pages


def browse(request, centre=None) -> dict:
    units = unit_choices(request, centre)
    filters, errors, days = _filters(request, units)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    # A centre chosen by the ministry: its entries (its units' people too, audit.py keeps each
    # entry's centre); a unit chosen by a centre: the entries about it and below it.
    chosen = filters["unit"]
    narrowed = ({"centre": centre, "under": chosen or None} if centre is not None else
                {"centre": chosen.rsplit("/", 1)[1] if chosen else None})
    log = audit.log_of(request.root, create=False)
    if not errors and centre is None and not any(filters.values()):
        # Everything, newest first: sequence numbers run without gaps from the anchor to the
        # head, so a page is a range, whatever the size of the log.
        total = log.last_seq - log.anchor_seq
        page, pages = _page_of(total, page)
        top = log.last_seq - (page - 1) * PER_PAGE
        rows = [log.entries[s] for s in range(top, max(log.anchor_seq, top - PER_PAGE), -1)
                if s in log.entries]
    else:
        found = [] if errors else audit.search(log, actor=filters["actor"] or None,
                                               obj=filters["object"] or None, **days,
                                               **narrowed)
        total = len(found)
        page, pages = _page_of(total, page)
        rows = [log.entries[s] for s in found[(page - 1) * PER_PAGE: page * PER_PAGE]]
    query = {k: v for k, v in filters.items() if v}
    return {"page_title": "稽核紀錄", "rows": rows, "filters": filters, "errors": errors,
            "total": total, "page": page, "pages": pages, "label": audit.label,
            "page_url": lambda n: request.resource_url(request.context, "audit",
                                                        query=dict(query, page=n)),
            "scope": "全國" if centre is None else request.context.title,
            "summary": summary, "units": units,
            "filter_url": lambda **chosen: request.resource_url(
                request.context, "audit", query={**query, **chosen, "page": 1})}


def unit_choices(request, centre=None) -> dict:
    """The units one may narrow to, path → name: the centres for the ministry, a centre's own
    units for the centre (chosen from a list, not typed as paths)."""
    parent = request.root["centres"] if centre is None else request.root["centres"][centre]
    return {resource_path(unit): unit.title for unit in parent.values()}


def summary(entry) -> str:
    """The entry's detail as the pages word it: states by their titles, keys and coded values
    in Chinese (audit.DETAILS); a key nobody named yet is shown as it is."""
    detail = entry.get("detail") or {}
    workflow = audit.workflow_of(entry["action"])
    parts = []
    if "from" in detail and "to" in detail:
        parts.append(f"{state_title(workflow, detail['from'])} → {state_title(workflow, detail['to'])}"
                     if workflow else f"{detail['from']} → {detail['to']}")
    for key, value in detail.items():
        if key in ("from", "to") or value in ("", None, [], {}):
            continue
        value = audit.DETAIL_VALUES.get(key, {}).get(value, value) if isinstance(value, str) else value
        shown = "、".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{audit.DETAILS.get(key, key)}：{shown}")
    return "；".join(parts)


@view_config(context=IMinistry, name="audit", permission=permissions.AUDIT,
             request_method="GET", renderer="inservice_portal:templates/audit/log.pt")
def ministry_audit(context, request):
    return browse(request)


@view_config(context=IRegionCentre, name="audit", permission=permissions.AUDIT,
             request_method="GET", renderer="inservice_portal:templates/audit/log.pt")
def centre_audit(context, request):
    return browse(request, centre=context.__name__)
