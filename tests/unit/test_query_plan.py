"""The catalog's query planner and its compact indexes, against brute force."""
import random
from datetime import date

import pytest
from hypatia.field import FieldIndex

from inservice_portal.catalog import (Attr, CompactKeywordIndex, Keywords, UniqueFieldIndex,
                                      YearIndex, make_catalog)
from inservice_portal.catalog.query_plan import IF, AnyOf, Eq, Range, intersect, page


class Doc:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.fixture(scope="module")
def docs():
    rng = random.Random(7)
    out = {}
    for n in range(1, 3001):
        docid = rng.randrange(1, 2**31)
        out[docid] = Doc(day=rng.randrange(0, 200) if n % 50 else None, code=n,
                         colour=rng.choice("rgb"), tags=tuple(rng.sample("wxyz", rng.randrange(0, 3))))
    return out


@pytest.fixture(scope="module")
def indexes(docs):
    day, code = FieldIndex(Attr("day")), UniqueFieldIndex(Attr("code"))
    colour, tags = FieldIndex(Attr("colour")), CompactKeywordIndex(Keywords("tags"))
    for docid, doc in docs.items():
        for index in (day, code, colour, tags):
            index.index_doc(docid, doc)
    return {"day": day, "code": code, "colour": colour, "tags": tags}


def brute(docs, key, reverse, wanted):
    have = [d for d in wanted if key(docs[d]) is not None]
    missing = sorted(d for d in wanted if key(docs[d]) is None)
    if reverse:
        have.sort(key=lambda d: (-key(docs[d]), d))
    else:
        have.sort(key=lambda d: (key(docs[d]), d))
    return have + missing


@pytest.mark.parametrize("share", [1.0, 0.5, 0.02])      # scan for big results, N-best for small
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("name", ["day", "code"])
def test_page_matches_a_full_sort(docs, indexes, share, reverse, name):
    rng = random.Random(int(share * 100))
    wanted = IF.Set(d for d in docs if rng.random() < share)
    expected = brute(docs, lambda doc: getattr(doc, name), reverse, list(wanted))
    for offset, limit in ((0, 20), (40, 20), (len(expected) - 5, 20), (len(expected) + 1, 5)):
        assert page(indexes[name], wanted, reverse, max(offset, 0), limit) == \
            expected[max(offset, 0):max(offset, 0) + limit]


def test_intersect_matches_brute_force(docs, indexes):
    clauses = [Eq(indexes["colour"], "r"), Range(indexes["day"], 20, 120),
               Eq(indexes["tags"], "x"), AnyOf(indexes["colour"], ["r", "g"])]
    expected = {d for d, doc in docs.items() if doc.colour == "r" and doc.day is not None
                and 20 <= doc.day <= 120 and "x" in doc.tags}
    assert set(intersect(clauses)) == expected
    assert set(intersect(clauses[:1])) == {d for d, doc in docs.items() if doc.colour == "r"}
    assert set(intersect([Range(indexes["day"], None, 3)])) == {
        d for d, doc in docs.items() if doc.day is not None and doc.day <= 3}


def test_complete_clauses_taken_away_match_brute_force(docs, indexes):
    """``complete`` clauses applied by subtracting the other values (every doc has a colour;
    the day clause is complete only among the docs that have a day)."""
    dated = Range(indexes["day"], 0, None)
    colours = AnyOf(indexes["colour"], ["r", "g"], complete=True)
    assert colours.outside_size() == len(indexes["colour"]._fwd_index["b"])
    for lo, hi in ((None, 150), (60, None), (60, 150)):
        late = Range(indexes["day"], lo, hi, complete=True)
        expected = {d for d, doc in docs.items() if doc.day is not None
                    and (lo is None or doc.day >= lo) and (hi is None or doc.day <= hi)
                    and doc.colour in "rg" and "x" in doc.tags}
        assert set(intersect([dated, Eq(indexes["tags"], "x"), colours, late])) == expected


@pytest.mark.parametrize("reverse", [False, True])
def test_page_within_bounds_and_for_a_result_bunched_at_one_end(docs, indexes, reverse):
    early = IF.Set(d for d, doc in docs.items() if doc.day is not None and doc.day < 15)
    expected = brute(docs, lambda doc: doc.day, reverse, list(early))
    # a newest-first walk meets the early docs only at its end: it gives up, N-best answers
    assert page(indexes["day"], early, reverse, 0, 20) == expected[:20]
    window = IF.Set(d for d, doc in docs.items() if doc.day is not None and 40 <= doc.day <= 90)
    expected = brute(docs, lambda doc: doc.day, reverse, list(window))
    for offset in (0, 30):
        assert page(indexes["day"], window, reverse, offset, 20, lo=40, hi=90) == \
            expected[offset:offset + 20]


DAY0 = date(2023, 11, 1).toordinal()


@pytest.fixture(scope="module")
def dated():
    """800 docs over three calendar years (late 2023 … early 2026), in a YearIndex."""
    rng = random.Random(11)
    docs = {docid: Doc(on=DAY0 + rng.randrange(0, 850) if docid % 40 else None)
            for docid in rng.sample(range(1, 2**31), 800)}
    index = YearIndex(Attr("on"))
    for docid, doc in docs.items():
        index.index_doc(docid, doc)
    return docs, index


