"""資訊傳報 (issue 18): partner systems registered by the national centre, their OAuth 2
client credentials, the published format, and batches of training records imported row by
row, all or nothing, idempotently."""
import base64
from datetime import date, datetime, timedelta

import pytest

from inservice_portal import clock
from inservice_portal.exchange import partners
from inservice_portal.statistics.rebuild import drift, fresh_figures

from ..conftest import add_organiser, add_staff, add_teacher, api_client, browser, csrf_of

TPE_ID = "A123456789"


def valid_id(body: str) -> str:
    from inservice_portal.rules.national_id import check_digit
    return body + check_digit(body)


@pytest.fixture
def platform(site):
    """A Taipei and a Kaohsiung teacher; the city's system may write Taipei's only."""
    with site.edit() as root:
        tpe = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        khh = add_organiser(root, "kaohsiung", "583601", "高雄市立乙國民小學")
        add_teacher(root, "t-tpe", tpe, national_id=TPE_ID)
        add_teacher(root, "t-khh", khh, national_id=valid_id("E10000000"))
        add_staff(root, "moe", root, "ministry_admin")
        add_staff(root, "nk", root["centres"]["nknu"], "national_centre")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "ks-rev", root["centres"]["kaohsiung"], "centre_reviewer")
        _, secret = partners.register(root, "tpe-city", "臺北市教師在職進修系統", "database",
                                      ("臺北市",), {"name": "王承辦"})
    site.secret = secret
    return site


def basic(client_id, secret) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def partner_client(app, secret, client_id="tpe-city"):
    client = api_client(app)
    answer = client.post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                         headers=basic(client_id, secret))
    assert answer.json["token_type"] == "Bearer" and answer.json["expires_in"] == 3600
    client.authorization = ("Bearer", answer.json["access_token"])
    return client


def record(n=1, **fields):
    return {"source_record_id": f"TPE-{n}", "national_id": TPE_ID, "title": f"研習{n}",
            "organiser": "臺北市教師研習中心", "first_day": "2025-10-06",
            "last_day": "2025-10-06", "hours": 3, **fields}


def transcript(site, login):
    def read(root):
        return {key: (r.title, r.hours, r.source) for key, r in
                (getattr(root["people"][login], "records", None) or {}).items()}
    return site.read(read)


# --- partners and their credentials --------------------------------------------------------------
def test_the_national_centre_registers_a_partner_and_sees_its_secret_once(app, platform):
    nk = browser(app, "nk")
    form = nk.get("/exchange/@@register").forms["partner-form"]
    form["code"], form["title"], form["mode"] = "ntpc", "新北市教師研習系統", "database"
    form["contact_name"], form["contact_email"] = "李承辦", "ntpc@example.org"
    form["contact_phone"] = "02-29603456"
    form.get("checkbox", index=vocab_index("新北市")).checked = True
    shown = form.submit("register")
    secret = shown.html.find(id="client-secret").text
    partner_client(app, secret, "ntpc")                       # the secret works
    page = nk.get("/exchange/ntpc")
    assert "新北市" in page.text and secret not in page.text
    assert platform.read(lambda root: root["exchange"]["ntpc"].counties) == ("新北市",)
    again = nk.get("/exchange/@@register").forms["partner-form"]
    again["code"], again["title"], again["mode"] = "ntpc", "重複", "upload"
    refused = again.submit("register", status=400)
    assert "已有傳報單位使用" in refused.text
    again = refused.forms["partner-form"]
    again["code"] = "local"                  # the portal's own records' source
    assert "保留字" in again.submit("register", status=400).text


def vocab_index(county):
    from inservice_portal import vocabularies
    return vocabularies.counties().index(county)


@pytest.mark.parametrize("who", [None, "tp-rev"])
def test_only_the_platforms_managers_see_it(app, platform, who):
    client = browser(app, who) if who else browser(app)
    for url in ("/exchange", "/exchange/@@register", "/exchange/tpe-city"):
        assert client.get(url, status="*").status_int in (303, 403)
    assert browser(app, "moe").get("/exchange").status_int == 200
    menu = browser(app, "nk").get("/").html.find("nav", class_="main-nav").text
    assert "資訊傳報平臺管理" in menu
    if who:
        assert "資訊傳報平臺管理" not in client.get("/").text


def test_a_wrong_or_unknown_secret_gets_no_token(app, platform):
    client = api_client(app)
    for who, secret in (("tpe-city", "nope"), ("nobody", platform.secret), ("tpe-city", "")):
        answer = client.post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                             headers=basic(who, secret), status=401)
        assert answer.json["error"] == "invalid_client"
    answer = client.post("/api/v1/exchange/token", {"grant_type": "password"},
                         headers=basic("tpe-city", platform.secret), status=400)
    assert answer.json["error"] == "unsupported_grant_type"


def test_a_rotated_secret_replaces_the_old_after_a_week(app, platform, monkeypatch):
    first = browser_rotate(app).html.find(id="client-secret").text
    new = browser_rotate(app).html.find(id="client-secret").text      # twice (a double click)
    partner_client(app, new)
    partner_client(app, first)
    partner_client(app, platform.secret)                     # the old ones, within the week
    later = clock.now() + timedelta(days=8)
    monkeypatch.setattr(clock, "now", lambda: later)
    api_client(app).post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                         headers=basic("tpe-city", platform.secret), status=401)
    partner_client(app, new)


def test_the_secret_may_also_come_in_the_form(app, platform):
    answer = api_client(app).post("/api/v1/exchange/token", {
        "grant_type": "client_credentials", "client_id": "tpe-city",
        "client_secret": platform.secret})
    assert answer.json["token_type"] == "Bearer"


