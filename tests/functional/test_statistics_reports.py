"""統計 (issue 17), the pages beyond the tables: the learning needs (進修儀表板), charts as SVG,
CSV and XLSX of each table, the public 統計專區 with its monthly and annual reports, rosters
closed late and overdue per centre, and records by source."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree

from openpyxl import load_workbook

from inservice_portal import clock, statistics
from inservice_portal.attendance import roster
from inservice_portal.attendance.records import records_of
from inservice_portal.resources.records import TrainingRecord
from inservice_portal.statistics import charts, tables
from inservice_portal.statistics.rebuild import drift, fresh_figures, rebuild
from inservice_portal.workflows import api as workflow_api

from ..conftest import add_course, add_organiser, add_staff, api_client, browser, complete
from .test_statistics import closed, courses_of, offered, table_of  # noqa: F401 (fixtures)


def on(monkeypatch, day):
    monkeypatch.setattr(clock, "now", lambda: datetime(day.year, day.month, day.day, 10,
                                                      tzinfo=clock.TAIPEI))


def seats_and_scope(site, title="研習1"):
    def read(root):
        course = next(c for c in courses_of(root) if c.title == title)
        return course.capacity, course.scope, course.stage
    return site.read(read)


# --- 進修儀表板 -----------------------------------------------------------------------------
def test_the_learning_needs_set_registrations_against_seats(app, offered):
    seats, scope, stage = seats_and_scope(offered)
    assert seats                                    # the demo's course form offers seats
    moe = browser(app, "moe")
    page = moe.get("/learning-needs", {"year": "114"})
    assert "進修儀表板（全國）" in page.text
    scopes = table_of(page, "各研習範疇（附件十一）")
    # 研習1 (臺北市): accepted twice, waitlisted once, one withdrawn (not counted).
    total = scopes["合計"]
    assert total[2:4] == ["3", "1"] and total[4] == "0"
    row = next(cells for label, cells in scopes.items() if label != "合計" and cells[2] == "3")
    assert row[5] == f"{round(3 * 100 / int(row[1].replace(',', '')), 1):,g}"
    # Within 高雄市 nobody registered; sub-items are listed once a stage is chosen.
    kaohsiung = table_of(moe.get("/learning-needs", {"year": "114", "county": "高雄市"}),
                         "各研習範疇（附件十一）")
    assert kaohsiung["合計"][2] == "0"
    staged = moe.get("/learning-needs", {"year": "114", "stage": stage})
    assert "各課程細項的名額與報名" in staged.text
    assert "各課程細項的名額與報名" not in page.text
    # A stage or county that is not one is ignored, not an error.
    assert moe.get("/learning-needs", {"county": "<x>", "stage": "國小'"}).status_int == 200


def test_a_centre_sees_the_needs_of_its_own_county(app, offered):
    page = browser(app, "tp-rev").get("/centres/taipei/learning-needs", {"year": "114"})
    assert "進修儀表板（臺北市政府教育局）" in page.text
    assert not page.html.select("#f-county")              # no other county to choose
    courses = table_of(page, "各研習範疇（附件十一）")["合計"][0]
    national = table_of(browser(app, "moe").get("/learning-needs", {"year": "114"}),
                        "各研習範疇（附件十一）")["合計"][0]
    assert (courses, national) == ("3", "5")                 # 臺北市's 3 of the nation's 5
    browser(app, "ks-rev").get("/centres/taipei/learning-needs", status=403)
    browser(app, "a-admin").get("/learning-needs", status=403)
    assert "/login" in browser(app).get("/learning-needs", status=303).location


def test_a_centre_without_a_county_sees_its_own_units_needs_only(app, offered):
    with offered.edit() as root:
        centre = root["centres"]["k12ea"]
        add_staff(root, "k12-rev", centre, "centre_reviewer")
        unit = add_organiser(root, "k12ea", "013301", "國立甲高級中學", county="臺北市")
        course = complete(add_course(root, unit, "國教署研習", state="draft",
                                     starts_on=date(2025, 11, 3)), stage="senior_high")
        for step in ("submit", "approve"):
            workflow_api.transition(course, None, step)
    page = browser(app, "k12-rev").get("/centres/k12ea/learning-needs", {"year": "114"})
    assert "進修儀表板（教育部國民及學前教育署）" in page.text
    assert table_of(page, "各研習範疇（附件十一）")["合計"][0] == "1"     # not the nation's 6
    assert not page.html.select("#f-county")
    api = api_client(app, "k12-rev").get("/api/v1/statistics/centres/k12ea/needs",
                                         {"year": "114"}).json
    assert all(t["total"]["courses"] == 1 for t in api["tables"])
    overview = browser(app, "k12-rev").get("/centres/k12ea/statistics", {"year": "114"})
    assert table_of(overview, "各研習範疇（附件十一）")["合計"][0] == "1"


# --- charts and files ------------------------------------------------------------------------
def test_a_chart_is_an_svg_image_that_runs_nothing(app, offered):
    moe = browser(app, "moe")
    page = moe.get("/statistics", {"year": "114"})
    figure = page.html.select_one("#t-counties").find_parent("section").select_one("figure")
    image = figure.select_one("img")
    assert image["alt"].startswith("各縣市開課與報名") and "下表" in image["alt"]
    assert "臺北市最多（3）" in figure.select_one("figcaption").text
    answer = moe.get(image["src"].replace("http://localhost", ""))
    assert answer.content_type == "image/svg+xml"
    assert answer.headers["Content-Security-Policy"] == charts.CSP
    svg = ElementTree.fromstring(answer.body)
    texts = {element.text for element in svg.iter() if element.text}
    assert {"各縣市開課與報名", "臺北市", "高雄市", "開設課程數", "報名人次"} <= texts
    assert not [e for e in svg.iter() if str(e.tag).endswith(("script", "foreignObject"))]
    moe.get("/statistics.svg", {"table": "nope"}, status=404)
    browser(app, "ks-rev").get("/centres/taipei/statistics.svg", {"table": "units"}, status=403)


def test_each_table_downloads_as_csv_excel_reads(app, offered):
    moe = browser(app, "moe")
    answer = moe.get("/statistics.csv", {"table": "counties", "year": "114"})
    assert answer.content_type == "text/csv" and answer.body.startswith(b"\xef\xbb\xbf")
    assert 'filename="statistics-114-counties.csv"' in answer.content_disposition
    rows = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["縣市", "開設課程數", "提供研習時數"]
    assert rows[1:] == [["臺北市", "3", "8", "3", "2", "1"], ["高雄市", "2", "11", "0", "0", "0"],
                        ["合計", "5", "19", "3", "2", "1"]]
    moe.get("/statistics.csv", status=404)                       # which table?
    book = load_workbook(io.BytesIO(moe.get("/learning-needs.xlsx", {"year": "114"}).body))
    sheet = book["各研習範疇（附件十一）"]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert header[-1] == "報名率（%）"
    assert all(isinstance(v, int) for row in body[:1] for v in row[1:6])


def test_a_label_written_like_a_formula_stays_text(app, offered):
    with offered.edit() as root:
        unit = root["centres"]["taipei"]["353601"]
        unit.title = '=HYPERLINK("http://evil.example","x")'
    body = browser(app, "tp-rev").get("/centres/taipei/statistics.csv",
                                      {"table": "units", "year": "114"}).body.decode("utf-8-sig")
    assert '\n"\'=HYPERLINK(' in body


# --- 統計專區, 月報, 年報 --------------------------------------------------------------------
def test_the_public_area_shows_national_figures_to_anyone(app, offered, monkeypatch):
    on(monkeypatch, date(2026, 3, 10))
    anyone = browser(app)
    page = anyone.get("/figures", {"year": "114"})
    titles = [h.text for h in page.html.select("main h2")]
    assert "各縣市開課與報名" in titles and "研習紀錄來源（本網與縣市系統交換）" in titles
    assert not {"各區管中心開課與報名", "研習結案情形（第 12 條）"} & set(titles)
    assert table_of(page, "各縣市開課與報名")["合計"][0] == "5"
    assert anyone.get("/figures.csv", {"table": "counties", "year": "114"}).status_int == 200
    months = [a.text for a in page.html.select("#published ~ div a, .columns a")]
    assert months[0] == "2026 年 2 月" and "2026 年 3 月" not in months
    anyone.get("/statistics", status=303)


def test_a_monthly_report_is_published_on_the_fifth(app, offered, monkeypatch):
    anyone = browser(app)
    on(monkeypatch, date(2025, 11, 4))
    anyone.get("/monthly-report", {"month": "2025-10"}, status=404)
    on(monkeypatch, date(2025, 11, 5))
    page = anyone.get("/monthly-report", {"month": "2025-10"})
    assert "教師在職進修統計月報：2025 年 10 月" in page.text
    assert page.html.select_one("caption").text == "2025 年 10 月各縣市開課與報名"
    # 研習2 (高雄市) began on 2025-10-01; 臺北市's courses began in other months.
    assert table_of(page, "各縣市開課與報名") == {"高雄市": ["1", "4", "0", "0", "0"],
                                                  "合計": ["1", "4", "0", "0", "0"]}
    book = load_workbook(io.BytesIO(
        anyone.get("/monthly-report.xlsx", {"month": "2025-10"}).body))
    assert list(book.worksheets[0].iter_rows(values_only=True))[1][:2] == ("高雄市", 1)
    for month in ("2025-13", "abc", "2025-1-1", "０５-10", ""):
        anyone.get("/monthly-report", {"month": month}, status=404)


def test_a_released_report_is_frozen_and_late_changes_do_not_move_it(app, offered,
                                                                       monkeypatch):
    """The nightly run freezes the October report once the 5th of November has come; a
    course of October published after that counts live, never in the report released."""
    from inservice_portal.statistics import releases

    anyone = browser(app)
    on(monkeypatch, date(2025, 11, 5))
    assert "即時數字" in anyone.get("/monthly-report", {"month": "2025-10"}).text
    with offered.edit() as root:
        assert "monthly:2025-10" in releases.freeze_due(root)
        assert "monthly:2025-10" not in releases.freeze_due(root)      # once
    with offered.edit() as root:                # a course of October published late
        school = root["centres"]["kaohsiung"]["583601"]
        add_course(root, school, "晚登錄研習", state="published", starts_on=date(2025, 10, 20))
    page = anyone.get("/monthly-report", {"month": "2025-10"})
    assert "凍結的公布版本" in page.text
    assert table_of(page, "各縣市開課與報名")["合計"][0] == "1"          # as released
    book = load_workbook(io.BytesIO(
        anyone.get("/monthly-report.xlsx", {"month": "2025-10"}).body))
    assert list(book.worksheets[0].iter_rows(values_only=True))[1][:2] == ("高雄市", 1)
    live = offered.read(lambda root: tables.monthly(root, 114, 10)[0].total.figures["courses"])
    assert live == 2


def test_an_annual_report_is_published_after_the_school_year(app, offered, monkeypatch):
    anyone = browser(app)
    on(monkeypatch, date(2026, 8, 4))
    anyone.get("/annual-report", {"year": "114"}, status=404)
    assert "114 學年度" not in anyone.get("/figures").html.select_one(".columns").text
    on(monkeypatch, date(2026, 8, 5))
    page = anyone.get("/annual-report", {"year": "114"})
    assert table_of(page, "各縣市開課與報名")["合計"][0] == "5"
    assert anyone.get("/annual-report.xlsx", {"year": "114"}).status_int == 200
    anyone.get("/annual-report", {"year": "x"}, status=404)


# --- rosters closed late and overdue (Art. 12) -----------------------------------------------
def test_rosters_sent_late_and_overdue_are_counted_per_centre(app, site, monkeypatch):
    from .test_roster import add_ended_course

    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "moe", root, "ministry_admin")
        add_ended_course(root, school, "準時結案", day=date(2025, 10, 6))
        add_ended_course(root, school, "逾期結案", day=date(2025, 10, 7))
        add_ended_course(root, school, "未結案", day=date(2025, 10, 8))
    for title, sent in (("準時結案", date(2025, 11, 1)), ("逾期結案", date(2025, 12, 1))):
        on(monkeypatch, sent)
        with site.edit() as root:
            course = next(c for c in root["centres"]["taipei"]["353601"].values()
                          if c.title == title)
            roster.save(course, [], "a-admin")
            workflow_api.transition(course, None, "submit_roster")
            workflow_api.transition(course, None, "confirm_roster")
    assert site.read(lambda root: drift(root, fresh_figures(root))) == {}
    on(monkeypatch, date(2026, 1, 5))
    page = browser(app, "moe").get("/statistics", {"year": "114"})
    assert table_of(page, "研習結案情形（第 12 條）")["臺北市政府教育局"] == ["2", "1", "1"]
    # A centre giving more days later does not undo a lateness counted by the rule of the day.
    with site.edit() as root:
        root["centres"]["taipei"].roster_days = 120
        assert rebuild(root) == {}


# --- records by source -------------------------------------------------------------------------
def test_records_are_counted_by_source(app, closed):
    with closed.edit() as root:
        add_staff(root, "moe", root, "ministry_admin")
        teacher = root["people"]["t2"]
        with statistics.tracking(teacher):
            record = TrainingRecord("t2", "tpe-city", "A-1", title="臺北市研習",
                                    hours=Decimal(4), days=((date(2025, 12, 1), Decimal(4)),))
            records_of(teacher, create=True)[record.key] = record
    assert closed.read(lambda root: drift(root, fresh_figures(root))) == {}
    page = browser(app, "moe").get("/statistics", {"year": "114"})
    # t0: 6 + 3 hours, t1: 6, written by the portal; t2's 4 hours from the city's system.
    assert table_of(page, "研習紀錄來源（本網與縣市系統交換）")["臺北市"] == ["3", "1", "15", "4"]


def test_evolve_29_counts_the_new_measures_of_a_site(offered):
    from inservice_portal import evolve

    with offered.edit() as root:                  # as a site kept before step 29 holds it
        for name in list(root.statistics):
            if name in ("demand", "closings", "records") or ":" in name:
                del root.statistics[name]
        root.evolve_version = 28
    missing = offered.read(lambda root: set(drift(root, fresh_figures(root))))
    assert "demand" in missing and "courses:county" in missing
    with offered.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert offered.read(lambda root: drift(root, fresh_figures(root))) == {}
    assert offered.read(lambda root: root.evolve_version) >= 29



def test_evolve_30_counts_teachers_by_stage_and_those_serving_now(closed):
    from inservice_portal import evolve
    from inservice_portal.statistics.cubes import Cube

    with closed.edit() as root:             # the shapes step 30 found: no stage, no teachers
        old = Cube(("year", "county", "school", "login"))
        for key, value in root.statistics["teacher_hours"].items():
            old.add(key[:4], value)
        root.statistics["teacher_hours"] = old
        root.statistics["teacher_bands"] = Cube(("year", "county", "band"))
        del root.statistics["teachers"]
        root.evolve_version = 29
    with closed.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert closed.read(lambda root: drift(root, fresh_figures(root))) == {}
    assert closed.read(lambda root: root.statistics["teacher_hours"].dimensions[-1]) == "stage"
    assert closed.read(lambda root: root.statistics["teachers"].value(("臺北市", "elementary"))) == 3

# --- the API -------------------------------------------------------------------------------------
def test_the_public_figures_over_the_api_are_the_pages(app, offered):
    anyone = api_client(app)
    answer = anyone.get("/api/v1/statistics", {"year": "114"}).json
    assert answer["year"] == 114 and answer["scope"] == "全國"
    counties = next(t for t in answer["tables"] if t["key"] == "counties")
    page = table_of(browser(app).get("/figures", {"year": "114"}), "各縣市開課與報名")
    assert [r["label"] for r in counties["rows"]] == ["臺北市", "高雄市"]
    assert counties["total"]["courses"] == int(page["合計"][0]) == 5
    assert {c["name"] for c in counties["columns"]} >= {"courses", "registrations"}
    only = anyone.get("/api/v1/statistics", {"table": "scopes", "year": "114"}).json["tables"]
    assert [t["key"] for t in only] == ["scopes"] and "fill" in only[0]["total"]
    for query in ({"table": "nope"}, {"year": "abc"}, {"year": "0"}):
        error = anyone.get("/api/v1/statistics", query, status=400).json["error"]
        assert error["code"] == "malformed" and error["fields"]


def test_each_level_reads_its_own_scope_over_the_api(app, offered):
    api_client(app).get("/api/v1/statistics/national", status=401)
    api_client(app, "tp-rev").get("/api/v1/statistics/national", status=403)
    national = api_client(app, "moe").get("/api/v1/statistics/national", {"year": "114"}).json
    assert {t["key"] for t in national["tables"]} >= {"counties", "centres", "closings"}
    needs = api_client(app, "moe").get("/api/v1/statistics/national/needs",
                                       {"year": "114", "county": "高雄市"}).json
    assert needs["filters"]["county"] == "高雄市" and needs["scope"] == "高雄市"
    centre = api_client(app, "nc").get("/api/v1/statistics/centres/nknu", {"year": "114"}).json
    assert centre["scope"] == "全國" and {t["key"] for t in centre["tables"]} >= {"centres"}
    taipei = api_client(app, "tp-rev")
    units = taipei.get("/api/v1/statistics/centres/taipei", {"year": "114"}).json["tables"][0]
    assert [r["label"] for r in units["rows"]] == ["臺北市立甲國民小學（353601）"]
    own = taipei.get("/api/v1/statistics/centres/taipei/needs", {"year": "114"}).json
    assert own["scope"] == "臺北市政府教育局" and "county" not in own["filters"]
    api_client(app, "ks-rev").get("/api/v1/statistics/centres/taipei", status=403)
    taipei.get("/api/v1/statistics/centres/nowhere", status=404)


def test_a_school_reads_its_teachers_hours_over_the_api(app, closed):
    answer = api_client(app, "a-admin").get("/api/v1/statistics/units/353601/teachers",
                                            {"year": "114"}).json
    assert [(t["login"], t["hours"]) for t in answer["teachers"]] == [("t2", 0), ("t1", 6),
                                                                     ("t0", 9)]
    assert answer["duty_hours"] == 18 and "national_id" not in answer["teachers"][0]
    api_client(app, "b-admin").get("/api/v1/statistics/units/353601/teachers", status=403)
    api_client(app, "a-admin").get("/api/v1/statistics/units/999999/teachers", status=404)


def test_the_menu_offers_the_learning_needs_to_the_national_and_county_levels(app, offered):
    def menu(who):
        return {a["href"].replace("http://localhost", "")
                for a in browser(app, who).get("/").html.select("nav a") if a.text == "進修儀表板"}
    assert menu("moe") == {"/learning-needs"} and menu("tp-rev") == {"/centres/taipei/learning-needs"}
    assert menu("a-admin") == set()
    footer = browser(app).get("/").html.select_one("footer")
    assert footer.find("a", string="統計專區")["href"].endswith("/figures")
