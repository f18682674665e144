"""研習課程登錄 pages (000 附件十): add, edit, copy, attachments and the course page."""
import base64
import re
import zlib
from datetime import date, datetime, time
from decimal import Decimal

import pytest
import webtest
from persistent.list import PersistentList

from inservice_portal import audit, clock
from inservice_portal.catalog import Search
from inservice_portal.courses import attachments
from inservice_portal.resources.course import Session

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, allow_tags, browser,
                        csrf_of)

SCHOOL = "/centres/taipei/353601"
ADD = f"{SCHOOL}/@@add-course"
JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf_with_stream(content: bytes, wrap=lambda packed: packed, filters=b"/FlateDecode") -> bytes:
    """A PDF whose one object stream holds ``content``, Flate-compressed (as real files keep
    their dictionaries), then passed through ``wrap`` (a damage, an ASCII filter)."""
    packed = wrap(zlib.compress(content))
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /ObjStm /Filter " + filters + b" /Length "
            + str(len(packed)).encode() + b" >>\nstream\n" + packed
            + b"\nendstream\nendobj\ntrailer\n<<>>\n%%EOF\n")

# What an organiser enters, by API field name (one lecturer, one session, one contact).
VALUES = {
    "class_type": "1-1", "nature": "2-1", "authority_doc_no": "北市教師字第 1130000002 號",
    "title": "十二年國教五堂課多元評量--自然領域案例與實作",
    "tags": "素養導向、多元評量", "stage": "elementary", "subject": "自然科學領域", "scope": "1",
    "sub_item": "1-1-1", "level": "2", "outline": "說明多元評量的設計與實作。",
    "delivery_modes": ["11-1", "11-3"], "time_slots": ["12-1"], "hours": "3",
    "audience_stages": ["14-4"], "audience_titles": ["15-4", "15-5"],
    "registration_opens": "2099-01-01", "registration_closes": "2099-01-20",
    "admission": "first_come", "starts_on": "2099-02-01", "ends_on": "2099-02-01",
    "place": "本校視聽教室，09:00 至 12:00", "funding": "21-12", "fee": "22-3", "classes": "1",
    "seats_per_class": "40", "feedback": "26-1",
    "lecturer": {"name": "王大明", "kind": "8-1"},
    "session": {"date": "2099-02-01", "start": "09:00", "end": "12:00", "venue": "視聽教室"},
    "contact": {"name": "陳承辦", "phone": "02-2345-6789", "email": "chen@example.org"},
}
RADIOS = ("class_type", "nature", "scope", "level", "admission", "fee", "feedback")
CHECKBOXES = ("delivery_modes", "time_slots", "audience_stages", "audience_titles")


def oids(page) -> dict:
    """Field name → deform id (radio groups are named by their id)."""
    return {name: oid for oid, name in
            re.findall(r'id="item-(deformField\d+)"\s+class="form-group field-(\w+)', page.text)}


def fill(page, values=VALUES):
    form = page.forms["course-form"]
    ids = oids(page)
    for name, value in values.items():
        if name in RADIOS:
            form[ids[name]] = value
        elif name in CHECKBOXES:
            for box in form.fields["checkbox"]:
                box.checked = box._value in value or (box.checked and box._value not in
                                                      VALUES.get(name, ()))
        elif name == "sub_item":
            form[name].force_value(value)      # its options follow the stage: see the refresh test
        elif name in ("lecturer", "session", "contact"):
            for key, text in value.items():
                # "name" is in the lecturer row (first) and the contact row (second).
                form.set(key, text, index=1 if (name, key) == ("contact", "name") else 0)
        else:
            form[name] = value
    return form


def checked(page, value) -> bool:
    return bool(re.search(rf'value="{re.escape(value)}"[^>]*\bchecked', page.text))


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
        add_teacher(root, "teacher", school)


def course_in(site, code):
    return site.read(lambda root: root["centres"]["taipei"]["353601"][str(code)].fields())


