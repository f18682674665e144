"""The Chinese-aware splitter and lexicon, and the full-text index they feed."""
import pytest
from hypatia.text import TextIndex

from inservice_portal.catalog import SearchableText
from inservice_portal.chinese_text import CJKBigramSplitter, make_lexicon

TITLES = {
    1: "十二年國教五堂課多元評量--自然領域案例與實作",
    2: "國小英語繪本教學 Storytelling 工作坊",
    3: "校園性別平等教育研習",
    4: "Python 程式設計入門（ＰＹＴＨＯＮ）",
    5: "唐詩",
}


@pytest.mark.parametrize("text, words", [
    ("自然領域", ["自然", "然領", "領域", "域"]),
    ("研", ["研"]),
    ("ＡＢＣ abc", ["abc", "abc"]),
    ("2026年研習", ["2026", "年研", "研習", "習"]),   # digits stay one word
    ("", []),
])
def test_process_makes_bigrams_and_a_final_unigram(text, words):
    assert CJKBigramSplitter().process([text]) == words


def test_query_side_has_no_trailing_unigram_and_globs_single_characters():
    splitter = CJKBigramSplitter()
    assert splitter.processGlob(["自然領域"]) == ["自然", "然領", "領域"]
    assert splitter.processGlob(["詩"]) == ["詩*"]


class Doc:
    def __init__(self, text):
        self.text = text

    def searchable_text(self):
        return self.text


@pytest.fixture
def index():
    idx = TextIndex(SearchableText(), lexicon=make_lexicon())
    for docid, title in TITLES.items():
        idx.index_doc(docid, Doc(title))
    return idx


@pytest.mark.parametrize("query, expected", [
    ("自然領域", {1}),                 # the issue's own example
    ("研習", {3}),
    ("性別 研習", {3}),                # two words: both must match
    ("領域自然", set()),               # same characters, wrong order: no phrase match
    ("python", {4}),
    ("ＰＹＴＨＯＮ", {4}),             # full-width folds to half-width
    ("storytelling", {2}),
    ("詩", {5}),                        # one character, at the end of its run
    ("唐", {5}),                        # one character, at the start of its run
    ("評", {1}),                        # one character inside a run
    ("數學", set()),                   # 學 alone is indexed, but 數學 is not a word here
    ("教學", {2}),
    ("自然 OR 性別", {1, 3}),
])
def test_chinese_and_latin_queries(index, query, expected):
    assert set(index.apply(query).keys()) == expected
