"""The JSON API v1: tokens, /me, centres, organisers, errors and the OpenAPI document."""
import hashlib
import re
from datetime import datetime, timedelta

import pytest

from inservice_portal import clock, reference
from inservice_portal.accounts.authentication import FAILURE_MESSAGE
from inservice_portal.resources.centre import UNIT_KIND

from ..conftest import PASSWORD, credentials, add_organiser, add_staff, add_teacher, csrf_of, login

NATIONAL_ID = "A123456789"
ISO_TAIPEI = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture
def people(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "es-admin", school, "principal_admin", name="王校長")
        add_teacher(root, "t1", school, name="林老師", national_id=NATIONAL_ID)


def get_token(testapp, login_name="t1", password=PASSWORD):
    response = testapp.post_json("/api/v1/tokens", credentials(testapp.app, login_name, password),
                                 status=201)
    return response.json["token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status, code):
    assert response.status_int == status
    assert response.content_type == "application/json"
    error = response.json["error"]
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)
    return error


# --- tokens -------------------------------------------------------------------------------

def test_token_is_issued_with_expiry_and_stored_hashed(testapp, people, site):
    response = testapp.post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD},
                                 status=201)
    body = response.json
    assert set(body) == {"token", "expires_at"}
    assert ISO_TAIPEI.match(body["expires_at"])
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires - clock.now() <= timedelta(hours=8)
    assert "Set-Cookie" not in response.headers          # no cookie credentials involved
    keys = site.read(lambda root: list(root.api_tokens.keys()))
    assert keys == [hashlib.sha256(body["token"].encode()).hexdigest()]


def test_wrong_password_and_unknown_login_answer_alike(testapp, people):
    wrong = testapp.post_json("/api/v1/tokens", {"login": "t1", "password": "nope"}, status=401)
    unknown = testapp.post_json("/api/v1/tokens", {"login": "nobody", "password": "nope"},
                                status=401)
    assert wrong.json == unknown.json
    error = assert_error(wrong, 401, "invalid_credentials")
    assert error["message"] == FAILURE_MESSAGE


def test_lockout_is_shared_with_the_login_page(testapp, people, monkeypatch):
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    for _ in range(3):
        login(testapp, "t1", "wrong")
    for _ in range(2):
        testapp.post_json("/api/v1/tokens", {"login": "t1", "password": "wrong"}, status=401)
    # Locked: the right password fails on both, with the same message.
    locked = testapp.post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD},
                               status=401)
    assert locked.json["error"]["message"] == FAILURE_MESSAGE
    assert FAILURE_MESSAGE in login(testapp, "t1").text
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=15, seconds=1))
    get_token(testapp)


def test_api_failures_alone_lock_the_login_page(testapp, people):
    for _ in range(5):
        testapp.post_json("/api/v1/tokens", {"login": "t1", "password": "wrong"}, status=401)
    assert login(testapp, "t1").status_int == 200          # not the 303 of a success


@pytest.mark.parametrize("body, fields", [
    (b"not json", set()),
    (b"[1, 2]", set()),
    (b"\xff\xfe", set()),
    (b'{"login": "t1"}', {"password"}),
    (b'{"password": "x"}', {"login"}),
    (b'{"login": "", "password": 3}', {"login", "password"}),
    (b'{"login": "t1", "password": "x", "otp": 123456}', {"otp"}),
])
def test_malformed_token_requests(testapp, people, site, body, fields):
    response = testapp.post("/api/v1/tokens", body, content_type="application/json", status=400)
    error = assert_error(response, 400, "malformed")
    assert set(error["fields"]) == fields
    # A malformed request is not a login attempt.
    assert site.read(lambda root: root["people"]["t1"].failed_logins) == 0


def test_token_call_needs_no_csrf_even_with_a_session_cookie(testapp, people):
    login(testapp, "t1")
    assert testapp.cookies.get("isp_session")
    get_token(testapp)