# --- adding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["principal", "contact", "operator"])
def test_organiser_staff_add_a_course(app, site, people, who):
    client = browser(app, who)
    page = client.get(ADD)
    assert "研習課程登錄" in page.text and "3-1 研習名稱" in page.text
    response = fill(page).submit("save")
    assert response.status_int == 303
    assert response.location == "http://localhost/centres/taipei/353601/1/"
    course_page = response.follow()
    assert "已建立研習課程草稿" in course_page.text and "草稿" in course_page.text

    def saved(root):
        course = root["centres"]["taipei"]["353601"]["1"]
        return (course.code, course.state, course.created_by, course.created_at, course.fields(),
                root.objectmap.docid_for(course))
    code, state, created_by, created_at, fields, docid = site.read(saved)
    assert (code, state, created_by) == (1, "draft", who)
    assert created_at.date() == clock.now().date()
    assert docid is not None                                   # catalogued on add
    assert fields["sessions"] == (Session(date(2099, 2, 1), time(9), time(12), "視聽教室"),)
    assert fields["lecturers"] == ({"name": "王大明", "kind": "8-1"},)
    assert fields["contacts"][0]["email"] == "chen@example.org"
    assert fields["delivery_modes"] == ("11-1", "11-3") and fields["tags"] == ("素養導向", "多元評量")
    assert (fields["scope"], fields["sub_item"], fields["level"]) == ("1", "1-1-1", 2)
    assert fields["hours"] == Decimal(3) and fields["credits"] is None


@pytest.mark.parametrize("who, status", [
    (None, 303), ("teacher", 403), ("other-admin", 403), ("tp-rev", 403)])
def test_others_cannot_add_a_course(app, people, who, status):
    client = browser(app, who)
    response = client.get(ADD, status=status)
    if status == 303:
        assert "/login?came_from=" in response.location
    if who:
        token = csrf_of(client.get("/account"))
        client.post(ADD, {"csrf_token": token, "save": "1", "title": "x"}, status=403)


def test_a_rejected_submission_keeps_every_value_and_lists_the_errors(app, people):
    client = browser(app, "principal")
    wrong = dict(VALUES, title="", nature="2-2", authority_doc_no="", hours="4",
                 session=dict(VALUES["session"], end="08:30"),
                 lecturer={"name": "林小華", "kind": "8-2"})
    response = fill(client.get(ADD), wrong).submit("save", status=400)
    text = response.text
    summary = text[text.index('class="error-summary"'):text.index("</ul>", text.index("error-summary"))]
    for message in ("請填寫「3-1 研習名稱」", "請填寫「2 依據文號」", "場次 1：「結束時間」須晚於「開始時間」"):
        assert message in summary
    assert 'href="#deformField' in summary
    # Every value is back: text, choices, the sub-item of the stage, and the rows.
    for value in ("素養導向、多元評量", "自然科學領域", "說明多元評量的設計與實作。", "2099-01-20",
                  "林小華", "視聽教室", "08:30", "chen@example.org", "02-2345-6789"):
        assert f'value="{value}"' in text or f">{value}</textarea>" in text, value
    for value in ("1-1", "2-2", "11-1", "11-3", "12-1", "14-4", "15-4", "15-5", "first_come"):
        assert checked(response, value), value
    assert re.search(r'<option value="8-2"\s+selected', text)
    assert re.search(r'<option value="1-1-1"\s+selected', text)
    assert re.search(r'<option value="elementary"\s+selected', text)
    assert 'value="4"' in text
    assert client.app  # nothing saved:
    assert response.forms["course-form"]["csrf_token"].value == csrf_of(response)


def test_hours_above_the_suggestion_need_a_reason(app, site, people):
    client = browser(app, "principal")
    response = fill(client.get(ADD), dict(VALUES, hours="4")).submit("save", status=400)
    assert "高於依場次計算之建議時數 3 小時" in response.text
    assert re.search(r"建議時數（第 10 條）：<output[^>]*>3 小時</output>", response.text)
    form = response.forms["course-form"]
    form["hours_reason"] = "另含線上預習 1 小時"
    assert form.submit("save").status_int == 303
    assert course_in(site, 1)["hours_reason"] == "另含線上預習 1 小時"


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "-inf", "sNaN", "三"])
def test_hours_that_are_no_number_are_refused(app, site, people, hours):
    client = browser(app, "principal")
    response = fill(client.get(ADD), dict(VALUES, hours=hours)).submit("save", status=400)
    assert "「13 研習時數（小時）」請填數字" in response.text


