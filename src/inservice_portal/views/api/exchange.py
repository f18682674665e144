"""資訊傳報 over the API (DESIGN.md §10): a partner system gets a token with its client
credentials (OAuth 2), then sends, reads back and confirms training records.

- ``POST /exchange/token``: client credentials → bearer token (RFC 6749 §4.4);
- ``POST /exchange/records``: a batch, checked row by row, imported all or nothing unless
  ``import_valid``; idempotent by ``batch_key`` and by each record's ``source_record_id``;
  ``GET /exchange/records``: 回撈, the change feed by cursor;
- ``POST /exchange/batches`` (202) and ``GET /exchange/batches/{key}``: the same batch as a
  background job; ``POST /exchange/files``: a file (後端傳報);
- ``GET /exchange/months``, ``POST /exchange/months/{month}/confirmation``: 每月確認;
- ``POST /exchange/teachers``: 教師資料同步; ``GET /exchange/format.json``: the format.
"""
from pyramid.view import view_config

from ... import audit, clock, throttle, vocabularies
from ...bootstrap import root_factory
from ...concurrency.transactions import begin_anew
from ...exchange import confirmation, feed, files, importer, oauth, teacher_sync
from ...exchange import format as fmt
from ...permissions import VIEW
from ...resources.jobs import STATES
from ...security import bearer_token
from . import PREFIX, instant, json_object
from .errors import NOT_FOUND, UNAUTHORIZED, ApiError, malformed

ROUTES = {"api.exchange.token": "/exchange/token", "api.exchange.records": "/exchange/records",
          "api.exchange.files": "/exchange/files", "api.exchange.format": "/exchange/format.json",
          "api.exchange.batches": "/exchange/batches",
          "api.exchange.months": "/exchange/months",
          "api.exchange.teachers": "/exchange/teachers",
          "api.exchange.confirmation": "/exchange/months/{month}/confirmation",
          "api.exchange.batch": "/exchange/batches/{key}"}
BATCH_FIELDS = {"format_version", "batch_key", "import_valid", "records"}
MAX_PAGE = 5000
PARTNER_ONLY = "請以傳報單位的存取權杖（OAuth 2 client credentials）呼叫。"


def includeme(config):
    for name, path in ROUTES.items():
        config.add_route(name, PREFIX + path, factory=root_factory)


@view_config(route_name="api.exchange.token", request_method="POST", permission=VIEW,
             require_csrf=False)        # no cookie is read: the client authenticates itself
def token(context, request):
    limits, client = throttle.of(request), throttle.client(request)
    limits.check("login.client", client)        # each try costs an argon2 verification
    response, partner = oauth.token_response(context, request)
    if partner is not None:
        audit.record("exchange.token", partner, root=context, actor=f"partner:{partner.code}")
    elif response.status_code == 401:
        limits.hit("login.client", client)
        audit.record("exchange.token_failure", None, root=context, actor="anonymous",
                     detail={"via": "api"})
    return response


@view_config(route_name="api.exchange.format", request_method="GET", permission=VIEW,
             renderer="json")
def schema(context, request):
    token = bearer_token(request)      # as on every call: an unknown token is refused
    if token is not None and request.account is None and oauth.partner_of(context, token) is None:
        raise ApiError(401, "unauthorized", UNAUTHORIZED)
    return fmt.batch_schema(request.application_url)


@view_config(route_name="api.exchange.records", request_method="POST", permission=VIEW,
             renderer="json", require_csrf=False)   # a partner's bearer token only: no cookie
def records(context, request):
    partner = _partner(context, request)
    key, rows, import_valid = _batch(request)
    batch, new = importer.import_batch(context, partner, key, list(enumerate(rows, 1)),
                                       import_valid=import_valid)
    return _answer(request, batch, new)