def browser_rotate(app):
    nk = browser(app, "nk")
    page = nk.get("/exchange/tpe-city")
    return nk.post("/exchange/tpe-city/@@rotate", {"csrf_token": csrf_of(page)})


def test_the_format_is_published_for_anyone(app, platform):
    page = browser(app).get("/exchange/@@format")
    assert "source_record_id" in page.text and "來源紀錄編號" in page.text
    schema = api_client(app).get("/api/v1/exchange/format.json").json
    item = schema["properties"]["records"]["items"]
    assert set(item["required"]) >= {"national_id", "source_record_id", "hours"}
    assert schema["properties"]["records"]["maxItems"] == 10_000
    forged = api_client(app)
    forged.authorization = ("Bearer", "forged")
    forged.get("/api/v1/exchange/format.json", status=401)
    partner_client(app, platform.secret).get("/api/v1/exchange/format.json", status=200)


# --- batches -------------------------------------------------------------------------------------
def test_a_batch_lands_in_the_transcript_once(app, platform):
    client = partner_client(app, platform.secret)
    answer = client.post_json("/api/v1/exchange/records",
                              {"batch_key": "2025-10", "records": [record(1), record(2)]},
                              status=201)
    assert (answer.json["imported"], answer.json["added"], answer.json["rejected"]) == (2, 2, 0)
    again = client.post_json("/api/v1/exchange/records",
                             {"batch_key": "2025-10", "records": [record(1)]}, status=200)
    assert again.json["rows"] == 2                          # the first report, not a new import
    fixed = client.post_json("/api/v1/exchange/records",
                             {"batch_key": "2025-10b", "records": [record(1, hours="1.5")]},
                             status=201)
    assert (fixed.json["added"], fixed.json["replaced"]) == (0, 1)
    assert transcript(platform, "t-tpe") == {
        ("tpe-city", "TPE-1"): ("研習1", 1.5, "tpe-city"),
        ("tpe-city", "TPE-2"): ("研習2", 3, "tpe-city")}
    page = browser(app, "t-tpe").get("/transcript", {"year": "114"})
    assert "臺北市教師在職進修系統" in page.text               # the source, by the partner's name
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}


def test_a_record_resent_for_another_teacher_leaves_the_first(app, platform):
    """The partner corrects a wrong national ID: the record moves, it is not doubled."""
    with platform.edit() as root:
        add_teacher(root, "t-tpe2", root["centres"]["taipei"]["353601"],
                    national_id=valid_id("A22222222"))
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "1", "records": [record(1)]})
    client.post_json("/api/v1/exchange/records", {"batch_key": "2", "records": [
        record(1, national_id=valid_id("A22222222"))]}, status=201)
    assert transcript(platform, "t-tpe") == {}
    assert set(transcript(platform, "t-tpe2")) == {("tpe-city", "TPE-1")}
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}


def test_one_bad_row_refuses_the_batch_and_says_where(app, platform):
    client = partner_client(app, platform.secret)
    rows = [record(1), record(2, national_id="A123456788"), record(3, hours="1.2"),
            record(4, first_day="2025/13/01"), record(5, national_id=valid_id("E10000000")),
            record(6, last_day=(clock.now().date() + timedelta(days=3)).isoformat()),
            record(1), {**record(7), "colour": "red"}]
    answer = client.post_json("/api/v1/exchange/records", {"batch_key": "bad", "records": rows},
                              status=422)
    assert answer.json["error"]["code"] == "invalid_records" and answer.json["imported"] == 0
    found = {(p["row"], p["field"]) for p in answer.json["problems"]}
    assert found == {(2, "national_id"), (3, "hours"), (4, "first_day"), (5, "national_id"),
                     (6, "last_day"), (7, "source_record_id"), (8, "colour")}
    assert all(p["message"] and p["title"] for p in answer.json["problems"])
    assert transcript(platform, "t-tpe") == {}
    valid = client.post_json("/api/v1/exchange/records",
                             {"batch_key": "bad", "records": rows, "import_valid": True},
                             status=201)
    assert (valid.json["imported"], valid.json["rejected"]) == (1, 7)
    assert set(transcript(platform, "t-tpe")) == {("tpe-city", "TPE-1")}


def test_a_batch_needs_a_partners_token(app, platform):
    body = {"batch_key": "x", "records": [record(1)]}
    api_client(app).post_json("/api/v1/exchange/records", body, status=401)
    teacher = api_client(app, "t-tpe")                       # an account's token is not one
    teacher.post_json("/api/v1/exchange/records", body, status=401)
    client = partner_client(app, platform.secret)
    for bad in ({"records": [record(1)]}, {"batch_key": "x", "records": []},
                {"batch_key": "x", "records": [record(1)], "import_valid": "yes"},
                {"batch_key": "x", "records": [record(1)], "colour": "red"},
                {"batch_key": "x", "records": "no"}, {"batch_key": "x", "records": [record(1)],
                                                      "format_version": "9"}):
        assert client.post_json("/api/v1/exchange/records", bad,
                                status=400).json["error"]["code"] == "malformed"
    with platform.edit() as root:
        root["exchange"]["tpe-city"].active = False
    client.post_json("/api/v1/exchange/records", body, status=401)


def test_each_call_is_audited(app, platform):
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "a", "records": [record(1)]})
    page = browser(app, "moe").get("/audit")
    assert "傳報單位取得存取權杖" in page.text and "資訊傳報匯入" in page.text
    api_client(app).post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                         headers=basic("tpe-city", "wrong"), status=401)
    assert "傳報單位取得存取權杖失敗" in browser(app, "moe").get("/audit").text


def test_evolve_31_makes_the_platform(site):
    from inservice_portal import evolve
    with site.edit() as root:
        root.remove("exchange", send_events=False)
        root.evolve_version = 30
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert site.read(lambda root: len(root["exchange"])) == 0


