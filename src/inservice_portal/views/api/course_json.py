"""A course as JSON (the API's "Course fields"), both ways.

``course_json`` is the one serialiser of a course (the course resource, the catalogue's list);
``course_appstruct`` reads a request body back through the course form's own colander schema
(``schemas.course.CourseSchema``, whose ``deserialize`` runs ``check``), so the API accepts
exactly what the form accepts. A body of the wrong JSON shape is 400 ``malformed``; a
well-formed one that breaks a rule of the form is 422 ``invalid_course`` with one zh-TW
message per field, keyed by the field's path (``sessions.0.end``: rows count from 0).
"""
import math
from decimal import Decimal

import colander

from .errors import ApiError, malformed
from ...resources.course import FIELDS
from ...courses.review_flags import course_flags
from ...schemas.course import CourseSchema
from ...workflows import course as course_workflow
from .course_review import history_json

TEXT = ("class_type", "nature", "authority_doc_no", "title", "stage", "subject", "scope",
        "sub_item", "outline", "delivery_other", "hours_reason", "audience_other", "place",
        "funding", "fee", "feedback", "admission")
DATES = ("registration_opens", "registration_closes", "starts_on", "ends_on")
TIMES = ("registration_opens_time", "registration_closes_time")   # "HH:MM"; null: 00:00 / 23:59
CODE_LISTS = ("tags", "delivery_modes", "time_slots", "audience_stages", "audience_titles")
INTEGERS = ("level", "credits", "funding_amount", "classes", "seats_per_class")
NUMBERS = ("hours",)
ROWS = {"lecturers": ("name", "kind"), "contacts": ("name", "phone", "email"),
        "sessions": ("date", "start", "end", "venue")}
READ_ONLY = ("code", "state", "organiser", "centre", "suggested_hours", "seats_left", "flags",
             "history", "attachments")


# -- out -------------------------------------------------------------------------------------
def number(value):
    """A Decimal as a JSON number: 3 for 3.0, 2.5 for 2.5 (hours are in half hours)."""
    if value is None:
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value):
    return value.isoformat() if value is not None else None


def _hhmm(value):
    return value.strftime("%H:%M") if value is not None else None


def fields_json(course) -> dict:
    """The editable fields (000 附件十 items, 場次, 錄取方式) by their API names."""
    c = course.fields()
    out = {name: c[name] for name in TEXT + INTEGERS}
    out.update({name: _iso(c[name]) for name in DATES})
    out.update({name: _hhmm(c[name]) for name in TIMES})
    out.update({name: list(c[name] or ()) for name in CODE_LISTS})
    out["hours"] = number(c["hours"]) or None          # 0 is "not entered yet", as on the form
    out["lecturers"] = [{"name": r["name"], "kind": r["kind"]} for r in c["lecturers"]]
    out["contacts"] = [{k: r[k] for k in ROWS["contacts"]} for r in c["contacts"]]
    out["sessions"] = [{"date": s.date.isoformat(), "start": s.start.strftime("%H:%M"),
                        "end": s.end.strftime("%H:%M"), "venue": s.venue,
                        "credited_hours": number(s.credited_hours)} for s in c["sessions"]]
    return out


def attachments_json(course, request) -> list[dict]:
    return [{"filename": a.filename, "size": a.size, "content_type": a.content_type,
             "url": request.resource_url(course, "@@download", name)}
            for name, a in course.attachments.items()]


def course_json(course, request) -> dict:
    """Every field of the course, and what is derived from it. ``flags`` and ``history`` are
    the organiser's staff's and reviewers' only (as on the course page); others get neither."""
    out = {"code": course.code, "state": course.state,
           "organiser": course.organiser.code, "centre": course.centre.code}
    out.update(fields_json(course))
    out.update(suggested_hours=number(course.suggested_hours), seats_left=course.seats_left,
               attachments=attachments_json(course, request))
    if request.has_permission(course_workflow.HISTORY, course):
        out["flags"] = [{"code": f.code, "text": f.text} for f in course_flags(course)]
        out["history"] = history_json(course)
    return out


# -- in --------------------------------------------------------------------------------------
def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _rows_ok(value, keys) -> bool:
    return isinstance(value, list) and all(
        isinstance(row, dict) and set(row) <= set(keys)
        and all(isinstance(v, str) for v in row.values()) for row in value)


def shape_errors(body: dict) -> dict:
    """Field → what is wrong with its JSON type (null clears any field)."""
    errors = {}
    for name, value in body.items():
        if name in READ_ONLY:
            errors[name] = "唯讀欄位，不能修改（狀態請以 /transitions 變更）。"
        elif name not in FIELDS:
            errors[name] = "沒有這個欄位。"
        elif value is None:
            continue
        elif name in TEXT + DATES + TIMES and not isinstance(value, str):
            errors[name] = "須為字串。"
        elif name in CODE_LISTS and not _strings(value):
            errors[name] = "須為字串的陣列。"
        elif name in INTEGERS and not _is_int(value):
            errors[name] = "須為整數。"
        elif name in NUMBERS and not (_is_int(value) or isinstance(value, float)
                                      and math.isfinite(value)):
            errors[name] = "須為數字。"
        elif name in ROWS and not _rows_ok(value, ROWS[name]):
            errors[name] = f"須為物件的陣列，每個物件的欄位為 {', '.join(ROWS[name])}（字串）。"
    return errors


def _cstruct(values: dict) -> dict:
    """JSON values as the schema's cstruct: null is "not given", tags are one line of text."""
    cstruct = {}
    for name, value in values.items():
        if value is None:
            cstruct[name] = colander.null
        elif name == "tags":
            cstruct[name] = "\n".join(value)
        elif name in NUMBERS:
            cstruct[name] = str(value)
        else:
            cstruct[name] = value
    return cstruct


def course_appstruct(body: dict, request, context, course=None) -> dict:
    """The validated appstruct of ``body`` (over ``course``'s current fields when patching)."""
    errors = shape_errors(body)
    if errors:
        raise malformed(errors, "課程資料的格式不正確。")
    values = dict(fields_json(course) if course is not None else {}, **body)
    for row in values.get("sessions") or ():
        row.pop("credited_hours", None)        # derived: fields_json shows it, nobody sets it
    schema = CourseSchema().bind(request=request, context=context, course=course, stage=None,
                                 suggested=None)
    try:
        return schema.deserialize(_cstruct(values))
    except colander.Invalid as error:
        raise ApiError(422, "invalid_course", "課程資料未通過檢查，請依各欄位的說明修正。",
                       error.asdict()) from None