def _batch(request) -> tuple[str, list, bool]:
    """(batch key, records, import_valid) of a batch's JSON body, or 400 malformed."""
    body = json_object(request)
    key, rows = body.get("batch_key"), body.get("records")
    key = key.strip() if isinstance(key, str) else ""
    fields = {name: "不是傳報批次的欄位。" for name in set(body) - BATCH_FIELDS}
    if not key or len(key) > 64:
        fields["batch_key"] = "必填，1 至 64 字的字串。"
    if not isinstance(body.get("import_valid", False), bool):
        fields["import_valid"] = "須為 true 或 false。"
    if not isinstance(rows, list) or not rows or len(rows) > fmt.MAX_BATCH:
        fields["records"] = f"須為 1 至 {fmt.MAX_BATCH:,} 筆紀錄的陣列。"
    if body.get("format_version", fmt.VERSION) != fmt.VERSION:
        fields["format_version"] = f"本網接受第 {fmt.VERSION} 版的格式。"
    if fields:
        raise malformed(fields, "傳報資料的格式不正確。")
    return key, rows, body.get("import_valid") is True


@view_config(route_name="api.exchange.batches", request_method="POST", permission=VIEW,
             renderer="json", require_csrf=False)   # a partner's bearer token only: no cookie
def queue_batch(context, request):
    """The same batch, imported in the background: 202 at once, with where to ask."""
    partner = _partner(context, request)
    key, rows, import_valid = _batch(request)
    found = importer.queue(context, request.registry.settings, partner, key,
                           list(enumerate(rows, 1)), import_valid, "api")
    return _queued(request, partner, key, found)


def _queued(request, partner, key, found) -> dict:
    request.response.status = 202
    request.response.location = request.route_url("api.exchange.batch", key=key)
    return _status(request, partner, found)


@view_config(route_name="api.exchange.batch", request_method="GET", permission=VIEW,
             renderer="json")
def batch_status(context, request):
    partner = _partner(context, request)
    found = importer.job_of(context, partner, request.matchdict["key"])
    if found is None:
        raise ApiError(404, "not_found", NOT_FOUND)
    return _status(request, partner, found)


def _status(request, partner, found) -> dict:
    answer = {"batch_key": found.id.split(":", 2)[2], "state": found.state,
              "state_label": STATES[found.state], "done": found.done, "total": found.total,
              "message": found.message,
              "status_url": request.route_url("api.exchange.batch",
                                              key=found.id.split(":", 2)[2])}
    batch = importer.batch_of(partner, answer["batch_key"]) if found.state == "done" else None
    if batch is not None:
        answer["report"] = report(batch)
    return answer


@view_config(route_name="api.exchange.records", request_method="GET", permission=VIEW,
             renderer="json")
def retrieve(context, request):
    """回撈: the records of the partner's teachers changed after cursor ``since``, in the
    order they changed, at most ``limit``; ``next`` is the cursor of the next call."""
    partner = _partner(context, request, oauth.READ)
    since, limit = _count(request, "since", 0, None), _count(request, "limit", 500, MAX_PAGE)
    county = request.GET.get("county")
    if county is not None and (county not in vocabularies.counties()
                               or not partner.may_reach(county)):
        raise malformed({"county": "不是本傳報單位可讀取的縣市。"})
    counties = (county,) if county else partner.counties
    entries, after = feed.read(feed.feed_of(context), counties, since, limit + 1)
    page, more = entries[:limit], len(entries) > limit
    next_cursor = page[-1]["seq"] if page else since
    audit.record("exchange.retrieve", partner, root=context, actor=f"partner:{partner.code}",
                 detail={"since": since, "count": len(page)})
    return {"items": [{k: v for k, v in e.items() if k != "login"} for e in page],
            "next": str(next_cursor), "more": more}


def _count(request, name, default, most):
    value = request.GET.get(name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 12) or (
            most is not None and not 1 <= int(value) <= most):
        limit = f"1 至 {most} 的整數" if most else "0 以上的整數（上一次回覆的 next）"
        raise malformed({name: f"須為{limit}。"})
    return int(value)


def _partner(context, request, scope=oauth.WRITE):
    token = bearer_token(request)
    partner = oauth.partner_of(context, token, scope)
    if partner is None and oauth.partner_of(context, token) is not None:
        raise ApiError(403, "insufficient_scope", f"本傳報單位未獲准此項作業（{scope}）。")
    if partner is None:
        raise ApiError(401, "unauthorized", PARTNER_ONLY)
    return partner


@view_config(route_name="api.exchange.files", request_method="POST", permission=VIEW,
             renderer="json", require_csrf=False)   # a partner's bearer token only: no cookie