def test_the_openapi_document_holds_the_published_record_format(app):
    from inservice_portal.exchange import format as fmt
    document = api_client(app).get("/api/v1/openapi.json").json
    described = dict(document["components"]["schemas"]["ExchangeRecord"])
    described.pop("description")
    assert described == fmt.record_schema()


# --- files (後端傳報) ------------------------------------------------------------------------------
def csv_bytes(rows, encoding="utf-8", headings=None):
    import csv
    import io
    names = headings or ["來源紀錄編號", "身分證統一編號", "研習名稱", "辦理單位", "研習起日",
                         "研習迄日", "研習時數"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for r in rows:
        writer.writerow([r["source_record_id"], r["national_id"], r["title"], r["organiser"],
                         r["first_day"], r["last_day"], r["hours"]])
    return out.getvalue().encode(encoding)


def upload(app, data, filename, import_valid=False, status=303):
    nk = browser(app, "nk")
    page = nk.get("/exchange/tpe-city")
    fields = {"csrf_token": csrf_of(page)}
    if import_valid:
        fields["import_valid"] = "1"
    return nk, nk.post("/exchange/tpe-city/@@upload", fields,
                       upload_files=[("file", filename, data)], status=status)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_a_csv_file_in_utf8_or_big5_is_imported_once(app, platform, encoding):
    data = csv_bytes([record(1), record(2, title="閱讀素養研習")], encoding)
    nk, answer = upload(app, data, "十月.csv")
    page = answer.follow()
    assert "已匯入 2 筆" in page.text
    assert {v[0] for v in transcript(platform, "t-tpe").values()} == {"研習1", "閱讀素養研習"}
    _, again = upload(app, data, "十月（重送）.csv")
    assert again.location == answer.location             # the same file: the same batch
    assert platform.read(lambda root: len(root["exchange"]["tpe-city"].batches)) == 1


def test_an_xlsx_file_with_a_bad_row_comes_back_to_fix(app, platform):
    import io

    from openpyxl import Workbook, load_workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["source_record_id", "national_id", "title", "organiser", "first_day",
                  "last_day", "hours"])
    sheet.append(["X-1", TPE_ID, "研習", "中心", datetime(2025, 10, 6), datetime(2025, 10, 6), 3])
    sheet.append([])
    sheet.append(["X-2", TPE_ID, "研習", "中心", "2025-10-06", "2025-10-06", "1.2"])
    out = io.BytesIO()
    book.save(out)
    nk, answer = upload(app, out.getvalue(), "records.xlsx")
    page = answer.follow()
    assert "這批資料沒有匯入" in page.text and transcript(platform, "t-tpe") == {}
    report = nk.get(page.html.find("a", string="下載檢查結果（Excel）")["href"])
    rows = list(load_workbook(io.BytesIO(report.body)).active.iter_rows(values_only=True))
    assert (4, "hours", "研習時數") == rows[4][:3]        # row 4 of the file, as Excel shows it
    fix = nk.get(page.html.find("a", string="下載待修正紀錄（Excel）")["href"])
    fixed = list(load_workbook(io.BytesIO(fix.body)).active.iter_rows(values_only=True))
    assert fixed[1][0] == "X-2" and fixed[1][-2] == 4 and "半小時" in fixed[1][-1]
    nk, answer = upload(app, out.getvalue(), "records.xlsx", import_valid=True)
    assert "已匯入 1 筆" in answer.follow().text
    assert set(transcript(platform, "t-tpe")) == {("tpe-city", "X-1")}


def test_an_xml_file_is_read_safely(app, platform):
    good = (b"<records><record><source_record_id>M-1</source_record_id>"
            b"<national_id>A123456789</national_id><title>XML</title><organiser>O</organiser>"
            b"<first_day>2025-10-06</first_day><last_day>2025-10-06</last_day><hours>2</hours>"
            b"</record></records>")
    upload(app, good, "m.xml")
    assert set(transcript(platform, "t-tpe")) == {("tpe-city", "M-1")}
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
              b"<records><record><title>&lol3;</title></record></records>")
    _, refused = upload(app, laughs, "bomb.xml", status=400)
    assert "DTD" in refused.text and "role=\"alert\"" in refused.text