def test_refresh_lists_the_sub_items_of_the_chosen_stage_without_javascript(app, people):
    client = browser(app, "principal")
    page = client.get(ADD)
    sub_items = page.forms["course-form"]["sub_item"]
    assert [value for value, _, _ in sub_items.options] == [""]
    form = page.forms["course-form"]
    form["stage"], form["title"] = "kindergarten", "幼兒園研習"
    response = form.submit("refresh")
    assert response.status_int == 200 and "error-summary" not in response.text
    assert 'value="幼兒園研習"' in response.text
    options = [value for value, _, _ in response.forms["course-form"]["sub_item"].options]
    assert "1-5-1" in options or "1-5" in options
    assert re.search(r'<optgroup label="5-1 課程、教學及評量"', response.text)


def test_add_row_without_javascript_keeps_the_rows(app, people):
    client = browser(app, "principal")
    form = fill(client.get(ADD))
    response = form.submit("add_row", value="sessions")
    assert response.status_int == 200
    assert response.text.count('name="start"') == 2        # two rows (the prototype is URL-encoded)
    assert 'value="09:00"' in response.text
    form = response.forms["course-form"]
    form.set("date", "2099-02-01", index=1)
    form.set("start", "13:00", index=1)
    form.set("end", "16:00", index=1)
    form["hours"] = "6"
    form["sub_item"].force_value("1-1-1")
    assert form.submit("save").status_int == 303


def test_a_sub_item_of_another_scope_is_refused(app, people):
    client = browser(app, "principal")
    response = fill(client.get(ADD), dict(VALUES, scope="2")).submit("save", status=400)
    assert "不屬於所選教育階段（國民小學）的「5 進修範疇」" in response.text


# --- editing and copying -----------------------------------------------------------------------

@pytest.fixture
def drafts(site, people):
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        for state in ("draft", "returned", "pending", "published"):
            course = add_course(root, school, f"{state}研習", state=state,
                                starts_on=date(2099, 2, 1))
            course.update(sessions=(Session(date(2099, 2, 1), time(9), time(12)),),
                          lecturers=({"name": "王大明", "kind": "8-1"},), stage="elementary",
                          scope="1", sub_item="1-1-1", level=1)


@pytest.mark.parametrize("code, state", [(1, "draft"), (2, "returned")])
def test_edit_in_draft_and_returned(app, site, drafts, code, state):
    client = browser(app, "operator")
    page = client.get(f"{SCHOOL}/{code}/@@edit")
    assert f'value="{state}研習"' in page.text and 'value="王大明"' in page.text
    assert re.search(r"<output[^>]*>3 小時</output>", page.text)   # from the saved sessions
    form = fill(page, {k: v for k, v in VALUES.items() if k not in ("lecturer", "session")})
    form["title"] = "修改後的研習名稱"
    response = form.submit("save")
    assert response.status_int == 303 and response.follow().text.count("已儲存") == 1
    assert course_in(site, code)["title"] == "修改後的研習名稱"

    def found(root):   # the catalog was told (ObjectModified)
        search = Search(root)
        return [c.code for c in search.execute(search["text"].contains("修改後"))]
    assert site.read(found) == [code]


@pytest.mark.parametrize("code", [3, 4])      # pending, published
def test_edit_is_refused_once_submitted(app, drafts, code):
    client = browser(app, "principal")
    client.get(f"{SCHOOL}/{code}/@@edit", status=403)
    assert "修改課程資料" not in client.get(f"{SCHOOL}/{code}").text


