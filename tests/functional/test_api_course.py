"""One course over the API: POST /organisers/{o}/courses, GET and PATCH /courses/{code}.

The API takes what the course form takes (the same schema and rules), answers the course with
every field, and refuses by the same permissions as the pages."""
import copy
from datetime import date, datetime

import pytest

from inservice_portal import clock
from inservice_portal.catalog import Search, find_course
from inservice_portal.resources.course import FIELDS, Attachment
from inservice_portal.views.api import course_json

from ..conftest import (add_organiser, add_staff, add_teacher, allow_tags, api_client,
                        csrf_of)
from .test_course_form import VALUES as FORM_VALUES
from .test_course_form import browser, fill

SCHOOL = "/centres/taipei/353601"
CREATE = "/api/v1/organisers/353601/courses"

# The course of test_course_form's VALUES, by API names and JSON types.
BODY = {
    "class_type": "1-1", "nature": "2-1", "authority_doc_no": "北市教師字第 1130000002 號",
    "title": "十二年國教五堂課多元評量--自然領域案例與實作", "tags": ["素養導向", "多元評量"],
    "stage": "elementary", "subject": "自然科學領域", "scope": "1", "sub_item": "1-1-1",
    "level": 2, "lecturers": [{"name": "王大明", "kind": "8-1"}],
    "outline": "說明多元評量的設計與實作。", "delivery_modes": ["11-1", "11-3"],
    "delivery_other": "", "time_slots": ["12-1"], "hours": 3, "credits": None,
    "hours_reason": "", "audience_stages": ["14-4"], "audience_titles": ["15-4", "15-5"],
    "audience_other": "", "registration_opens": "2099-01-01",
    "registration_closes": "2099-01-20", "registration_opens_time": "08:30",
    "registration_closes_time": None, "admission": "first_come",
    "starts_on": "2099-02-01", "ends_on": "2099-02-01", "place": "本校視聽教室，09:00 至 12:00",
    "funding": "21-12", "funding_amount": None, "fee": "22-3", "classes": 1,
    "seats_per_class": 40,
    "contacts": [{"name": "陳承辦", "phone": "02-2345-6789", "email": "chen@example.org"}],
    "feedback": "26-1",
    "sessions": [{"date": "2099-02-01", "start": "09:00", "end": "12:00", "venue": "視聽教室"}],
}


def body(**changes):
    return dict(copy.deepcopy(BODY), **changes)