@pytest.mark.parametrize("data,filename,why", [
    (b"\xff\xfe\x00\x00garbage\x81", "bad.csv", "文字編碼"),
    ("研習名稱,研習時數\n研習,3\n".encode(), "short.csv", "缺少必填欄位"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", "不是有效的 XLSX"),
    (b"<records><record>", "broken.xml", "XML 格式不正確"),
    (b"a,b", "notes.txt", "只接受"),
    ("來源紀錄編號,身分證統一編號,研習名稱,辦理單位,研習起日,研習迄日,研習時數,顏色\n".encode(),
     "extra.csv", "傳報格式以外的欄位"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(app, platform, data, filename, why):
    _, refused = upload(app, data, filename, status=400)
    assert why in refused.text
    assert transcript(platform, "t-tpe") == {}


def test_an_upload_over_the_limit_is_refused_unread(app, platform, monkeypatch):
    from inservice_portal.exchange import files
    monkeypatch.setattr(files, "MAX_BYTES", 1000)
    _, refused = upload(app, csv_bytes([record(n) for n in range(40)]), "big.csv", status=400)
    assert "超過" in refused.text


def test_a_partner_uploads_a_file_over_the_api(app, platform):
    client = partner_client(app, platform.secret)
    data = csv_bytes([record(1), record(2, hours="0")], "cp950")
    refused = client.post("/api/v1/exchange/files", upload_files=[("file", "a.csv", data)],
                          status=422)
    assert [(p["row"], p["field"]) for p in refused.json["problems"]] == [(3, "hours")]
    done = client.post("/api/v1/exchange/files", {"import_valid": "1"},
                       upload_files=[("file", "a.csv", data)], status=201)
    assert (done.json["imported"], done.json["rejected"]) == (1, 1)
    bad = client.post("/api/v1/exchange/files", upload_files=[("file", "a.txt", b"x")],
                      status=400)
    assert bad.json["error"]["code"] == "unreadable_file"
    api_client(app).post("/api/v1/exchange/files", upload_files=[("file", "a.csv", data)],
                         status=401)


def test_a_file_too_large_for_the_api_is_refused_unread(app, platform):
    client = partner_client(app, platform.secret)
    answer = client.post("/api/v1/exchange/files",
                         upload_files=[("file", "big.csv", b"x" * (22 * 1024 * 1024))],
                         status=413)
    assert answer.json["error"]["code"] == "payload_too_large"
    assert transcript(platform, "t-tpe") == {}


# --- batches in the background (jobs/) -----------------------------------------------------------
def wait_for(client, url, timeout=20):
    import time
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get(url).json
        if answer["state"] in ("done", "failed") or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_a_batch_runs_in_the_background_and_tells_its_progress(app, platform):
    client = partner_client(app, platform.secret)
    rows = [record(n) for n in range(1, 1201)]
    queued = client.post_json("/api/v1/exchange/batches", {"batch_key": "big", "records": rows},
                              status=202)
    assert queued.json["state"] in ("queued", "running", "done")
    assert queued.headers["Location"].endswith("/api/v1/exchange/batches/big")
    done = wait_for(client, queued.headers["Location"])
    assert done["state"] == "done" and done["report"]["imported"] == 1200
    assert done["total"] == 1200
    assert len(transcript(platform, "t-tpe")) == 1200
    again = client.post_json("/api/v1/exchange/batches", {"batch_key": "big", "records": rows},
                             status=202)
    assert again.json["state"] == "done" and again.json["report"]["imported"] == 1200
    assert platform.read(lambda root: len(root["exchange"]["tpe-city"].batches)) == 1
    other = partner_client(app, register_other(platform), "khh-city")
    other.get("/api/v1/exchange/batches/big", status=404)      # another partner's batch


def register_other(site) -> str:
    with site.edit() as root:
        _, secret = partners.register(root, "khh-city", "高雄市系統", "database", ("高雄市",))
    return secret


def test_a_refused_batch_may_be_sent_again_under_its_key(app, platform):
    client = partner_client(app, platform.secret)
    bad = client.post_json("/api/v1/exchange/batches",
                           {"batch_key": "k", "records": [record(1, hours="x")]}, status=202)
    refused = wait_for(client, bad.headers["Location"])
    assert refused["state"] == "done" and refused["report"]["imported"] == 0
    assert refused["report"]["problems"][0]["field"] == "hours"
    fixed = client.post_json("/api/v1/exchange/batches",
                             {"batch_key": "k", "records": [record(1)]}, status=202)
    assert wait_for(client, fixed.headers["Location"])["report"]["imported"] == 1


def test_the_partner_is_told_when_its_batch_is_done(app, platform):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    told = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            told.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with platform.edit() as root:
            root["exchange"]["tpe-city"].callback_url = f"http://127.0.0.1:{server.server_port}/"
        client = partner_client(app, platform.secret)
        queued = client.post_json("/api/v1/exchange/batches",
                                  {"batch_key": "cb", "records": [record(1)]}, status=202)
        wait_for(client, queued.headers["Location"])
        import time
        deadline = time.monotonic() + 10
        while not told and time.monotonic() < deadline:
            time.sleep(0.05)
        assert told == [{"partner": "tpe-city", "batch_key": "cb", "rows": 1, "imported": 1,
                         "rejected": 0}]
    finally:
        server.shutdown()


def test_only_safe_callback_addresses_are_called(monkeypatch):
    from inservice_portal.exchange import callbacks
    monkeypatch.setattr(callbacks, "_loopback_allowed", False)      # as in production
    assert callbacks.allowed("https://tpe.example.org/hook")
    assert not any(callbacks.allowed(u) for u in (
        "http://127.0.0.1:8000/", "http://tpe.example.org/", "file:///etc/passwd", "ftp://x/",
        "", "https:///nohost"))
    for inside in ("https://127.0.0.1/", "https://169.254.169.254/latest/meta-data/",
                   "https://10.0.0.8/", "https://localhost/", "https://[::1]/"):
        assert not callbacks._public(inside), inside        # resolved: never our network
    monkeypatch.setattr(callbacks, "_loopback_allowed", True)        # the tests' setting
    assert callbacks.allowed("http://127.0.0.1:8000/")


def test_a_callback_is_not_redirected(app, platform):
    """A partner's server answering 302 to an inner address is not followed."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/inner")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from inservice_portal.exchange import callbacks
        callbacks._post(True, f"http://127.0.0.1:{server.server_port}/hook", {"a": 1})
    finally:
        server.shutdown()
    assert hits == ["/hook"]


# --- 回撈: retrieval by cursor -------------------------------------------------------------------
def reader(app, site):
    with site.edit() as root:
        root["exchange"]["tpe-city"].retrieves = True
    return partner_client(app, site.secret)


def read_all(client, since="0", limit=2, **query):
    seen, pages = [], 0
    while True:
        answer = client.get("/api/v1/exchange/records",
                            {"since": since, "limit": limit, **query}).json
        seen += answer["items"]
        pages += 1
        since = answer["next"]
        if not answer["more"]:
            return seen, since, pages


def test_a_partner_retrieves_its_teachers_records_by_cursor(app, platform):
    client = reader(app, platform)
    client.post_json("/api/v1/exchange/records",
                     {"batch_key": "a", "records": [record(n) for n in range(1, 6)]})
    seen, cursor, pages = read_all(client)
    assert [e["source_record_id"] for e in seen] == [f"TPE-{n}" for n in range(1, 6)]
    assert pages == 3 and seen[0]["national_id"] == TPE_ID and "login" not in seen[0]
    assert seen[0]["hours"] == "3" and seen[0]["first_day"] == "2025-10-06"
    assert client.get("/api/v1/exchange/records", {"since": cursor}).json["items"] == []
    client.post_json("/api/v1/exchange/records",
                     {"batch_key": "b", "records": [record(2, hours="4.5")]})
    changed, cursor2, _ = read_all(client, cursor)
    assert [(e["source_record_id"], e["hours"]) for e in changed] == [("TPE-2", "4.5")]
    again, _, _ = read_all(client)                  # from the start: each record once
    assert sorted(e["source_record_id"] for e in again) == [f"TPE-{n}" for n in range(1, 6)]


def test_retrieval_is_limited_to_the_partners_counties_and_scope(app, platform):
    with platform.edit() as root:
        _, secret = partners.register(root, "khh-city", "高雄市系統", "database", ("高雄市",))
    khh = partner_client(app, secret, "khh-city")
    khh.post_json("/api/v1/exchange/records", {"batch_key": "k", "records": [
        record(9, national_id=valid_id("E10000000"))]})
    khh.get("/api/v1/exchange/records", status=403)            # no records:read granted
    client = reader(app, platform)
    client.post_json("/api/v1/exchange/records", {"batch_key": "t", "records": [record(1)]})
    seen, _, _ = read_all(client)
    assert [e["source_record_id"] for e in seen] == ["TPE-1"]    # not Kaohsiung's teacher
    client.get("/api/v1/exchange/records", {"county": "高雄市"}, status=400)
    for bad in ({"since": "-1"}, {"limit": "0"}, {"limit": "99999"}, {"since": "x"}):
        client.get("/api/v1/exchange/records", bad, status=400)


def test_a_roster_confirmed_here_reaches_the_feed(app, platform):
    from inservice_portal.attendance import roster
    from inservice_portal.workflows import api as workflow_api

    from .test_roster import add_ended_course
    with platform.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        add_staff(root, "a-admin", school, "principal_admin")
        course = add_ended_course(root, school, state="roster_pending")
        roster.save(course, [roster.Row("1", "t-tpe", ["present", "present"])], "a-admin")
        workflow_api.transition(course, None, "confirm_roster")
    seen, _, _ = read_all(reader(app, platform))
    assert [(e["source"], e["deleted"]) for e in seen] == [("local", False)]


def test_a_record_moved_to_another_teacher_is_read_as_gone(app, platform):
    with platform.edit() as root:
        add_teacher(root, "t-tpe2", root["centres"]["taipei"]["353601"],
                    national_id=valid_id("A22222222"))
    client = reader(app, platform)
    client.post_json("/api/v1/exchange/records", {"batch_key": "1", "records": [record(1)]})
    _, cursor, _ = read_all(client)
    client.post_json("/api/v1/exchange/records", {"batch_key": "2", "records": [
        record(1, national_id=valid_id("A22222222"))]})
    seen, _, _ = read_all(client, cursor)
    assert {(e["national_id"], e["deleted"]) for e in seen} == {
        (TPE_ID, True), (valid_id("A22222222"), False)}


class TestRetrievalUnderConcurrentWrites:
    """On a FileStorage, where commits really interleave: a reader paging while two partners'
    batches are written sees every record, never one twice, in increasing order."""

    @pytest.fixture
    def settings(self, base_settings, tmp_path):
        return dict(base_settings, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"})

    def test_no_record_is_skipped_or_repeated(self, app, platform):
        import threading

        client = reader(app, platform)
        writers = [partner_client(app, platform.secret) for _ in range(2)]

        statuses = []

        def write(n, who):
            for batch in range(10):
                day = f"2025-{batch + 1:02d}-{n * 10 + 1:02d}"
                statuses.append(who.post_json("/api/v1/exchange/records", {
                    "batch_key": f"{n}-{batch}", "records": [
                        record(f"{n}-{batch}-{i}", first_day=day, last_day=day, hours=1)
                        for i in range(5)]}, expect_errors=True).status_int)

        threads = [threading.Thread(target=write, args=(n, w)) for n, w in enumerate(writers)]
        for t in threads:
            t.start()
        seen, cursor = [], "0"
        while any(t.is_alive() for t in threads):
            page, cursor, _ = read_all(client, cursor, limit=7)
            seen += page
        for t in threads:
            t.join()
        page, cursor, _ = read_all(client, cursor, limit=7)
        seen += page
        numbers = [e["seq"] for e in seen]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        ids = [e["source_record_id"] for e in seen]
        assert statuses == [201] * 20
        assert len(ids) == len(set(ids)) == 100


def test_evolve_32_and_33_make_the_jobs_and_the_feed_of_the_records_kept(app, platform):
    from inservice_portal import evolve
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "a", "records": [record(1)]})
    with platform.edit() as root:                  # as a site kept before step 32 holds it
        root.jobs = None
        root["exchange"].feed = None
        root.evolve_version = 31
    with platform.edit() as root:
        evolve.run(root, log=lambda message: None)
    seen, _, _ = read_all(reader(app, platform))
    assert [e["source_record_id"] for e in seen] == ["TPE-1"]
    assert platform.read(lambda root: len(list(root.jobs.keys()))) == 0


# --- 每月確認 (Art. 12(3)–(4)) ----------------------------------------------------------------------
def at(monkeypatch, day):
    moment = datetime(day.year, day.month, day.day, 10, tzinfo=clock.TAIPEI)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_a_confirmed_month_is_locked_until_the_national_centre_reopens_it(app, platform,
                                                                          monkeypatch):
    from datetime import date
    at(monkeypatch, date(2025, 11, 3))
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "oct", "records": [record(1)]})
    assert client.get("/api/v1/exchange/months").json["due"] == {
        "month": "2025-10", "due_on": "2025-11-05", "confirmed": False}
    client.post("/api/v1/exchange/months/2025-11/confirmation", status=422)   # not over yet
    client.post("/api/v1/exchange/months/2025-13/confirmation", status=422)
    done = client.post("/api/v1/exchange/months/2025-10/confirmation").json
    assert (done["month"], done["late"]) == ("2025-10", False)
    refused = client.post_json("/api/v1/exchange/records", {"batch_key": "late", "records": [
        record(1, hours=6), record(2)]}, status=422).json      # a change and a late record
    assert {(p["row"], p["field"]) for p in refused["problems"]} == {(1, "last_day"),
                                                                  (2, "last_day")}
    assert "行文" in refused["problems"][0]["message"]
    nk = browser(app, "nk")
    page = nk.get("/exchange/tpe-city")
    assert "2025-10" in page.text
    short = nk.post("/exchange/tpe-city/@@reopen", {"csrf_token": csrf_of(page),
                                                    "month": "2025-10", "reason": "x"},
                    status=400)
    assert "請填寫重新開放的原因" in short.text
    nk.post("/exchange/tpe-city/@@reopen", {"csrf_token": csrf_of(page), "month": "2025-10",
                                            "reason": "北市教研字第 1140001 號函"}, status=303)
    client.post_json("/api/v1/exchange/records", {"batch_key": "late2", "records": [
        record(1, hours=6)]}, status=201)
    assert "重新開放已確認月份" in browser(app, "moe").get("/audit").text


class TestLatePartners:
    @pytest.fixture
    def settings(self, base_settings, smtp):
        return dict(base_settings, **smtp.settings)

    def test_are_listed_and_reminded(self, app, platform, smtp, monkeypatch, site):
        from datetime import date

        from inservice_portal.exchange import confirmation
        with platform.edit() as root:
            root["exchange"]["tpe-city"].contact["email"] = "tpe@example.org"
            root["exchange"]["tpe-city"]._p_changed = True
        at(monkeypatch, date(2025, 11, 5))
        assert site.read(lambda root: confirmation.late(root["exchange"])) == []    # not yet late
        page = browser(app, "nk").get("/exchange")
        assert "待確認（期限 11 月 5 日）" in page.text
        at(monkeypatch, date(2025, 11, 6))
        assert "逾期未確認" in browser(app, "nk").get("/exchange").text
        import transaction
        with transaction.manager:
            sent = site.read(lambda root: confirmation.remind(root, site.registry))
        assert sent == [("tpe-city", "2025-10", "tpe@example.org")]
        assert "2025-10" in str(smtp.messages[-1]["Subject"])


def test_a_centre_sees_the_status_of_its_countys_partners(app, platform):
    page = browser(app, "tp-rev").get("/centres/taipei/exchange-status")
    assert "臺北市教師在職進修系統" in page.text
    browser(app, "tp-rev").get("/centres/kaohsiung/exchange-status", status=403)


# --- 匯入紀錄審查: imported records over the caps ---------------------------------------------------
def test_an_imported_record_over_the_day_cap_waits_for_the_centre(app, platform):
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "cap", "records": [
        record(1, hours=4), record(2, hours=4), record(3, first_day="2025-11-03",
                                                        last_day="2025-11-04", hours=8)]})
    reviewer = browser(app, "tp-rev")
    page = reviewer.get("/centres/taipei/imported-records")
    assert "研習2" in page.text and "研習1" not in page.text     # the second goes over 6
    assert "研習3" not in page.text                              # 8 hours over two days: 4 + 4
    assert "A12345****" in page.text
    refused = reviewer.post("/centres/taipei/imported-records", {
        "csrf_token": csrf_of(page), "login": "t-tpe", "source": "tpe-city",
        "record": "TPE-2", "decision": "reject", "reason": ""}, status=400)
    assert "須填寫原因" in refused.text
    reviewer.post("/centres/taipei/imported-records", {
        "csrf_token": csrf_of(page), "login": "t-tpe", "source": "tpe-city",
        "record": "TPE-2", "decision": "approve"}, status=303)
    assert "研習2" not in reviewer.get("/centres/taipei/imported-records").text
    from inservice_portal.attendance.records import capped
    lines = platform.read(lambda root: {l["record"].source_record_id: l["counted"]
                                        for l in capped(root["people"]["t-tpe"])})
    assert lines["TPE-1"] + lines["TPE-2"] == 8                  # approved: all counted


def test_a_rejected_record_leaves_the_transcript(app, platform):
    client = reader(app, platform)
    client.post_json("/api/v1/exchange/records", {"batch_key": "cap", "records": [
        record(1, hours=4), record(2, hours=4)]})
    _, cursor, _ = read_all(client)
    reviewer = browser(app, "tp-rev")
    page = reviewer.get("/centres/taipei/imported-records")
    reviewer.post("/centres/taipei/imported-records", {
        "csrf_token": csrf_of(page), "login": "t-tpe", "source": "tpe-city",
        "record": "TPE-2", "decision": "reject", "reason": "與本網課程重複"}, status=303)
    assert set(transcript(platform, "t-tpe")) == {("tpe-city", "TPE-1")}
    seen, _, _ = read_all(client, cursor)
    assert [(e["source_record_id"], e["deleted"]) for e in seen] == [("TPE-2", True)]
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}
    reviewer.post("/centres/taipei/imported-records", {
        "csrf_token": csrf_of(page), "login": "t-tpe", "source": "tpe-city",
        "record": "TPE-2", "decision": "approve"}, status=404)       # decided already
    browser(app, "ks-rev").get("/centres/taipei/imported-records", status=403)


# --- 重複登錄 (Art. 12(1)) ---------------------------------------------------------------------------
def test_a_course_here_and_from_a_county_system_counts_once(app, platform):
    """The roster here credits t-tpe; the city's system sends the same training (organiser,
    title, day): shown, never counted twice, in the transcript or the statistics; when the
    roster no longer credits the teacher, the city's record counts again."""
    from inservice_portal.attendance import roster
    from inservice_portal.attendance.records import capped
    from inservice_portal.workflows import api as workflow_api

    from .test_roster import add_ended_course
    with platform.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        add_staff(root, "a-admin", school, "principal_admin")
        course = add_ended_course(root, school, "數位學習研習", day=date(2025, 10, 6),
                                  state="roster_pending")
        roster.save(course, [roster.Row("1", "t-tpe", ["present", "present"])], "a-admin")
        workflow_api.transition(course, None, "confirm_roster")
        code = course.code

    def counted(root):
        return {line["record"].source: (line["counted"], line["duplicate"])
                for line in capped(root["people"]["t-tpe"])}
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "d", "records": [
        record(1, title="數位學習 研習", organiser="臺北市立甲國民小學", hours=6)]})
    found = platform.read(counted)
    assert found["tpe-city"] == (0, True) and found["local"][0] > 0
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}
    page = browser(app, "t-tpe").get("/transcript", {"year": "2025"})
    assert "不重複採計" in page.text
    with platform.edit() as root:                    # the roster is reopened without t-tpe
        course = next(c for c in root["centres"]["taipei"]["353601"].values()
                      if getattr(c, "code", None) == code)
        workflow_api.transition(course, None, "reopen")
        roster.save(course, [], "a-admin")
        workflow_api.transition(course, None, "submit_roster")
        workflow_api.transition(course, None, "confirm_roster")
    assert platform.read(counted)["tpe-city"] == (6, False)
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}



