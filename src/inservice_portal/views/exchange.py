"""資訊傳報平臺管理 (000 捌; the national centre's): the partner systems, their credentials
and the batches they sent; and the published field format, for anyone."""
import json

import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.traversal import find_root
from pyramid.view import view_config

from .. import audit, clock
from ..attendance.roster_xlsx import CONTENT_TYPE
from ..concurrency.transactions import begin_anew
from ..exchange import confirmation, files, importer, partners, review, status, workbooks
from ..exchange import format as fmt
from ..forms import FormView
from ..permissions import EXCHANGE_MANAGE, VIEW
from ..resources.exchange import IExchangePlatform, IPartner
from ..resources.interfaces import IRegionCentre
from ..resources.jobs import STATES
from ..rules.national_id import mask_national_id
from ..schemas.exchange import PartnerEditSchema, PartnerSchema
from .downloads import content_disposition
from .signup import FORM_PAGE

TPL = "inservice_portal:templates/exchange/"


@view_config(context=IExchangePlatform, permission=EXCHANGE_MANAGE, request_method="GET",
             renderer=TPL + "partners.pt")
def partner_list(context, request):
    return {"page_title": "資訊傳報平臺管理", "partners": sorted(context.values(),
                                                             key=lambda p: p.code),
            "modes": partners.MODES, "lines": status.overview(context), "months": _months()}


def _months() -> tuple[str, str]:
    today = clock.now().date()
    return confirmation.month_of(today), confirmation.previous_month(today)


@view_config(context=IRegionCentre, name="exchange-status", permission="stats.county",
             request_method="GET", renderer=TPL + "status.pt")
def centre_status(context, request):
    """傳報現況 of the partners that write this county's teachers."""
    platform = find_root(context).get("exchange")
    lines = status.overview(platform, context.county) if platform is not None and \
        context.county else []
    return {"page_title": f"傳報現況：{context.title}", "lines": lines, "months": _months()}


@view_config(context=IExchangePlatform, name="register", permission=EXCHANGE_MANAGE,
             renderer=FORM_PAGE)
class RegisterPartner(FormView):
    schema = PartnerSchema
    buttons = (deform.Button("register", "新增傳報單位"),)
    formid = "partner-form"
    page_title = "新增傳報單位"
    intro = "新增後會顯示一次 client secret；本網只保存其雜湊值，請立即交給傳報承辦人。"

    def register_success(self, appstruct):
        partner, secret = partners.register(self.context.__parent__, appstruct["code"],
                                            appstruct["title"], appstruct["mode"])
        partners.update(partner, appstruct)
        audit.record("exchange.partner", partner, request=self.request,
                     detail={"partner": partner.code})
        return shown_once(self.request, partner, secret)


@view_config(context=IPartner, name="edit", permission=EXCHANGE_MANAGE, renderer=FORM_PAGE)
class EditPartner(FormView):
    schema = PartnerEditSchema
    buttons = (deform.Button("save", "儲存"),)
    formid = "partner-form"
    page_title = "修改傳報單位"

    def appstruct(self):
        p = self.context
        return {"title": p.title, "mode": p.mode, "counties": set(p.counties),
                "callback_url": p.callback_url or "", "retrieves": p.retrieves,
                "syncs_teachers": p.syncs_teachers, "active": p.active,
                "contact_name": p.contact.get("name", ""),
                "contact_email": p.contact.get("email", ""),
                "contact_phone": p.contact.get("phone", "")}

    def save_success(self, appstruct):
        partners.update(self.context, appstruct)
        audit.record("exchange.partner_edit", self.context, request=self.request,
                     detail={"partner": self.context.code})
        self.request.session.flash("傳報單位資料已儲存。")
        return HTTPSeeOther(self.request.resource_url(self.context))


@view_config(context=IPartner, name="revoke", permission=EXCHANGE_MANAGE, request_method="POST")
def revoke(context, request):
    """A secret leaked: only the newest works from now, and every token issued goes."""
    gone = partners.revoke_old(context)
    audit.record("exchange.revoke", context, request=request, detail={"partner": context.code})
    request.session.flash(f"舊金鑰已全部停用，{gone} 個已發出的權杖失效；只有最新的金鑰有效。")
    return HTTPSeeOther(request.resource_url(context))


def shown_once(request, partner, secret):
    """The page that shows a new secret, once (views/headers.py keeps pages from caches)."""
    return render_to_response(TPL + "secret.pt", {
        "page_title": f"傳報單位金鑰：{partner.title}", "partner": partner, "secret": secret,
        "token_url": request.route_url("api.exchange.token")}, request=request,
        response=request.response)


@view_config(context=IPartner, permission=EXCHANGE_MANAGE, request_method="GET",
             renderer=TPL + "partner.pt")
def partner_page(context, request):
    batches = sorted(context.batches.values(), key=lambda b: b.received, reverse=True)[:50]
    shown = importer.batch_of(context, request.GET.get("batch", ""))
    job = importer.job_of(find_root(context), context, request.GET.get("batch", "")) \
        if shown is None and request.GET.get("batch") else None
    months = [(m, f, confirmation.due_on(m)) for m, f in reversed(list(context.confirmed.items()))]
    return {"page_title": f"傳報單位：{context.title}", "partner": context, "months": months,
            "problem_field": "exchange-file",
            "modes": partners.MODES, "batches": batches, "shown": shown, "problem": None,
            "job": job, "job_states": STATES,
            "kinds": files.KINDS, "max_mb": files.MAX_BYTES // (1024 * 1024),
            "secrets": partners.valid_secrets(context),
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IPartner, name="rotate", permission=EXCHANGE_MANAGE, request_method="POST")
def rotate(context, request):
    secret = partners.rotate(context)
    audit.record("exchange.rotate", context, request=request, detail={"partner": context.code})
    return shown_once(request, context, secret)