@pytest.fixture
def people(site):
    with site.edit() as root:
        allow_tags(root, "素養導向", "多元評量")
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        for login_name, role in (("principal", "principal_admin"), ("contact", "contact"),
                                 ("operator", "operator")):
            add_staff(root, login_name, school, role)
        add_staff(root, "other-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_teacher(root, "teacher", school)


api = api_client


def assert_error(response, status, code):
    assert response.status_int == status and response.content_type == "application/json"
    error = response.json["error"]
    assert error["code"] == code and error["message"] and isinstance(error["fields"], dict)
    return error


def stored(site, code):
    return site.read(lambda root: root["centres"]["taipei"]["353601"][str(code)].fields())


def editable(answer: dict) -> dict:
    """The editable fields of an answer, sessions without their derived hours."""
    fields = {k: v for k, v in answer.items() if k in FIELDS}
    fields["sessions"] = [{k: v for k, v in s.items() if k != "credited_hours"}
                          for s in fields["sessions"]]
    return fields


# --- POST /organisers/{organiser}/courses --------------------------------------------------

@pytest.mark.parametrize("who", ["principal", "contact", "operator"])
def test_organiser_staff_create_a_draft(app, site, people, who):
    response = api(app, who).post_json(CREATE, BODY, status=201)
    answer = response.json
    assert answer["code"] == 1 and answer["state"] == "draft"
    assert response.location == "http://localhost/api/v1/courses/1"
    assert (answer["organiser"], answer["centre"]) == ("353601", "taipei")
    assert editable(answer) == BODY
    assert answer["sessions"][0]["credited_hours"] == 3 and answer["suggested_hours"] == 3
    assert answer["seats_left"] == 40 and answer["attachments"] == []
    assert answer["history"] == [] and answer["flags"] == []

    def saved(root):
        course = find_course(root, 1)                       # catalogued on add
        return course.created_by, course.state, course.__parent__.code
    assert site.read(saved) == (who, "draft", "353601")


def test_the_api_stores_what_the_form_stores(app, site, people):
    """The same course entered on the page and through the API: identical fields."""
    form_response = fill(browser(app, "principal").get(f"{SCHOOL}/@@add-course")).submit("save")
    assert form_response.status_int == 303
    api(app, "principal").post_json(CREATE, body(tags=FORM_VALUES["tags"].split("、"),
                                                 registration_opens_time=None), status=201)
    assert stored(site, 1) == stored(site, 2)


def test_credit_class_takes_credits_and_seats_multiply_by_classes(app, people):
    answer = api(app, "principal").post_json(CREATE, body(
        class_type="1-5", hours=None, credits=2, classes=3, seats_per_class=30),
        status=201).json
    assert (answer["hours"], answer["credits"], answer["seats_left"]) == (None, 2, 90)


# Each rule of the form, as the API answers it: the form's own message under the field's path.
@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "請填寫「3-1 研習名稱」"),
    ({"title": None}, "title", "請填寫「3-1 研習名稱」"),
    ({"class_type": "1-9"}, "class_type", "「1 班別類別」沒有「1-9」這個選項"),
    # 000 附件十 item 2 asks for 依據文號 beside 2-1 自主辦理 and 2-2 委託辦理 alike
    ({"authority_doc_no": ""}, "authority_doc_no", "「2 辦理性質」為「自主辦理」時，請填寫「2 依據文號」"),
    ({"nature": "2-2", "authority_doc_no": ""}, "authority_doc_no", "為「委託辦理」時，請填寫"),
    ({"scope": "2"}, "sub_item", "不屬於所選教育階段（國民小學）的「5 進修範疇」"),
    ({"level": None}, "level", "請選擇「7 進修階層」"),
    ({"level": 5}, "level", "只有第一至第四階"),
    ({"delivery_modes": ["11-99"]}, "delivery_other", "請填寫「11-99 其他（請填列）」"),
    ({"delivery_modes": []}, "delivery_modes", "請至少選擇一項「11 實施方式」"),
    ({"hours": 4}, "hours_reason", "高於依場次計算之建議時數 3 小時"),
    ({"hours": 2.25}, "hours", "以 0.5 小時為最小單位"),
    ({"class_type": "1-5"}, "credits", "學分班、學位班請填寫「13 學分數"),
    ({"registration_closes": "2098-12-31"}, "registration_closes", "不可早於「16 報名開始日期」"),
    ({"registration_opens": "2099-13-01"}, "registration_opens", "不是正確的日期"),
    ({"funding": "21-1"}, "funding_amount", "請填寫「21 補助金額（新臺幣元）」"),
    ({"seats_per_class": 0}, "seats_per_class", "至少為 1"),
    ({"lecturers": []}, "lecturers", "請至少填寫一位「8 師資」"),
    ({"lecturers": [{"name": "王大明"}]}, "lecturers.0.kind", "請選擇「師資類別」"),
    ({"contacts": [{"name": "陳", "phone": "1", "email": "not-mail"}]}, "contacts.0.email",
     "格式不正確"),
    ({"sessions": []}, "sessions", "請至少填寫一個場次"),
    ({"sessions": [{"date": "2099-02-01", "start": "12:00", "end": "09:00"}]}, "sessions.0.end",
     "「結束時間」須晚於「開始時間」"),
    ({"sessions": [{"date": "2099-03-01", "start": "09:00", "end": "12:00"}]},
     "sessions.0.date", "不在「18 課程開始日期」至「19 課程結束日期」之間"),
    ({"sessions": [{"date": "2099-02-01", "start": "9點", "end": "12:00"}]}, "sessions.0.start",
     "不是正確的時間"),
])
def test_rule_violations_are_422_with_the_forms_messages(app, site, people, changes, field,
                                                         message):
    response = api(app, "principal").post_json(CREATE, body(**changes), status=422)
    error = assert_error(response, 422, "invalid_course")
    assert message in error["fields"][field], error["fields"]
    assert site.read(lambda root: len(root["centres"]["taipei"]["353601"])) == 0


def test_every_problem_is_reported_at_once(app, people):
    response = api(app, "principal").post_json(
        CREATE, body(title="", authority_doc_no="", hours=4, level=None), status=422)
    assert {"title", "authority_doc_no", "hours_reason", "level"} <= set(
        response.json["error"]["fields"])


