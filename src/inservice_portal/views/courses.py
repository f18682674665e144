"""The course page: every item of 000 附件十 under its numbered Chinese label (codes shown as
their labels), the sessions with their credited hours, the suggested hours (Art. 10), the
attachments, the state, and — for the organiser's staff and reviewers — the history, the
Art. 9 flags, the edit/copy buttons and the link to 審核與流程 (submit, approve, return)."""
from pyramid.traversal import find_root
from pyramid.view import view_config

from ..courses import attachments as attachment_rules
from .. import permissions
from ..courses import review_flags, taxonomy
from ..sharing import service as sharing
from ..resources.interfaces import ICourse
from ..rules.eligibility import CLOSES_AT, OPENS_AT, moment_text
from ..schemas.course import (DELIVERY_OTHER, ITEM_OF, TITLE_OTHER, TITLES, hours_text,
                              session_hours_text)
from ..vocabularies import ADMISSION, FORM, STAGE_LABELS, VOCAB, VOCABULARY_OF
from ..workflows import api as workflow_api
from ..workflows import course as course_workflow
from .registration import course_box

MISSING = "（未填）"


def _label(field, code):
    return VOCAB[VOCABULARY_OF[field]].get(code, code)


def _labels(field, codes, other_code=None, other=""):
    return [f"{_label(field, c)}：{other}" if c == other_code and other else _label(field, c)
            for c in codes or ()]


def _amount(n) -> str:
    return f"{n:,}"


def field_values(course) -> dict:
    """Field name → what the page shows: a string, or a list shown one per line."""
    c = course
    level = {entry["level"]: entry["heading"] for entry in taxonomy.levels()}
    hours = (f"{c.credits} 學分（{hours_text(c.approved_hours)} 小時）"
             if c.is_credit_class and c.credits else f"{hours_text(c.hours)} 小時" if c.hours else "")
    return {
        "class_type": _label("class_type", c.class_type),
        "nature": _label("nature", c.nature) if c.nature else "",
        "authority_doc_no": c.authority_doc_no,
        "title": c.title,
        "tags": "、".join(c.tags),
        "stage": STAGE_LABELS.get(c.stage, "") if c.stage else "",
        "subject": c.subject,
        "scope": taxonomy.scope_names().get(c.scope, "") if c.scope else "",
        "sub_item": (taxonomy.label_of(c.stage, c.sub_item) or c.sub_item) if c.sub_item else "",
        "level": level.get(c.level, ""),
        "lecturers": [f"{r['name']}（{_label('kind', r['kind'])}）" for r in c.lecturers],
        "outline": c.outline,
        "attachments": None,        # the template lists the files as links
        "delivery_modes": _labels("delivery_modes", c.delivery_modes, DELIVERY_OTHER,
                                  c.delivery_other),
        "time_slots": _labels("time_slots", c.time_slots),
        "hours": hours,
        "hours_reason": c.hours_reason,
        "audience_stages": _labels("audience_stages", c.audience_stages),
        "audience_titles": _labels("audience_titles", c.audience_titles, TITLE_OTHER,
                                   c.audience_other),
        "registration_opens": moment_text(c.registration_opens, c.registration_opens_time, OPENS_AT),
        "registration_closes": moment_text(c.registration_closes, c.registration_closes_time,
                                           CLOSES_AT),
        "admission": ADMISSION.get(c.admission, ""),
        "starts_on": c.starts_on.isoformat() if c.starts_on else "",
        "ends_on": c.ends_on.isoformat() if c.ends_on else "",
        "place": c.place,
        "funding": _label("funding", c.funding) + (
            f"（補助新臺幣 {_amount(c.funding_amount)} 元）" if c.funding_amount else ""),
        "fee": _label("fee", c.fee) if c.fee else "",
        "classes": f"{c.classes} 班" if c.classes else "",
        "seats_per_class": f"{c.seats_per_class} 人" if c.seats_per_class else "",
        "contacts": [f"{r['name']}｜電話 {r['phone']}｜{r['email']}" for r in c.contacts],
        "feedback": _label("feedback", c.feedback) if c.feedback else "",
    }