def test_expired_token_is_refused(testapp, people, monkeypatch):
    token = get_token(testapp)
    testapp.get("/api/v1/me", headers=bearer(token), status=200)
    later = clock.now() + timedelta(hours=8, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = testapp.get("/api/v1/me", headers=bearer(token), status=401)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(testapp, people, site):
    token, other = get_token(testapp), get_token(testapp)
    response = testapp.delete("/api/v1/tokens/current", headers=bearer(token), status=204)
    assert response.body == b""
    assert_error(testapp.get("/api/v1/me", headers=bearer(token), status=401), 401,
                 "unauthorized")
    testapp.delete("/api/v1/tokens/current", headers=bearer(token), status=401)
    # Only the token used for the call is revoked.
    testapp.get("/api/v1/me", headers=bearer(other), status=200)
    assert site.read(lambda root: len(root.api_tokens)) == 1


def test_bad_token_is_refused_on_public_calls_too(testapp, people):
    response = testapp.get("/api/v1/centres", headers=bearer("no-such-token"), status=401)
    assert_error(response, 401, "unauthorized")


def test_disabled_account_token_stops_working(testapp, people, site):
    token = get_token(testapp)
    with site.edit() as root:
        root["people"]["t1"].active = False
    testapp.get("/api/v1/me", headers=bearer(token), status=401)


# --- /me ----------------------------------------------------------------------------------

SCHOOL = {"code": "353601", "name": "臺北市立測試國民小學", "path": "/centres/taipei/353601"}


def test_me_with_a_bearer_token(testapp, people):
    body = testapp.get("/api/v1/me", headers=bearer(get_token(testapp))).json
    assert body == {"login": "t1", "kind": "teacher",
                    "roles": [{"role": "teacher", "unit": None}], "school": SCHOOL}


def test_me_for_staff(testapp, people):
    body = testapp.get("/api/v1/me", headers=bearer(get_token(testapp, "es-admin"))).json
    assert body == {"login": "es-admin", "kind": "staff",
                    "roles": [{"role": "principal_admin", "unit": SCHOOL}], "unit": SCHOOL}


def test_me_for_a_teacher_without_school(testapp, site):
    with site.edit() as root:
        add_teacher(root, "t2")
    body = testapp.get("/api/v1/me", headers=bearer(get_token(testapp, "t2"))).json
    assert body["school"] is None


def test_me_with_the_session_cookie(testapp, people):
    login(testapp, "t1")
    body = testapp.get("/api/v1/me").json
    assert body["login"] == "t1" and body["school"] == SCHOOL


def test_me_without_credentials_is_401_json(testapp, people):
    response = testapp.get("/api/v1/me", status=401)
    assert_error(response, 401, "unauthorized")


def test_national_id_is_in_no_api_response(testapp, people):
    token = get_token(testapp)
    bodies = [
        testapp.post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD}).text,
        testapp.get("/api/v1/me", headers=bearer(token)).text,
        testapp.get("/api/v1/centres?per_page=100").text,
        testapp.get("/api/v1/organisers?per_page=100").text,
        testapp.get("/api/v1/openapi.json").text,
    ]
    login(testapp, "t1")
    bodies.append(testapp.get("/api/v1/me").text)
    for text in bodies:
        assert NATIONAL_ID not in text and NATIONAL_ID[:6] not in text
        # The OpenAPI document names the field (PUT /courses/{code}/roster takes a walk-in
        # by national ID); no answer about people carries one.
        if '"openapi"' not in text:
            assert "national_id" not in text


# --- browser sessions and CSRF --------------------------------------------------------------

def test_unsafe_call_with_session_cookie_needs_the_csrf_header(testapp, people):
    login(testapp, "t1")
    response = testapp.delete("/api/v1/tokens/current", status=400)
    assert_error(response, 400, "bad_request")
    # With the header the call passes CSRF; a session has no token to revoke.
    csrf = csrf_of(testapp.get("/account"))
    response = testapp.delete("/api/v1/tokens/current", headers={"X-CSRF-Token": csrf},
                              status=404)
    assert_error(response, 404, "not_found")


def test_bearer_calls_need_no_csrf_header(testapp, people):
    testapp.delete("/api/v1/tokens/current", headers=bearer(get_token(testapp)), status=204)


# --- centres and organisers -----------------------------------------------------------------

def test_centres_lists_all_25_with_kinds_and_modes(testapp, site):
    body = testapp.get("/api/v1/centres?per_page=100").json
    assert body["total"] == 25 and body["page"] == 1 and body["per_page"] == 100
    assert [c["code"] for c in body["items"]] == [c["code"] for c in reference.centres()]
    by_code = {c["code"]: c for c in body["items"]}
    assert by_code["nknu"] == {
        "code": "nknu", "name": "全國教師在職進修資訊網全國推廣中心（國立高雄師範大學）",
        "kind": "national", "county": None, "auto_approve": False, "integration_mode": "online"}
    assert by_code["k12ea"]["kind"] == "k12ea" and by_code["circle"]["kind"] == "circle"
    assert by_code["taipei"]["kind"] == "county" and by_code["taipei"]["county"] == "臺北市"
    assert by_code["taipei"]["integration_mode"] == "database"
    assert sum(c["kind"] == "county" for c in body["items"]) == 22
    with site.edit() as root:
        root["centres"]["kaohsiung"].auto_approve = True
    by_code = {c["code"]: c for c in testapp.get("/api/v1/centres?per_page=100").json["items"]}
    assert by_code["kaohsiung"]["auto_approve"] is True


def test_centres_are_paged_by_default(testapp):
    first = testapp.get("/api/v1/centres").json
    second = testapp.get("/api/v1/centres?page=2").json
    assert (len(first["items"]), first["per_page"], first["total"]) == (20, 20, 25)
    assert len(second["items"]) == 5 and second["page"] == 2
    assert testapp.get("/api/v1/centres?page=3").json["items"] == []


@pytest.fixture
def organisers(site):
    with site.edit() as root:
        for i in range(3):
            add_organiser(root, "taipei", f"35360{i}", f"臺北{i}", kind="k12_school")
        for i in range(2):
            add_organiser(root, "kaohsiung", f"58360{i}", f"高雄{i}", kind="university")


