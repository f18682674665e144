"""個人研習紀錄: the teacher's own training records for life, newest first, by year with
totals, the hours over the day/week caps marked (002 Art. 10 (2)); printable and as XLSX."""
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response
from pyramid.view import view_config

from .. import audit, permissions
from ..attendance import records
from ..resources.interfaces import IMinistry, ITeacher
from ..attendance.roster_xlsx import CONTENT_TYPE
from ..schemas.course import hours_text

SOURCES = {"local": "本網研習"}


def _teacher(request):
    if not ITeacher.providedBy(request.account):
        raise HTTPForbidden("個人研習紀錄僅供教師帳號查詢。")
    return request.account


def _year(request):
    value = request.GET.get("year", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) == 4 else None


@view_config(context=IMinistry, name="transcript", permission=permissions.AUTHENTICATED,
             renderer="inservice_portal:templates/transcript/transcript.pt",
             request_method="GET")
def transcript_page(context, request):
    teacher = _teacher(request)
    year = _year(request)
    years = records.transcript(teacher)
    return {"page_title": "個人研習紀錄", "teacher": teacher, "year": year,
            "all_years": [y["year"] for y in years],
            "years": [y for y in years if year is None or y["year"] == year],
            "hours_text": hours_text, "sources": SOURCES}


@view_config(context=IMinistry, name="transcript.xlsx", permission=permissions.AUTHENTICATED,
             request_method="GET")
def transcript_xlsx(context, request):
    teacher = _teacher(request)
    audit.record("export", teacher, request=request, detail={"export": "個人研習紀錄"})
    book = Workbook()
    sheet = book.active
    sheet.title = "個人研習紀錄"
    sheet.append(["年度", "研習日期", "課程代碼", "研習名稱", "辦理單位", "核給時數", "採計時數",
                  "超過上限時數", "專案核准", "來源"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for y in records.transcript(teacher, _year(request)):
        for line in y["lines"]:
            r = line["record"]
            sheet.append([y["year"], " ~ ".join(sorted({r.first_day.isoformat(),
                                                        r.last_day.isoformat()})),
                          r.course_code, r.title, r.organiser, float(r.hours),
                          float(line["counted"]), float(line["excess"]),
                          "已核准" if r.special_approval else ("待核准" if line["needs_approval"]
                                                               else ""),
                          SOURCES.get(r.source, r.source)])
        sheet.append([f"{y['year']} 年合計", "", "", "", "", float(y["hours"]),
                      float(y["counted"]), float(y["pending"])])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), content_type=CONTENT_TYPE,
                    content_disposition='attachment; filename="transcript.xlsx"')