OPTIONAL = {"authority_doc_no", "subject", "hours_reason"}     # rows only when filled in
FOLDED = {"delivery_other", "audience_other", "credits", "funding_amount",   # in their item's row
          "registration_opens_time", "registration_closes_time"}


def sections(course) -> list[dict]:
    """附件十's three sections, each with its items' rows in order (場次 has its own table)."""
    values = field_values(course)
    result = []
    for section in FORM["sections"]:
        rows = []
        for item in section["items"]:
            names = ["attachments"] if item == 10 else [n for n, i in ITEM_OF.items() if i == item]
            rows += [{"name": name, "label": TITLES[name], "value": values[name]}
                     for name in names if name != "sessions" and name not in FOLDED
                     and (name not in OPTIONAL or values[name])]
        result.append({"title": section["title"], "rows": rows,
                       "sessions": ITEM_OF["sessions"] in section["items"]})
    return result


def page_attachments(course, request) -> list[dict]:
    return [{"filename": a.filename, "size": attachment_rules.human_size(a.size),
             "url": request.resource_url(course, "@@download", name)}
            for name, a in course.attachments.items()]


def history_rows(course) -> list[dict]:
    people = find_root(course)["people"]
    titles = {(public, source): title
              for _, public, source, _, _, title in course_workflow.TRANSITIONS}
    rows = []
    for entry in course.history or ():
        kind = course_workflow.RETURNS.get(entry["transition"])
        reasons = course_workflow.return_reasons(kind) if kind else {}
        person = people.get(entry["by"])
        rows.append({
            "at": entry["at"],
            "by": ("系統（自動審核）" if entry["by"] == "system" else
                   (f"{person.name}（{entry['by']}）" if person is not None else entry["by"]))
                  + (f"，由 {entry['proxy_by']} 代理" if entry.get("proxy_by") else ""),
            "action": titles.get((entry["transition"], entry["from"]), entry["transition"]),
            "from": course_workflow.STATES.get(entry["from"], entry["from"]),
            "to": course_workflow.STATES.get(entry["to"], entry["to"]),
            "reasons": [reasons.get(r, r) for r in entry.get("reasons") or ()],
            "comment": entry.get("comment") or "",
        })
    return rows


@view_config(context=ICourse, renderer="inservice_portal:templates/public/course.pt",
             permission=permissions.VIEW, request_method="GET")
def course_page(context, request):
    def may(permission):
        return bool(request.has_permission(permission, context))

    insider = may(course_workflow.HISTORY)                  # organiser staff, reviewers
    return {
        "page_title": context.title,
        "state": course_workflow.STATES.get(context.state, context.state),
        "sections": sections(context),
        "missing": MISSING,
        "sessions": [{"session": s, "hours": session_hours_text(s)} for s in context.sessions],
        "suggested": hours_text(context.suggested_hours) if context.sessions else None,
        "files": page_attachments(context, request),
        "history": history_rows(context) if insider else None,
        "flags": review_flags.restricted_flags(context) if insider else [],
        # 審核與流程: where the organiser submits and the reviewer approves or returns.
        "workflow_url": request.resource_url(context, "workflow") if insider else None,
        "actions": [t["title"] for t in workflow_api.allowed(context, request)] if insider else [],
        "can_edit": may("course.edit"),
        "can_copy": may("course.copy"),
        "csrf_token": request.session.get_csrf_token() if may("course.copy") else None,
        "titles": TITLES,
        "shared": sharing.items_of_course(context),
        "registration": course_box(context, request),       # 線上報名 (views/registration.py)
        "csrf_token_reg": request.session.get_csrf_token() if request.account else None,
    }
