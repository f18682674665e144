"""Catalog queries that stay fast at national scale (a million courses).

hypatia's own query objects materialise every clause as a new set and intersect them by
walking both sides: with a million courses, ``state == "published"`` alone copies a
900,000-docid set on every request. Here each clause first says how many documents it would
match (cheap: the lengths of the stored sets), the smallest clause is materialised, and every
larger one is applied by looking each remaining docid up (``docid in stored_set``, or the
docid's value in the index's reverse map) instead of being built. Sorting then fetches only
the requested page: by N-best over the result when it is small, or by walking the sort index
in order and keeping the docids that are in the result when it is large.

The indexes are hypatia's FieldIndex and KeywordIndex (``_fwd_index``: value → docid set;
``_rev_index``: docid → value) and TextIndex results (docid → score); this module is the one
place that reads their internals.
"""
import heapq
import time
from itertools import islice

import BTrees
from hypatia.text import widcode

IF = BTrees.family64.IF
EMPTY = IF.Set()


# len() of a stored TreeSet reads every bucket of it: for ``state == "closed"`` at a million
# courses that is thousands of records, loaded into each connection's cache only to order the
# clauses. The sizes are remembered per process for a while: a stale size can only change the
# order of the plan, never its result.
SIZE_TTL = 60.0
_sizes: dict = {}


def stored_len(docids) -> int:
    oid = getattr(docids, "_p_oid", None)
    if oid is None or not isinstance(docids, IF.TreeSet):
        return len(docids)
    now = time.monotonic()
    known = _sizes.get(oid)
    if known is not None and now - known[0] < SIZE_TTL:
        return known[1]
    size = len(docids)
    _sizes[oid] = (now, size)
    return size


class Eq:
    """Documents whose value (or one of whose keywords) equals ``value``."""

    def __init__(self, index, value):
        self.index, self.value = index, value

    def stored(self):
        return self.index._fwd_index.get(self.value, EMPTY)

    def size(self) -> int:
        return stored_len(self.stored())

    def docids(self):
        return self.stored()          # the index's own set: read, never mutated

    def accepts(self):
        return self.stored().__contains__


class AnyOf:
    """Documents whose value is one of ``values`` (a FieldIndex). ``complete``: every document
    the other clauses can match has a value here, so the clause may be applied by taking the
    documents with any other value away (``outside``)."""

    def __init__(self, index, values, complete=False):
        self.index, self.values, self.complete = index, tuple(values), complete
        self.eqs = [Eq(index, v) for v in self.values]

    def _others(self):
        return [Eq(self.index, v) for v in self.index._fwd_index.keys() if v not in self.values]

    def outside_size(self) -> int:
        return sum(eq.size() for eq in self._others())

    def outside(self):
        return IF.multiunion([eq.stored() for eq in self._others()])

    def size(self) -> int:
        return sum(eq.size() for eq in self.eqs)

    def docids(self):
        if len(self.eqs) == 1:
            return self.eqs[0].docids()
        return IF.multiunion([eq.stored() for eq in self.eqs])

    def accepts(self):
        if len(self.eqs) == 1:
            return self.eqs[0].accepts()
        rev, values = self.index._rev_index, frozenset(self.values)
        return lambda docid: rev.get(docid) in values


EXACT_VALUES = 64


