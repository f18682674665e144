"""data/permission_matrix.yaml against its sources, cell by cell, then through the real ACLs.

The seed rows below are copied verbatim from the PDF-extracted seeds (tables flattened into one
line per row: cells separated by single spaces, a blank cell is an empty string, one trailing
space). A row whose label shared its line keeps the label in front of the cells.
"""
from types import SimpleNamespace

import pytest
from pyramid.traversal import resource_path

from inservice_portal import permissions, reference
from inservice_portal.bootstrap import make_root
from inservice_portal.resources.accounts import Staff
from inservice_portal.resources.organiser import Organiser
from inservice_portal.security import PortalSecurityPolicy

ON = "◎"

# 001 肆、教師進修網各層級單位功能權限一覽表 (001_7a704544414d8dbc.txt, lines 405–514).
SEED_001_COLUMNS = {   # header as printed → column key of the yaml
    "教育部": "ministry",
    "國立高雄師範大學": "national_centre",
    "教育部國教署": "k12ea",
    "各縣市政府教育局處": "county_bureau",
    "普通型高級中等學校課程推動工作圈": "curriculum_circle",
    "師資培育之大學": "teacher_education_university",
    "高級中等以下學校及幼兒園": "k12_school",
    "社教與法人機構": "social_education",
    "非學校型態實驗教育機構": "experimental_education",
    "高中課程學科中心": "subject_centre",
}
SEED_001 = {
    "研習課程登錄": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習資料管理上傳": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習課程資料確認": "◎ ◎ ◎ ◎ ◎      ",
    "自動審核功能設定": "◎ ◎ ◎ ◎ ◎      ",
    "自動審核瀏覽": "◎ ◎ ◎ ◎ ◎      ",
    "本單位研習課程瀏覽": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "本單位帳號管理": "◎ ◎ ◎ ◎ ◎ ◎ ◎  ◎  ",
    "轄下單位帳號管理": " ◎ ◎ ◎ ◎      ",
    "教師資料登錄": "      ◎  ◎  ",
    "修改本單位通訊資料": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "修改本縣市教師報表權限": " ◎ ◎ ◎       ",
    "修改個人基本資料": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "變更登入密碼": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "統計圖表(全國)": "◎ ◎         ",
    "統計圖表(縣市)": " ◎ ◎ ◎       ",
    "統計圖表(本校)": " ◎    ◎ ◎ ◎ ◎  ",
    "學科中心統計圖表": "    ◎      ",
}

# 000 附件二 §六 (000_f14b3bc2741436e9.txt, lines 2468–2684), the whole table: the yaml takes
# from it only the functions 001 does not have.
SEED_000_COLUMNS = {
    "教育部": "ministry",
    "國立高雄師範大學": "national_centre",
    "教育部國民及學前教育署": "k12ea",
    "各縣市政府教育局處": "county_bureau",
    "課務發展工作圈": "curriculum_circle",
    "師資培育之大學": "teacher_education_university",
    "高級中等以下學校及幼兒園": "k12_school",
    "社教與法人機構": "social_education",
    "高中課程學科中心": "subject_centre",
    "國教輔導群": "guidance_group",
}
SEED_000 = {
    "研習課程登錄": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習資料管理上傳": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習課程資料確認": "◎ ◎ ◎ ◎ ◎      ",
    "自動審核功能設定": "◎ ◎ ◎ ◎ ◎      ",
    "自動審核瀏覽": "◎ ◎ ◎ ◎ ◎      ",
    "本單位研習課程瀏覽": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "本單位帳號管理": "◎ ◎ ◎ ◎ ◎ ◎ ◎    ",
    "轄下單位帳號管理": " ◎ ◎ ◎ ◎      ",
    "教師資料登錄": "      ◎    ",
    "實習教師帳號管理": "     ◎     ",
    "實習教師資料上傳": "     ◎     ",
    "實習教師個別登錄": "     ◎     ",
    "修改本單位通訊資料": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習教學檔案分享": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "講師推薦": "講師推薦 ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "研習場所登錄": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "修改個人基本資料": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "變更登入密碼": "◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "統計圖表(全國)": "◎          ",
    "統計圖表(縣市)": "◎ ◎ ◎ ◎       ",
    "統計圖表(本校)": " ◎    ◎ ◎ ◎   ",
    "分區會議缺席紀錄": "◎ ◎ ◎ ◎       ",
    "學校本位教師進修研習規劃服務": "      ◎    ",
    "學校本位教師進修研習規劃服務操作說明": "      ◎    ",
    "Web Mail": "Web Mail ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
    "代理模式": "代理模式 ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ◎ ",
}

SEEDS = {"001": (SEED_001_COLUMNS, SEED_001), "000": (SEED_000_COLUMNS, SEED_000)}

