"""data/taxonomy.yaml and inservice_portal.courses.taxonomy against 000 附件十一 (the course taxonomy)."""
import re
import unicodedata
from pathlib import Path

import pytest

from inservice_portal import reference
from inservice_portal.courses import taxonomy

SEED = Path(__file__).parents[2] / ".." / "shared" / "seeds" / "000_f14b3bc2741436e9.txt"

STAGES = ["kindergarten", "elementary", "junior_high", "senior_high"]
STAGE_HEADINGS = {   # how the seed opens each stage's table
    "kindergarten": "1.幼兒園教師-在職進修研習課程內涵與細項",
    "elementary": "2.國小教師-在職進修研習課程內涵與細項",
    "junior_high": "3.國中教師-在職進修研習課程內涵與細項",
    "senior_high": "4.高級中等學校-教師在職進修研習課程內涵與細項",
}
SCOPES = [("1", "課程、教學及評量"), ("2", "班級經營與輔導"), ("3", "專業發展與責任"),
          ("4", "新興教育政策"), ("5", "學校行政與領導"), ("6", "實用知能與生活素養")]
UNLISTED = "6"   # 「課程內涵不分階，課程細項不明列」 in every stage
OTHER = 99       # 「其他」 closes a run where printed

# (contents, selectable sub-items) per scope, counted from the seed's printed codes.
COUNTS = {
    "kindergarten": {"1": (6, 55), "2": (3, 23), "3": (3, 21), "4": (3, 11), "5": (3, 25), "6": (0, 0)},
    "elementary": {"1": (7, 61), "2": (2, 22), "3": (3, 20), "4": (5, 5), "5": (2, 15), "6": (0, 0)},
    "junior_high": {"1": (7, 63), "2": (2, 22), "3": (3, 20), "4": (9, 9), "5": (2, 15), "6": (0, 0)},
    "senior_high": {"1": (7, 64), "2": (2, 22), "3": (3, 20), "4": (9, 9), "5": (2, 15), "6": (0, 0)},
}

SPOT_CHECKS = [   # (stage, code, label as the seed prints it, PDF line breaks joined)
    ("kindergarten", "1-2-7", "幼兒學習環境設計與規劃及實務案例"),
    ("kindergarten", "1-5", "重要議題融入課程"),
    ("kindergarten", "2-3-3", "基本救命術訓練"),
    ("kindergarten", "3-2-6", "教學輔導教保服務人員人際關係與溝通"),
    ("kindergarten", "4-2", "幼兒園教保活動課程暫行大綱進階課程(一)"),
    ("kindergarten", "5-1-11", "勞動基準法概論及勞動權益保障法及相關法規"),
    ("kindergarten", "5-2-3", "園長(含負責人及校長)的專業發展"),
    ("elementary", "1-3-3", "領域/科教材教法"),
    ("elementary", "1-5", "特殊教育"),
    ("elementary", "1-7-17", "交通安全教育"),
    ("elementary", "2-2-13", "學校社會工作"),
    ("elementary", "4-1", "十二年國民基本教育理念與實施策略"),
    ("junior_high", "1-5-5", "個別化教育計畫方案理論與實務"),
    ("junior_high", "1-7-18", "金融基礎教育"),
    ("junior_high", "4-4", "大學繁星、技職繁星推薦"),
    ("junior_high", "5-1-9", "學校或教師相關法規"),
    ("senior_high", "1-2-4", "單元教材分析"),
    ("senior_high", "1-2-5", "實作體驗或學習"),
    ("senior_high", "1-5-4", "特殊教育需求學生課程規劃與調整"),
    ("senior_high", "1-7-18", "職場倫理"),
    ("senior_high", "3-2-99", "其他"),
]

CODE = re.compile(r"^([1-6])-([1-9]\d*)(?:-([1-9]\d*))?$")


