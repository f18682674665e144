"""統計 (issue 17): the counters kept by the event subscribers agree with the data after any
mix of operations, the nightly recomputation finds and corrects drift, and the counters'
cells resolve concurrent changes instead of conflicting."""
import io
import random
from datetime import date, datetime

import pytest
import transaction
from openpyxl import load_workbook
from ZODB import DB
from ZODB.FileStorage import FileStorage

from inservice_portal import statistics
from inservice_portal.attendance import roster
from inservice_portal.bootstrap import APP_ROOT
from inservice_portal.registration.service import container
from inservice_portal.resources.registration import Registration
from inservice_portal.statistics import reports, tables
from inservice_portal.statistics.cubes import Cube
from inservice_portal.statistics.measures import school_year
from inservice_portal.statistics.rebuild import drift, fresh_figures, rebuild
from inservice_portal.workflows import api as workflow_api

from ..conftest import add_course, add_organiser, add_staff, add_teacher, browser, complete

COURSE_STEPS = ["submit", "approve", "return", "cancel", "submit_roster", "confirm_roster",
                "return_roster", "reopen"]
REGISTRATION_STEPS = ["accept", "reject", "waitlist", "promote", "withdraw", "reapply"]


def build(root):
    taipei = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
    kaohsiung = add_organiser(root, "kaohsiung", "583601", "高雄市立乙國民小學",
                              kind="university")
    for n in range(10):
        add_teacher(root, f"t{n}", taipei, national_id=f"A1{n:08d}"[:10])
    for n, (unit, day) in enumerate([(taipei, date(2025, 9, 3)), (taipei, date(2026, 3, 5)),
                                     (kaohsiung, date(2025, 10, 1)), (kaohsiung, date(2099, 5, 1)),
                                     (taipei, date(2099, 8, 1)), (kaohsiung, date(2026, 7, 31))]):
        complete(add_course(root, unit, f"研習{n}", state="draft", starts_on=day, hours=2 + n))
    add_course(root, taipei, "已公告研習", state="published", starts_on=date(2026, 1, 9))


def courses_of(root):
    return [unit[name] for centre, code in (("taipei", "353601"), ("kaohsiung", "583601"))
            for unit in [root["centres"][centre][code]] for name in unit]


def random_step(root, rng):
    course = rng.choice(courses_of(root))
    try:
        if rng.random() < 0.4:
            workflow_api.transition(course, None, rng.choice(COURSE_STEPS), reasons=["A"])
        elif rng.random() < 0.5 and course.state == "published":
            regs = container(course)
            login = f"t{rng.randrange(10)}"
            if login not in regs:
                reg = Registration(login, regs.next_seq(), course.first_day)
                regs.add(login, reg)
                workflow_api.start(reg, None, "register", actor=login)
        elif list(getattr(course, "registrations", None) or ()):
            reg = rng.choice(list(course.registrations.values()))
            workflow_api.transition(reg, None, rng.choice(REGISTRATION_STEPS))
    except workflow_api.TransitionNotAllowed:
        pass


def test_the_counters_agree_with_the_data_after_random_operations(site):
    with site.edit() as root:
        build(root)
    rng = random.Random(2026)
    for _ in range(400):
        with site.edit() as root:
            random_step(root, rng)
    def check(root):
        fresh = fresh_figures(root)
        assert drift(root, fresh) == {}
        # The mix reached every measure, in more than one state and place.
        assert len(fresh["courses"]) >= 2 and len(fresh["registrations"]) >= 3
        states = {key[-1] for key in fresh["registrations"]}
        assert len(states) >= 3 and "accepted" in states
        figures = {key[-1] for key in fresh["demand"]}
        assert {"courses", "registrations", "waitlisted", "cancelled"} <= figures
        # Each table read from the smallest roll-up holds what the full cube holds.
        for by, where in [("scope", {}), ("stage", {"county": "臺北市"}), ("delivery", {}),
                          ("month", {"county": "高雄市"}), ("sub_item", {"stage": "elementary"})]:
            assert reports.by_figure(root, "demand", 114, by, where) == from_full_cube(
                fresh["demand"], statistics.cube(root, "demand").dimensions, by, where)
        return fresh
    site.read(check)


def from_full_cube(cells, dims, by, where, year=114):
    totals: dict = {}
    for key, value in cells.items():
        if key[0] == year and all(key[dims.index(k)] == v for k, v in where.items()):
            figures = totals.setdefault(key[dims.index(by)], {})
            figures[key[-1]] = figures.get(key[-1], 0) + value
    return totals