# Which seed column each kind of unit reads (the yaml's documented borrowings).
KIND_COLUMNS = {
    "ministry": ("ministry", "ministry"),
    "national_centre": ("national_centre", "national_centre"),
    "k12ea": ("k12ea", "k12ea"),
    "county_bureau": ("county_bureau", "county_bureau"),
    "curriculum_circle": ("curriculum_circle", "curriculum_circle"),
    "teacher_education_university": ("teacher_education_university",
                                     "teacher_education_university"),
    "university": ("teacher_education_university", "social_education"),
    "k12_school": ("k12_school", "k12_school"),
    "social_education": ("social_education", "social_education"),
    "experimental_education": ("experimental_education", "k12_school"),
    "subject_centre": ("subject_centre", "subject_centre"),
    "guidance_group": ("subject_centre", "guidance_group"),
    # Art. 11 (7) as amended (004): no column names them; they read 社教與法人機構
    "local_agency": ("social_education", "social_education"),
    "community_college": ("social_education", "social_education"),
}

# Roles that can be held on each level (001 參二–參四).
CENTRE_ROLE = {"national": "national_centre", "k12ea": "centre_reviewer",
               "circle": "centre_reviewer", "county": "centre_reviewer"}
ORGANISER_ROLES = ("principal_admin", "contact", "operator")
# Where each organiser kind is reviewed (002 Art. 11): universities and social-education bodies
# by the national centre, schools by their county, subject centres by the circle.
ORGANISER_CENTRE = {"k12_school": "taipei", "teacher_education_university": "nknu",
                    "university": "nknu", "social_education": "nknu",
                    "subject_centre": "circle", "guidance_group": "k12ea",
                    "experimental_education": "taipei", "local_agency": "taipei",
                    "community_college": "taipei"}


def cells(label: str, line: str) -> list[str]:
    """The ten cells of a flattened row (see the module docstring)."""
    if line.startswith(label + " "):
        line = line[len(label) + 1:]
    assert line.endswith(" "), "a flattened row ends with one trailing space"
    parts = line[:-1].split(" ")
    assert len(parts) == 10 and set(parts) <= {ON, ""}, (label, parts)
    return parts


def yaml_cells(row) -> list[str]:
    assert len(row["cells"]) == 10 and set(row["cells"]) <= {ON, "."}
    return ["" if c == "." else c for c in row["cells"]]


MATRIX = permissions.matrix()


def test_seed_transcription_is_a_table():
    for _, rows in SEEDS.values():
        for label, line in rows.items():
            cells(label, line)


@pytest.mark.parametrize("table", ["001", "000"])
def test_yaml_columns_are_the_seed_columns(table):
    assert MATRIX["tables"][table]["columns"] == list(SEEDS[table][0].values())


def test_001_rows_are_the_seed_rows_cell_by_cell():
    rows = MATRIX["tables"]["001"]["rows"]
    assert [r["label"] for r in rows.values()] == list(SEED_001)
    for row in rows.values():
        assert yaml_cells(row) == cells(row["label"], SEED_001[row["label"]]), row["label"]


def test_000_rows_are_the_seed_rows_001_lacks_cell_by_cell():
    rows = MATRIX["tables"]["000"]["rows"]
    only_000 = [label for label in SEED_000 if label not in SEED_001]
    assert [r["label"] for r in rows.values()] == only_000
    assert len(only_000) == 11   # 實習教師×3, 資源分享區×3, 分區會議, 學校本位×2, Web Mail, 代理模式
    for row in rows.values():
        assert yaml_cells(row) == cells(row["label"], SEED_000[row["label"]]), row["label"]


def test_function_codes_are_unique_across_tables():
    codes = [c for t in MATRIX["tables"].values() for c in t["rows"]]
    assert len(codes) == len(set(codes)) == len(SEED_001) + 11


def test_unit_kinds_read_the_documented_columns():
    assert {k: (v["001"], v["000"]) for k, v in MATRIX["unit_kinds"].items()} == KIND_COLUMNS
    organiser_kinds = set(reference.vocabulary("organiser_kinds"))
    centre_kinds = {"national_centre", "k12ea", "county_bureau", "curriculum_circle"}
    assert set(KIND_COLUMNS) == organiser_kinds | centre_kinds | {"ministry"}


def seed_has(kind: str, code: str) -> bool:
    """The seed's cell for ``code`` in ``kind``'s column (001 first, else 000)."""
    for position, table in enumerate(("001", "000")):
        row = MATRIX["tables"][table]["rows"].get(code)
        if row is not None:
            columns, lines = SEEDS[table]
            index = list(columns.values()).index(KIND_COLUMNS[kind][position])
            return cells(row["label"], lines[row["label"]])[index] == ON
    raise KeyError(code)