def compact(text: str) -> str:
    """Whitespace removed (the PDF extraction breaks and spaces labels) and NFC-normalised (it
    prints many characters as CJK compatibility ideographs)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def data():
    return reference.load("taxonomy")


@pytest.fixture(scope="module")
def seed_stages():
    """附件十一 from the seed, compacted, cut into the four stage tables and the closing
    「各階層用詞定義」 table; the page footer that falls inside the elementary table is removed."""
    if not SEED.exists():
        pytest.skip(f"seed text not available at {SEED.resolve()}")
    text = compact(SEED.read_text("utf-8"))
    start = text.index("附件十一、高級中等以下學校暨幼兒園教師在職進修研習範疇、課程內涵及細項統整表")
    end = text.index("附件十二、", start)
    text = re.sub(r"\d+年度全國教師在職進修資訊網\d+https://inservice\.edu\.tw", "", text[start:end])
    cuts = [text.index(STAGE_HEADINGS[s]) for s in STAGES] + [text.index("教師在職進修課程各階層用詞定義")]
    parts = {s: text[cuts[i]:cuts[i + 1]] for i, s in enumerate(STAGES)}
    parts["definitions"] = text[cuts[-1]:]
    return parts


def all_codes(stage):
    """Every code printed in a stage, in reading order, with its depth."""
    for scope, _ in taxonomy.scopes(stage):
        for content, _ in taxonomy.contents(stage, scope):
            yield content
            for code, _ in taxonomy.sub_items(stage, scope, content):
                if code != content:
                    yield code


def test_stages_in_seed_order():
    assert taxonomy.stages() == STAGES


@pytest.mark.parametrize("stage", STAGES)
def test_six_scopes_with_their_names(stage):
    assert taxonomy.scopes(stage) == SCOPES
    assert list(taxonomy.scope_names().items()) == SCOPES


@pytest.mark.parametrize("stage", STAGES)
def test_codes_are_well_formed_unique_and_nested(stage):
    codes = list(all_codes(stage))
    assert len(codes) == len(set(codes))
    for scope, _ in SCOPES:
        for content, _ in taxonomy.contents(stage, scope):
            m = CODE.match(content)
            assert m and m[3] is None and m[1] == scope, content
            for code, _ in taxonomy.sub_items(stage, scope, content):
                m = CODE.match(code)
                assert m and code.startswith(f"{scope}-"), code
                assert code == content or code.startswith(f"{content}-"), code


@pytest.mark.parametrize("stage", STAGES)
def test_numbers_run_from_one_with_99_for_other_last(stage):
    def check(codes):
        numbers = [int(c.rsplit("-", 1)[1]) for c in codes]
        run = [n for n in numbers if n != OTHER]
        assert run == list(range(1, len(run) + 1)), codes
        assert OTHER not in numbers or numbers[-1] == OTHER, codes
        for code in codes:
            assert taxonomy.label_of(stage, code) != "其他" or code.endswith(f"-{OTHER}"), code

    for scope, _ in SCOPES:
        contents = [c for c, _ in taxonomy.contents(stage, scope)]
        check(contents)
        for content in contents:
            subs = [c for c, _ in taxonomy.sub_items(stage, scope, content) if c != content]
            check(subs)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("scope", [code for code, _ in SCOPES])
def test_counts_and_every_listed_scope_has_sub_items(stage, scope):
    assert (len(taxonomy.contents(stage, scope)), len(taxonomy.sub_items(stage, scope))) \
        == COUNTS[stage][scope]
    if scope == UNLISTED:
        assert taxonomy.sub_items(stage, scope) == []
        assert taxonomy.scope_note(stage, scope) == "本範疇為個人學習與教學相關性較低，爰課程內涵不分階，課程細項不明列"
        assert not taxonomy.is_levelled(stage, scope)
    else:
        assert taxonomy.sub_items(stage, scope)
        assert taxonomy.scope_note(stage, scope) is None
        assert taxonomy.is_levelled(stage, scope)


def test_content_without_sub_items_is_itself_selectable():
    assert taxonomy.sub_items("elementary", "4") == [
        ("4-1", "十二年國民基本教育理念與實施策略"), ("4-2", "入學制度"),
        ("4-3", "身心障礙學生就學輔導"), ("4-4", "技職教育宣導"), ("4-99", "其他")]
    assert ("4-1", "幼兒園教保活動課程暫行大綱初階課程") not in taxonomy.sub_items("kindergarten", "4")
    assert taxonomy.sub_items("kindergarten", "4", "4-1")[0] == ("4-1-1", "認識課程暫綱內涵及架構")


@pytest.mark.parametrize("stage, code, label", SPOT_CHECKS)
def test_spot_labels(stage, code, label):
    assert taxonomy.label_of(stage, code) == label


@pytest.mark.parametrize("stage, code, label", SPOT_CHECKS)
def test_spot_labels_are_in_the_seed(seed_stages, stage, code, label):
    assert compact(code + label) in seed_stages[stage]


@pytest.mark.parametrize("stage", STAGES)
def test_every_scope_reads_as_the_seed_prints_it(seed_stages, stage):
    """Each scope's codes and labels, concatenated in reading order, are a run of the seed."""
    seed = seed_stages[stage]
    for scope, name in SCOPES:
        assert f"{scope}{name}課程細項" in seed
        run = "".join(f"{code}{label}" for code, label in taxonomy.contents(stage, scope)
                      for code, label in [(code, label), *((c, l) for c, l in
                                          taxonomy.sub_items(stage, scope, code) if c != code)])
        if scope == UNLISTED:
            assert run == ""
            assert f"{scope}{name}課程細項{taxonomy.scope_note(stage, scope)}" in seed
        else:
            assert compact(run) in seed, scope
    printed = re.findall(r"(?<![\d-])[1-6]-\d+(?:-\d+)?(?![\d-])", seed)
    assert printed == list(all_codes(stage))