def test_the_recomputation_corrects_drift(site):
    with site.edit() as root:
        build(root)
        course = courses_of(root)[0]
        course.state = "published"                    # past the subscribers, as an import might
        statistics.cubes_of(root)["courses"].add((999, 1, "", "", "", "", "", 0), 5)
    with site.edit() as root:
        found = rebuild(root)
        assert {name.split(":")[0] for name in found} == {"courses", "course_hours", "demand"}
        assert found["courses"][(999, 1, "", "", "", "", "", 0)] == (5, 0)
    assert site.read(lambda root: drift(root, fresh_figures(root))) == {}


def test_counts_by_county_and_school_year(site):
    with site.edit() as root:
        build(root)
        for course in [c for c in courses_of(root) if c.title in ("研習0", "研習1", "研習2")]:
            for step in ("submit", "approve"):
                workflow_api.transition(course, None, step)
    def figures(root):
        courses = statistics.cube(root, "courses")
        return courses.values_by("county", 114), courses.values_by("county", 115)
    year_114, year_115 = site.read(figures)
    # 114 學年度 runs 2025-08 to 2026-07: 研習0 and 研習1 in 臺北市, 研習2 in 高雄市, and the
    # course published from the start (2026-01-09) in 臺北市.
    assert year_114 == {"臺北市": 3, "高雄市": 1} and year_115 == {}
    assert school_year(date(2025, 7, 31)) == 113 and school_year(date(2025, 8, 1)) == 114


def test_concurrent_changes_to_one_counter_both_count(tmp_path):
    """Two transactions move the same cell: Length's conflict resolution adds both."""
    db = DB(FileStorage(str(tmp_path / "Data.fs")))
    first, second = transaction.TransactionManager(), transaction.TransactionManager()
    conn = db.open(transaction_manager=first)
    conn.root()["cube"] = cube = Cube(("year",))
    cube.add((114,), 1)
    first.commit()
    other = db.open(transaction_manager=second)
    cube.add((114,), 1)
    other.root()["cube"].add((114,), 1)
    first.commit()
    second.commit()
    first.begin()
    assert conn.root()["cube"].as_dict() == {(114,): 3}
    db.close()


# --- the pages ----------------------------------------------------------------------------

@pytest.fixture
def offered(site):
    with site.edit() as root:
        build(root)
        add_staff(root, "moe", root, "ministry_admin")
        add_staff(root, "nc", root["centres"]["nknu"], "national_centre")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "ks-rev", root["centres"]["kaohsiung"], "centre_reviewer")
        add_staff(root, "a-admin", root["centres"]["taipei"]["353601"], "principal_admin")
        for course in courses_of(root):
            if course.state == "draft" and course.first_day.year < 2099:
                for step in ("submit", "approve"):
                    workflow_api.transition(course, None, step)
        published = next(c for c in courses_of(root) if c.title == "研習1")
        regs = container(published)
        for n, step in enumerate(("accept", "accept", "waitlist", "withdraw")):
            reg = regs.add(f"t{n}", Registration(f"t{n}", regs.next_seq(), published.first_day))
            workflow_api.start(reg, None, "register", actor=f"t{n}")
            workflow_api.transition(reg, None, "withdraw" if step == "withdraw" else step)
    return site


def table_of(page, title):
    section = next(s for s in page.html.select("section") if s.h2 and s.h2.text == title)
    return {tr.th.text: [td.text for td in tr.select("td")]
            for tr in section.select("tbody tr, tfoot tr")}


@pytest.mark.parametrize("who, url", [("moe", "/statistics"), ("nc", "/centres/nknu/statistics")])
def test_the_national_figures_by_county_and_centre(app, offered, who, url):
    page = browser(app, who).get(url, {"year": "114"})
    assert "統計圖表（全國）" in page.text
    counties = table_of(page, "各縣市開課與報名")
    # 114 學年度: 研習0, 研習1 and the course published from the start in 臺北市 (hours
    # 2 + 3 + 3), 研習2 in 高雄市 (4 hours) and 研習5 (2026-07-31, 7 hours).
    assert counties["臺北市"][:2] == ["3", "8"] and counties["高雄市"][:2] == ["2", "11"]
    assert counties["臺北市"][2:] == ["3", "2", "1"]          # withdrawn is not counted
    assert counties["合計"][:3] == ["5", "19", "3"]
    centres = table_of(page, "各區管中心開課與報名")
    assert set(centres) == {"臺北市政府教育局", "高雄市政府教育局", "合計"}


