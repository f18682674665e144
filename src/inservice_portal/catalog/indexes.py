"""The index classes: hypatia's, made smaller where national scale made them large."""
from datetime import date

from BTrees.Length import Length
import BTrees
from hypatia import RangeValue
from hypatia.field import FieldIndex
from hypatia.keyword import KeywordIndex

from .discriminators import COMPACT_KEYWORD_INDEXES, INDEXES, KEYWORD_INDEXES, canonical


_marker = object()


class NeverRecorded(BTrees.family64.IF.Set):
    """An index's set of "documents without a value" that stays empty.

    hypatia records, in every index, each document the index has no value for: every course
    in the sharing area's indexes, every teacher in the course indexes: a large set that
    only its ``not…`` queries read. Only the indexes
    in ``RECORDS_MISSING`` keep theirs (``state.notany``); elsewhere this empty, inline set
    stands in for it."""

    def add(self, docid):
        return 0

    insert = add

    def remove(self, docid):
        pass


RECORDS_MISSING = {"content_type", "state"}


class NoDocumentWeights:
    """The text index's docid → word count map, which only relevance scoring reads; the
    catalogue never ranks by relevance (PostingsIndex)."""

    def __setitem__(self, docid, weight):
        pass

    def __delitem__(self, docid):
        pass

    def __getitem__(self, docid):
        return 0

    def __len__(self):
        return 0


class UniqueFieldIndex(FieldIndex):
    """A FieldIndex for a value no two documents share (the course code): value → docid and
    docid → value in two integer BTrees, instead of hypatia's one persistent docid set per
    value (a million records for a million courses). Answers the same queries and sorts."""

    def reset(self):
        self._fwd_index = self.family.II.BTree()
        self._rev_index = self.family.II.BTree()
        self._num_docs = Length(0)
        self._not_indexed = self.family.IF.TreeSet()

    def index_doc(self, docid, obj):
        value = self.discriminate(obj, _marker)
        if value is _marker:
            self.unindex_doc(docid)
            self._not_indexed.add(docid)
            return
        if docid in self._not_indexed:
            self._not_indexed.remove(docid)
        if self._rev_index.get(docid, _marker) == value:
            return
        holder = self._fwd_index.get(value)
        if holder is not None and holder != docid:
            raise ValueError(f"{value!r} is already indexed for another document")
        self.unindex_doc(docid)
        self._fwd_index[value] = docid
        self._rev_index[docid] = value
        self._num_docs.change(1)

    def unindex_doc(self, docid):
        if docid in self._not_indexed:
            self._not_indexed.remove(docid)
        value = self._rev_index.pop(docid, _marker)
        if value is not _marker:
            del self._fwd_index[value]
            self._num_docs.change(-1)

    def applyInRange(self, start, end, excludemin=False, excludemax=False):
        return self.family.IF.Set(self._fwd_index.values(
            start, end, excludemin=excludemin, excludemax=excludemax))

    def search(self, queries, operator="or"):
        sets = []
        for q in queries:
            lo, hi = q.as_tuple() if isinstance(q, RangeValue) else (q, q)
            sets.append(self.applyInRange(lo, hi))
        if not sets:
            return self.family.IF.Set()
        result = sets[0]
        combine = self.family.IF.intersection if operator == "and" else self.family.IF.union
        for other in sets[1:]:
            result = combine(result, other)
        return result

    def scan_forward(self, docids, limit=None, raise_unsortable=True):
        n = 0
        for docid in self._fwd_index.values():
            if docid in docids:
                n += 1
                yield docid
                if limit and n >= limit:
                    return


