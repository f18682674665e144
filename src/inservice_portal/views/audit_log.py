"""稽核紀錄: the audit log, browsed by user, object and date, newest first, paged.

The ministry (/audit) sees every entry; a centre (/centres/<c>/audit) the entries about its
own units and their accounts only (audit.py keeps each entry's centre).
"""
from pyramid.view import view_config

from .. import audit, permissions
from ..resources.interfaces import IMinistry, IRegionCentre

PER_PAGE = 50


def browse(request, centre=None) -> dict:
    params = request.GET
    filters = {"actor": params.get("actor", "").strip()[:64],
               "object": params.get("object", "").strip()[:300],
               "since": params.get("since", "").strip()[:10],
               "until": params.get("until", "").strip()[:10]}
    since, until = audit.parse_day(filters["since"]), audit.parse_day(filters["until"])
    errors = [f"「{label}」須為 YYYY-MM-DD 格式的日期。"
              for key, label, value in (("since", "起日", since), ("until", "迄日", until))
              if filters[key] and value is None]
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        page = 1
    log = audit.log_of(request.root, create=False)
    if not errors and centre is None and not any(filters.values()):
        # Everything, newest first: sequence numbers run without gaps from the anchor to the
        # head, so a page is a range, whatever the size of the log.
        total = log.last_seq - log.anchor_seq
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        top = log.last_seq - (page - 1) * PER_PAGE
        seqs = range(top, max(log.anchor_seq, top - PER_PAGE), -1)
        rows = [log.entries[s] for s in seqs if s in log.entries]
    else:
        found = [] if errors else audit.search(log, actor=filters["actor"] or None,
                                               obj=filters["object"] or None, centre=centre,
                                               since=since, until=until)
        total = len(found)
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        rows = [log.entries[s] for s in found[(page - 1) * PER_PAGE: page * PER_PAGE]]
    query = {k: v for k, v in filters.items() if v}
    return {"page_title": "稽核紀錄", "rows": rows, "filters": filters, "errors": errors,
            "total": total, "page": page, "pages": pages, "label": audit.label,
            "page_url": lambda n: request.resource_url(request.context, "audit",
                                                        query=dict(query, page=n)),
            "scope": "全國" if centre is None else request.context.title,
            "summary": summary}


def summary(entry) -> str:
    detail = entry.get("detail") or {}
    parts = []
    if "from" in detail and "to" in detail:
        parts.append(f"{detail['from']} → {detail['to']}")
    for key, value in detail.items():
        if key not in ("from", "to") and value not in ("", None, [], {}):
            parts.append(f"{key}：{value if not isinstance(value, list) else '、'.join(map(str, value))}")
    return "；".join(parts)


@view_config(context=IMinistry, name="audit", permission=permissions.AUDIT,
             request_method="GET", renderer="inservice_portal:templates/audit/log.pt")
def ministry_audit(context, request):
    return browse(request)


@view_config(context=IRegionCentre, name="audit", permission=permissions.AUDIT,
             request_method="GET", renderer="inservice_portal:templates/audit/log.pt")
def centre_audit(context, request):
    return browse(request, centre=context.__name__)