def test_organisers_filtered_by_centre(testapp, organisers):
    body = testapp.get("/api/v1/organisers?centre=kaohsiung").json
    assert body == {"items": [
        {"code": "583600", "name": "高雄0", "kind": "university", "centre": "kaohsiung"},
        {"code": "583601", "name": "高雄1", "kind": "university", "centre": "kaohsiung"}],
        "total": 2, "page": 1, "per_page": 20}


def test_organisers_are_paged_across_centres(testapp, organisers):
    # Centres in centres.yaml order: taipei's three come before kaohsiung's two.
    pages = [testapp.get(f"/api/v1/organisers?per_page=2&page={n}").json for n in (1, 2, 3, 4)]
    assert [p["total"] for p in pages] == [5] * 4
    codes = [[o["code"] for o in p["items"]] for p in pages]
    assert codes == [["353600", "353601"], ["353602", "583600"], ["583601"], []]


def test_organisers_page_deep_into_one_centre(testapp, site):
    with site.edit() as root:
        for i in range(250):
            add_organiser(root, "tainan", f"21{i:04d}", f"臺南{i}")
    body = testapp.get("/api/v1/organisers?centre=tainan&per_page=100&page=3").json
    assert body["total"] == 250
    assert [o["code"] for o in body["items"]] == [f"21{i:04d}" for i in range(200, 250)]


@pytest.mark.parametrize("query, fields", [
    ("page=0", {"page"}), ("page=abc", {"page"}), ("page=-1", {"page"}),
    ("page=%EF%BC%91", {"page"}),                                # a full-width "１"
    ("per_page=0", {"per_page"}), ("per_page=101", {"per_page"}), ("per_page=", {"per_page"}),
    ("page=x&per_page=1000", {"page", "per_page"}), ("page=99999999999", {"page"}),
])
def test_bad_paging_is_400(testapp, organisers, query, fields):
    for path in ("/api/v1/organisers", "/api/v1/centres"):
        response = testapp.get(f"{path}?{query}", status=400)
        assert set(assert_error(response, 400, "malformed")["fields"]) == fields


def test_unknown_centre_is_404_json(testapp, organisers):
    response = testapp.get("/api/v1/organisers?centre=atlantis", status=404)
    assert "centre" in assert_error(response, 404, "not_found")["fields"]


def test_unknown_api_path_and_method_are_404_json(testapp):
    assert_error(testapp.get("/api/v1/nothing-here", status=404), 404, "not_found")
    assert_error(testapp.get("/api/v1/tokens", status=404), 404, "not_found")


# --- the OpenAPI document -------------------------------------------------------------------

def implemented_api_operations(registry) -> set[tuple[str, str]]:
    """(path, method) of every view on a route under /api/, from the config introspector."""
    introspector = registry.introspector
    patterns = {i["introspectable"]["name"]: i["introspectable"]["pattern"]
                for i in introspector.get_category("routes")}
    operations = set()
    for item in introspector.get_category("views"):
        view = item["introspectable"]
        pattern = patterns.get(view["route_name"])
        if pattern and pattern.startswith("/api/") and not view["context"]:
            methods = view["request_methods"]
            assert methods, f"{pattern}: an API view must name its request method"
            for method in (methods if isinstance(methods, tuple) else (methods,)):
                operations.add((pattern, method.lower()))
    return operations


def test_openapi_describes_exactly_the_implemented_routes(testapp, config):
    doc = testapp.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    described = {(path, method) for path, ops in doc["paths"].items() for method in ops
                 if method in ("get", "post", "put", "patch", "delete")}
    implemented = implemented_api_operations(config.registry)
    assert ("/api/v1/me", "get") in implemented and len(implemented) >= 6
    assert implemented == described


def test_openapi_refs_resolve_and_enums_match_the_data(testapp):
    response = testapp.get("/api/v1/openapi.json")
    doc = response.json
    for ref in re.findall(r'"\$ref": "#/([^"]+)"', response.text):
        node = doc
        for part in ref.split("/"):
            node = node[part]
    schemas = doc["components"]["schemas"]
    assert set(schemas["Centre"]["properties"]["kind"]["enum"]) == set(UNIT_KIND)
    assert (set(schemas["Organiser"]["properties"]["kind"]["enum"])
            == set(reference.vocabulary("organiser_kinds")))
    assert (set(schemas["Role"]["properties"]["role"]["enum"])
            == set(reference.vocabulary("roles")))
    modes = {c["mode"] for c in reference.centres()}
    assert modes <= set(schemas["Centre"]["properties"]["integration_mode"]["enum"])


def test_openapi_describes_the_error_answers_of_every_operation(testapp):
    """Each operation names its error answers; one that takes a body names 400 (malformed)
    and 413 (refused before it is read)."""
    doc = testapp.get("/api/v1/openapi.json").json
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = set(operation["responses"])
            assert any(code.startswith("4") for code in codes), (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= codes, (method, path)
