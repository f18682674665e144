"""The school directory (accounts/school_directory.py): the ministry's school code list, read
from CSV or XLSX, compared with the portal, and applied: new schools under their Art. 11
centre, renames, closed and merged schools (staff disabled, courses and transcripts kept);
the operator command too."""
import io

import pytest
from openpyxl import Workbook

from inservice_portal.accounts import school_directory as directory

from ..conftest import add_course, add_organiser, add_staff, add_teacher
from .test_cli import ini, read, run  # noqa: F401  (the fixture, the reader, the runner)

HEAD = "學校代碼,學校名稱,縣市,設立別,學校類別,狀態,併入學校代碼\n"
LIST = (HEAD
        + "353601,臺北市大安區新名國民小學,臺北市,市立,國民小學,,\n"     # renamed
        + "353602,臺北市立乙國民小學,臺北市,市立,國民小學,停辦,\n"       # closed
        + "353603,臺北市立丙國民小學,臺北市,市立,國民小學,裁併,353601\n"   # merged
        + "193999,臺中市私立曉明高級中學,臺中市,私立,高級中等學校,,\n"      # new: Taichung's
        + "353604,臺北市立丁國民小學,臺北市,市立,國民小學,,\n")          # unchanged


@pytest.fixture
def schools(site):
    with site.edit() as root:
        first = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        closing = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        merging = add_organiser(root, "taipei", "353603", "臺北市立丙國民小學")
        add_organiser(root, "taipei", "353604", "臺北市立丁國民小學")
        add_staff(root, "b-admin", closing, "principal_admin")
        add_staff(root, "c-admin", merging, "principal_admin")
        add_staff(root, "a-admin", first, "principal_admin")
        add_teacher(root, "t-b", closing)
        add_course(root, merging, "丙校的研習", state="closed")


def test_the_list_is_compared_then_applied(site, schools):
    listed = directory.read(LIST.encode("utf-8-sig"), "schools.csv")
    changes = site.read(lambda root: [(c.kind, c.school.code)
                                      for c in directory.differences(root, listed)])
    assert changes == [("renamed", "353601"), ("closed", "353602"), ("merged", "353603"),
                       ("new", "193999")]
    with site.edit() as root:
        done = directory.apply(root, directory.differences(root, listed), "system",
                               "113 學年度停辦")
    assert done == {"renamed": 1, "closed": 1, "merged": 1, "new": 1}

    def after(root):
        centres = root["centres"]
        return (centres["taipei"]["353601"].title, centres["taipei"]["353602"].state,
                centres["taipei"]["353603"].state, centres["taipei"]["353603"].merged_into,
                centres["taichung"]["193999"].school_type,
                root["people"]["b-admin"].active, root["people"]["c-admin"].state,
                root["people"]["a-admin"].active, len(centres["taipei"]["353603"]),
                root["people"]["t-b"].school)
    assert site.read(after) == ("臺北市大安區新名國民小學", "closed", "merged", "353601",
                                "senior_high", False, "disabled", True, 1,
                                "/centres/taipei/353602")      # the teacher's history stays
    again = directory.read(LIST.encode(), "schools.csv")
    assert site.read(lambda root: directory.differences(root, again)) == []   # idempotent


def test_an_xlsx_list_reads_the_same():
    book = Workbook()
    for line in LIST.strip().split("\n"):
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    assert directory.read(out.getvalue(), "學校代碼.xlsx") == directory.read(LIST.encode(),
                                                                             "a.csv")


@pytest.mark.parametrize("text, line, message", [
    (HEAD + "35360A!,某校,臺北市,市立,國民小學,,\n", "第 2 列", "學校代碼"),
    (HEAD + "353601,某校,火星市,市立,國民小學,,\n", "第 2 列", "縣市「火星市」"),
    (HEAD + "353601,某校,臺北市,公辦民營,國民小學,,\n", "第 2 列", "設立別「公辦民營」"),
    (HEAD + "353601,某校,臺北市,市立,國民小學,裁併,\n", "第 2 列", "併入學校代碼"),
    ("代碼,名稱\n1,2\n", "第 1 列", "缺少欄位"),
])
def test_a_bad_file_names_each_bad_line(text, line, message):
    with pytest.raises(directory.BadDirectory) as bad:
        directory.read(text.encode(), "schools.csv")
    assert message in bad.value.problems[line]


def test_the_operator_command_shows_then_applies(ini, tmp_path):  # noqa: F811
    assert run(ini, "demo").returncode == 0
    listing = tmp_path / "schools.csv"
    listing.write_text(HEAD + "333621,臺北市大安區瑞安實驗國民小學,臺北市,市立,國民小學,,\n",
                       encoding="utf-8")
    shown = run(ini, "school-directory", str(listing))
    assert shown.returncode == 0 and "更名 333621 臺北市大安區瑞安實驗國民小學" in shown.stdout
    assert read(ini, lambda root: root["centres"]["taipei"]["333621"].title) == \
        "臺北市大安區瑞安國民小學"
    applied = run(ini, "school-directory", str(listing), "--apply")
    assert applied.returncode == 0 and "applied: 更名 1" in applied.stdout
    assert read(ini, lambda root: root["centres"]["taipei"]["333621"].title) == \
        "臺北市大安區瑞安實驗國民小學"
    bad = tmp_path / "bad.csv"
    bad.write_text("代碼\n1\n", encoding="utf-8")
    assert run(ini, "school-directory", str(bad)).returncode == 1


def test_the_ministry_page_previews_then_applies(app, site, schools):
    import webtest

    from ..conftest import browser, csrf_of

    with site.edit() as root:
        add_staff(root, "moe", root, "ministry_admin")
    ministry = browser(app, "moe")
    page = ministry.get("/school-directory")
    form = page.forms["directory-upload"]
    form["file"] = webtest.Upload("schools.csv", LIST.encode("utf-8-sig"))
    preview = form.submit("action", value="preview")
    assert "4 項變更" in preview.text and "原名：臺北市立甲國民小學" in preview.text
    assert site.read(lambda root: root["centres"]["taipei"]["353602"].state) == "active"
    done = preview.forms["directory-apply"].submit("action", value="apply").follow()
    assert "已套用學校代碼清單：更名 1 校、停辦 1 校、裁併 1 校、新增 1 校" in done.text
    assert site.read(lambda root: root["centres"]["taipei"]["353602"].state) == "closed"
    form = ministry.get("/school-directory").forms["directory-upload"]
    form["file"] = webtest.Upload("bad.csv", b"x\n1\n")
    assert "缺少欄位" in form.submit("action", value="preview", status=400).text
    browser(app, "a-admin").get("/school-directory", status=403)
