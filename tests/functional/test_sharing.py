"""資源分享區: forms, uploads, the permission matrix, moderation, Chinese search, the links between
courses and shared items, counts, the API and evolve step 4 (000 附件二 §六, 四(三)4)."""
import io
import re
from urllib.parse import quote

import pytest
import transaction
import webtest

from inservice_portal.courses import attachments
from inservice_portal import clock
from inservice_portal.sharing import service as sharing
from inservice_portal.bootstrap import APP_ROOT

from ..conftest import (add_course, add_organiser, add_shared, add_staff, add_teacher, login)

SCHOOL = "/centres/taipei/353601"
OTHER = "/centres/taipei/353602"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HTML_AS_PDF = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script/></svg>'


@pytest.fixture
def settings(base_settings, tmp_path):
    # Handouts carry files: a FileStorage with blobs (memory:// has none).
    return dict(base_settings, **{
        "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})


@pytest.fixture
def world(site):
    """Two schools of Taipei and one of Kaohsiung, their centres, a teacher, a course taught by
    林靜宜 at 甲國小視聽教室, and one item of each kind owned by school A (handout 1 shared,
    lecturer 2 private, venue 3 shared)."""
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        far = add_organiser(root, "kaohsiung", "583601", "高雄市立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "a-op", school, "operator")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "c-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "ks-rev", root["centres"]["kaohsiung"], "centre_reviewer")
        add_teacher(root, "t1", school)
        course = add_course(root, school, "自然領域多元評量工作坊")
        course.update(lecturers=[{"name": "林 靜宜", "kind": "8-1"}], place="甲國小視聽教室")
        sharing.modified(course)                                  # the catalog reindexes
        add_course(root, school, "草稿課程", state="draft")
        handout = add_shared(root, "handout", school, "多元評量學習單", stage="elementary",
                             scope="1", tags=("多元評量",), course_code=course.code,
                             description="自然領域實作評量的學習單與評分規準。")
        attachments.store(handout, attachments.check(io.BytesIO(PDF), "學習單.pdf"), "a-admin",
                          clock.now())
        add_shared(root, "lecturer", school, "林靜宜", state="private", affiliation="南海師範大學",
                   expertise_stages=("elementary",), expertise_scopes=("1",),
                   consent=True, phone="(07)717-0606", email="lin@example.org")
        add_shared(root, "venue", school, "甲國小視聽教室", address="臺北市大安區甲街 1 號",
                   county="臺北市", capacity=80, facilities=("projector",),
                   description="投影與音響設備齊全。")
        transaction.get()          # the edit commits on exit
    return site


class Browser(webtest.TestApp):
    """WebTest that percent-encodes the Chinese of a URL, as a browser does."""

    def get(self, url, *args, **kw):
        return super().get(quote(url, safe="/?=&:%@"), *args, **kw)


def browser(app, who=None):
    client = Browser(app, extra_environ={"HTTP_HOST": "localhost"})
    if who is not None:
        assert login(client, who).status_int == 303
    return client


def oids(page) -> dict:
    return {name: oid for oid, name in
            re.findall(r'id="item-(deformField\d+)"\s+class="form-group field-(\w+)', page.text)}


def item_state(site, kind, number):
    return site.read(lambda root: root["sharing"][kind][str(number)].state)


# --- the forms ----------------------------------------------------------------------------------

def share_handout(client, filename="評量學習單.pdf", content=PDF, status=303, **values):
    page = client.get(f"{SCHOOL}/@@share-handout")
    form = page.forms["sharing-form"]
    ids = oids(page)
    fields = {"title": "差異化教學講義", "description": "分組任務設計。", "stage": "elementary",
              "scope": "1", "tags": "差異化教學、分組合作", "licence": "cc-by-4.0", **values}
    for name, value in fields.items():
        if name in ("scope", "licence"):
            form[ids[name]] = value
        elif name == "sub_item":
            form[name].force_value(value)
        else:
            form[name] = value
    if filename is not None:
        form["file"] = webtest.Upload(filename, content, "application/pdf")
    return form.submit("save", status=status)


def test_a_school_shares_a_handout_privately_first(app, world):
    client = browser(app, "a-op")                 # an operator (作業人員) may share too
    response = share_handout(client, sub_item="elementary:1-4-3")
    item = client.get(response.location)
    assert "差異化教學講義" in item.text and "未分享" in item.text and "評量學習單.pdf" in item.text

    def check(root):
        handout = root["sharing"]["handouts"]["4"]
        [attachment] = handout.attachments.values()
        return (handout.state, handout.owner, handout.sub_item, handout.tags,
                attachment.content_type)

    assert world.read(check) == ("private", SCHOOL, "1-4-3", ("差異化教學", "分組合作"),
                                 "application/pdf")


@pytest.mark.parametrize("values, message", [
    ({"title": ""}, "請填寫「檔案名稱（標題）」"),
    ({"licence": None}, "請選擇「授權方式」"),
    ({"sub_item": "junior_high:1-4-3"}, "不屬於所選的教育階段與進修範疇"),
    ({"sub_item": "elementary:2-1-1"}, "不屬於所選的教育階段與進修範疇"),
    ({"course_code": "999"}, "找不到課程代碼 999"),
    ({"course_code": "2"}, "找不到課程代碼 2"),        # a draft of another unit: not visible
])
def test_handout_form_validation(app, world, values, message):
    client = browser(app, "b-admin")
    page = client.get(f"{OTHER}/@@share-handout")
    form = page.forms["sharing-form"]
    ids = oids(page)
    base = {"title": "講義", "description": "說明", "stage": "elementary", "scope": "1",
            "licence": "cc-by-4.0"}
    for name, value in {**base, **values}.items():
        if value is None:
            continue
        if name in ("scope", "licence"):
            form[ids[name]] = value
        elif name == "sub_item":
            form[name].force_value(value)
        else:
            form[name] = value
    form["file"] = webtest.Upload("a.pdf", PDF, "application/pdf")
    response = form.submit("save", status=400)
    assert message in response.text and "error-summary" in response.text
    assert world.read(lambda root: len(root["sharing"]["handouts"])) == 1


def test_a_handout_needs_a_file(app, world):
    response = share_handout(browser(app, "a-admin"), filename=None, status=400)
    assert "請選擇要分享的檔案" in response.text


@pytest.mark.parametrize("filename, content", [("講義.pdf", HTML_AS_PDF), ("圖.svg", SVG),
                                               ("講義.html", HTML_AS_PDF)])
def test_a_disguised_html_or_svg_file_is_refused(app, world, filename, content):
    response = share_handout(browser(app, "a-admin"), filename, content, status=400)
    assert "不是可接受的檔案類型" in response.text
    assert world.read(lambda root: len(root["sharing"]["handouts"])) == 1


def test_files_are_managed_and_downloaded_only_as_attachments(app, world):
    owner = browser(app, "a-admin")
    page = owner.get("/sharing/handouts/1/@@files")
    form = page.forms["upload-form"]
    form["file"] = webtest.Upload("評分規準.pdf", PDF, "application/pdf")
    assert form.submit("upload").status_int == 303
    form = owner.get("/sharing/handouts/1/@@files").forms["upload-form"]
    form["file"] = webtest.Upload("x.pdf", SVG, "application/pdf")
    assert "SVG" in form.submit("upload", status=400).text
    name = world.read(lambda root: next(n for n, a in root["sharing"]["handouts"]["1"]
                                        .attachments.items() if a.filename == "評分規準.pdf"))
    download = browser(app).get(f"/sharing/handouts/1/@@download/{name}")   # shared: anyone
    assert download.body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''%E8%A9%95" in download.headers["Content-Disposition"]
    browser(app, "b-admin").get("/sharing/handouts/1/@@files", status=403)
    browser(app, "tp-rev").get("/sharing/handouts/1/@@files", status=403)


def lecturer_form(client, unit=SCHOOL, **values):
    page = client.get(f"{unit}/@@share-lecturer")
    form = page.forms["sharing-form"]
    fields = {"title": "張書豪", "affiliation": "三義高中物理科教師", "expertise": "探究與實作",
              "description": "共備經驗豐富。", **values}
    for name, value in fields.items():
        if name == "consent":
            form["consent"].checked = value
        else:
            form[name] = value
    for box in form.fields["checkbox"]:
        box.checked = box._value in ("senior_high", "1")
    return form


@pytest.mark.parametrize("values, message", [
    ({"phone": "0912-345-678"}, "講師未同意分享聯絡資料時，請勿填寫電話或電子郵件"),
    ({"consent": True, "email": "not-an-address"}, "「講師電子郵件」格式不正確"),
    ({"consent": True, "phone": "call me"}, "「講師聯絡電話」請只填數字"),
    ({"title": ""}, "請填寫「講師姓名」"),
])
def test_lecturer_form_validation(app, world, values, message):
    response = lecturer_form(browser(app, "a-admin"), **values).submit("save", status=400)
    assert message in response.text


def test_a_lecturer_is_recommended_with_consented_contact_data(app, world):
    response = lecturer_form(browser(app, "a-admin"), consent=True, phone="(037)870-505",
                             email="chang@example.org").submit("save")
    assert response.status_int == 303
    lecturer = world.read(lambda root: root["sharing"]["lecturers"]["4"].fields())
    assert lecturer["expertise_stages"] == ("senior_high",)
    assert lecturer["expertise_scopes"] == ("1",)
    assert (lecturer["phone"], lecturer["email"]) == ("(037)870-505", "chang@example.org")


def venue_form(client, **values):
    page = client.get(f"{SCHOOL}/@@share-venue")
    form = page.forms["sharing-form"]
    fields = {"title": "甲國小禮堂", "address": "臺北市大安區甲街 1 號", "county": "臺北市",
              "capacity": "300", "description": "週三下午可借用。", **values}
    for name, value in fields.items():
        form[name] = value
    for box in form.fields["checkbox"]:
        box.checked = box._value in ("accessible_entrance", "projector")
    return form


@pytest.mark.parametrize("values, message", [
    ({"capacity": "0"}, "「可容納人數」至少為 1"),
    ({"capacity": "很多"}, "請填整數"),
    ({"county": ""}, "請選擇「縣市」"),
    ({"course_codes": "1、999"}, "找不到課程代碼 999"),
])
def test_venue_form_validation(app, world, values, message):
    form = venue_form(browser(app, "a-admin"))
    for name, value in values.items():
        if name == "county":
            form[name].force_value(value)
        else:
            form[name] = value
    assert message in form.submit("save", status=400).text


def test_a_venue_is_shared_with_its_facilities_and_courses(app, world):
    form = venue_form(browser(app, "a-admin"), course_codes="1")
    assert form.submit("save").status_int == 303
    venue = world.read(lambda root: root["sharing"]["venues"]["4"].fields())
    assert venue["facilities"] == ("accessible_entrance", "projector")
    assert venue["course_codes"] == (1,) and venue["capacity"] == 300


# --- the permission matrix ----------------------------------------------------------------------

@pytest.mark.parametrize("who, share_here, status", [
    ("a-admin", SCHOOL, 200), ("a-op", SCHOOL, 200),            # the unit's own staff
    ("b-admin", SCHOOL, 403),                                   # another unit
    ("tp-rev", SCHOOL, 403),                                    # the centre does not act as it
    ("tp-rev", "/centres/taipei", 200),                         # … but shares as itself
    ("t1", SCHOOL, 403),                                        # teachers browse only
])
def test_who_may_share(app, world, who, share_here, status):
    client = browser(app, who)
    for kind in ("handout", "lecturer", "venue"):
        client.get(f"{share_here}/@@share-{kind}", status=status)
    client.get(f"{share_here}/@@sharing", status=status)


def test_anonymous_may_not_share(app, world):
    assert "/login" in browser(app).get(f"{SCHOOL}/@@share-handout", status=303).location


# (viewer, status of: the shared handout, its edit page, the private lecturer, its edit page)
MATRIX = [
    ("a-admin", 200, 200, 200, 200),      # owner unit
    ("a-op", 200, 200, 200, 200),         # owner unit, operator
    ("b-admin", 200, 403, 403, 403),      # another unit: shared items only, never edits
    ("tp-rev", 200, 403, 200, 403),       # the owner's centre: sees all, edits nothing
    ("ks-rev", 200, 403, 403, 403),       # another centre
    ("t1", 200, 403, 403, 403),           # a teacher browses shared items
    (None, 200, 303, 303, 303),           # anonymous: shared items; the rest asks to log in
]


@pytest.mark.parametrize("who, shared, edit_shared, private, edit_private", MATRIX)
def test_permission_matrix(app, world, who, shared, edit_shared, private, edit_private):
    client = browser(app, who)
    client.get("/sharing/handouts/1", status=shared)
    client.get("/sharing/handouts/1/@@edit", status=edit_shared)
    client.get("/sharing/lecturers/2", status=private)
    client.get("/sharing/lecturers/2/@@edit", status=edit_private)


def test_only_the_owner_edits_and_the_edit_is_indexed(app, world):
    client = browser(app, "a-admin")
    form = client.get("/sharing/venues/3/@@edit").forms["sharing-form"]
    form["title"] = "甲國小演藝廳"
    assert form.submit("save").status_int == 303
    assert "甲國小演藝廳" in browser(app).get("/sharing/?q=演藝廳").text
    other = browser(app, "b-admin")
    page = other.get("/sharing/venues/3")
    other.post("/sharing/venues/3/@@edit", {"csrf_token": csrf(page), "title": "x",
                                             "save": "save"}, status=403)


def csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def transition(client, url, name, comment="", status=303):
    page = client.get(url)
    return client.post(f"{url}/@@transition", {"csrf_token": csrf(page), "transition": name,
                                                "comment": comment}, status=status)


def test_owner_shares_and_withdraws(app, world):
    owner = browser(app, "a-admin")
    transition(owner, "/sharing/lecturers/2", "share")
    assert item_state(world, "lecturers", 2) == "shared"
    assert "林靜宜" in browser(app).get("/sharing/lecturers").text
    transition(owner, "/sharing/lecturers/2", "withdraw")
    assert item_state(world, "lecturers", 2) == "withdrawn"
    assert "林靜宜" not in browser(app).get("/sharing/lecturers").text
    browser(app, "t1").get("/sharing/lecturers/2", status=403)
    transition(owner, "/sharing/lecturers/2", "share")               # reshare
    assert item_state(world, "lecturers", 2) == "shared"


def test_the_centre_takes_an_item_down_with_a_reason(app, world):
    centre = browser(app, "tp-rev")
    page = centre.get("/centres/taipei/@@sharing-moderation")
    assert "多元評量學習單" in page.text and "臺北市立甲國民小學" in page.text
    transition(centre, "/sharing/handouts/1", "take_down", comment="")   # no reason: refused
    assert item_state(world, "handouts", 1) == "shared"
    transition(centre, "/sharing/handouts/1", "take_down", comment="含學生個資，請去識別化。")
    assert item_state(world, "handouts", 1) == "taken_down"
    assert "多元評量學習單" not in browser(app).get("/sharing/?q=多元評量").text
    browser(app, "t1").get("/sharing/handouts/1", status=403)
    name = world.read(lambda root: next(iter(root["sharing"]["handouts"]["1"].attachments)))
    browser(app, "t1").get(f"/sharing/handouts/1/@@download/{name}", status=403)
    assert "/login" in browser(app).get(f"/sharing/handouts/1/@@download/{name}",
                                        status=303).location
    assert browser(app, "tp-rev").get(f"/sharing/handouts/1/@@download/{name}").body == PDF
    owner_page = browser(app, "a-admin").get("/sharing/handouts/1")
    assert "含學生個資，請去識別化。" in owner_page.text
    transition(centre, "/sharing/handouts/1", "restore")
    assert item_state(world, "handouts", 1) == "shared"


def test_only_the_owners_centre_moderates(app, world):
    page = browser(app, "a-admin").get("/sharing/handouts/1")
    assert "下架原因" not in page.text
    for who in ("a-admin", "b-admin", "ks-rev", "t1"):
        client = browser(app, who)
        shown = client.get("/sharing/handouts/1")
        client.post("/sharing/handouts/1/@@transition",
                    {"csrf_token": csrf(shown), "transition": "take_down", "comment": "x"},
                    status=403)
    assert item_state(world, "handouts", 1) == "shared"
    browser(app, "ks-rev").get("/centres/taipei/@@sharing-moderation", status=403)
    browser(app, "a-admin").get("/centres/taipei/@@sharing-moderation", status=403)


def test_owner_revises_a_taken_down_item(app, world):
    transition(browser(app, "tp-rev"), "/sharing/handouts/1", "take_down", comment="授權不明")
    owner = browser(app, "a-admin")
    owner.get("/sharing/handouts/1/@@edit", status=200)
    transition(owner, "/sharing/handouts/1", "share", status=303)     # not from taken_down
    assert item_state(world, "handouts", 1) == "taken_down"
    transition(owner, "/sharing/handouts/1", "revise")
    transition(owner, "/sharing/handouts/1", "share")
    assert item_state(world, "handouts", 1) == "shared"
    history = world.read(lambda root: [e["transition"] for e in
                                       root["sharing"]["handouts"]["1"].history])
    assert history == ["take_down", "revise", "share"]


def test_contact_data_only_to_staff_and_only_with_consent(app, world):
    transition(browser(app, "a-admin"), "/sharing/lecturers/2", "share")
    assert "lin@example.org" in browser(app, "c-admin").get("/sharing/lecturers/2").text
    for who in (None, "t1"):
        page = browser(app, who).get("/sharing/lecturers/2")
        assert "林靜宜" in page.text and "lin@example.org" not in page.text
        assert "717-0606" not in page.text
    with world.edit() as root:
        root["sharing"]["lecturers"]["2"].consent = False
    assert "lin@example.org" not in browser(app, "c-admin").get("/sharing/lecturers/2").text


# --- browsing and Chinese search ----------------------------------------------------------------

@pytest.mark.parametrize("query, found", [
    ("q=多元評量", True), ("q=評量", True), ("q=學習單", True), ("q=規準", True),
    ("q=差異化", False),
    ("kind=handout&stage=elementary", True), ("kind=handout&stage=senior_high", False),
    ("scope=1", True), ("scope=2", False), ("tag=多元評量", True), ("tag=閱讀", False),
    ("kind=venue", False), ("q=臺北市立甲國民小學", True),
])
def test_chinese_search_and_filters(app, world, query, found):
    page = browser(app).get(f"/sharing/?{query}")
    assert ("多元評量學習單" in page.text) is found


def test_county_filter_and_private_items_stay_hidden(app, world):
    assert "甲國小視聽教室" in browser(app).get("/sharing/venues?county=臺北市").text
    assert "甲國小視聽教室" not in browser(app).get("/sharing/venues?county=高雄市").text
    found = browser(app, "tp-rev").get("/sharing/?q=林靜宜")
    assert ">林靜宜</a>" not in found.text and "共 0 筆" in found.text          # private


def test_course_search_is_unaffected(app, world):
    page = browser(app).get("/search?q=多元評量")
    assert "自然領域多元評量工作坊" in page.text and "多元評量學習單" not in page.text


def test_a_bad_query_is_answered_not_crashed(app, world):
    assert "格式無法辨識" in browser(app).get("/sharing/?q=AND").text


# --- courses and items --------------------------------------------------------------------------

def test_course_page_lists_its_shared_handouts_lecturers_and_venue(app, world):
    page = browser(app).get(f"{SCHOOL}/1")
    section = page.text.split('id="sharing-title"')[1].split("</section>")[0]
    assert "多元評量學習單" in section and "甲國小視聽教室" in section
    assert "林靜宜" not in section                                 # the lecturer is private
    transition(browser(app, "a-admin"), "/sharing/lecturers/2", "share")
    section = browser(app).get(f"{SCHOOL}/1").text.split('id="sharing-title"')[1]
    assert "林靜宜" in section.split("</section>")[0]             # linked by name, spaces aside


def test_item_pages_list_their_courses(app, world):
    for url in ("/sharing/handouts/1", "/sharing/venues/3"):
        assert "自然領域多元評量工作坊" in browser(app).get(url).text
    page = browser(app, "a-admin").get("/sharing/lecturers/2")
    assert "自然領域多元評量工作坊" in page.text
    assert "草稿課程" not in browser(app).get("/sharing/venues/3").text


def test_a_draft_course_is_not_shown_to_the_public_through_an_item(app, world):
    with world.edit() as root:
        venue = root["sharing"]["venues"]["3"]
        venue.update(course_codes=(2,))
        sharing.modified(venue)
    assert "草稿課程" not in browser(app).get("/sharing/venues/3").text
    assert "草稿課程" in browser(app, "a-admin").get("/sharing/venues/3").text


# --- counts -------------------------------------------------------------------------------------

def test_counts_for_the_unit_and_the_centre(app, world):
    counts = world.read(lambda root: sharing.counts(root, centre="taipei"))
    assert counts == {SCHOOL: {"handout": {"shared": 1}, "lecturer": {"private": 1},
                               "venue": {"shared": 1}}}
    assert world.read(lambda root: sharing.counts(root, centre="kaohsiung")) == {}
    unit_page = browser(app, "a-admin").get(f"{SCHOOL}/@@sharing")
    assert re.search(r"講師推薦</th><td>0</td><td>1</td>", unit_page.text)
    centre_page = browser(app, "tp-rev").get("/centres/taipei/@@sharing-moderation")
    assert "1／1" in centre_page.text and "0／1" in centre_page.text
    assert "其餘 1 個所轄單位尚未分享任何項目" in centre_page.text          # school B


# --- the API ------------------------------------------------------------------------------------

def test_api_lists_shared_items_with_public_fields_only(app, world):
    client = browser(app)
    assert client.get("/api/v1/sharing/lecturers").json["total"] == 0        # still private
    transition(browser(app, "a-admin"), "/sharing/lecturers/2", "share")
    handouts = client.get("/api/v1/sharing/handouts?q=評量&stage=elementary&scope=1").json
    assert handouts["total"] == 1 and handouts["items"][0]["title"] == "多元評量學習單"
    assert handouts["items"][0]["licence"]["code"] == "cc-by-4.0"
    lecturers = client.get("/api/v1/sharing/lecturers").json["items"]
    assert lecturers[0]["name"] == "林靜宜"
    assert not {"phone", "email", "consent"} & set(lecturers[0])
    venues = client.get("/api/v1/sharing/venues?county=臺北市").json
    assert venues["items"][0]["capacity"] == 80
    assert client.get("/api/v1/sharing/venues?county=高雄市").json["total"] == 0


def test_api_item_with_related_courses(app, world):
    item = browser(app).get("/api/v1/sharing/handouts/1").json
    assert item["related_courses"][0]["title"] == "自然領域多元評量工作坊"
    assert item["owner"]["code"] == "353601"
    staff = browser(app, "c-admin").get("/api/v1/sharing/lecturers/2", status=403)
    assert staff.json["error"]["code"] == "forbidden"
    anonymous = browser(app).get("/api/v1/sharing/lecturers/2", status="*")
    assert anonymous.status_int in (401, 403) and "lin@example.org" not in anonymous.text


@pytest.mark.parametrize("url, status", [
    ("/api/v1/sharing/handouts?stage=college", 400), ("/api/v1/sharing/handouts?scope=9", 400),
    ("/api/v1/sharing/venues?county=火星", 400), ("/api/v1/sharing/recipes", 404),
    ("/api/v1/sharing/handouts/99", 404), ("/api/v1/sharing/handouts?per_page=500", 400),
])
def test_api_refuses_malformed_queries(app, world, url, status):
    assert browser(app).get(url, status=status).json["error"]["code"] in ("malformed",
                                                                          "not_found")


# --- evolve step 4 ------------------------------------------------------------------------------

def test_evolve_step_4_creates_the_area_and_indexes_in_an_old_database(app, db):
    from inservice_portal import evolve

    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        tm.begin()
        root = conn.root()[APP_ROOT]
        root.remove("sharing", send_events=False)
        for name in ("stages", "places", "owner"):
            del root.catalog[name]
        setattr(root, evolve.VERSION_KEY, 1)
        tm.commit()
        evolve.run(root, tm=tm, log=lambda message: None)
        assert set(root["sharing"]) == {"handouts", "lecturers", "venues"}
        assert {"stages", "places", "owner"} <= set(root.catalog)
        assert getattr(root, evolve.VERSION_KEY) == evolve.latest()
    finally:
        tm.abort()
        conn.close()


def test_lists_are_paged_newest_first(app, world):
    with world.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        for n in range(1, 26):
            add_shared(root, "venue", school, f"教室{n:02d}", county="臺北市", capacity=n)
    client = browser(app)
    first = client.get("/api/v1/sharing/venues?county=臺北市&per_page=10").json
    assert first["total"] == 26
    assert [i["title"] for i in first["items"][:2]] == ["教室25", "教室24"]
    third = client.get("/api/v1/sharing/venues?county=臺北市&per_page=10&page=3").json
    assert [i["title"] for i in third["items"]] == ["教室05", "教室04", "教室03", "教室02",
                                                    "教室01", "甲國小視聽教室"]
    page = client.get("/sharing/venues?page=2")
    assert "共 26 筆" in page.text and "教室05" in page.text and "教室06" not in page.text


def test_roles_follow_the_unit_and_a_centres_items_are_moderated_nationally(app, world):
    with world.edit() as root:
        add_staff(root, "nk-rev", root["centres"]["nknu"], "national_centre")
        add_shared(root, "handout", root["centres"]["taipei"], "臺北市研習手冊",
                   stage="elementary", scope="1")
        root["centres"]["taipei"]["353601"].revoke("a-op", "operator")
    browser(app, "a-op").get("/sharing/lecturers/2", status=403)     # no longer of the unit
    assert browser(app, "tp-rev").get("/sharing/handouts/4/@@edit").status_int == 200
    transition(browser(app, "tp-rev"), "/sharing/handouts/4", "take_down", comment="x",
               status=403)                                          # not its own moderator
    transition(browser(app, "nk-rev"), "/sharing/handouts/4", "take_down", comment="重複上傳")
    assert item_state(world, "handouts", 4) == "taken_down"
    browser(app, "nk-rev").get("/sharing/handouts/4/@@edit", status=403)