class Range:
    """Documents whose value is within ``lo``…``hi`` (either may be None: unbounded).
    ``complete`` as for AnyOf: the values below ``lo`` and above ``hi`` may be taken away."""

    def __init__(self, index, lo=None, hi=None, complete=False):
        self.index, self.lo, self.hi, self.complete = index, lo, hi, complete

    def _within(self):
        return [_span(self.lo, self.hi)]

    def _outside(self):
        below = [dict(max=self.lo, excludemax=True)] if self.lo is not None else []
        return below + ([dict(min=self.hi, excludemin=True)] if self.hi is not None else [])

    def _sets(self, spans):
        # (hypatia indexes a None value as a key, which sorts first: never in a range)
        return [s for span in spans
                for key, s in self.index._fwd_index.items(**span) if key is not None]

    def _size(self, spans) -> int:
        """Exact for a few values; for a wide range (``opens <= today`` spans every day of ten
        years) an estimate from the number of values, enough to order the clauses."""
        fwd = self.index._fwd_index
        values = sum(len(fwd.keys(**span)) for span in spans)
        if values <= EXACT_VALUES:
            return sum(len(s) for s in self._sets(spans))
        return values * self.index.indexed_count() // max(len(fwd), 1)

    def _cover(self):
        """Stored sets of whole years (a catalog.YearIndex) and the spans of days left."""
        cover = getattr(self.index, "cover", None)
        if cover is None:
            return [], self._within()
        years, spans = cover(self.lo, self.hi)
        return years, [_span(lo, hi) for lo, hi in spans]

    def size(self) -> int:
        years, spans = self._cover()
        return sum(stored_len(s) for s in years) + (self._size(spans) if spans else 0)

    def docids(self):
        years, spans = self._cover()
        sets = years + self._sets(spans)
        return sets[0] if len(sets) == 1 else IF.multiunion(sets)    # (one: read, never mutated)

    def outside_size(self) -> int:
        return self._size(self._outside())

    def outside(self):
        return IF.multiunion(self._sets(self._outside()))

    def accepts(self):
        years, spans = self._cover()
        if years and not spans:                  # whole years: their stored sets
            return years[0].__contains__ if len(years) == 1 else (
                lambda docid: any(docid in s for s in years))
        rev, lo, hi = self.index._rev_index, self.lo, self.hi

        def accept(docid):
            value = rev.get(docid)
            return value is not None and (lo is None or value >= lo) and (hi is None or value <= hi)

        return accept


def _span(lo, hi) -> dict:
    """BTree ``keys()``/``items()`` bounds for ``lo``…``hi`` (None: open)."""
    return {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}


class Matches:
    """A result computed elsewhere; ``verify`` (docid → bool), when given, is checked on the
    final result only, after the cheaper clauses have narrowed it."""

    def __init__(self, result, verify=None):
        self.result, self.verify = result, verify

    def size(self) -> int:
        return len(self.result)

    def docids(self):
        return self.result

    def accepts(self):
        return self.result.__contains__


def text_match(text_index, keyword: str, alternative=None) -> Matches:
    """Documents containing every whitespace-separated term of ``keyword`` (no relevance
    ranking: the catalogue sorts by date or code).

    Terms are split by the index's own lexicon (CJK runs → overlapping bigrams, Latin words
    whole, a lone CJK character → the glob 字*), and the docids come straight from the word
    postings, intersected in C — without computing a relevance score for every posting,
    which is what makes hypatia's own query slow on common bigrams. A term of several
    bigrams (自然領域 → 自然 然領 領域) must also appear as a phrase: checked against each
    remaining document's stored word sequence at the very end. ``alternative(term)`` may
    answer more docids for a term (a course code typed as the keyword).
    """
    lexicon, index = text_index.lexicon, text_index.index
    per_term, phrases = [], []
    for term in keyword.split():
        postings, wids = [], []
        for word in lexicon.parseTerms(term):
            if word.endswith("*"):
                postings.append(IF.multiunion(
                    [_docids(index, w) for w in lexicon.globToWordIds(word)]))
            else:
                wid = lexicon._wids.get(word)
                wids.append(wid)
                postings.append(_docids(index, wid) if wid is not None else EMPTY)
        found = _all_of(postings) if postings else EMPTY
        if len(wids) > 1 and found and None not in wids:
            phrases.append(widcode.encode(wids))
        extra = alternative(term) if alternative is not None else None
        if extra:
            found = IF.union(found, extra)
            # (a document found through the alternative need not contain the phrase)
            if phrases and len(wids) > 1:
                phrases.pop()
        per_term.append(found)
    if not per_term:
        return Matches(EMPTY)
    result = _all_of(per_term)
    verify = None
    if phrases:
        docwords = index._docwords

        def verify(docid):
            stored = docwords.get(docid, b"")
            return all(stored.find(code) >= 0 for code in phrases)

    return Matches(result, verify)


def _all_of(sets):
    sets = sorted(sets, key=len)
    result = sets[0]
    for other in sets[1:]:
        if not result:
            break
        result = IF.intersection(result, other)
    return result


def _docids(index, wid):
    """A word's documents: PostingsIndex's tuple or set, or OkapiIndex's dict or IFBTree."""
    posting = index._wordinfo.get(wid)
    if posting is None:
        return EMPTY
    if isinstance(posting, (tuple, dict)):
        return IF.Set(posting)
    return posting