def test_copy_makes_a_new_draft_with_a_new_code(app, site, drafts):
    client = browser(app, "contact")
    page = client.get(f"{SCHOOL}/4")                              # published
    copy_form = next(f for f in page.forms.values() if f.action.endswith("@@copy"))
    response = copy_form.submit()
    assert response.status_int == 303 and response.location.endswith(f"{SCHOOL}/5/@@edit")
    assert "已複製課程 4" in response.follow().text

    def both(root):
        school = root["centres"]["taipei"]["353601"]
        return school["4"], school["5"]
    old, new = site.read(lambda root: [(c.fields(), c.state, c.copied_from, len(c.attachments),
                                        c.history, c.created_by) for c in both(root)])
    assert new[0] == old[0] and new[1:] == ("draft", 4, 0, None, "contact")


def test_copy_needs_the_organiser_and_a_token(app, drafts):
    teacher = browser(app, "teacher")
    token = csrf_of(teacher.get("/account"))
    teacher.post(f"{SCHOOL}/4/@@copy", {"csrf_token": token}, status=403)
    staff = browser(app, "principal")
    staff.post(f"{SCHOOL}/4/@@copy", {}, status=400)


# --- the course page -----------------------------------------------------------------------------

@pytest.fixture
def published(site, people):
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        course = add_course(root, school, "十二年國教五堂課多元評量", state="published")
        course.update(
            class_type="1-3", nature="2-2", authority_doc_no="臺教授國字第 1130000001 號",
            stage="junior_high", scope="2", sub_item="2-1-1", level=3, tags=("閱讀",),
            lecturers=({"name": "王大明", "kind": "8-3"},), delivery_modes=("11-1", "11-99"),
            delivery_other="線上共備", time_slots=("12-3",), audience_stages=("14-3",),
            audience_titles=("15-4",), funding="21-1", funding_amount=12000, fee="22-3",
            contacts=({"name": "陳承辦", "phone": "07-1234567", "email": "c@example.org"},),
            sessions=(Session(date(2099, 1, 1), time(9), time(10, 30), "A 教室"),
                      Session(date(2099, 1, 1), time(13), time(13, 40))),
            hours=Decimal("2.5"), hours_reason="含課前閱讀")
        course.history = PersistentList([
            {"transition": "submit", "from": "draft", "to": "pending", "by": "principal",
             "at": datetime(2098, 12, 1, 9, 0, tzinfo=clock.TAIPEI), "reasons": [], "comment": ""},
            {"transition": "return", "from": "pending", "to": "returned", "by": "tp-rev",
             "at": datetime(2098, 12, 2, 9, 0, tzinfo=clock.TAIPEI), "reasons": ["8-2"],
             "comment": "請補文號"}])


def test_course_page_shows_every_item_under_its_chinese_label(app, published):
    text = browser(app).get(f"{SCHOOL}/1").text
    for label in ("1 班別類別", "2 辦理性質", "2 依據文號", "3-1 研習名稱", "3-2 專案屬性標籤",
                  "4 教育階段", "5 進修範疇", "6 課程細項", "7 進修階層", "8 師資", "9 課程大綱",
                  "10 研習附件", "11 實施方式", "12 課程時段", "13 研習時數", "14 參加對象教育階段別",
                  "15 參加對象職稱別", "16 報名開始日期", "17 報名截止日期", "18 課程開始日期",
                  "19 課程結束日期", "20 上課時間及地點", "21 經費來源", "22 學員繳費情形",
                  "23 辦理班數", "24 每班人數", "25 承辦人資訊", "26 課程意見回饋問卷", "錄取方式"):
        assert label in text, label
    for value in ("非學分班 (種子研習)", "委託辦理", "國民中學", "班級經營與輔導",
                  "第三階(領導)：整合、評價", "王大明（社會專業人士）", "其他：線上共備", "週末",
                  "國中(含完全中學國中部)", "合格專任教師", "教育部國教署（補助新臺幣 12,000 元）",
                  "無繳費", "審核通過（已公告）", "2.5 小時", "含課前閱讀"):
        assert value in text, value
    assert "15-4" not in text and "11-99" not in text          # codes are shown as labels
    # The sessions with their credited hours (Art. 10): 90 min → 2, 40 min → 0.
    assert re.search(r'<th scope="col">採計時數</th>', text)
    assert re.search(r"<td>09:00–10:30</td>\s*<td>A 教室</td>\s*<td>2 小時</td>", text)
    # a 40-minute period counts pooled with the day's others (rules/hours.py)
    assert re.search(r"<td>13:00–13:40</td>\s*<td>本校會議室</td>\s*"
                     r"<td>與同日未滿 50 分鐘的節次合併計算</td>", text)
    assert "建議時數（第 10 條）：2 小時" in text
    assert "處理紀錄" not in text and "複製為新課程" not in text   # not for the public