class CompactKeywordIndex(KeywordIndex):
    """A KeywordIndex whose reverse entries are tuples, stored inside the reverse BTree's
    buckets, instead of one persistent OOSet record per document (hypatia's)."""

    def index_doc(self, docid, obj):
        seq = self.discriminate(obj, _marker)
        if seq is _marker or not seq:
            if seq is _marker:
                self.unindex_doc(docid)
                self._not_indexed.add(docid)
            elif docid in self._rev_index:
                self.unindex_doc(docid)
            return
        if isinstance(seq, str):
            raise TypeError("seq argument must be a list/tuple of strings")
        if docid in self._not_indexed:
            self._not_indexed.remove(docid)
        words = canonical(tuple(sorted(set(self.normalize(seq)))))
        old = self._rev_index.get(docid)
        if old is not None:
            if tuple(old) == words:
                return
            self.unindex_doc(docid)
        self._insert_forward(docid, words)
        self._rev_index[docid] = words
        self._num_docs.change(1)


class YearIndex(FieldIndex):
    """A FieldIndex of date ordinals (``starts_on``) that also keeps each year's documents in
    one stored set, so that a range covering whole years (the search's 「2025 年」) is answered
    by that set instead of a union of 365 daily ones (query_plan.Range)."""

    def reset(self):
        super().reset()
        self._years = self.family.IO.BTree()       # year → docid TreeSet

    def index_doc(self, docid, obj):
        old = self._rev_index.get(docid)
        super().index_doc(docid, obj)   # (may call unindex_doc for a changed value)
        new = self._rev_index.get(docid)
        if old is not None and (new is None or _year(old) != _year(new)):
            self._leave_year(old, docid)
        if new is not None:
            members = self._years.get(_year(new))
            if members is None:
                members = self._years[_year(new)] = self.family.IF.TreeSet()
            members.insert(docid)

    def unindex_doc(self, docid):
        old = self._rev_index.get(docid)
        super().unindex_doc(docid)
        if old is not None:
            self._leave_year(old, docid)

    def _leave_year(self, ordinal, docid):
        members = self._years.get(_year(ordinal))
        if members is not None and docid in members:
            members.remove(docid)
            if not members:
                del self._years[_year(ordinal)]

    def cover(self, lo, hi):
        """The stored sets of the whole years within ``lo``…``hi`` (ordinals; None: open),
        and the (lo, hi) spans of days left over at either end."""
        if lo is None or hi is None:
            return [], [(lo, hi)]
        first = date.fromordinal(lo)
        first_whole = first.year if first == date(first.year, 1, 1) else first.year + 1
        last = date.fromordinal(hi)
        last_whole = last.year if last == date(last.year, 12, 31) else last.year - 1
        if first_whole > last_whole:
            return [], [(lo, hi)]
        sets = [s for _, s in self._years.items(first_whole, last_whole)]
        spans = []
        if lo < date(first_whole, 1, 1).toordinal():
            spans.append((lo, date(first_whole, 1, 1).toordinal() - 1))
        if hi > date(last_whole, 12, 31).toordinal():
            spans.append((date(last_whole, 12, 31).toordinal() + 1, hi))
        return sets, spans

    @classmethod
    def adopt(cls, old: FieldIndex) -> "YearIndex":
        """A YearIndex holding ``old``'s entries (evolve step 10), its year sets built from
        the daily ones: no document is read again."""
        new = cls(old.discriminator)
        new._fwd_index, new._rev_index = old._fwd_index, old._rev_index
        new._num_docs, new._not_indexed = old._num_docs, old._not_indexed
        by_year: dict = {}
        for ordinal, members in old._fwd_index.items():
            if ordinal is not None:
                by_year.setdefault(_year(ordinal), []).append(members)
        for year, sets in by_year.items():
            new._years[year] = new.family.IF.TreeSet(new.family.IF.multiunion(sets))
        return new


def _year(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


UNIQUE = {"code"}
YEARS = {"starts_on"}


def index_classes() -> dict:
    """The class of each index this version defines (the text index aside)."""
    classes = {name: UniqueFieldIndex if name in UNIQUE else YearIndex if name in YEARS
               else FieldIndex for name in INDEXES}
    classes.update({name: KeywordIndex for name in KEYWORD_INDEXES})
    classes.update({name: CompactKeywordIndex for name in COMPACT_KEYWORD_INDEXES})
    return classes
