"""個人研習紀錄: the teacher's own training records for life, newest first, by year with
totals, the hours over the day/week caps marked (002 Art. 10 (2)); printable and as XLSX."""

from urllib.parse import urlencode

from openpyxl import Workbook
from openpyxl.styles import Font
import segno
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther, HTTPServiceUnavailable
from pyramid.renderers import render
from pyramid.response import Response
from pyramid.view import view_config

from .. import audit, permissions, printing, throttle
from ..attendance import records, transcript_proofs
from ..exchange import partners
from ..resources.interfaces import IMinistry, ITeacher
from ..resources.units import unit_at
from ..attendance.roster_xlsx import CONTENT_TYPE, saved
from ..schemas.course import hours_text
from .downloads import content_disposition

TPL = "inservice_portal:templates/transcript/transcript.pt"
DOCUMENT = "inservice_portal:templates/transcript/document.pt"


def _teacher(request):
    if not ITeacher.providedBy(request.account):
        raise HTTPForbidden("個人研習紀錄僅供教師帳號查詢。")
    return request.account


def _year(request):
    return _year_of(request.GET.get("year", ""))


def _year_of(value: str):
    return int(value) if value.isascii() and value.isdigit() and len(value) == 4 else None


def _page(request, teacher, urls) -> dict:
    year = _year(request)
    years = records.transcript(teacher)
    shown = [y for y in years if year is None or y["year"] == year]
    kept = {k: request.GET[k] for k in ("year", "proof") if request.GET.get(k)}
    return {"page_title": "個人研習紀錄", "teacher": teacher, "year": year,
            "all_years": [y["year"] for y in years], "years": shown,
            "hours_text": hours_text, "sources": partners.source_labels(request.root),
            "heading": transcript_proofs.summary_of(teacher, year, shown), "proof": None,
            "query": "?" + urlencode(kept) if kept else "", **urls}


def _pdf(request, page: dict) -> Response:
    """The page as an A4 PDF (printing/), named for what it is; laying one out takes the
    CPU for a while, so each account has a limit (pdf.account)."""
    throttle.of(request).take("pdf.account", request.account.login)
    try:
        data = printing.pdf(render(DOCUMENT, page, request))
    except printing.Unavailable:
        raise HTTPServiceUnavailable("PDF 下載暫時無法使用，請改用瀏覽器的列印功能。") from None
    name = "研習時數證明" if page["proof"] else "個人研習紀錄"
    year = f"-{page['year']}" if page["year"] else ""
    return Response(data, content_type="application/pdf",
                    content_disposition=content_disposition(
                        f"{name}-{page['teacher'].login}{year}.pdf"))


def _proof(request, teacher):
    """The verification block of a proof the teacher was just issued (``?proof=``)."""
    code = transcript_proofs.normal(request.GET.get("proof", ""))
    summary, _ = transcript_proofs.check(request.root, code, _key(request))
    owner = request.root.transcript_proofs[code]["login"] if summary else None
    if owner != teacher.login:
        return None
    url = request.resource_url(request.root, "verify", query={"code": code})
    return {"code": code, "url": url, "qr": segno.make(url, error="m").svg_inline(
        scale=3, title=f"驗證網址 {url}")}


def _key(request) -> bytes:
    return transcript_proofs.signing_key(request.registry.settings)


