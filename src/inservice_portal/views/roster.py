"""研習名單 pages: the roster (mark each session, add walk-ins, upload the XLSX template),
the special approval of hours over the caps, and the overdue rosters (未結案課程) of a centre
and of an organiser (002 Art. 10; 000 未結案研習課程催覆)."""
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.traversal import find_root
from pyramid.view import view_config

from .. import audit, clock
from ..attendance import records, roster_xlsx
from ..attendance import roster as roster_service
from ..attendance.roster import overdue_courses
from ..rules.national_id import mask_national_id
from ..resources.interfaces import ICourse, IOrganiser, IRegionCentre
from ..rules import deadlines
from ..schemas.course import hours_text, session_hours_text
from ..concurrency.transactions import begin_anew
from ..workflows import api as workflow_api
from ..workflows import course as course_workflow
from ..workflows.course import has_ended

TPL = "inservice_portal:templates/roster/"
MAX_WALK_INS = 500


def editable(course, request) -> bool:
    return has_ended(course) and bool(request.has_permission("course.roster", course))


def page(course, request, errors=None, walk_ins="", rows=None):
    sessions = roster_service.schedule(course)
    lines = roster_service.lines(course) if rows is None else entered_lines(course, rows)
    caps = {}
    if course.state == "closed":
        people = find_root(course)["people"]
        for line in lines:
            teacher = people.get(line["login"])
            for row in (records.capped(teacher) if teacher is not None else ()):
                if row["record"].key == records.course_key(course):
                    caps[line["login"]] = row
    return {
        "page_title": f"研習名單：{course.title}",
        "sessions": [{"label": roster_xlsx.session_label(i, s),
                      "hours": session_hours_text(s)} for i, s in enumerate(sessions)],
        "lines": lines, "marks": roster_service.MARKS, "sources": roster_service.SOURCES,
        "editable": editable(course, request), "ended": has_ended(course),
        "state": course_workflow.STATES[course.state], "hours_text": hours_text,
        "can_submit": any(t["name"] == "submit_roster"
                          for t in workflow_api.allowed(course, request)),
        "can_approve": bool(request.has_permission("record.approve", course)),
        "caps": caps, "errors": errors or {}, "walk_ins": walk_ins,
        "saved": getattr(roster_service.roster_of(course), "saved_at", None),
    }


def entered_lines(course, rows) -> list[dict]:
    """A refused form's rows as entered, to show them again (unknown marks as present)."""
    people = find_root(course)["people"]
    lines = []
    for row in rows:
        marks = tuple(m if m in roster_service.MARKS else "present" for m in row.attendance)
        teacher = people.get(row.who)
        lines.append({"entry": roster_service.RosterEntry(row.who, marks, row.source),
                      "login": row.who, "name": getattr(teacher, "name", ""),
                      "national_id": mask_national_id(getattr(teacher, "national_id", "")),
                      "credited_hours": roster_service.credit(course, marks)})
    return lines


@view_config(context=ICourse, name="roster", permission=course_workflow.HISTORY,
             renderer=TPL + "roster.pt", request_method="GET")
def roster_page(context, request):
    return page(context, request)


def _refuse_unless_editable(course, request):
    if not has_ended(course):
        request.session.flash("研習尚未結束，結束後才能登錄研習名單。")
        return HTTPSeeOther(request.resource_url(course, "roster"))
    return None


@view_config(context=ICourse, name="roster", permission="course.roster",
             renderer=TPL + "roster.pt", request_method="POST")
def save_roster(context, request):
    refused = _refuse_unless_editable(context, request)
    if refused:
        return refused
    known = roster_service.known_sources(context)
    sessions = roster_service.session_count(context)
    post = request.POST
    rows = []
    for n, login in enumerate(post.getall("who")):
        marks = [post.get(f"att-{n}-{i}", "") for i in range(sessions)]
        rows.append(roster_service.Row(f"{login}", login, marks, known.get(login, "walk_in")))
    entered = list(rows)
    walk_ins = post.get("walk_ins", "")
    added = [w.strip() for w in walk_ins.splitlines() if w.strip()][:MAX_WALK_INS]
    for number, who in enumerate(added, start=1):
        rows.append(roster_service.Row(f"現場加入第 {number} 行", who,
                                       ["present"] * sessions, "walk_in"))
    try:
        roster_service.save(context, rows, request.account.login)
    except roster_service.RosterErrors as failure:
        request.response.status = 400
        return page(context, request, failure.errors, walk_ins, entered)
    request.session.flash(f"研習名單已儲存（共 {len(rows)} 位）。")
    return HTTPSeeOther(request.resource_url(context, "roster"))


