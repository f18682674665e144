"""教師研習記錄: a school's teachers with their hours of a year, each linked to the transcript,
for the school's 總負責人 and 聯絡人 (001 參四(三)4); as XLSX too. Audited; IDs masked."""
from openpyxl import Workbook
from openpyxl.styles import Font
from pyramid.view import view_config

from .. import audit, clock
from ..accounts import teachers as teacher_accounts
from ..attendance import records
from ..rules.national_id import mask_national_id
from ..resources.interfaces import IOrganiser
from ..schemas.accounts import job_titles
from ..schemas.course import hours_text
from .transcript import book_response


def _year(request) -> int:
    value = request.GET.get("year", "")
    this = clock.now().year
    return int(value) if value.isascii() and value.isdigit() and 1990 <= int(value) <= this + 1 else this


def rows(root, school, year) -> list[dict]:
    out = []
    for teacher in teacher_accounts.teachers_of(root, school):
        [totals] = records.transcript(teacher, year) or [None]
        out.append({"teacher": teacher, "id": mask_national_id(teacher.national_id or ""),
                    "courses": len(totals["lines"]) if totals else 0,
                    "hours": totals["hours"] if totals else 0,
                    "counted": totals["counted"] if totals else 0})
    return out


@view_config(context=IOrganiser, name="teacher-records", permission="unit.teachers",
             renderer="inservice_portal:templates/units/teacher_records.pt",
             request_method="GET")
def teacher_records(context, request):
    year = _year(request)
    audit.record("records.list", context, request=request, detail={"year": year})
    return {"page_title": "教師研習記錄", "year": year, "rows": rows(request.root, context, year),
            "years": range(clock.now().year, clock.now().year - 10, -1),
            "titles": job_titles(), "hours_text": hours_text}


@view_config(context=IOrganiser, name="teacher-records.xlsx", permission="unit.teachers",
             request_method="GET")
def teacher_records_xlsx(context, request):
    year = _year(request)
    audit.record("export", context, request=request,
                 detail={"export": "教師研習記錄", "year": year})
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year} 年教師研習記錄"
    sheet.append(["帳號", "姓名", "身分證統一編號", "職稱", "研習門數", "核給時數", "採計時數"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    titles = job_titles()
    for row in rows(request.root, context, year):
        t = row["teacher"]
        sheet.append([t.login, t.name, row["id"], titles.get(t.job_title, t.job_title or ""),
                      row["courses"], float(row["hours"]), float(row["counted"])])
    return book_response(book, f"teacher-records-{year}.xlsx")
