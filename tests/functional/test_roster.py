"""研習名單 over the pages and the API: marking sessions, walk-ins, the XLSX template and
upload (good and bad rows), the roster's review from submit to closing, the reviewer's special
approval, the transcript (page, XLSX, API) and the overdue lists (未結案課程)."""
import io
from datetime import time, timedelta
from decimal import Decimal

import pytest
import webtest
from openpyxl import Workbook, load_workbook

from inservice_portal import clock
from inservice_portal.resources.course import Course, Session

from ..conftest import add_organiser, add_staff, add_teacher, api_client, browser, csrf_of

TODAY = clock.now().date()
ENDED = TODAY - timedelta(days=2)
SCHOOL = "/centres/taipei/353601"


def add_ended_course(root, school, title="閱讀理解策略工作坊", day=ENDED, sessions=((9, 12), (13, 16)),
                     hours=6, state="published"):
    code = root.course_codes.next()
    course = Course(code, title, starts_on=day, ends_on=day, hours=hours, state=state,
                    sessions=[Session(day, time(a), time(b)) for a, b in sessions])
    school.add(str(code), course)
    return course


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_staff(root, "nat", root["centres"]["nknu"], "national_centre")
        add_teacher(root, "t1", school, name="王老師", national_id="A123456789")
        add_teacher(root, "t2", school, name="李老師", national_id="B223456780")
        add_teacher(root, "t3", school, name="陳老師", national_id="C123456781")
        course = add_ended_course(root, school)
        future = add_ended_course(root, school, "未來研習", day=TODAY + timedelta(days=5))
        return {"code": course.code, "url": f"{SCHOOL}/{course.code}",
                "future": f"{SCHOOL}/{future.code}"}


api = api_client


def roster_of(site, code):
    def read(root):
        course = root["centres"]["taipei"]["353601"][str(code)]
        roster = getattr(course, "roster", None)
        return {e.login: e.attendance for e in roster.entries.values()} if roster else {}
    return site.read(read)


def test_page_walk_ins_then_marks(app, world, site):
    client = browser(app, "a-admin")
    page = client.get(world["url"] + "/roster")
    assert "名單目前沒有任何教師" in page.text
    form = page.forms["roster-form"]
    form["walk_ins"] = "t1\nB223456780"
    page = form.submit().follow()
    assert "研習名單已儲存（共 2 位）" in page.text
    assert "B22345****" in page.text and "B223456780" not in page.text
    form = page.forms["roster-form"]
    form["att-1-1"] = "leave"                      # t2, second session
    page = form.submit().follow()
    assert roster_of(site, world["code"]) == {"t1": ("present", "present"),
                                              "t2": ("present", "leave")}


def test_page_refuses_unknown_people_and_keeps_what_was_typed(app, world, site):
    client = browser(app, "a-admin")
    form = client.get(world["url"] + "/roster").forms["roster-form"]
    form["walk_ins"] = "t1\nnobody\nZ123456789"
    page = form.submit(status=400)
    assert "名單未儲存" in page.text and "nobody" in page.text and "Z12345****" in page.text
    assert "Z123456789" not in page.text.replace('>t1\nnobody\nZ123456789<', '')
    assert page.forms["roster-form"]["walk_ins"].value.strip() == "t1\nnobody\nZ123456789"
    assert roster_of(site, world["code"]) == {}                 # nothing half-saved


@pytest.mark.parametrize("who, status", [
    ("b-admin", 403), ("pt-rev", 403), ("t1", 403), ("tp-rev", 200), ("a-admin", 200)])
def test_who_reads_the_roster(app, world, who, status):
    assert browser(app, who).get(world["url"] + "/roster", status="*").status_int == status


def test_reviewer_cannot_save_and_other_school_cannot_either(app, world, site):
    page = browser(app, "a-admin").get(world["url"] + "/roster")
    token = csrf_of(page)
    for who in ("tp-rev", "b-admin"):
        client = browser(app, who)
        client.post(world["url"] + "/roster", {"csrf_token": csrf_of(client.get("/account")),
                                               "walk_ins": "t1"}, status=403)
    assert token and roster_of(site, world["code"]) == {}