@view_config(context=ICourse, name="roster.xlsx", permission=course_workflow.HISTORY,
             request_method="GET")
def roster_template(context, request):
    """The roster as an XLSX template (national IDs masked)."""
    audit.record("export", context, request=request, detail={"export": "研習名單"})
    return Response(roster_xlsx.template(context), content_type=roster_xlsx.CONTENT_TYPE,
                    content_disposition=f'attachment; filename="roster-{context.code}.xlsx"')


@view_config(context=ICourse, name="roster-upload", permission="course.roster",
             renderer=TPL + "roster.pt", request_method="POST")
def upload_roster(context, request):
    refused = _refuse_unless_editable(context, request)
    if refused:
        return refused
    upload = request.POST.get("file")
    if not getattr(upload, "file", None):
        request.response.status = 400
        return page(context, request, {"檔案": "請選擇要上傳的 XLSX 檔。"})
    known = roster_service.known_sources(context)
    try:
        rows = roster_xlsx.read(upload.file.read(roster_xlsx.MAX_BYTES + 1),
                                roster_service.session_count(context), known)
        begin_anew(request)             # the parsing was slow; the save is short
        roster_service.save(context, rows, request.account.login)
    except roster_xlsx.BadFile as bad:
        request.response.status = 400
        return page(context, request, {"檔案": str(bad)})
    except roster_service.RosterErrors as failure:
        request.response.status = 400
        return page(context, request, failure.errors)
    request.session.flash(f"已由檔案匯入研習名單（共 {len(rows)} 位）。")
    return HTTPSeeOther(request.resource_url(context, "roster"))


@view_config(context=ICourse, name="approve-hours", permission="record.approve",
             request_method="POST")
def approve_hours(context, request):
    """專案核准: the hours of this course's record over the day/week caps count for one teacher."""
    login = request.POST.get("login", "")
    teacher = find_root(context)["people"].get(login)
    key = records.course_key(context)
    store = records.records_of(teacher) if teacher is not None else None
    if store is None or key not in store:
        raise HTTPNotFound()
    records.approve_excess(teacher, key, request.account.login)
    request.session.flash(f"已專案核准 {teacher.name} 本研習超過每日／每週上限的時數。")
    return HTTPSeeOther(request.resource_url(context, "roster"))


# -- 未結案課程 (000 未結案研習課程催覆): rosters past the centre's deadline ----------------

def overdue_rows(courses, centre):
    days = getattr(centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
    today = clock.now().date()
    return [{"course": c, "due": deadlines.roster_due(c.last_day, days),
             "late_days": (today - deadlines.roster_due(c.last_day, days)).days} for c in courses]


def _rule(centre) -> dict:
    days = getattr(centre, "roster_days", deadlines.DEFAULT_ROSTER_DAYS)
    return {"rule": deadlines.roster_rule_text(days),
            "source": "各層級單位業務帳號工作職掌說明書" if days is None else "區管中心之設定"}


@view_config(context=IRegionCentre, name="overdue-rosters", permission="course.review",
             renderer=TPL + "overdue.pt", request_method="GET")
def centre_overdue(context, request):
    courses = overdue_courses(find_root(context), context)
    return {"page_title": "未結案課程", "unit": context, "rows": overdue_rows(courses, context),
            **_rule(context), "show_organiser": True}


@view_config(context=IOrganiser, name="overdue-rosters", permission="unit.courses",
             renderer=TPL + "overdue.pt", request_method="GET")
def organiser_overdue(context, request):
    centre = context.__parent__
    courses = overdue_courses(find_root(context), centre, context)
    return {"page_title": "未結案課程", "unit": context, "rows": overdue_rows(courses, centre),
            **_rule(centre), "show_organiser": False}
