"""data/course_form.yaml against 000 附件十 (the course registration form)."""
import re
import unicodedata
from pathlib import Path

import pytest

from inservice_portal import reference

SEED = Path(__file__).parents[2] / ".." / "shared" / "seeds" / "000_f14b3bc2741436e9.txt"
OTHER = "99"   # 「其他」 codes sit apart from the numbered run (11-99, 15-99)


@pytest.fixture(scope="module")
def form():
    return reference.load("course_form")


@pytest.fixture(scope="module")
def seed_form():
    """附件十 from the seed, whitespace removed (the PDF extraction breaks and spaces labels)
    and NFC-normalised (it prints some characters as CJK compatibility ideographs, e.g. U+F96B
    for 參; NFC maps them back and leaves full-width punctuation alone)."""
    if not SEED.exists():
        pytest.skip(f"seed text not available at {SEED.resolve()}")
    text = unicodedata.normalize("NFC", SEED.read_text("utf-8"))
    start = text.index("附件十、「全國教師在職進修資訊網」辦理研習單位研習課程登錄表")
    end = text.index("附件十一、", start)
    return re.sub(r"\s+", "", text[start:end])


def test_all_26_items_in_three_sections(form):
    assert sorted(form["items"]) == list(range(1, 27))
    in_sections = [n for section in form["sections"] for n in section["items"]]
    assert in_sections == list(range(1, 27))
    assert [s["title"] for s in form["sections"]] == ["課程訊息", "報名資訊", "其他"]


def test_every_vocabulary_belongs_to_one_item(form):
    used = [i["vocabulary"] for i in form["items"].values() if "vocabulary" in i]
    assert sorted(used) == sorted(form["vocabularies"])


@pytest.mark.parametrize("number, size", [(1, 8), (2, 2), (5, 6), (7, 4), (8, 3), (11, 6),
                                          (12, 6), (14, 6), (15, 16), (21, 12), (22, 4), (26, 2)])
def test_codes_are_complete_and_contiguous(form, number, size):
    item = form["items"][number]
    codes = list(form["vocabularies"][item["vocabulary"]])
    numbered = [c for c in codes if c.split("-")[1] != OTHER]
    assert numbered == [f"{number}-{k}" for k in range(1, size + 1)]
    others = [c for c in codes if c not in numbered]
    assert others == ([item["other"]] if "other" in item else [])


def test_item_titles_match_the_seed(form, seed_form):
    for number, item in form["items"].items():
        assert f"{number}{item['title']}" in seed_form, number


def test_every_label_matches_the_seed(form, seed_form):
    """Each "□code label" is printed, and the label is whole: what follows is the next box, a
    free-text blank (，：), the next item's number, or the end of the annex."""
    for vocabulary in form["vocabularies"].values():
        for code, label in vocabulary.items():
            printed = "□" + code + re.sub(r"\s+", "", label)
            at = seed_form.find(printed)
            assert at >= 0, printed
            rest = seed_form[at + len(printed):]
            assert rest == "" or re.match(r"[□，：\d]", rest), (printed, rest[:10])


@pytest.mark.parametrize("vocabulary, code, label", [
    ("class_types", "1-4", "非學分班 (專長認證研習)"),
    ("audience_titles", "15-4", "合格專任教師"),
    ("audience_titles", "15-3", "兼任行政職務教師(如主任、秘書、組長等)"),
    ("audience_titles", "15-16", "課後照顧人員"),
    ("delivery_modes", "11-5", "觀課議課"),
    ("funding_sources", "21-12", "無接受補助"),
])
def test_spot_checks(form, vocabulary, code, label):
    assert form["vocabularies"][vocabulary][code] == label


def test_stage_audiences_cover_every_school_stage(form):
    assert set(form["stage_audiences"]) == set(reference.vocabulary("school_stages"))
    codes = [c for cs in form["stage_audiences"].values() for c in cs]
    assert set(codes) <= set(form["vocabularies"]["audience_stages"])