@pytest.mark.parametrize("raw, fields", [
    (b"not json", set()),
    (b"[1, 2]", set()),
    (b"\xff\xfe", set()),
    (b'{"title": 3}', {"title"}),
    (b'{"tags": "a,b"}', {"tags"}),
    (b'{"level": "2"}', {"level"}),
    (b'{"level": true}', {"level"}),
    (b'{"classes": 1.5}', {"classes"}),
    (b'{"hours": "3"}', {"hours"}),
    (b'{"hours": NaN}', {"hours"}),             # Python's json reads these; they are no numbers
    (b'{"hours": -Infinity}', {"hours"}),
    (b'{"lecturers": {"name": "x"}}', {"lecturers"}),
    (b'{"lecturers": [{"name": 1, "kind": "8-1"}]}', {"lecturers"}),
    (b'{"sessions": [{"date": "2099-02-01", "room": "A"}]}', {"sessions"}),
    (b'{"titel": "x"}', {"titel"}),
    (b'{"code": 9, "state": "published", "seats_left": 1}', {"code", "state", "seats_left"}),
])
def test_malformed_bodies_are_400(app, site, people, raw, fields):
    response = api(app, "principal").post(CREATE, raw, content_type="application/json",
                                          status=400)
    assert set(assert_error(response, 400, "malformed")["fields"]) == fields
    assert site.read(lambda root: len(root["centres"]["taipei"]["353601"])) == 0


@pytest.mark.parametrize("who, status, code", [
    ("other-admin", 403, "forbidden"),     # staff of another organiser
    ("tp-rev", 403, "forbidden"),          # the reviewer does not enter the school's courses
    ("teacher", 403, "forbidden"),
    (None, 401, "unauthorized"),
])
def test_only_the_organisers_staff_create(app, site, people, who, status, code):
    response = api(app, who).post_json(CREATE, BODY, status=status)
    assert_error(response, status, code)
    assert site.read(lambda root: len(root["centres"]["taipei"]["353601"])) == 0


def test_create_under_an_unknown_organiser_is_404(app, people):
    assert_error(api(app, "principal").post_json("/api/v1/organisers/999999/courses", BODY,
                                                 status=404), 404, "not_found")




def test_browser_session_creates_with_the_csrf_header(app, site, people):
    client = browser(app, "principal")
    assert_error(client.post_json(CREATE, BODY, status=400), 400, "bad_request")
    token = csrf_of(client.get("/account"))
    client.post_json(CREATE, BODY, headers={"X-CSRF-Token": "forged"}, status=400)
    assert site.read(lambda root: len(root["centres"]["taipei"]["353601"])) == 0
    answer = client.post_json(CREATE, BODY, headers={"X-CSRF-Token": token}, status=201).json
    assert answer["code"] == 1 and answer["history"] == []


# --- GET /courses/{code} --------------------------------------------------------------------

@pytest.fixture
def courses(app, site, people):
    """One course per state (codes 1…8 in STATES order), each created through the API."""
    client = api(app, "principal")
    states = ("draft", "pending", "returned", "published", "cancelled", "roster_pending",
              "roster_returned", "closed")
    codes = {}
    for state in states:
        codes[state] = client.post_json(CREATE, body(title=f"{state} 研習"), status=201).json["code"]
    with site.edit() as root:
        for state, code in codes.items():
            root["centres"]["taipei"]["353601"][str(code)].state = state
    return codes


def test_a_published_course_is_public_without_history_or_flags(app, courses):
    answer = api(app).get(f"/api/v1/courses/{courses['published']}").json
    assert answer["state"] == "published" and editable(answer) == body(title="published 研習")
    assert "history" not in answer and "flags" not in answer
    assert api(app, "teacher").get(f"/api/v1/courses/{courses['published']}").json == answer


@pytest.mark.parametrize("who, status", [
    (None, 401), ("teacher", 403), ("other-admin", 403), ("pt-rev", 403),
    ("operator", 200), ("tp-rev", 200)])
def test_a_draft_is_shown_to_its_organiser_and_reviewers_only(app, courses, who, status):
    response = api(app, who).get(f"/api/v1/courses/{courses['draft']}", status=status)
    if status == 200:
        assert response.json["state"] == "draft" and response.json["history"] == []
    else:
        assert_error(response, status, "unauthorized" if who is None else "forbidden")
        assert "draft 研習" not in response.text


def test_unknown_course_is_404(app, courses):
    for path in ("/api/v1/courses/999", "/api/v1/courses/abc"):
        assert_error(api(app).get(path, status=404), 404, "not_found")


