"""資訊傳報 (issue 18): partner systems registered by the national centre, their OAuth 2
client credentials, the published format, and batches of training records imported row by
row, all or nothing, idempotently."""
import base64
from datetime import timedelta

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