@pytest.fixture(autouse=True)
def jobs_finish():
    """Each test's background jobs end with it (their after-commit work included): a job
    thread still folding an earlier test's commits was seen to disturb a later test's PDF."""
    import threading
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job "):
            thread.join(30)


# --- 教師資料同步 (003) --------------------------------------------------------------------------
def test_a_partner_keeps_its_teachers_schools(app, platform):
    """全國教保資訊網 / 臺北市: moves, job titles, leaving (the transcript only, 004); the
    report says what changed and what could not be matched."""
    with platform.edit() as root:
        add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_teacher(root, "t-2", root["centres"]["taipei"]["353601"],
                    national_id=valid_id("A22222222"))
        root["exchange"]["tpe-city"].syncs_teachers = True
    client = partner_client(app, platform.secret)
    assert "teachers:write" in client.post("/api/v1/exchange/token", {
        "grant_type": "client_credentials"}, headers=basic("tpe-city", platform.secret)
    ).json["scope"]
    answer = client.post_json("/api/v1/exchange/teachers", {"teachers": [
        {"national_id": TPE_ID, "employment": "employed", "school_code": "353602",
         "job_title": "15-4"},
        {"national_id": valid_id("A22222222"), "employment": "retired"},
        {"national_id": valid_id("E10000000"), "employment": "employed",
         "school_code": "353602"},                                   # Kaohsiung's teacher
        {"national_id": TPE_ID, "employment": "employed", "school_code": "583601"},
        {"national_id": valid_id("A33333333"), "employment": "employed"},
        {"national_id": TPE_ID, "employment": "fired"}]}).json
    assert [(c["login"], len(c["changes"])) for c in answer["changed"]] == [("t-tpe", 1),
                                                                            ("t-2", 1)]
    assert [(u["row"], u["field"]) for u in answer["unmatched"]] == [
        (3, "national_id"), (4, "school_code"), (5, "national_id"), (6, "employment")]
    state = platform.read(lambda root: (root["people"]["t-tpe"].school,
                                        root["people"]["t-2"].school,
                                        root["people"]["t-2"].employment))
    assert state == ("/centres/taipei/353602", None, "retired")
    assert platform.read(lambda root: drift(root, fresh_figures(root))) == {}
    again = client.post_json("/api/v1/exchange/teachers", {"teachers": [
        {"national_id": TPE_ID, "employment": "employed", "school_code": "353602"}]}).json
    assert (again["changed"], again["unchanged"]) == ([], 1)