def test_history_flags_and_attachments(app, site, courses):
    code = courses["pending"]
    with site.edit() as root:
        course = root["centres"]["taipei"]["353601"][str(code)]
        course.update(title="校慶籌備與瑜珈研習")
        course.attachments["a1"] = Attachment("講義.pdf", "application/pdf", 1234, None,
                                              "principal", clock.now())
    reviewer = api(app, "tp-rev")
    reviewer.post_json(f"/api/v1/courses/{code}/transitions",
                       {"transition": "return", "reasons": ["A"], "comment": "請移除標籤"})
    answer = api(app, "principal").get(f"/api/v1/courses/{code}").json
    assert answer["state"] == "returned"
    [entry] = answer["history"]
    assert (entry["transition"], entry["from"], entry["to"], entry["by"], entry["reasons"],
            entry["comment"]) == ("return", "pending", "returned", "tp-rev", ["A"], "請移除標籤")
    assert datetime.fromisoformat(entry["at"]).utcoffset().total_seconds() == 8 * 3600
    assert {f["code"] for f in answer["flags"]} == {"art9"}
    assert any("瑜珈" in f["text"] for f in answer["flags"])
    assert answer["attachments"] == [{
        "filename": "講義.pdf", "size": 1234, "content_type": "application/pdf",
        "url": f"http://localhost{SCHOOL}/{code}/@@download/a1"}]


def test_a_bad_token_is_401_even_on_a_public_course(app, courses):
    client = api(app)
    client.authorization = ("Bearer", "no-such-token")
    assert_error(client.post_json(CREATE, BODY, status=401), 401, "unauthorized")
    url = f"/api/v1/courses/{courses['published']}"
    assert_error(client.get(url, status=401), 401, "unauthorized")
    assert_error(client.patch_json(url, {"title": "x"}, status=401), 401, "unauthorized")


def test_get_with_the_browser_session(app, courses):
    client = browser(app, "contact")
    assert client.get(f"/api/v1/courses/{courses['draft']}").json["code"] == courses["draft"]


def test_seats_left_is_the_courses_own_answer(app, site, courses, monkeypatch):
    # The registration work changes Course.seats_left alone; the API follows it.
    from inservice_portal.resources.course import Course
    monkeypatch.setattr(Course, "seats_left", property(lambda self: 7))
    assert api(app).get(f"/api/v1/courses/{courses['published']}").json["seats_left"] == 7


# --- PATCH /courses/{code} ------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "returned"])
def test_organiser_patches_a_draft_or_returned_course(app, site, courses, state):
    code = courses[state]
    answer = api(app, "operator").patch_json(f"/api/v1/courses/{code}",
                                             {"title": "修改後的研習名稱", "tags": None}).json
    assert answer["title"] == "修改後的研習名稱" and answer["tags"] == []
    assert answer["state"] == state
    assert editable(answer) == body(title="修改後的研習名稱", tags=[])
    assert stored(site, code)["title"] == "修改後的研習名稱"

    def found(root):           # reindexed: the catalog finds the new title
        search = Search(root)
        return [c.code for c in search.execute(search["text"].contains("修改後"))]
    assert site.read(found) == [code]


def test_a_patch_is_checked_against_the_whole_course(app, site, courses):
    url = f"/api/v1/courses/{courses['draft']}"
    client = api(app, "principal")
    # More hours than the stored sessions suggest: the reason is asked for.
    error = assert_error(client.patch_json(url, {"hours": 4}, status=422), 422, "invalid_course")
    assert "建議時數 3 小時" in error["fields"]["hours_reason"]
    # Course dates moved away from the stored session.
    error = client.patch_json(url, {"starts_on": "2099-03-01", "ends_on": "2099-03-02"},
                              status=422).json["error"]
    assert set(error["fields"]) == {"sessions.0.date"}
    assert stored(site, courses["draft"])["hours"] == 3
    answer = client.patch_json(url, {"hours": 4, "hours_reason": "含線上預習 1 小時"}).json
    assert answer["hours"] == 4 and answer["suggested_hours"] == 3
    answer = client.patch_json(url, {"sessions": [
        {"date": "2099-02-01", "start": "09:00", "end": "12:00"},
        {"date": "2099-02-01", "start": "13:00", "end": "14:30", "venue": "B 教室"}]}).json
    assert [s["credited_hours"] for s in answer["sessions"]] == [3, 2]
    assert answer["suggested_hours"] == 5 and answer["sessions"][0]["venue"] == ""
    assert stored(site, courses["draft"])["sessions"][1].date == date(2099, 2, 1)


