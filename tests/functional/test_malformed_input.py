"""Malformed requests answer 400 (the API: code `malformed`) or 413, never 500 (issue 22,
item 1): the cases a fuzz of the live site found, each kept here by name. The general search
for such cases is test_fuzz_api.py and test_fuzz_forms.py."""
import pytest

from ..conftest import add_course, add_organiser, add_staff, add_teacher, api_client, browser, csrf_of

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "op", school, "operator")
        add_staff(root, "rev", root["centres"]["taipei"], "centre_reviewer")
        add_teacher(root, "t1", school)
        return str(add_course(root, school).code)


def assert_malformed(response):
    assert response.status_int == 400, response.text[:300]
    assert response.json["error"]["code"] == "malformed"
    assert "Traceback" not in response.text


@pytest.mark.parametrize("body", [
    DEEP_ARRAY, DEEP_OBJECT, '{"a": ' + "[" * 20 + "]" * 20 + "}",
    '{"login": "\\ud800", "password": "x"}', '{"\\udfff": 1}', b'{"login": "\xff"}'])
def test_unreadable_json_is_malformed(app, world, body):
    anonymous = api_client(app)
    assert_malformed(anonymous.post("/api/v1/tokens", body, content_type="application/json",
                                    expect_errors=True))
    operator = api_client(app, "op")
    assert_malformed(operator.post(f"/api/v1/courses/{world}/transitions", body,
                                   content_type="application/json", expect_errors=True))


def test_a_body_over_the_limit_is_refused_unread(app, world):
    response = api_client(app).post("/api/v1/tokens", b"{" + b" " * (1024 * 1024 + 1) + b"}",
                                    content_type="application/json", expect_errors=True)
    assert response.status_int == 413 and response.json["error"]["code"] == "payload_too_large"
    teacher = browser(app, "t1")
    page = teacher.post("/checkin", {"csrf_token": csrf_of(teacher.get("/checkin")),
                                     "course": "1" * (1024 * 1024)}, expect_errors=True)
    assert page.status_int == 413 and "超過 1 MB 的上限" in page.text


@pytest.mark.parametrize("value", ["18446744073709551616", "9" * 60, "１２", "²", "-1", "1_0"])
def test_checkin_with_a_number_no_course_can_have(app, world, value):
    teacher = browser(app, "t1")
    token = csrf_of(teacher.get("/checkin"))
    assert teacher.get("/checkin", {"course": value, "session": value}).status_int == 200
    answer = teacher.post("/checkin", {"csrf_token": token, "course": value, "code": value},
                          expect_errors=True)
    assert answer.status_int == 400 and "系統發生錯誤" not in answer.text


def test_a_long_code_or_name_is_answered(app, world):
    reviewer = browser(app, "rev")
    assert reviewer.get("/centres/taipei/worklist", {"code": "9" * 5000}).status_int == 200
    assert api_client(app).get("/api/v1/courses/" + "9" * 60, expect_errors=True).status_int == 404
    assert api_client(app).get("/api/v1/courses?q=" + "a" * 20000,
                               expect_errors=True).status_int == 400


@pytest.fixture(params=["0", "10"], ids=["no-cache", "public-cache"])
def settings(base_settings, request):
    """Both ways production may run: the public cache (an outer tween) on and off."""
    return dict(base_settings, **{"public_cache.seconds": request.param})


@pytest.mark.parametrize("url", ["/search?q=%ED%A0%80", "/search?q=%FF", "/courses/%FF%FE",
                                 "/search%FF", "/api/v1/courses?q=%C0%AF"])
def test_text_that_is_not_utf8_is_refused(app, world, url):
    response = browser(app).get(url, expect_errors=True)
    assert response.status_int == 400, (url, response.status_int)
    if url.startswith("/api/"):
        assert_malformed(response)
    else:
        assert "無法讀取的請求" in response.text


def test_a_form_whose_structure_does_not_nest_is_refused(app, world):
    operator = browser(app, "op")
    page = operator.get("/centres/taipei/353601/@@add-course")
    for markers in ([("__end__", "x")], [("__start__", "sessions:bogus")],
                    [("__start__", ":mapping")] * 3):
        response = operator.post("/centres/taipei/353601/@@add-course",
                                 [("csrf_token", csrf_of(page)), ("save", "")] + markers,
                                 expect_errors=True)
        assert response.status_int == 400 and "無法讀取的請求" in response.text