def test_teacher_sync_needs_its_grant(app, platform):
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/teachers", {"teachers": [{"national_id": TPE_ID}]},
                     status=403)


def test_a_record_changed_twice_before_the_feed_is_written_is_read_as_it_is_now(site):
    """Two transactions change one record (imported, then rejected) before one flush: the
    feed must end on the later state, whichever inbox it reads first."""
    import transaction as txn
    from BTrees.OOBTree import OOBTree

    from inservice_portal.bootstrap import APP_ROOT
    from inservice_portal.exchange import feed
    from inservice_portal.resources.records import TrainingRecord
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        teacher = add_teacher(root, "t1", school)
        teacher.records = OOBTree()
    key = ("tpe-city", "R1")
    for change, inbox in (("add", "b"), ("remove", "a")):   # read "a" (the later) first
        tm = txn.TransactionManager()
        conn = site.db.open(transaction_manager=tm)
        setattr(conn, feed.INBOX_ATTR, inbox)
        tm.begin()
        root = conn.root()[APP_ROOT]
        teacher = root["people"]["t1"]
        if change == "add":
            teacher.records[key] = TrainingRecord("t1", *key, title="研習", hours=3,
                                                  days=((date(2025, 10, 6), 3),))
        else:
            del teacher.records[key]
        feed.Writer.writers().pop(site.db, None)     # no writer yet: both wait in inboxes
        feed.note(teacher, key)
        tm.commit()
        conn.close()
    with site.edit() as root:
        feed.flush(root)
    entries = site.read(lambda root: list(feed.feed_of(root).entries.values()))
    assert [(e["source_record_id"], e["deleted"]) for e in entries] == [("R1", True)]


