"""研習名單匯出 (000 附件十二, 103年3月): 簽到表, 簽到表(空表), 線上報名資訊, 參與研習教師名單,
as XLSX workbooks (openpyxl). Every national ID number is masked (rules/national_id.py)."""
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.traversal import find_resource, find_root
from pyramid.view import view_config

from .. import audit
from ..attendance.roster_xlsx import saved
from ..registration import service as service
from ..rules.national_id import mask_national_id
from ..reference import vocabulary
from ..resources.interfaces import ICourse
from ..vocabularies import VOCAB
from ..workflows import registration as registration_workflow

EXPORTS = {
    "signin": "簽到表",
    "signin_blank": "簽到表(空表)",
    "registrations": "線上報名資訊",
    "participants": "參與研習教師名單",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLANK_ROWS = 30                       # rows of an empty sheet when the course sets no limit
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _school(root, person):
    path = getattr(person, "school", None)
    if not path:
        return ""
    try:
        return find_resource(root, path).title
    except KeyError:
        return ""


def _person_cells(root, person, login):
    if person is None:
        return [login, "", "", "", ""]
    return [person.name, mask_national_id(getattr(person, "national_id", "")),
            _school(root, person), vocabulary("school_stages").get(person.stage, "")
            if getattr(person, "stage", None) else "",
            VOCAB["audience_titles"].get(getattr(person, "job_title", None) or "", "")]


PERSON_HEADINGS = ["姓名", "身分證字號", "服務學校", "任教學制", "職稱"]


def _sessions(course) -> list[str]:
    return [f"第{n}場 {s.date.isoformat()} {s.start.strftime('%H:%M')}-{s.end.strftime('%H:%M')}"
            for n, s in enumerate(course.sessions, start=1)] or ["簽到"]


def rows_for(kind, course):
    """(title, headings, rows) of one export."""
    root = find_root(course)
    people = root["people"]
    if kind in ("signin", "signin_blank"):
        sessions = _sessions(course)
        headings = ["序號"] + PERSON_HEADINGS[:3] + [f"{s} 簽名" for s in sessions]
        if kind == "signin":
            rows = [[n] + _person_cells(root, people.get(r.login), r.login)[:3] + [""] * len(sessions)
                    for n, r in enumerate(service.accepted(course), start=1)]
        else:
            count = course.capacity or BLANK_ROWS
            rows = [[n] + [""] * (3 + len(sessions)) for n in range(1, count + 1)]
        return headings, rows
    if kind == "registrations":
        headings = ["報名序號", "帳號"] + PERSON_HEADINGS + ["電子郵件", "報名時間", "報名狀態", "候補順位"]
        rows = []
        waiting = service.positions(course)
        for r in service.all_of(course):
            person = people.get(r.login)
            rows.append([r.seq, r.login] + _person_cells(root, person, r.login) + [
                getattr(person, "email", ""), r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                registration_workflow.STATES[r.state], waiting.get(r.login, "")])
        return headings, rows
    if kind == "participants":
        headings = ["序號"] + PERSON_HEADINGS + ["研習時數"]
        rows = [[n] + _person_cells(root, people.get(r.login), r.login) + [float(course.approved_hours)]
                for n, r in enumerate(service.accepted(course), start=1)]
        return headings, rows
    raise KeyError(kind)


def workbook(kind, course) -> bytes:
    headings, rows = rows_for(kind, course)
    book = Workbook()
    sheet = book.active
    sheet.title = EXPORTS[kind]
    first = course.first_day.isoformat() if course.first_day else ""
    sheet.append([f"{course.title}　{EXPORTS[kind]}"])
    sheet.append([f"課程代碼：{course.code}　辦理單位：{course.organiser.title}　"
                  f"日期：{first}　地點：{course.place}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headings)
    header_row = sheet.max_row
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row,
                               max_col=len(headings)):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if cell.row == header_row:
                cell.font = Font(bold=True)
    for index, heading in enumerate(headings, start=1):
        letter = sheet.cell(row=header_row, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, len(heading) * 2 + 2)
    if kind.startswith("signin"):
        for n in range(header_row + 1, sheet.max_row + 1):
            sheet.row_dimensions[n].height = 30          # room to sign
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    return saved(book)


@view_config(context=ICourse, name="export", request_method="GET",
             permission=registration_workflow.MANAGE)
def export(context, request):
    kind = request.GET.get("kind", "")
    if kind not in EXPORTS:
        raise HTTPNotFound()
    filename = f"{context.code}-{EXPORTS[kind]}.xlsx"
    response = Response(workbook(kind, context), content_type=XLSX)
    audit.record("export", context, request=request, detail={"export": EXPORTS[kind]})
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{context.code}-{kind}.xlsx\"; "
        f"filename*=UTF-8''{quote(filename)}")
    return response