def years_of(index):
    return {year: set(members) for year, members in index._years.items()}


def test_year_sets_follow_index_reindex_and_unindex(dated):
    docs, index = dated
    expected = {}
    for docid, doc in docs.items():
        if doc.on is not None:
            expected.setdefault(date.fromordinal(doc.on).year, set()).add(docid)
    assert years_of(index) == expected
    docid = next(d for d, doc in docs.items() if doc.on is not None)
    year = date.fromordinal(docs[docid].on).year
    index.index_doc(docid, Doc(on=date(2030, 6, 1).toordinal()))       # moved to another year
    assert docid in index._years[2030] and docid not in index._years.get(year, ())
    index.index_doc(docid, Doc(on=None))                                # no date any more
    assert 2030 not in index._years
    index.index_doc(docid, docs[docid])
    index.unindex_doc(docid)
    assert docid not in index._years.get(year, ())
    index.index_doc(docid, docs[docid])
    assert years_of(index) == expected


@pytest.mark.parametrize("lo,hi", [
    (date(2024, 1, 1), date(2024, 12, 31)),          # one whole year: its stored set
    (date(2024, 1, 1), date(2025, 12, 31)),          # two whole years
    (date(2023, 12, 15), date(2025, 1, 10)),         # days, a whole year, days
    (date(2024, 3, 1), date(2024, 3, 31)),           # no whole year
    (date(2024, 1, 2), date(2024, 12, 31)),          # a day short of a year
    (None, date(2024, 12, 31)), (date(2025, 1, 1), None)])
def test_ranges_over_a_year_index_match_brute_force(dated, lo, hi):
    docs, index = dated
    lo, hi = (d.toordinal() if d else None for d in (lo, hi))
    expected = {d for d, doc in docs.items() if doc.on is not None
                and (lo is None or doc.on >= lo) and (hi is None or doc.on <= hi)}
    clause = Range(index, lo, hi)
    assert set(clause.docids()) == expected
    whole_years = not index.cover(lo, hi)[1]
    if whole_years:                     # (long spans of days are estimated)
        assert clause.size() == len(expected)
    if (lo, hi) == (date(2024, 1, 1).toordinal(), date(2024, 12, 31).toordinal()):
        assert clause.docids() is index._years[2024]       # stored, not copied


def test_a_year_index_adopts_a_field_index(dated):
    docs, index = dated
    plain = FieldIndex(Attr("on"))
    for docid, doc in docs.items():
        plain.index_doc(docid, doc)
    adopted = YearIndex.adopt(plain)
    assert years_of(adopted) == years_of(index)
    assert set(Range(adopted, DAY0, DAY0 + 400).docids()) == set(
        Range(plain, DAY0, DAY0 + 400).docids())


def test_unique_index_answers_hypatia_queries_and_refuses_duplicates():
    index = UniqueFieldIndex(Attr("code"))
    index.index_doc(10, Doc(code=5))
    index.index_doc(11, Doc(code=7))
    assert list(index.applyEq(5)) == [10] and list(index.applyInRange(5, 7)) == [10, 11]
    assert list(index.sort([10, 11], reverse=True)) == [11, 10]
    with pytest.raises(ValueError):
        index.index_doc(12, Doc(code=5))
    index.index_doc(10, Doc(code=6))                       # reindex with a new value
    assert list(index.applyEq(5)) == [] and list(index.applyEq(6)) == [10]
    index.unindex_doc(10)
    assert index.indexed_count() == 1 and list(index.applyEq(6)) == []


def test_compact_keyword_index_reindexes_and_unindexes():
    index = CompactKeywordIndex(Keywords("tags"))
    index.index_doc(1, Doc(tags=("a", "b")))
    index.index_doc(2, Doc(tags=("b",)))
    assert set(index.applyEq("b")) == {1, 2} and index._rev_index[1] == ("a", "b")
    index.index_doc(1, Doc(tags=("c",)))
    assert set(index.applyEq("a")) == set() and set(index.applyEq("c")) == {1}
    index.index_doc(2, Doc(tags=()))
    assert set(index.applyEq("b")) == set() and index.indexed_count() == 1
    index.unindex_doc(1)
    assert index.indexed_count() == 0 and not list(index._fwd_index.keys())


def test_text_index_keeps_postings_without_scores():
    catalog = make_catalog()
    text = catalog["text"]
    text.index_doc(1, Doc(searchable_text=lambda: "自然領域 STEAM"))
    text.index_doc(2, Doc(searchable_text=lambda: "自然科學"))
    wid = text.lexicon._wids["自然"]
    assert text.index._wordinfo[wid] == (1, 2)
    assert set(text.applyContains("自然")) == {1, 2}          # hypatia's own query still works
    text.unindex_doc(1)
    assert text.index._wordinfo[wid] == (2,) and "steam" not in [
        text.lexicon.get_word(w) for w in text.index._wordinfo.keys()]