def test_a_course_not_yet_ended_takes_no_roster(app, world, site):
    client = browser(app, "a-admin")
    page = client.get(world["future"] + "/roster")
    assert "研習結束後才能登錄研習名單" in page.text and "roster-form" not in page.forms
    response = client.post(world["future"] + "/roster", {"csrf_token": csrf_of(page),
                                                         "walk_ins": "t1"})
    assert "研習尚未結束" in response.follow().text


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_download_and_upload(app, world, site):
    client = browser(app, "a-admin")
    form = client.get(world["url"] + "/roster").forms["roster-form"]
    form["walk_ins"] = "t1"
    form.submit()
    template = client.get(world["url"] + "/roster.xlsx")
    assert template.content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(template.body)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["帳號", "身分證統一編號", "姓名"] and rows[0][3].startswith("場次1")
    assert rows[1] == ["t1", "A12345****", "王老師", "出席", "出席"]
    rows[1][4] = "請假"
    rows.append([None, "B223456780", None, "出席", "缺席"])     # a walk-in by national ID
    page = client.get(world["url"] + "/roster")
    upload = page.forms["roster-upload-form"]
    upload["file"] = webtest.Upload("roster.xlsx", xlsx(rows))
    page = upload.submit().follow()
    assert "已由檔案匯入研習名單（共 2 位）" in page.text
    assert roster_of(site, world["code"]) == {"t1": ("present", "leave"),
                                              "t2": ("present", "absent")}


@pytest.mark.parametrize("rows, message", [
    ([["帳號", "身分證統一編號", "姓名", "場次1", "場次2"], ["t1", "", "", "出席", "出席"],
      ["ghost", "", "", "出席", "出席"], ["t2", "", "", "出席", "遲到"]],
     ["第 3 列", "查無此教師帳號", "第 4 列"]),
    ([["login", "x", "y"], ["t1", "", "", "出席", "出席"]], ["第一列須為範本的欄位名稱"]),
])
def test_upload_with_bad_rows_saves_nothing(app, world, site, rows, message):
    client = browser(app, "a-admin")
    upload = client.get(world["url"] + "/roster").forms["roster-upload-form"]
    upload["file"] = webtest.Upload("roster.xlsx", xlsx(rows))
    page = upload.submit(status=400)
    for text in message:
        assert text in page.text
    assert roster_of(site, world["code"]) == {}


def test_upload_of_a_non_workbook(app, world, site):
    client = browser(app, "a-admin")
    upload = client.get(world["url"] + "/roster").forms["roster-upload-form"]
    upload["file"] = webtest.Upload("roster.xlsx", b"PK\x03\x04 not really a zip")
    assert "無法讀取檔案" in upload.submit(status=400).text


# --- API ----------------------------------------------------------------------------------

def test_api_put_and_get(app, world, site):
    url = f"/api/v1/courses/{world['code']}/roster"
    organiser = api(app, "a-admin")
    body = {"entries": [{"login": "t1", "attendance": ["present", "present"]},
                        {"national_id": "B223456780", "attendance": ["present", "leave"]}]}
    answer = organiser.put_json(url, body).json
    assert [(e["login"], e["credited_hours"], e["national_id"]) for e in answer["entries"]] == [
        ("t1", 6.0, "A12345****"), ("t2", 3.0, "B22345****")]
    assert api(app, "tp-rev").get(url).json["entries"] == answer["entries"]
    api(app, "pt-rev").get(url, status=403)
    api(app, "b-admin").get(url, status=403)


@pytest.mark.parametrize("body, status, code", [
    ({"entries": [{"login": "t1", "attendance": ["present"]}]}, 422, "unknown_people"),
    ({"entries": [{"login": "t1", "attendance": ["present", "present"]},
                  {"login": "nobody", "attendance": ["present", "present"]}]}, 422,
     "unknown_people"),
    ({"entries": "t1"}, 400, "malformed"),
    ({"entries": [{"attendance": []}]}, 400, "malformed"),
])
def test_api_put_refusals_save_nothing(app, world, site, body, status, code):
    url = f"/api/v1/courses/{world['code']}/roster"
    error = api(app, "a-admin").put_json(url, body, status=status).json["error"]
    assert error["code"] == code
    if status == 422:
        assert error["fields"]
    assert roster_of(site, world["code"]) == {}


def test_api_put_by_the_wrong_people_or_in_the_wrong_state(app, world):
    url = f"/api/v1/courses/{world['code']}/roster"
    body = {"entries": [{"login": "t1", "attendance": ["present", "present"]}]}
    assert api(app, "tp-rev").put_json(url, body, status=403).json["error"]["code"] == "forbidden"
    api(app, "b-admin").put_json(url, body, status=403)
    organiser = api(app, "a-admin")
    organiser.put_json(url, body)
    organiser.post_json(f"/api/v1/courses/{world['code']}/transitions",
                        {"transition": "submit_roster"})
    assert organiser.put_json(url, body, status=409).json["error"]["code"] == "invalid_state"
    future = world["future"].rsplit("/", 1)[1]
    organiser.put_json(f"/api/v1/courses/{future}/roster", body, status=409)