def test_a_teacher_who_moves_county_takes_the_records_along(app, platform):
    from inservice_portal.accounts import teachers
    client = reader(app, platform)
    client.post_json("/api/v1/exchange/records", {"batch_key": "m", "records": [
        record(1, hours=4), record(2, hours=4)]})             # TPE-2 waits for review
    assert [e["source_record_id"] for e in read_all(client)[0]] == ["TPE-1", "TPE-2"]
    with platform.edit() as root:
        _, secret = partners.register(root, "khh-city", "高雄市系統", "database", ("高雄市",))
        root["exchange"]["khh-city"].retrieves = True
        teachers.move_to_school(root["people"]["t-tpe"], root["centres"]["kaohsiung"]["583601"])
    assert read_all(client)[0] == []                          # Taipei's partner: gone
    khh = partner_client(app, secret, "khh-city")
    assert [e["source_record_id"] for e in read_all(khh)[0]] == ["TPE-1", "TPE-2"]
    assert "研習2" not in browser(app, "tp-rev").get("/centres/taipei/imported-records").text
    assert "研習2" in browser(app, "ks-rev").get("/centres/kaohsiung/imported-records").text


def test_a_large_file_is_imported_in_the_background(app, platform, monkeypatch):
    from inservice_portal.exchange import importer
    monkeypatch.setattr(importer, "QUEUED_FROM", 1)          # "large": more than one row
    data = csv_bytes([record(1), record(2)])
    nk, answer = upload(app, data, "large.csv")
    key = answer.location.rsplit("batch=", 1)[1]
    client = partner_client(app, platform.secret)
    assert wait_for(client, f"/api/v1/exchange/batches/{key}")["state"] == "done"
    assert "已匯入 2 筆" in nk.get(answer.location).text
    queued = client.post("/api/v1/exchange/files",
                         upload_files=[("file", "b.csv", csv_bytes([record(3), record(4)]))],
                         status=202)
    done = wait_for(client, queued.headers["Location"])
    assert done["report"]["imported"] == 2 and len(transcript(platform, "t-tpe")) == 4


