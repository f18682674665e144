"""The roster and the transcript over the API: ``GET|PUT /courses/{code}/roster``
and ``GET /me/transcript?year=``. Same services as the pages (roster.py, records.py)."""
from pyramid.view import view_config

from ... import permissions
from ...attendance import records
from ...attendance import roster as roster_service
from .errors import ApiError, malformed
from ...resources.interfaces import ITeacher
from ...workflows import course as course_workflow
from ...workflows.course import has_ended
from .course_review import course_factory
from . import PREFIX, json_object, reject_bad_bearer
from ...bootstrap import root_factory

ROUTES = {
    "api.course_roster": ("/courses/{code}/roster", course_factory),
    "api.me_transcript": ("/me/transcript", None),
}


def includeme(config):
    for name, (path, factory) in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=factory or root_factory)


def number(value) -> float:
    return float(value)


def roster_json(course) -> dict:
    sessions = roster_service.schedule(course)
    return {
        "code": course.code, "state": course.state,
        "approved_hours": number(course.approved_hours),
        "sessions": [{"date": s.date.isoformat(), "start": s.start.strftime("%H:%M"),
                      "end": s.end.strftime("%H:%M"), "credited_hours": number(s.credited_hours)}
                     for s in sessions],
        "entries": [{"login": line["login"], "name": line["name"],
                     "national_id": line["national_id"],
                     "attendance": list(line["entry"].attendance),
                     "source": line["entry"].source,
                     "credited_hours": number(line["credited_hours"])}
                    for line in roster_service.lines(course)],
    }


@view_config(route_name="api.course_roster", request_method="GET", renderer="json",
             permission=course_workflow.HISTORY, decorator=reject_bad_bearer)
def get_roster(context, request):
    return roster_json(context)


def _rows(body, known) -> list:
    entries = body.get("entries")
    if not isinstance(entries, list):
        raise malformed({"entries": "entries 須為陣列。"})
    rows, fields = [], {}
    for n, item in enumerate(entries):
        label = f"entries[{n}]"
        if not isinstance(item, dict):
            fields[label] = "每一筆須為物件。"
            continue
        who = item.get("login") or item.get("national_id")
        marks = item.get("attendance")
        if not isinstance(who, str) or not who.strip():
            fields[label] = "請填 login 或 national_id。"
        elif not isinstance(marks, list) or not all(isinstance(m, str) for m in marks):
            fields[label] = "attendance 須為字串陣列（present、leave、absent）。"
        else:
            rows.append(roster_service.Row(label, who.strip(), marks,
                                           known.get(who.strip(), "api")))
    if fields:
        raise malformed(fields)
    return rows


@view_config(route_name="api.course_roster", request_method="PUT", renderer="json",
             permission=course_workflow.HISTORY, decorator=reject_bad_bearer)
def put_roster(context, request):
    if not request.has_permission("course.roster", context):
        if request.has_permission("course.copy", context):      # its own staff: wrong state
            raise ApiError(409, "invalid_state", "目前的課程狀態不能修改研習名單。")
        raise ApiError(403, "forbidden", "只有辦理單位的人員可以修改研習名單。")
    if not has_ended(context):
        raise ApiError(409, "invalid_state", "研習尚未結束，結束後才能登錄研習名單。")
    body = json_object(request)
    known = roster_service.known_sources(context)
    rows = _rows(body, known)
    try:
        roster_service.save(context, rows, request.account.login)
    except roster_service.RosterErrors as failure:
        raise ApiError(422, "unknown_people", "部分資料列無法儲存，名單未變更。", failure.errors)
    return roster_json(context)


def transcript_json(teacher, year=None) -> dict:
    years = records.transcript(teacher, year)
    return {
        "login": teacher.login,
        "years": [{
            "year": y["year"], "hours": number(y["hours"]), "counted": number(y["counted"]),
            "pending_approval": number(y["pending"]),
            "records": [{
                "source": l["record"].source, "source_record_id": l["record"].source_record_id,
                "course_code": l["record"].course_code, "title": l["record"].title,
                "organiser": l["record"].organiser, "hours": number(l["record"].hours),
                "counted": number(l["counted"]), "excess": number(l["excess"]),
                "needs_approval": l["needs_approval"],
                "special_approval": l["record"].special_approval is not None,
                "days": [{"date": d.isoformat(), "hours": number(h)} for d, h in l["record"].days],
            } for l in y["lines"]],
        } for y in years],
        "total": number(sum((y["counted"] for y in years), 0)),
    }


def year_param(request):
    value = request.GET.get("year")
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise malformed({"year": "year 須為四位數的西元年。"})
    return int(value)


@view_config(route_name="api.me_transcript", request_method="GET", renderer="json",
             permission=permissions.AUTHENTICATED, decorator=reject_bad_bearer)
def my_transcript(context, request):
    if not ITeacher.providedBy(request.account):
        raise ApiError(403, "forbidden", "個人研習紀錄僅供教師帳號查詢。")
    return transcript_json(request.account, year_param(request))