def test_a_centre_sees_its_own_units_only(app, offered):
    page = browser(app, "tp-rev").get("/centres/taipei/statistics", {"year": "114"})
    assert "統計圖表（臺北市政府教育局）" in page.text
    units = table_of(page, "各辦理單位開課與報名")
    assert set(units) == {"臺北市立甲國民小學（353601）", "合計"}
    assert "高雄市立" not in page.html.select_one("main").text
    browser(app, "ks-rev").get("/centres/taipei/statistics", status=403)
    browser(app, "tp-rev").get("/statistics", status=403)


@pytest.mark.parametrize("who", ["a-admin", "t1"])
def test_schools_and_teachers_have_no_national_or_county_figures(app, offered, who):
    person = browser(app, who)
    person.get("/statistics", status=403)
    person.get("/centres/taipei/statistics", status=403)
    person.get("/centres/taipei/statistics.xlsx", status=403)
    assert "/login" in browser(app).get("/statistics", status=303).location


def test_the_figures_download_as_numbers_in_excel(app, offered):
    answer = browser(app, "moe").get("/statistics.xlsx", {"year": "114"})
    book = load_workbook(io.BytesIO(answer.body))
    assert book.sheetnames[:2] == ["各縣市開課與報名", "各區管中心開課與報名"]
    assert len(book.sheetnames) == 9 and book.sheetnames[-1] == "研習回饋問卷（全國共同題）"
    rows = list(book["各縣市開課與報名"].iter_rows(values_only=True))
    assert rows[0][:3] == ("縣市", "開設課程數", "提供研習時數")
    taipei = next(r for r in rows if r[0] == "臺北市")
    assert taipei[1:3] == (3, 8) and all(isinstance(v, (int, float)) for v in taipei[1:])


def test_the_menu_offers_statistics_to_the_levels_that_have_them(app, offered):
    def menu(who):
        return {a["href"].replace("http://localhost", "")
                for a in browser(app, who).get("/").html.select("nav a") if a.text == "統計圖表"}
    assert menu("moe") == {"/statistics"} and menu("nc") == {"/centres/nknu/statistics"}
    assert menu("tp-rev") == {"/centres/taipei/statistics"}
    assert menu("a-admin") == {"/centres/taipei/353601/statistics"}      # 本校


def test_evolve_27_counts_what_a_site_already_holds(site):
    from inservice_portal import evolve

    with site.edit() as root:                 # courses stored before the counters existed
        build(root)
        del root.statistics
        root.evolve_version = 26
    assert site.read(lambda root: root.statistics) is None
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    def figures(root):
        return statistics.cube(root, "courses").values_by("county", 114)
    assert site.read(figures) == {"臺北市": 1}          # the course published from the start


# --- teachers' hours (統計圖表(本校)) -------------------------------------------------------

@pytest.fixture
def closed(site):
    """Two schools; two courses of 114 學年度 closed: t0 at both (6 + 3 hours), t1 at the
    first (6 hours); t2 has none."""
    from .test_roster import add_ended_course

    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "a-op", school, "operator")
        add_staff(root, "b-admin", other, "principal_admin")
        for n, name in enumerate(("王老師", "李老師", "陳老師")):
            add_teacher(root, f"t{n}", school, name=name, national_id=f"A12345678{n}")
        course = add_ended_course(root, school, day=date(2025, 10, 6), state="roster_pending")
        roster.save(course, [roster.Row("1", "t0", ["present", "present"]),
                             roster.Row("2", "t1", ["present", "present"])], "a-admin")
        workflow_api.transition(course, None, "confirm_roster")
        short = add_ended_course(root, school, "短研習", day=date(2026, 5, 4), sessions=((9, 12),),
                                 hours=3, state="roster_pending")
        roster.save(short, [roster.Row("1", "t0", ["present"])], "a-admin")
        workflow_api.transition(short, None, "confirm_roster")
    return site