@pytest.mark.parametrize("state", ["pending", "published", "cancelled", "roster_pending",
                                   "roster_returned", "closed"])
def test_patching_outside_draft_and_returned_is_a_state_conflict(app, site, courses, state):
    code = courses[state]
    response = api(app, "principal").patch_json(f"/api/v1/courses/{code}", {"title": "x"},
                                                status=409)
    assert "只有「草稿」或「退回修正」" in assert_error(response, 409, "state_conflict")["message"]
    assert stored(site, code)["title"] == f"{state} 研習"


@pytest.mark.parametrize("who, state, status, code", [
    (None, "draft", 401, "unauthorized"),
    (None, "published", 401, "unauthorized"),
    ("teacher", "published", 403, "forbidden"),
    ("other-admin", "draft", 403, "forbidden"),
    ("pt-rev", "draft", 403, "forbidden"),
    ("tp-rev", "draft", 403, "forbidden"),      # the reviewer reads a draft, never edits it
    ("tp-rev", "published", 403, "forbidden"),
])
def test_only_the_organisers_staff_patch(app, site, courses, who, state, status, code):
    response = api(app, who).patch_json(f"/api/v1/courses/{courses[state]}", {"title": "x"},
                                        status=status)
    assert_error(response, status, code)
    assert stored(site, courses[state])["title"] == f"{state} 研習"


@pytest.mark.parametrize("raw, fields", [
    (b"nope", set()), (b'"title"', set()), (b'{"title": ["x"]}', {"title"}),
    (b'{"state": "published"}', {"state"}),
])
def test_malformed_patches_are_400(app, site, courses, raw, fields):
    response = api(app, "principal").patch(f"/api/v1/courses/{courses['draft']}", raw,
                                           content_type="application/json", status=400)
    assert set(assert_error(response, 400, "malformed")["fields"]) == fields
    assert stored(site, courses["draft"])["title"] == "draft 研習"


def test_browser_session_patches_with_the_csrf_header(app, site, courses):
    client = browser(app, "principal")
    url = f"/api/v1/courses/{courses['draft']}"
    assert_error(client.patch_json(url, {"title": "新名稱"}, status=400), 400, "bad_request")
    token = csrf_of(client.get("/account"))
    assert client.patch_json(url, {"title": "新名稱"},
                             headers={"X-CSRF-Token": token}).json["title"] == "新名稱"


def test_every_field_has_one_json_type():
    kinds = (course_json.TEXT, course_json.DATES, course_json.TIMES, course_json.CODE_LISTS,
             course_json.INTEGERS, course_json.NUMBERS, tuple(course_json.ROWS))
    names = [name for kind in kinds for name in kind]
    assert sorted(names) == sorted(FIELDS)


# --- the answers are what the OpenAPI document says -----------------------------------------

def test_answers_match_the_openapi_schemas(app, site, courses):
    from jsonschema import Draft202012Validator

    doc = api(app).get("/api/v1/openapi.json").json

    def check(instance, name):
        validator = Draft202012Validator({**doc, "$ref": f"#/components/schemas/{name}"},
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(instance)]
        assert not errors, (name, errors)

    with site.edit() as root:
        root["centres"]["taipei"]["353601"][str(courses["draft"])].attachments["a1"] = Attachment(
            "講義.pdf", "application/pdf", 10, None, "principal", clock.now())
    check(BODY, "CourseFields")
    insider = api(app, "principal").get(f"/api/v1/courses/{courses['draft']}").json
    assert "history" in insider and insider["attachments"]
    check(insider, "Course")
    check(api(app).get(f"/api/v1/courses/{courses['published']}").json, "Course")
    api(app, "tp-rev").post_json(f"/api/v1/courses/{courses['pending']}/transitions",
                                 {"transition": "return", "reasons": ["A"]})
    check(api(app, "principal").get(f"/api/v1/courses/{courses['pending']}").json, "Course")
    check(api(app, "principal").post_json(CREATE, body(title=""), status=422).json, "Error")
    # A deliberately wrong answer fails, so the check is not vacuous.
    with pytest.raises(AssertionError):
        check(dict(insider, state="archived", seats_left="many"), "Course")