def _xlsx(request, teacher) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = "個人研習紀錄"
    sheet.append(["年度", "研習日期", "課程代碼", "研習名稱", "辦理單位", "核給時數", "採計時數",
                  "超過上限時數", "專案核准", "來源"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sources = partners.source_labels(request.root)
    for y in records.transcript(teacher, _year(request)):
        for line in y["lines"]:
            r = line["record"]
            sheet.append([y["year"], " ~ ".join(sorted({r.first_day.isoformat(),
                                                        r.last_day.isoformat()})),
                          r.course_code, r.title, r.organiser, float(r.hours),
                          float(line["counted"]), float(line["excess"]),
                          "已核准" if r.special_approval else ("待核准" if line["needs_approval"]
                                                               else ""),
                          sources.get(r.source, r.source)])
        sheet.append([f"{y['year']} 年合計", "", "", "", "", float(y["hours"]),
                      float(y["counted"]), float(y["pending"])])
    return book_response(book, "transcript.xlsx")


def book_response(book, filename) -> Response:
    return Response(saved(book), content_type=CONTENT_TYPE,
                    content_disposition=f'attachment; filename="{filename}"')


@view_config(context=IMinistry, name="transcript", permission=permissions.AUTHENTICATED,
             renderer=TPL, request_method="GET")
def transcript_page(context, request):
    app = request.application_url
    teacher = _teacher(request)
    page = _page(request, teacher, {"page_url": f"{app}/transcript",
                                    "xlsx_url": f"{app}/transcript.xlsx",
                                    "pdf_url": f"{app}/transcript.pdf",
                                    "proof_url": f"{app}/transcript-proof"})
    page["proof"] = _proof(request, teacher)
    return page


@view_config(context=IMinistry, name="transcript.pdf", permission=permissions.AUTHENTICATED,
             request_method="GET")
def transcript_pdf(context, request):
    """The printed transcript as a PDF; with ``?proof=`` (the teacher's own), the 研習時數證明
    with its code and QR code."""
    teacher = _teacher(request)
    page = _page(request, teacher, {})
    page["proof"] = _proof(request, teacher)
    audit.record("export", teacher, request=request, detail={"export": "個人研習紀錄（PDF）"})
    return _pdf(request, page)


@view_config(context=IMinistry, name="transcript-proof", permission=permissions.AUTHENTICATED,
             request_method="POST")
def issue_proof(context, request):
    """研習時數證明: a code and a QR code that anyone can check at /verify."""
    teacher = _teacher(request)
    throttle.of(request).take("proof.account", teacher.login)
    year = _year_of(request.POST.get("year", ""))
    code = transcript_proofs.issue(teacher, year, _key(request))
    audit.record("transcript.proof", teacher, request=request, detail={"code": code})
    return HTTPSeeOther(request.resource_url(context, "transcript", query={
        **({"year": year} if year else {}), "proof": code}))


@view_config(context=IMinistry, name="verify", permission=permissions.VIEW,
             renderer="inservice_portal:templates/transcript/verify.pt", request_method="GET")
def verify_proof(context, request):
    """研習時數證明驗證: public; what was issued under a code, and whether it is intact."""
    code = request.GET.get("code", "")
    summary, status = transcript_proofs.check(context, code, _key(request)) if code else (None,
                                                                                          None)
    return {"page_title": "研習時數證明驗證", "code": code, "summary": summary, "status": status,
            "hours_text": hours_text}


@view_config(context=IMinistry, name="transcript.xlsx", permission=permissions.AUTHENTICATED,
             request_method="GET")
def transcript_xlsx(context, request):
    teacher = _teacher(request)
    audit.record("export", teacher, request=request, detail={"export": "個人研習紀錄"})
    return _xlsx(request, teacher)


# -- 教師研習記錄: a school's 總負責人 and 聯絡人 read their teachers' (001 參四(三)4) -----------
def school_staff(request, teacher):
    """The teacher's current school, if the caller keeps its teachers (unit.teachers there);
    403 otherwise, whatever the caller's other roles."""
    school = unit_at(request.root, getattr(teacher, "school", None))
    if school is None or not request.has_permission("unit.teachers", school):
        raise HTTPForbidden("僅限教師任職學校的總負責人與聯絡人查詢。")
    return school


@view_config(context=ITeacher, name="transcript", permission=permissions.AUTHENTICATED,
             renderer=TPL, request_method="GET")
def teacher_transcript(context, request):
    school = school_staff(request, context)
    audit.record("records.view", context, request=request)
    return _page(request, context, {
        "page_url": request.resource_url(context, "transcript"),
        "xlsx_url": request.resource_url(context, "transcript.xlsx"),
        "pdf_url": request.resource_url(context, "transcript.pdf"),
        "back_url": request.resource_url(school, "teacher-records")})


@view_config(context=ITeacher, name="transcript.pdf", permission=permissions.AUTHENTICATED,
             request_method="GET")
def teacher_transcript_pdf(context, request):
    school_staff(request, context)
    audit.record("export", context, request=request, detail={"export": "個人研習紀錄（學校，PDF）"})
    return _pdf(request, _page(request, context, {}))


@view_config(context=ITeacher, name="transcript.xlsx", permission=permissions.AUTHENTICATED,
             request_method="GET")
def teacher_transcript_xlsx(context, request):
    school_staff(request, context)
    audit.record("export", context, request=request, detail={"export": "個人研習紀錄（學校）"})
    return _xlsx(request, context)
