"""新增研習單位 (issue: rules from the seeds, item 6): a unit not on the portal applies with its
first 總負責人, by page or API; it lands under the centre 002 Art. 11 names, waits unlisted,
and once that centre approves, its 總負責人 works for it (courses included). A rejection
removes it again."""
import pytest

from inservice_portal.accounts import mfa

from ..conftest import TOTP_SECRET, add_staff, browser, csrf_of, login

UNIT = {"unit_code": "193999", "unit_name": "臺中市私立曉明高級中學", "kind": "k12_school",
        "county": "臺中市", "ownership": "private", "stage": "senior_high",
        "school_type": "senior_high", "address": "臺中市北區中清路 1 號",
        "unit_phone": "(04)2292-1171", "unit_email": "office@sm.example.org",
        "login": "sm-head", "password": "Unit-apply-9", "password_confirm": "Unit-apply-9",
        "name": "林校長", "email": "head@sm.example.org", "phone": "(04)2292-1171#100"}


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def centres(site):
    with site.edit() as root:
        add_staff(root, "tc-rev", root["centres"]["taichung"], "centre_reviewer")
        add_staff(root, "k12-rev", root["centres"]["k12ea"], "centre_reviewer")


def apply_by_page(app, values, status=303):
    form = browser(app).get("/apply-unit").forms["unit-application-form"]
    for name, value in values.items():
        form[name] = value
    return form.submit("apply", status=status)


def test_a_private_high_school_of_taichung_applies_and_its_head_opens_courses(app, site,
                                                                               centres, smtp):
    answer = apply_by_page(app, UNIT).follow()
    assert "由臺中市政府教育局審核（Art. 11 (4)）" in answer.text    # 000: 臺中市私立高中職改隸
    unit = site.read(lambda root: root["centres"]["taichung"]["193999"])
    assert (unit.state, unit.school_type, unit.ownership) == ("applied", "senior_high", "private")
    assert "臺中市私立曉明高級中學" not in browser(app).get("/centres/taichung").text
    reviewer = browser(app, "tc-rev")
    page = reviewer.get("/centres/taichung/subunits")
    assert "新增研習單位申請：193999" in page.text
    reviewer.post("/centres/taichung/subunits", {"csrf_token": csrf_of(page), "action": "approve",
                                                 "login": "sm-head"}, status=303)
    assert site.read(lambda root: root["centres"]["taichung"]["193999"].state) == "active"
    assert "臺中市私立曉明高級中學" in browser(app).get("/centres/taichung").text
    with site.edit() as root:
        mfa.enrol_known_secret(root["people"]["sm-head"], TOTP_SECRET)
        root["people"]["sm-head"].set_password("Unit-apply-9")
    head = browser(app)
    assert login(head, "sm-head", "Unit-apply-9").status_int == 303
    assert head.get("/centres/taichung/193999/@@add-course").status_int == 200
    assert any(m["To"] == "head@sm.example.org" and "審核通過" in m.get_content()
               for m in smtp.messages)


def test_a_rejected_unit_is_removed_and_may_apply_again(app, site, centres, smtp):
    apply_by_page(app, UNIT)
    reviewer = browser(app, "tc-rev")
    page = reviewer.get("/centres/taichung/subunits")
    reviewer.post("/centres/taichung/subunits", {"csrf_token": csrf_of(page), "action": "reject",
                                                 "login": "sm-head", "reason": "非本市學校"},
                  status=303)
    assert site.read(lambda root: ("193999" in root["centres"]["taichung"],
                                   "sm-head" in root["people"])) == (False, False)
    assert apply_by_page(app, UNIT).status_int == 303


def test_the_api_applies_and_art_11_names_the_centre(app, site, centres):
    api = browser(app)
    body = dict(UNIT, unit_code="210999", unit_name="國立臺南大學附屬啟聰學校", county="臺南市",
                ownership="national", stage="elementary", school_type="special_education",
                login="deaf-head")
    answer = api.post_json("/api/v1/units", body, status=201).json
    assert (answer["centre"], answer["state"], answer["principal"]) == ("k12ea", "applied",
                                                                        "deaf-head")
    assert "(2)" in answer["clause"]            # a national special-education school: 國教署
    refused = api.post_json("/api/v1/units", body, status=422).json["error"]
    assert "此單位代碼已在本網" in refused["fields"]["unit_code"]
    refused = api.post_json("/api/v1/units", dict(body, unit_code="210998", login="x-head",
                                                  school_type=None), status=422).json["error"]
    assert refused["code"] == "invalid_unit" and "學校類別" in refused["fields"]["school_type"]


def test_the_page_names_every_missing_field(app, centres):
    page = browser(app).get("/apply-unit").forms["unit-application-form"].submit(
        "apply", status=400)
    summary = page.html.select_one(".error-summary").get_text()
    assert "單位代碼" in summary and "單位類別" in summary and "Required" not in summary


def test_the_ministry_moves_a_unit_and_everything_of_it_follows(app, site, centres, smtp):
    """Item 6: the ministry moves a school to another centre with a reason (audited); its
    courses (and the registrations' index of them), teachers, staff, waiting applications and
    shared items follow; the old centre no longer reviews it, the new one does."""
    from inservice_portal import audit, clock
    from inservice_portal.catalog import find_course
    from inservice_portal.registration import service

    from ..conftest import add_course, add_organiser, add_shared, add_teacher, complete

    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "moe", root, "ministry_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "nt-rev", root["centres"]["newtaipei"], "centre_reviewer")
        teacher = add_teacher(root, "t1", school)
        course = complete(add_course(root, school, "移轉前的研習"))
        today = clock.now().date()
        course.update(registration_opens=today, registration_closes=today)
        code = course.code
        service.register(None, course, teacher)
        add_shared(root, "handout", school, "甲校講義")
    ministry = browser(app, "moe")
    assert "移轉研習單位至其他審核單位" in ministry.get("/centres/taipei/353601").text
    assert "移轉研習單位" not in browser(app, "a-admin").get("/centres/taipei/353601").text
    page = ministry.get("/centres/taipei/353601/@@move")
    refused = ministry.post("/centres/taipei/353601/@@move",
                            {"csrf_token": csrf_of(page), "centre": "newtaipei"}, status=400)
    assert "移轉單位請說明原因" in refused.text
    ministry.post("/centres/taipei/353601/@@move", {"csrf_token": csrf_of(page),
                  "centre": "newtaipei", "reason": "學校改隸新北市"}, status=303)

    def where(root):
        moved = find_course(root, code)
        t1 = root["people"]["t1"]
        return (moved.__parent__.__parent__.code, t1.school, root["people"]["a-admin"].unit,
                [r.course.title for r in service.registrations_of(t1)])
    assert site.read(where) == ("newtaipei", "/centres/newtaipei/353601",
                                "/centres/newtaipei/353601", ["移轉前的研習"])
    assert "甲校講義" in browser(app, "a-admin").get("/centres/newtaipei/353601/sharing").text
    browser(app, "tp-rev").get("/centres/newtaipei/353601/unit-staff", status=403)
    assert browser(app, "nt-rev").get("/centres/newtaipei/353601/unit-staff").status_int == 200
    [entry] = [e for e in site.read(lambda root: list(audit.log_of(root).entries.values()))
               if e["action"] == "unit.move"]
    assert entry["detail"]["reason"] == "學校改隸新北市" and entry["actor"] == "moe"
    browser(app, "a-admin").get("/centres/newtaipei/353601/@@move", status=403)