# --- review, closing, transcript -------------------------------------------------------------

def close_course(app, world, entries):
    url = f"/api/v1/courses/{world['code']}"
    organiser, reviewer = api(app, "a-admin"), api(app, "tp-rev")
    organiser.put_json(url + "/roster", {"entries": entries})
    organiser.post_json(url + "/transitions", {"transition": "submit_roster"})
    reviewer.post_json(url + "/transitions", {"transition": "confirm_roster"})


def test_return_edit_resubmit_confirm_then_the_transcript(app, world, site):
    url = f"/api/v1/courses/{world['code']}"
    organiser, reviewer = api(app, "a-admin"), api(app, "tp-rev")
    organiser.put_json(url + "/roster", {"entries": [
        {"login": "t1", "attendance": ["present", "present"]}]})
    organiser.post_json(url + "/transitions", {"transition": "submit_roster"})
    api(app, "pt-rev").post_json(url + "/transitions", {"transition": "confirm_roster"},
                                 status=403)                        # a foreign centre
    reviewer.post_json(url + "/transitions", {"transition": "return_roster", "reasons": ["R2"],
                                              "comment": "李老師有來"})
    organiser.put_json(url + "/roster", {"entries": [
        {"login": "t1", "attendance": ["present", "present"]},
        {"login": "t2", "attendance": ["present", "leave"]}]})
    organiser.post_json(url + "/transitions", {"transition": "submit_roster"})
    assert reviewer.post_json(url + "/transitions", {"transition": "confirm_roster"}
                              ).json["state"] == "closed"
    t1 = api(app, "t1").get("/api/v1/me/transcript").json
    [year] = t1["years"]
    assert year["year"] == ENDED.year and year["counted"] == 6.0 and t1["total"] == 6.0
    [record] = year["records"]
    assert (record["source"], record["source_record_id"], record["hours"]) == (
        "local", str(world["code"]), 6.0)
    assert api(app, "t2").get("/api/v1/me/transcript").json["total"] == 3.0
    assert api(app, "t3").get("/api/v1/me/transcript").json["years"] == []
    assert api(app, "t1").get(f"/api/v1/me/transcript?year={ENDED.year - 1}").json["years"] == []
    api(app, "t1").get("/api/v1/me/transcript?year=abc", status=400)
    api(app, "a-admin").get("/api/v1/me/transcript", status=403)


def test_reopen_is_the_national_centres_and_rewrites(app, world, site):
    close_course(app, world, [{"login": "t1", "attendance": ["present", "present"]},
                              {"login": "t2", "attendance": ["present", "present"]}])
    url = f"/api/v1/courses/{world['code']}"
    for who in ("a-admin", "tp-rev"):
        api(app, who).post_json(url + "/transitions", {"transition": "reopen"}, status=403)
    refused = api(app, "nat").post_json(url + "/transitions", {"transition": "reopen"},
                                        status=422)
    assert refused.json["error"]["code"] == "reasons_required"      # audited: say why
    api(app, "nat").post_json(url + "/transitions", {"transition": "reopen",
                                                     "comment": "名單更正"})
    close_course(app, world, [{"login": "t1", "attendance": ["present", "leave"]}])
    t1 = api(app, "t1").get("/api/v1/me/transcript").json
    assert [r["hours"] for y in t1["years"] for r in y["records"]] == [3.0]
    assert api(app, "t2").get("/api/v1/me/transcript").json["years"] == []
    revisions = site.read(lambda root: [
        (r["hours"], r["replaced_at"] > r["written_at"])
        for rec in root["people"]["t1"].records.values() for r in rec.revisions])
    assert revisions == [(Decimal(6), True)]          # the rewrite keeps what it replaced