def test_closing_a_course_moves_its_teachers_hours(closed):
    def hours(root):
        school = root["centres"]["taipei"]["353601"]
        return reports.school_hours(root, 114, school), drift(root, fresh_figures(root))
    assert closed.read(hours) == ({"t0": 9, "t1": 6}, {})
    with closed.edit() as root:                       # reopened, t1 taken off the roster
        course = next(c for c in root["centres"]["taipei"]["353601"].values()
                      if c.title != "短研習")
        workflow_api.transition(course, None, "reopen")
        roster.save(course, [roster.Row("1", "t0", ["present", "present"])], "a-admin")
        workflow_api.transition(course, None, "submit_roster")
        workflow_api.transition(course, None, "confirm_roster")
    assert closed.read(hours) == ({"t0": 9}, {})


def test_the_school_sees_who_is_under_18_hours(app, closed):
    page = browser(app, "a-admin").get("/centres/taipei/353601/statistics", {"year": "114"})
    assert "共 3 位教師，其中 3 位未滿 18 小時" in page.html.select_one("main").text
    rows = [[cell.text.strip() for cell in tr.select("th, td")]
            for tr in page.html.select("table")[1].select("tbody tr")]
    assert [r[0].replace("的個人研習紀錄", "") for r in rows] == ["陳老師", "李老師", "王老師"]
    assert [r[2] for r in rows] == ["0", "6", "9"]
    assert rows[0][3].startswith("0 小時") and rows[1][3].startswith("未滿 18 小時")
    assert "A12345678" not in page.text                      # no national IDs here
    assert browser(app, "a-op").get("/centres/taipei/353601/statistics").status_int == 200
    browser(app, "b-admin").get("/centres/taipei/353601/statistics", status=403)
    browser(app, "t0").get("/centres/taipei/353601/statistics", status=403)


def test_a_unit_moved_to_another_centre_takes_its_figures_along(site):
    from inservice_portal.accounts.unit_move import move_unit

    with site.edit() as root:
        build(root)
        course = next(c for c in courses_of(root) if c.title == "已公告研習")
        regs = container(course)
        reg = regs.add("t1", Registration("t1", regs.next_seq(), course.first_day))
        workflow_api.start(reg, None, "register", actor="t1")
    with site.edit() as root:
        move_unit(None, root, "353601", "newtaipei", "轄屬調整")
    def figures(root):
        return (statistics.cube(root, "courses").values_by("centre", 114),
                statistics.cube(root, "registrations").values_by("centre", 114),
                drift(root, fresh_figures(root)))
    assert site.read(figures) == ({"newtaipei": 1}, {"newtaipei": 1}, {})


def test_a_teachers_hours_follow_the_teacher_to_another_school(closed):
    from inservice_portal.accounts import teachers

    with closed.edit() as root:
        teachers.move_to_school(root["people"]["t1"], root["centres"]["taipei"]["353602"])
        teachers.transfer_out(root["people"]["t0"], "retired")
    def hours(root):
        schools = root["centres"]["taipei"]
        return (reports.school_hours(root, 114, schools["353601"]),
                reports.school_hours(root, 114, schools["353602"]),
                drift(root, fresh_figures(root)))
    assert closed.read(hours) == ({}, {"t1": 6}, {})


def test_a_cancelled_course_takes_its_registrations_out_of_the_figures(offered):
    def registrations(root):
        return statistics.cube(root, "registrations").values_by("county", 114)
    assert offered.read(registrations) == {"臺北市": 4}       # 2 accepted, 1 waitlisted, 1 withdrawn
    with offered.edit() as root:
        course = next(c for c in courses_of(root) if c.title == "研習1")
        workflow_api.transition(course, None, "cancel")
    assert offered.read(registrations) == {}
    assert offered.read(lambda root: drift(root, fresh_figures(root))) == {}


def test_the_year_offered_first_is_the_present_school_year(app, offered, monkeypatch):
    from inservice_portal import clock

    with offered.edit() as root:          # a course of 2099 (187 學年度) published early
        far = next(c for c in courses_of(root) if c.title == "研習3")     # 2099-05-01
        for step in ("submit", "approve"):
            workflow_api.transition(far, None, step)
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 3, 1, 9, tzinfo=clock.TAIPEI))
    page = browser(app, "moe").get("/statistics")
    assert page.html.select_one("#f-year option[selected]")["value"] == "115"
    assert "此期間尚無資料" in page.text
    offered_years = [o["value"] for o in page.html.select("#f-year option")]
    assert offered_years == ["187", "115", "114"]           # the years held, not every between