@view_config(context=IPartner, name="rotate", permission=EXCHANGE_MANAGE, request_method="GET")
def rotate_get(context, request):
    return HTTPSeeOther(request.resource_url(context))


@view_config(context=IExchangePlatform, name="format", permission=VIEW, request_method="GET",
             renderer=TPL + "format.pt")
def format_page(context, request):
    return {"page_title": "研習資訊傳報欄位資料格式", "fields": fmt.RECORD_FIELDS,
            "version": fmt.VERSION, "max_batch": fmt.MAX_BATCH,
            "example_json": {k: json.dumps(v, ensure_ascii=False) for k, v in fmt.EXAMPLE.items()}
            | {"national_id": "A1234*****（10 碼）"},   # no full ID on a page (issue 22)
            "schema_url": request.route_url("api.exchange.format")}


# -- 後端傳報: a partner's file, uploaded by the platform's managers ---------------------------
@view_config(context=IPartner, name="upload", permission=EXCHANGE_MANAGE, request_method="POST",
             renderer=TPL + "partner.pt")
def upload(context, request):
    field = request.POST.get("file")
    if not getattr(field, "file", None):
        return _refused(context, request, "請選擇要上傳的檔案。")
    data = field.file.read(files.MAX_BYTES + 1)
    try:
        sheet = files.read(data, field.filename)
    except files.Unreadable as why:
        return _refused(context, request, str(why))
    key, import_valid = importer.file_key(data), request.POST.get("import_valid") == "1"
    if len(sheet.rows) > importer.QUEUED_FROM:     # a large file: in the background
        importer.queue(request.root, request.registry.settings, context, key, sheet.rows,
                       import_valid, "upload")
    else:
        begin_anew(request)             # the parsing was slow; the import is one transaction
        importer.import_batch(request.root, context, key, sheet.rows, import_valid,
                              via="upload")
    return HTTPSeeOther(request.resource_url(context, query={"batch": key}))


def _refused(context, request, message, field="exchange-file"):
    request.response.status = 400
    return dict(partner_page(context, request), problem=message, problem_field=field)


@view_config(context=IPartner, name="report.xlsx", permission=EXCHANGE_MANAGE,
             request_method="GET")
@view_config(context=IPartner, name="fix.xlsx", permission=EXCHANGE_MANAGE, request_method="GET")
def batch_workbook(context, request):
    batch = importer.batch_of(context, request.GET.get("batch", ""))
    if batch is None:
        raise HTTPNotFound()
    fix = request.view_name == "fix.xlsx"
    data = workbooks.rows_to_fix(batch) if fix else workbooks.report(batch)
    if fix:                       # the partner's rows, national IDs in full: who took them
        audit.record("export", context, request=request,
                     detail={"export": "exchange.rows_to_fix", "batch": batch.key})
    name = f"{'待修正紀錄' if fix else '檢查結果'}-{context.code}-{batch.key[:20]}.xlsx"
    return Response(data, content_type=CONTENT_TYPE, content_disposition=content_disposition(name))


# -- 每月確認: a confirmed month reopened by the national centre (Art. 12(4)) ----------------
@view_config(context=IPartner, name="reopen", permission=EXCHANGE_MANAGE, request_method="POST",
             renderer=TPL + "partner.pt")
def reopen(context, request):
    month, reason = request.POST.get("month", ""), request.POST.get("reason", "").strip()
    if month not in context.confirmed:
        return _refused(context, request, f"{month or '（未指定）'} 沒有確認紀錄，不需重新開放。")
    if not 4 <= len(reason) <= 200:
        return _refused(context, request, "請填寫重新開放的原因（如來函文號與事由，4 至 200 字）。",
                        field="reason-" + month)
    confirmation.reopen(context, month)
    audit.record("exchange.reopen", context, request=request,
                 detail={"partner": context.code, "month": month, "reason": reason})
    request.session.flash(f"已重新開放 {month}：傳報單位可更改該月資料，更改後須再確認。")
    return HTTPSeeOther(request.resource_url(context))


# -- 匯入紀錄審查: the county's imported records over the hours caps ---------------------------
@view_config(context=IRegionCentre, name="imported-records", permission="course.review",
             request_method="GET", renderer=TPL + "review.pt")
def review_list(context, request, problem=None, key=None):
    root = find_root(context)
    found = review.waiting_in(root, context.county) if "exchange" in root and \
        context.county else []
    at = next((n for n, r in enumerate(found) if r["key"] == key), 0)
    return {"page_title": "匯入紀錄審查", "rows": found, "problem": problem,
            "problem_field": f"reason-{at}",
            "typed": {key: request.POST.get("reason", "")} if key else {},
            "names": partners.source_labels(root), "mask": mask_national_id,
            "csrf_token": request.session.get_csrf_token()}


@view_config(context=IRegionCentre, name="imported-records", permission="course.review",
             request_method="POST", renderer=TPL + "review.pt")
def review_decide(context, request):
    key = (context.county or "", request.POST.get("login", ""), request.POST.get("source", ""),
           request.POST.get("record", ""))
    approve, reason = request.POST.get("decision") == "approve", request.POST.get("reason", "")
    if not approve and not 2 <= len(reason.strip()) <= 200:
        request.response.status = 400
        return review_list(context, request, "退回（不採計）須填寫原因（2 至 200 字）。", key)
    try:
        review.decide(find_root(context), request, key, approve, reason.strip())
    except review.NotWaiting:
        raise HTTPNotFound() from None
    request.session.flash("已專案核准超過上限的時數。" if approve else "已退回：該筆紀錄不採計。")
    return HTTPSeeOther(request.resource_url(context, "imported-records"))