@pytest.mark.parametrize("stage", STAGES)
def test_stage_level_help_is_the_seed_column(seed_stages, stage):
    levels = taxonomy.levels(stage)
    assert [lv["level"] for lv in levels] == [1, 2, 3, 4]
    headings = ["第一階基礎-瞭解、熟悉", "第二階進階-應用、分析", "第三階領導-整合、評價", "第四階研發-創新、推廣"]
    assert [lv["heading"] for lv in levels] == headings
    column = "".join(lv["heading"] + lv["help"] for lv in levels)
    assert compact(column) in seed_stages[stage]


def test_general_level_definitions(seed_stages):
    levels = taxonomy.levels()
    assert taxonomy.level_numbers() == [1, 2, 3, 4]
    assert [(lv["name"], lv["keywords"]) for lv in levels] == [
        ("基礎", "瞭解、熟悉"), ("進階", "應用、分析"), ("領導", "整合、評價"), ("研發", "創新、推廣")]
    for lv in levels:
        printed = (lv["heading"] + lv["help"] + f"1.課程代碼：{lv['example']['course_code']}"
                   f"2.課程名稱：{lv['example']['title']}")
        assert compact(printed) in seed_stages["definitions"], lv["level"]


def test_audiences_differ_by_stage_only_for_levels_3_and_4():
    seed_teacher = "學群科中心種子教師"
    for level in (1, 2):
        assert len({taxonomy.levels(s)[level - 1]["audience"] for s in STAGES}) == 1
    for level in (3, 4):
        by_stage = {s: taxonomy.levels(s)[level - 1]["audience"] for s in STAGES}
        assert [seed_teacher in by_stage[s] for s in STAGES] == [False, False, True, True]


def test_codes_mean_different_things_in_different_stages():
    assert taxonomy.label_of("kindergarten", "1-5") == "重要議題融入課程"
    assert taxonomy.label_of("elementary", "1-5") == "特殊教育"
    assert taxonomy.label_of("kindergarten", "1") == "課程、教學及評量"
    assert taxonomy.label_of("kindergarten", "1-7") is None
    assert taxonomy.label_of("nursery", "1") is None
    assert taxonomy.label_of("elementary", "7-1") is None


@pytest.mark.parametrize("stage, scope, sub_item, valid", [
    ("kindergarten", "1", "1-1-1", True),
    ("kindergarten", "2", "1-1-1", False),     # a sub-item of another scope
    ("kindergarten", "1", "1-1", False),       # a content that has sub-items
    ("kindergarten", "1", None, False),        # scopes 1-5 need a sub-item
    ("kindergarten", "2", "2-3-1", True),
    ("elementary", "2", "2-3-1", False),       # kindergarten only
    ("elementary", "2", "2-1-7", True),
    ("kindergarten", "2", "2-1-7", False),     # school stages only
    ("elementary", "1", "1-7-17", True),
    ("elementary", "1", "1-7-18", False),      # junior_high / senior_high only
    ("junior_high", "1", "1-7-19", True),
    ("senior_high", "1", "1-7-19", True),
    ("elementary", "4", "4-1", True),          # a content printed without sub-items
    ("kindergarten", "4", "4-1", False),
    ("kindergarten", "4", "4-1-1", True),
    ("elementary", "4", "4-5", False),
    ("junior_high", "4", "4-5", True),
    ("senior_high", "3", "3-2-99", True),
    ("senior_high", "3", "3-2-100", False),
    ("senior_high", "6", None, True),          # scope 6 lists no sub-items
    ("senior_high", "6", "", True),
    ("senior_high", "6", "6-1", False),
    ("senior_high", "7", None, False),
    ("nursery", "1", "1-1-1", False),
])
def test_is_valid(stage, scope, sub_item, valid):
    assert taxonomy.is_valid(stage, scope, sub_item) is valid


def test_unknown_stage_or_scope_is_a_key_error():
    with pytest.raises(KeyError):
        taxonomy.scopes("nursery")
    with pytest.raises(KeyError):
        taxonomy.sub_items("elementary", "7")


def test_data_header_documents_the_numbering(data):
    text = (Path(taxonomy.__file__).parents[1] / "data" / "taxonomy.yaml").read_text("utf-8")
    assert "Numbering:" in text.split("\nsource:")[0]
    assert data["source"].startswith("000 附件十一")