def test_the_partner_page_shows_a_file_still_in_the_background(app, platform, monkeypatch):
    from inservice_portal.exchange import importer
    from inservice_portal.jobs import runner
    monkeypatch.setattr(importer, "QUEUED_FROM", 1)
    monkeypatch.setattr(runner, "_dispatch", lambda *args: None)   # no one runs it yet
    nk, answer = upload(app, csv_bytes([record(1), record(2)]), "large.csv")
    page = nk.get(answer.location)
    assert "傳報檔案處理中" in page.text and "等待處理" in page.text
    assert transcript(platform, "t-tpe") == {}


def test_the_platform_edits_a_partner_and_revokes_a_leaked_secret(app, platform):
    nk = browser(app, "nk")
    form = nk.get("/exchange/tpe-city/@@edit").forms["partner-form"]
    assert "code" not in form.fields                        # the client id stays
    form["title"] = "臺北市教師進修系統（新）"
    form["contact_email"], form["contact_phone"] = "tpe@example.org", "02-27256789"
    form.get("checkbox", index=vocab_index("新北市")).checked = True
    form["retrieves"] = True
    form.submit("save", status=303)
    assert platform.read(lambda root: (root["exchange"]["tpe-city"].counties,
                                       root["exchange"]["tpe-city"].retrieves)) == (
        ("臺北市", "新北市"), True)
    old = partner_client(app, platform.secret)
    new = browser_rotate(app).html.find(id="client-secret").text
    page = nk.get("/exchange/tpe-city")
    nk.post("/exchange/tpe-city/@@revoke", {"csrf_token": csrf_of(page)}, status=303)
    old.post_json("/api/v1/exchange/records", {"batch_key": "x", "records": [record(1)]},
                  status=401)                                # its token went with it
    api_client(app).post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                         headers=basic("tpe-city", platform.secret), status=401)
    partner_client(app, new)
    form = nk.get("/exchange/tpe-city/@@edit").forms["partner-form"]
    form["active"] = False
    form.submit("save", status=303)
    api_client(app).post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                         headers=basic("tpe-city", new), status=401)


def test_expired_tokens_and_old_rows_to_fix_are_not_kept(app, platform, monkeypatch):
    client = partner_client(app, platform.secret)
    client.post_json("/api/v1/exchange/records", {"batch_key": "old", "records": [
        record(1), record(2, hours="x")], "import_valid": True})
    later = clock.now() + timedelta(days=91)
    monkeypatch.setattr(clock, "now", lambda: later)
    partner_client(app, platform.secret)                    # the expired ones go
    assert platform.read(lambda root: len(list(root["exchange"].tokens.keys()))) == 1
    partner_client(app, platform.secret).post_json("/api/v1/exchange/records", {
        "batch_key": "new", "records": [record(3)]})
    batches = platform.read(lambda root: {k: len(b.rejected_rows) for k, b in
                                          root["exchange"]["tpe-city"].batches.items()})
    assert batches == {"old": 0, "new": 0}