ALL_CODES = list(permissions.functions())
CONTACT_LACKS = {"unit.accounts", "intern.accounts"}   # 本單位(實習教師)帳號管理, 001 參四(三)4(2)


def role_allows(role: str, code: str) -> bool:
    if role == "contact":
        return code not in CONTACT_LACKS
    if role == "operator":
        return code in MATRIX["roles"]["operator"]["functions"]
    return True


def test_role_definitions():
    assert set(MATRIX["roles"]["contact"]["except"]) == CONTACT_LACKS
    operator = set(MATRIX["roles"]["operator"]["functions"])
    assert {"course.create", "course.manage", "unit.courses", "stats.unit"} <= operator
    assert not operator & {"unit.accounts", "unit.teachers", "course.review", "intern.accounts"}
    assert operator <= set(ALL_CODES)
    for name in ("ministry_admin", "national_centre", "centre_reviewer", "principal_admin"):
        assert MATRIX["roles"][name]["functions"] == "all" and "except" not in MATRIX["roles"][name]


# --- through the real ACLs -------------------------------------------------------------------

def build_tree():
    root = make_root()
    units = {"ministry": (root, ("ministry_admin",))}
    for centre in root["centres"].values():
        units.setdefault(centre.unit_kind, (centre, (CENTRE_ROLE[centre.kind],)))
    for kind, centre_code in ORGANISER_CENTRE.items():
        unit = Organiser(f"9{len(units):05d}", f"測試{kind}", kind)
        root["centres"][centre_code].add(unit.code, unit, send_events=False)
        units[kind] = (unit, ORGANISER_ROLES)
    return root, units


def staff_on(unit, role, login="someone"):
    unit.grant(login, role)
    return Staff(login, "測試", unit=resource_path(unit), staff_type=role)


def permits(account, context, permission) -> bool:
    return bool(PortalSecurityPolicy().permits(SimpleNamespace(account=account), context,
                                                permission))


def test_every_kind_and_role_is_covered():
    _, units = build_tree()
    assert set(units) == set(KIND_COLUMNS)
    for kind, (unit, roles) in units.items():
        assert unit.unit_kind == kind
        assert permissions.roles_held_on(kind) == roles


@pytest.mark.parametrize("kind,role", [
    (kind, role) for kind in KIND_COLUMNS
    for role in (("ministry_admin",) if kind == "ministry" else
                 ("national_centre",) if kind == "national_centre" else
                 ("centre_reviewer",) if kind in ("k12ea", "county_bureau", "curriculum_circle")
                 else ORGANISER_ROLES)])
def test_role_on_unit_has_exactly_its_cells(kind, role):
    _, units = build_tree()
    unit = units[kind][0]
    account = staff_on(unit, role)
    got = {code for code in ALL_CODES if permits(account, unit, code)}
    expected = {code for code in ALL_CODES if seed_has(kind, code) and role_allows(role, code)}
    assert got == expected


def test_no_role_means_no_function():
    _, units = build_tree()
    stranger = Staff("stranger", "路人")
    for unit, _ in units.values():
        assert not any(permits(stranger, unit, code) for code in ALL_CODES)


def test_school_role_stays_in_its_school():
    root, _ = build_tree()
    taipei = root["centres"]["taipei"]
    school = taipei.add("100001", Organiser("100001", "甲校", "k12_school"), send_events=False)
    other = taipei.add("100002", Organiser("100002", "乙校", "k12_school"), send_events=False)
    account = staff_on(school, "principal_admin")
    assert permits(account, school, "course.create")
    for elsewhere in (other, taipei, root):
        assert not [c for c in ALL_CODES if permits(account, elsewhere, c)], elsewhere.title


def test_centre_reviewer_reviews_inside_its_schools_but_does_not_act_as_them():
    root, _ = build_tree()
    taipei, kaohsiung = root["centres"]["taipei"], root["centres"]["kaohsiung"]
    school = taipei.add("100001", Organiser("100001", "甲校", "k12_school"), send_events=False)
    far = kaohsiung.add("200001", Organiser("200001", "丙校", "k12_school"), send_events=False)
    reviewer = staff_on(taipei, "centre_reviewer")
    assert permits(reviewer, taipei, "course.review")
    assert permits(reviewer, school, "course.review")
    assert permits(reviewer, taipei, "course.create")           # its own unit's courses …
    for code in MATRIX["unit_scoped"]:                          # … but not the school's
        assert not permits(reviewer, school, code), code
    assert not [c for c in ALL_CODES if permits(reviewer, far, c)]
    assert not [c for c in ALL_CODES if permits(reviewer, kaohsiung, c)]
