"""The Chinese-aware splitter and lexicon, and the full-text index they feed."""
import pytest
from inservice_portal.catalog import SearchableText
from inservice_portal.catalog.text import BOUNDARY, CJKBigramSplitter, make_text_index

TITLES = {
    1: "十二年國教五堂課多元評量--自然領域案例與實作",
    2: "國小英語繪本教學 Storytelling 工作坊",
    3: "校園性別平等教育研習",
    4: "Python 程式設計入門（ＰＹＴＨＯＮ）",
    5: "唐詩",
    6: "大自然，然後呢",
}


@pytest.mark.parametrize("text, words", [
    ("自然領域", ["自然", "然領", "領域", BOUNDARY]),
    ("研", ["研"]),                                   # a run of one character stays itself
    ("ＡＢＣ abc", ["abc", "abc"]),
    ("2026年研習", ["2026", "年研", "研習", BOUNDARY]),   # digits stay one word
    ("自然，然後", ["自然", BOUNDARY, "然後", BOUNDARY]),
    ("", []),
])
def test_process_makes_bigrams_and_ends_each_run_with_a_boundary(text, words):
    assert CJKBigramSplitter().process([text]) == words


def test_query_side_has_no_boundary_and_globs_single_characters():
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
    idx = make_text_index(SearchableText())
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
    ("坊", {2}),
    ("呢", {6}),
    ("唐", {5}),                        # one character, at the start of its run
    ("評", {1}),                        # one character inside a run
    ("數學", set()),                   # 學 alone is indexed, but 數學 is not a word here
    ("教學", {2}),
    ("自然 OR 性別", {1, 3, 6}),
    ("然後", {6}),
    ("自然後", set()),                 # 自然，然後: the phrase does not join two runs
])
def test_chinese_and_latin_queries(index, query, expected):
    assert set(index.apply(query).keys()) == expected


def test_the_boundary_word_has_no_postings(index):
    boundary = index.lexicon.get_wid(BOUNDARY)
    assert boundary == index.index.boundary_wid
    assert boundary not in index.index._wordinfo
    assert boundary in index.index.get_words(1)        # (but stands in the word sequence)
    index.unindex_doc(1)
    assert set(index.apply("自然").keys()) == {6}


def test_words_added_later_are_found_by_one_character(index):
    assert set(index.apply("鯨").keys()) == set()       # (the endings are now known)
    index.index_doc(7, Doc("海洋鯨豚"))
    index.index_doc(8, Doc("小鯨"))
    assert set(index.apply("鯨").keys()) == {7, 8}


def test_an_aborted_transactions_words_are_not_remembered():
    """An aborted transaction's new words give their wids to other words later: the endings
    remembered for one-character queries must not keep them."""
    import transaction
    from ZODB import DB
    from ZODB.MappingStorage import MappingStorage

    db = DB(MappingStorage())
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    tm.begin()
    conn.root()["text"] = idx = make_text_index(SearchableText())
    idx.index_doc(1, Doc("海洋教育"))
    tm.commit()
    assert set(idx.apply("鯨").keys()) == set()         # (the endings are now known)
    idx.index_doc(2, Doc("小鯨"))
    assert set(idx.apply("鯨").keys()) == {2}           # seen by its own transaction
    tm.abort()
    idx.index_doc(3, Doc("大象"))                       # 大象 takes the wid 小鯨 had
    idx.index_doc(4, Doc("藍鯨"))
    tm.commit()
    assert set(idx.apply("鯨").keys()) == {4}
    assert set(idx.apply("象").keys()) == {3}
    conn.close()
    db.close()