def upload(context, request):
    """後端傳報 by API: a file (XLSX, CSV or XML) in a multipart form, field ``file``."""
    partner = _partner(context, request)
    field = request.POST.get("file")
    if not getattr(field, "file", None):
        raise malformed({"file": "請以 multipart/form-data 的 file 欄位上傳檔案。"})
    data = field.file.read(files.MAX_BYTES + 1)
    try:
        sheet = files.read(data, field.filename)
    except files.Unreadable as why:
        raise ApiError(400, "unreadable_file", str(why), {"file": str(why)}) from None
    key, import_valid = importer.file_key(data), request.POST.get("import_valid") in ("1", "true")
    if len(sheet.rows) > importer.QUEUED_FROM:    # a large file: in the background, as /batches
        found = importer.queue(context, request.registry.settings, partner, key, sheet.rows,
                               import_valid, "upload")
        return _queued(request, partner, key, found)
    begin_anew(request)                 # the parsing was slow; the import is one transaction
    batch, new = importer.import_batch(context, partner, key, sheet.rows, import_valid,
                                       via="upload")
    return _answer(request, batch, new)


def _answer(request, batch, new):
    answer = report(batch)
    if batch.problems and not batch.imported:
        request.response.status = 422
        return {"error": {"code": "invalid_records", "fields": {},
                          "message": "有紀錄未通過檢查，這批資料沒有匯入；請依 problems 修正後重送。"},
                **answer}
    request.response.status = 201 if new else 200
    return answer


def report(batch) -> dict:
    return {"batch_key": batch.key, "received_at": instant(batch.received), "rows": batch.rows,
            "imported": batch.imported, "added": batch.added,
            "replaced": batch.imported - batch.added,
            "rejected": len({p["row"] for p in batch.problems}),
            "problems": list(batch.problems)}


# -- 每月確認 (002 Art. 12(3)): the partner confirms last month's data before the 5th ----------
@view_config(route_name="api.exchange.confirmation", request_method="POST", permission=VIEW,
             renderer="json", require_csrf=False)   # a partner's bearer token only: no cookie
def confirm_month(context, request):
    partner = _partner(context, request)
    month = request.matchdict["month"]
    try:
        found = confirmation.confirm(partner, month, f"partner:{partner.code}")
    except confirmation.NotConfirmable as why:
        raise ApiError(422, "not_confirmable", str(why), {"month": str(why)}) from None
    audit.record("exchange.confirm", partner, root=context, actor=f"partner:{partner.code}",
                 detail={"month": month})
    return _month(month, found)


@view_config(route_name="api.exchange.months", request_method="GET", permission=VIEW,
             renderer="json")
def months(context, request):
    partner = _partner(context, request)
    due = confirmation.previous_month(clock.now().date())
    return {"confirmed": [_month(m, f) for m, f in partner.confirmed.items()],
            "due": {"month": due, "due_on": confirmation.due_on(due).isoformat(),
                    "confirmed": due in partner.confirmed}}


def _month(month, found) -> dict:
    return {"month": month, "confirmed_at": instant(found["at"]),
            "due_on": confirmation.due_on(month).isoformat(),
            "late": found["at"].date() > confirmation.due_on(month)}


# -- 教師資料同步 (003): a partner keeps its teachers' schools and employment -----------------
@view_config(route_name="api.exchange.teachers", request_method="POST", permission=VIEW,
             renderer="json", require_csrf=False)   # a partner's bearer token only: no cookie
def sync_teachers(context, request):
    partner = _partner(context, request, oauth.TEACHERS)
    body = json_object(request)
    rows = body.get("teachers")
    if not isinstance(rows, list) or not rows or len(rows) > teacher_sync.MAX_ROWS \
            or set(body) - {"teachers"}:
        raise malformed({"teachers": f"須為 1 至 {teacher_sync.MAX_ROWS:,} 位教師的陣列。"})
    found = teacher_sync.sync(context, partner, rows)
    audit.record("exchange.teacher_sync", partner, root=context,
                 actor=f"partner:{partner.code}",
                 detail={"partner": partner.code, "rows": len(rows),
                         "changed": len(found.changed), "unmatched": len(found.unmatched)})
    return found.as_dict()