@pytest.mark.parametrize("who", ["principal", "tp-rev"])
def test_history_is_shown_to_the_organiser_and_reviewers(app, published, who):
    text = browser(app, who).get(f"{SCHOOL}/1").text
    assert "處理紀錄" in text and "退回修正" in text and "請補文號" in text
    assert "依據文號有誤或缺漏" in text                          # the reason by its label
    assert "測試人員（tp-rev）" in text and "2098-12-02 09:00" in text
    assert ("複製為新課程" in text) == (who == "principal")
    assert "修改課程資料" not in text                           # published: no editing


# --- attachments (a FileStorage with blobs: memory:// has none) ---------------------------------

class TestAttachments:
    @pytest.fixture
    def settings(self, base_settings, tmp_path):
        return dict(base_settings, **{
            "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})

    @pytest.fixture
    def client(self, app, drafts):
        return browser(app, "principal")

    def upload(self, client, filename, content, status=303):
        form = client.get(f"{SCHOOL}/1/@@attachments").forms["upload-form"]
        form["file"] = webtest.Upload(filename, content, "application/pdf")
        return form.submit("upload", status=status)

    def test_a_pdf_and_a_png_are_accepted_and_downloaded_as_attachments(self, client, app, site):
        self.upload(client, "研習講義.pdf", PDF)
        self.upload(client, "海報.png", PNG)
        page = client.get(f"{SCHOOL}/1/@@attachments")
        assert "研習講義.pdf" in page.text and "海報.png" in page.text
        names = site.read(lambda root: {a.filename: (n, a.content_type, a.size, a.uploaded_by)
                                        for n, a in root["centres"]["taipei"]["353601"]["1"]
                                        .attachments.items()})
        name, content_type, size, by = names["研習講義.pdf"]
        assert (content_type, size, by) == ("application/pdf", len(PDF), "principal")
        assert names["海報.png"][1] == "image/png"
        anonymous = browser(app).get(f"{SCHOOL}/1/@@download/{name}", status=303)  # a draft
        assert "/login" in anonymous.location
        download = client.get(f"{SCHOOL}/1/@@download/{name}")
        assert download.body == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Security-Policy"].startswith("sandbox;")
        assert download.headers["Content-Disposition"] == (
            "attachment; filename=\"attachment.pdf\"; "
            "filename*=UTF-8''%E7%A0%94%E7%BF%92%E8%AC%9B%E7%BE%A9.pdf")
        assert "研習講義.pdf" in client.get(f"{SCHOOL}/1").text      # listed on the course page

    @pytest.mark.parametrize("filename, content, message", [
        ("講義.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "不是可接受的檔案類型"),
        ("圖.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
        ("空白.pdf", b"", "空的檔案"),
        ("太大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超過 10 MB"),
        # Polyglots: a valid header, then a page a browser would run if it sniffed the file.
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>", "內夾帶網頁"),
        ("講義.pdf", PDF + b"<script>alert(document.cookie)</script>", "內夾帶網頁"),
        ("海報.png", PNG + b"<iframe src=//evil>", "內夾帶網頁"),
        # A PDF's active content: plain, spelt with #xx escapes, or inside an object stream.
        ("講義.pdf", PDF.replace(b"<<>>", b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", 1),
         "自動執行"),
        ("講義.pdf", PDF.replace(b"<<>>", b"<< /OpenAction << /S /J#61vaScript >> >>", 1), "自動執行"),
        ("講義.pdf", pdf_with_stream(b"<< /S /Launch /F (cmd.exe) >>"), "自動執行"),
        ("講義.pdf", pdf_with_stream(b"<< /Names << /EmbeddedFiles 2 0 R >> >>"), "自動執行"),
        # Hidden from a strict inflater: a wrong checksum, a cut end, ASCII filters around Flate.
        ("講義.pdf", pdf_with_stream(JS, lambda z: z[:-4] + b"\0\0\0\0"), "自動執行"),
        ("講義.pdf", pdf_with_stream(JS + b" " * 900, lambda z: z[:-8]), "自動執行"),
        ("講義.pdf", pdf_with_stream(JS, lambda z: base64.a85encode(z) + b"~>",
                                     b"[/ASCII85Decode /FlateDecode]"), "自動執行"),
        ("講義.pdf", pdf_with_stream(JS, lambda z: z.hex().encode() + b">",
                                     b"[/AHx /Fl]"), "自動執行"),
    ])
    def test_refused_uploads_say_why(self, client, site, filename, content, message):
        response = self.upload(client, filename, content, status=400)
        assert message in response.text and "error-summary" in response.text
        assert site.read(lambda root: len(root["centres"]["taipei"]["353601"]["1"].attachments)) == 0

    def test_a_passive_pdf_with_compressed_streams_is_accepted(self, client, site):
        self.upload(client, "講義.pdf", pdf_with_stream(b"<< /Type /Page /URI (https://x.tw) >>"))
        assert site.read(lambda root: len(root["centres"]["taipei"]["353601"]["1"].attachments)) == 1

    def test_a_path_in_the_name_is_display_text_only(self, client, site):
        self.upload(client, "../../etc/passwd.pdf", PDF)
        [(key, attachment)] = site.read(
            lambda root: list(root["centres"]["taipei"]["353601"]["1"].attachments.items()))
        assert re.fullmatch(r"[0-9a-f]{16}", key)          # stored under a generated key
        assert attachment.filename == "passwd.pdf"
        download = client.get(f"{SCHOOL}/1/@@download/{key}")
        assert "/" not in download.headers["Content-Disposition"].split("filename*=")[0]

    def test_a_course_holds_at_most_twenty_files(self, client, site, monkeypatch):
        for number in range(attachments.MAX_FILES):
            self.upload(client, f"講義{number}.pdf", PDF)
        refused = self.upload(client, "一個太多.pdf", PDF, status=400)
        assert f"最多 {attachments.MAX_FILES} 個檔案" in refused.text
        monkeypatch.setattr(attachments, "MAX_TOTAL", 2 * len(PDF) - 1)
        with site.edit() as root:
            held = root["centres"]["taipei"]["353601"]["1"].attachments
            for key in list(held)[1:]:
                del held[key]
        refused = self.upload(client, "第二個.pdf", PDF, status=400)
        assert "合計最多" in refused.text

    def test_deleting_needs_a_token_and_the_edit_permission(self, client, app, site):
        self.upload(client, "講義.pdf", PDF)
        page = client.get(f"{SCHOOL}/1/@@attachments")
        delete = next(f for f in page.forms.values() if "delete" in f.fields)
        client.post(f"{SCHOOL}/1/@@attachments", {"delete": delete["delete"].value}, status=400)
        assert delete.submit().status_int == 303
        assert site.read(lambda root: len(root["centres"]["taipei"]["353601"]["1"].attachments)) == 0
        client.get(f"{SCHOOL}/4/@@attachments", status=403)          # published: no editing


def test_project_tags_come_from_the_ministrys_list(app, people, site):
    """000 附件十 item 3-2: the ministry keeps the list (/project-tags); a course takes only
    active tags; a retired tag stays on the courses that carry it, and is never deleted."""
    from ..conftest import browser as logged_in

    moe_less = logged_in(app, "principal")
    moe_less.get("/project-tags", status=403)
    with site.edit() as root:
        add_staff(root, "moe", root, "ministry_admin")
    ministry = logged_in(app, "moe")
    page = ministry.get("/project-tags")
    ministry.post("/project-tags", {"csrf_token": csrf_of(page), "action": "add",
                                    "name": " 數位 學習 "}, status=303)
    response = fill(moe_less.get(ADD), dict(VALUES, tags="素養導向、自創標籤")).submit(
        "save", status=400)
    assert "「自創標籤」不在教育部的專案屬性標籤清單中" in response.text
    assert "可選用：" in response.text and "數位 學習" in response.text
    created = fill(moe_less.get(ADD), dict(VALUES, tags="素養導向、數位 學習")).submit("save")
    code = created.location.rstrip("/").rsplit("/", 1)[-1]
    ministry.post("/project-tags", {"csrf_token": csrf_of(page), "action": "retire",
                                    "name": "數位 學習"}, status=303)
    # the course keeps its retired tag when edited; a new course cannot take it
    edit = moe_less.get(f"{SCHOOL}/{code}/@@edit").forms["course-form"]
    assert edit.submit("save").status_int == 303
    refused = fill(moe_less.get(ADD), dict(VALUES, tags="數位 學習")).submit("save", status=400)
    assert "「數位 學習」不在教育部的專案屬性標籤清單中" in refused.text
    listed = site.read(lambda root: {n: e["active"] for n, e in root.project_tags.rows()})
    assert listed == {"素養導向": True, "多元評量": True, "數位 學習": False}
    actions = site.read(lambda root: [e["action"] for e in audit.log_of(root).entries.values()])
    assert "project_tag.add" in actions and "project_tag.retire" in actions


def test_evolve_22_starts_the_list_from_the_tags_courses_carry(app, people, site):
    from inservice_portal import evolve
    from inservice_portal.catalog import queue

    from ..conftest import add_shared

    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        add_course(root, school, "有標籤的研習").update(tags=("雙語教育", "素養導向"))
        add_shared(root, "handout", school, "講義", tags=("分享區自己的標籤",))
        queue.flush(root)
        root.project_tags = None                      # as a root before step 22
        setattr(root, evolve.VERSION_KEY, 21)
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert site.read(lambda root: sorted(root.project_tags.active())) == ["素養導向", "雙語教育"]


def test_dates_and_times_are_read_as_people_type_them(app, site, people):
    """Issue 25: the fields are text and take the form's own format and its usual variants;
    16 and 17 take a time (000 附件四, 109), saved and shown with the day."""
    typed = dict(VALUES, registration_opens="2099/1/1", registration_opens_time="0900",
                 registration_closes="２０９９年１月２０日", registration_closes_time="17：30",
                 session=dict(VALUES["session"], date="20990201", start="9:00", end="12時00分"))
    response = fill(browser(app, "principal").get(ADD), typed).submit("save")
    assert response.status_int == 303
    fields = site.read(lambda root: root["centres"]["taipei"]["353601"]["1"].fields())
    assert (fields["registration_opens"], fields["registration_opens_time"]) == (
        date(2099, 1, 1), time(9))
    assert (fields["registration_closes"], fields["registration_closes_time"]) == (
        date(2099, 1, 20), time(17, 30))
    session = fields["sessions"][0]
    assert (session.date, session.start, session.end) == (date(2099, 2, 1), time(9), time(12))
    page = response.follow()
    assert "2099-01-01 09:00" in page.text and "2099-01-20 17:30" in page.text


@pytest.mark.parametrize("changes, message", [
    ({"registration_opens": "114-01-01"}, "請以西元年填寫（民國 114 年是 2025 年）"),
    ({"starts_on": "2099-02-30"}, "沒有 2099 年 2 月 30 日這一天"),
    ({"session": dict(VALUES["session"], start="25:00")}, "沒有 25 時 0 分"),
    ({"registration_closes": "2099-01-01", "registration_opens_time": "10:00",
      "registration_closes_time": "09:00"}, "「17 報名截止時間」須晚於「16 報名開始時間」"),
])
def test_wrong_dates_and_times_say_what_is_wrong(app, people, changes, message):
    response = fill(browser(app, "principal").get(ADD), dict(VALUES, **changes)).submit(
        "save", status=400)
    assert message in response.text


def test_the_empty_form_reports_every_error_at_once_and_marks_required_groups(app, people):
    """Issue 25 item 3: 6 and 7 are reported before 4 and 5 are chosen, not on the next
    submit; the groups 8, 場次 and 25 say they are required (* and 必填 in the legend)."""
    page = browser(app, "principal").get(ADD)
    for title in ("8 師資", "場次（每次上課的日期、時間及地點）", "25 承辦人資訊", "7 進修階層"):
        assert re.search(rf'class="form-label required">{re.escape(title)}<span\s+'
                         r'class="visually-hidden">（必填）</span>', page.text), title
    assert re.search(r'<label for="(\w+)" class="form-label required">6 課程細項</label>'
                     r'.*?<select name="sub_item" id="\1"[^>]*required', page.text, re.S)
    assert re.search(r'role="radiogroup" aria-required="true"', page.text)
    response = page.forms["course-form"].submit("save", status=400)
    summary = response.text[response.text.index('class="error-summary"'):]
    for message in ("請選擇「6 課程細項」", "請選擇「7 進修階層」", "請至少填寫一位「8 師資」",
                    "請至少填寫一個場次", "請至少填寫一位「25 承辦人資訊」"):
        assert message in summary, message


def test_an_incomplete_draft_is_kept_and_waits_for_the_checks(app, site, people):
    """Issue 16 item 8: 暫存草稿 saves what parses of an incomplete form; 送出審核 then refuses
    it until the form would take it (courses/service.problems)."""
    client = browser(app, "principal")
    page = client.get(ADD)
    assert page.html.find("nav", attrs={"aria-label": "登錄表段落"}).find_all("a")[1][
        "href"] == "#course-form-part-1"
    partial = {name: VALUES[name] for name in ("title", "stage", "scope", "starts_on")}
    form = fill(page, dict(partial, hours="abc", starts_on="2099-02-30"))
    kept = form.submit("keep")
    assert kept.status_int == 303
    fields = site.read(lambda root: root["centres"]["taipei"]["353601"]["1"].fields())
    assert (fields["title"], fields["stage"], fields["scope"]) == (
        VALUES["title"], "elementary", "1")
    assert fields["starts_on"] is None and fields["hours"] == Decimal(0)   # did not parse
    shown = kept.follow()
    assert re.search(r"已暫存草稿.*格式不正確，未儲存：「13 研習時數（小時）」、「18 課程開始日期」"
                     r".*尚有 \d+ 項未填或有誤", shown.text)
    workflow = client.get(f"{SCHOOL}/1/workflow")
    send = next(f for f in workflow.forms.values() if f.fields.get("transition")
                and f["transition"].value == "submit")
    refused = send.submit().follow()
    assert site.read(lambda root: root["centres"]["taipei"]["353601"]["1"].state) == "draft"
    told = refused.html.select_one(".flash").text
    assert "課程資料尚未完整，不能送出審核" in told and "請填寫「18 課程開始日期」" in told
    # Kept again from the edit page: what was stored stays where the new value does not parse.
    edit = client.get(f"{SCHOOL}/1/edit").forms["course-form"]
    edit["subject"], edit["classes"] = "自然科學領域", "很多"
    edit.submit("keep", status=303)
    fields = site.read(lambda root: root["centres"]["taipei"]["353601"]["1"].fields())
    assert (fields["subject"], fields["classes"], fields["title"]) == (
        "自然科學領域", 1, VALUES["title"])
    # A blank item is kept blank (cleared), not left as it was.
    edit = client.get(f"{SCHOOL}/1/edit").forms["course-form"]
    edit["subject"] = ""
    edit.submit("keep", status=303)
    assert site.read(lambda root: root["centres"]["taipei"]["353601"]["1"].subject) == ""


def test_a_kept_draft_needs_its_title(app, site, people):
    response = browser(app, "principal").get(ADD).forms["course-form"].submit("keep", status=400)
    summary = response.html.select_one(".error-summary").text
    assert "暫存草稿至少須填寫「3-1 研習名稱」" in summary
    assert site.read(lambda root: len(root["centres"]["taipei"]["353601"])) == 0