class TestAgainstTheNightlyRun:
    """On a FileStorage, where ZODB resolves conflicts as in production."""

    @pytest.fixture
    def settings(self, base_settings, tmp_path):
        return dict(base_settings, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"})

    def test_a_course_counted_while_the_recomputation_runs_is_kept(self, site):
        from pyramid.threadlocal import manager

        with site.edit() as root:
            build(root)
            statistics.cubes_of(root)["courses"].add((114, 1, "", "", "", "", "", 0), 1)  # drift
        nightly = transaction.TransactionManager()
        conn = site.db.open(transaction_manager=nightly)
        manager.push({"registry": site.registry, "request": None})
        try:
            nightly.begin()
            found = rebuild(conn.root()[APP_ROOT])              # computed, not yet committed
            with site.edit() as root:             # meanwhile, a course published: same cube
                course = next(c for c in courses_of(root) if c.title == "研習0")
                for step in ("submit", "approve"):
                    workflow_api.transition(course, None, step)
            nightly.commit()
        finally:
            manager.pop()
            conn.close()
        assert "courses" in found
        assert site.read(lambda root: drift(root, fresh_figures(root))) == {}



def test_the_nation_sees_teachers_by_band_of_hours(app, closed):
    """t0 (9 hours) and t1 (6) are under 18 in 臺北市 and t2 has none; after a 12-hour course
    t0 has 21 and moves to 18–35, derived by the folder from the cells it changes, as a
    recount finds."""
    from .test_roster import add_ended_course

    def bands(root):
        return ({row.label: row.figures for row in tables.bands(root, 114).rows},
                drift(root, fresh_figures(root)))
    figures, found = closed.read(bands)
    assert found == {}
    assert (figures["臺北市"]["0 小時"], figures["臺北市"]["未滿 18 小時"]) == (1, 2)
    with closed.edit() as root:
        add_staff(root, "moe", root, "ministry_admin")
        school = root["centres"]["taipei"]["353601"]
        course = add_ended_course(root, school, "長研習", day=date(2026, 6, 1),
                                  sessions=((8, 20),), hours=12, state="roster_pending")
        roster.save(course, [roster.Row("1", "t0", ["present"])], "a-admin")
        workflow_api.transition(course, None, "confirm_roster")
    figures, found = closed.read(bands)
    assert found == {}
    assert (figures["臺北市"]["未滿 18 小時"], figures["臺北市"]["18–35 小時"]) == (1, 1)
    page = browser(app, "moe").get("/statistics", {"year": "114"})
    assert table_of(page, "教師研習時數區間（依縣市）")["臺北市"] == ["1", "1", "1", "0", "0"]
    assert table_of(page, "教師研習時數區間（依任教教育階段）")["國民小學"] == ["1", "1", "1", "0", "0"]


def test_teachers_without_hours_follow_the_accounts_made_and_left(closed):
    """The band of 0 hours is today's teachers less those with hours: a new account joins
    it at once, a teacher who left a school leaves it (and the stage table follows)."""
    from inservice_portal.accounts import teachers

    def none(root):
        return ({row.label: row.figures["0 小時"] for row in tables.bands(root, 114).rows},
                {row.label: row.figures["0 小時"]
                 for row in tables.bands_by_stage(root, 114).rows},
                drift(root, fresh_figures(root)))
    assert closed.read(none) == ({"臺北市": 1}, {"國民小學": 1}, {})
    with closed.edit() as root:
        school = root["centres"]["taipei"]["353602"]
        add_teacher(root, "new", school, stage="junior_high", national_id="B123456789")
    assert closed.read(none) == ({"臺北市": 2}, {"國民小學": 1, "國民中學": 1}, {})
    with closed.edit() as root:
        teachers.transfer_out(root["people"]["t2"], "retired")
        teachers.transfer_out(root["people"]["t1"], "left")     # t1 had hours: not in 0
    by_county, by_stage, found = closed.read(none)
    assert (by_county, by_stage["國民小學"], found) == ({"臺北市": 1}, 0, {})


def test_a_teacher_who_changes_stage_moves_with_the_hours(closed):
    """The stage is in the teachers' keys: a change moves the hours and the count, as a
    recount finds them (profile and 教師資料登錄 both go through set_stage)."""
    from inservice_portal.accounts import teachers

    with closed.edit() as root:
        teachers.set_stage(root["people"]["t0"], "junior_high")
    found = closed.read(lambda root: (
        {row.label: sum(row.figures.values()) for row in tables.bands_by_stage(root, 114).rows},
        drift(root, fresh_figures(root))))
    assert found == ({"國民小學": 2, "國民中學": 1}, {})