def test_caps_and_special_approval_through_the_pages(app, world, site):
    with site.edit() as root:      # t1 already has 4 hours that day from another course
        from inservice_portal.attendance.records import records_of
        from inservice_portal.resources.records import TrainingRecord
        records_of(root["people"]["t1"], create=True)[("taipei-system", "X1")] = TrainingRecord(
            "t1", "taipei-system", "X1", title="縣市研習", hours=Decimal(4),
            days=[(ENDED, Decimal(4))])
    close_course(app, world, [{"login": "t1", "attendance": ["present", "present"]}])
    teacher = browser(app, "t1")
    page = teacher.get("/transcript")
    assert "待主管機關專案核准" in page.text and "超過上限 4 小時" in page.text
    year = api(app, "t1").get("/api/v1/me/transcript").json["years"][0]
    assert (year["hours"], year["counted"], year["pending_approval"]) == (10.0, 6.0, 4.0)
    reviewer = browser(app, "tp-rev")
    roster = reviewer.get(world["url"] + "/roster")
    assert "待專案核准" in roster.text
    organiser = browser(app, "a-admin")           # the organiser may not approve its own hours
    organiser.post(world["url"] + "/approve-hours",
                   {"csrf_token": csrf_of(organiser.get("/account")), "login": "t1"}, status=403)
    form = next(f for f in roster.forms.values() if f.action.endswith("/approve-hours"))
    assert "已專案核准" in form.submit().follow().text
    year = api(app, "t1").get("/api/v1/me/transcript").json["years"][0]
    assert (year["counted"], year["pending_approval"]) == (10.0, 0.0)
    sheet = load_workbook(io.BytesIO(teacher.get("/transcript.xlsx").body)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ["年度", "研習日期", "課程代碼", "研習名稱"]
    assert values[-1][0] == f"{ENDED.year} 年合計" and values[-1][5:7] == [10, 10]


def test_transcript_page_is_for_teachers(app, world):
    browser(app, "a-admin").get("/transcript", status=403)
    assert browser(app).get("/transcript", status=303)
    assert "目前沒有研習紀錄" in browser(app, "t1").get("/transcript").text


# --- 未結案課程 ---------------------------------------------------------------------------------

def test_overdue_lists(app, world, site):
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        late = add_ended_course(root, school, "逾期未送名單", day=TODAY - timedelta(days=32))
        add_ended_course(root, school, "逾期但已結案", day=TODAY - timedelta(days=60),
                         state="closed")
        late_code = late.code
    centre = browser(app, "tp-rev").get("/centres/taipei/overdue-rosters")
    assert "逾期未送名單" in centre.text and "逾期但已結案" not in centre.text
    assert "研習名單應於研習結束後一個月內送出" in centre.text               # 001
    assert "閱讀理解策略工作坊" not in centre.text          # ended 2 days ago: not yet due
    organiser = browser(app, "a-admin").get(f"{SCHOOL}/overdue-rosters")
    assert "逾期未送名單" in organiser.text and str(late_code) in organiser.text
    assert "逾期未送名單" not in browser(app, "b-admin").get(
        "/centres/taipei/353602/overdue-rosters").text
    browser(app, "pt-rev").get("/centres/taipei/overdue-rosters", status=403)
    browser(app, "b-admin").get(f"{SCHOOL}/overdue-rosters", status=403)


def test_a_decompression_bomb_upload_is_refused_plainly(app, world, site):
    """A 1 MB workbook that inflates to 300 MB (tests/unit/test_archives.py): refused with a
    message, before openpyxl reads it; the roster is untouched."""
    from ..unit.test_archives import bomb

    client = browser(app, "a-admin")
    page = client.get(world["url"] + "/roster")
    upload = page.forms["roster-upload-form"]
    upload["file"] = webtest.Upload("roster.xlsx", bomb(first=("[Content_Types].xml", b"")))
    answer = upload.submit(status="*")
    answer = answer.follow() if answer.status_int == 303 else answer
    assert "解壓縮後超過 30 MB" in answer.text
    assert roster_of(site, world["code"]) == {}


def test_short_periods_say_they_are_pooled_on_the_course_and_roster_pages(app, world, site):
    """A 45-minute period is worth nothing alone but counts pooled with the day's others
    (rules/hours.py): the pages say so rather than "0 小時", and the total is the pooled one."""
    with site.edit() as root:
        course = root["centres"]["taipei"]["353601"][str(world["code"])]
        day = course.sessions[0].date
        course.update(sessions=[Session(day, time(13, 30), time(14, 15)),
                                Session(day, time(14, 25), time(15, 10))])
    pooled = "與同日未滿 50 分鐘的節次合併計算"
    assert pooled in browser(app).get(world["url"]).text
    assert pooled in browser(app, "a-admin").get(world["url"] + "/roster").text