# Intersect two materialised sets (a C merge) while the larger is at most this many times the
# smaller; beyond that, look the smaller's docids up in the larger one by one.
MERGE_RATIO = 4
# Take a complete clause's other values away (a C union and difference, cheap per docid) while
# they are at most this many times the result; beyond, look each docid up (a random probe into
# a big tree, far dearer per docid).
COMPLEMENT_RATIO = 20


def intersect(clauses):
    """The docids matching every clause (an IF set; possibly an index's own set: read only)."""
    sized = sorted(((c.size(), i, c) for i, c in enumerate(clauses)), key=lambda t: t[:2])
    if not sized:
        raise ValueError("at least one clause")
    result = sized[0][2].docids()
    for size, _, clause in sized[1:]:
        if not result:
            return EMPTY
        if size <= MERGE_RATIO * len(result):
            result = IF.intersection(result, clause.docids())
        elif (getattr(clause, "complete", False)
              and clause.outside_size() <= COMPLEMENT_RATIO * len(result)):
            result = IF.difference(result, clause.outside())
        else:
            accept = clause.accepts()
            result = IF.Set([docid for docid in result if accept(docid)])
    for clause in clauses:
        verify = getattr(clause, "verify", None)
        if verify is not None and result:
            result = IF.Set([docid for docid in result if verify(docid)])
    return result


def page(index, docids, reverse=False, offset=0, limit=20, lo=None, hi=None) -> list[int]:
    """Docids ``offset … offset+limit`` of ``docids`` ordered by ``index``'s value (ties by
    docid; documents without a value last). ``index`` is a FieldIndex with numeric values;
    ``lo``/``hi``, when given, bound the values of every docid (a range clause on the same
    index), so that a scan starts there."""
    want = offset + limit
    count = len(docids)
    if not count or offset >= count:
        return []
    # Walking the index in order checks about want × indexed / count docids if the result is
    # spread evenly over the values; N-best reads every docid of the result once. A result
    # bunched at the far end (courses open now, sorted newest first) would make the walk long:
    # it gives up after ``count`` docids and N-best answers instead.
    indexed = max(index.indexed_count(), 1)
    bounded = lo is not None or hi is not None     # (the walk covers the bounds only)
    ordered = None
    if bounded or want * indexed / count < count:
        ordered = _scan(index, docids, reverse, want, lo, hi, budget=count)
    if ordered is None:
        ordered = _nbest(index, docids, reverse, want)
    return ordered[offset:want]


def _nbest(index, docids, reverse, want) -> list[int]:
    rev = index._rev_index

    def key(docid):
        value = rev.get(docid)
        if value is None:
            return (1, 0, docid)
        return (0, -value if reverse else value, docid)

    return heapq.nsmallest(want, docids, key=key)


def _scan(index, docids, reverse, want, lo, hi, budget) -> list[int] | None:
    fwd = index._fwd_index
    found, checked = [], 0
    keys = _descending(fwd, lo, hi) if reverse else iter(fwd.keys(min=lo, max=hi))
    for value in keys:
        if value is None:        # sorted with the documents without a value: last
            continue
        entry = fwd[value]      # a docid set, or one docid (UniqueFieldIndex)
        for docid in (entry,) if isinstance(entry, int) else entry:
            if docid in docids:
                found.append(docid)
                if len(found) >= want:
                    return found
        checked += 1 if isinstance(entry, int) else len(entry)
        if checked > budget:
            return None
    if lo is not None or hi is not None:
        return None              # (the docids without a value are not within the bounds)
    # Fewer than wanted had a value: the rest come after, in docid order.
    seen = set(found)
    found += islice((d for d in docids if d not in seen), want - len(found))
    return found


def _descending(tree, lowest=None, highest=None, span=64):
    """The keys of an integer- (or number-) keyed BTree from ``highest`` (or the largest) down
    to ``lowest``, lazily (BTrees iterate forwards only): windows of growing width."""
    try:
        hi = tree.maxKey(highest) if highest is not None else tree.maxKey()
    except ValueError:
        return
    while hi is not None:
        lo = hi - span
        for key in reversed(list(tree.keys(min=lo, max=hi, excludemin=True))):
            if lowest is not None and key < lowest:
                return
            yield key
        try:
            hi = tree.maxKey(lo)
        except ValueError:
            return
        span *= 2
