"""The catalog: hypatia indexes over the tree, kept current by event subscribers.

hypatia needs integer document ids: each catalogued object keeps its own (``__docid__``) and
the ``ObjectMap`` maps them to resource paths (after Substance D's objectmap). Views query
here and never walk the tree.
"""
import random
import re
import sys
import unicodedata
from datetime import date

from BTrees.LOBTree import LOBTree
from BTrees.Length import Length
import BTrees
from hypatia import RangeValue
from hypatia.catalog import Catalog
from hypatia.field import FieldIndex
from hypatia.keyword import KeywordIndex
from persistent import Persistent
from pyramid.traversal import find_root, resource_path_tuple

from ..resources.events import IObjectAdded, IObjectModified, IObjectWillBeRemoved
from ..resources.interfaces import ICourse, ISharedItem, ITeacher
from .text import PostingsIndex, make_text_index
from . import queue


DOCID_LIMIT = 2**31
DOCID = "__docid__"           # the attribute holding a catalogued object's docid


class ObjectMap(Persistent):
    """docid → path. Each catalogued object carries its own docid (``__docid__``, as Substance
    D's objects carry ``__oid__``), so no map from path to docid is kept: at a million courses
    that map cost 38 MB of the catalog, against about 20 bytes in each object's own record."""

    def __init__(self):
        self.id_to_path = LOBTree()

    def add(self, obj, path: tuple | None = None) -> int:
        """The object's docid, given on its first cataloguing. ``path``: its resource path,
        when the caller knows it already."""
        path = path or resource_path_tuple(obj)
        docid = getattr(obj, DOCID, None)
        known = self.id_to_path.get(docid) if docid is not None else None
        if docid is None or (known is not None and known != path):   # (a copy: a new docid)
            docid = self._free_docid()
            setattr(obj, DOCID, docid)
            known = None
        if known is None:
            self.id_to_path[docid] = tuple(canonical(name) for name in path)
        return docid

    def claim(self, obj, path: tuple):
        """Give a new object (or a copy beside its original) a docid of its own, on the
        object only: the writer of the object does this, the map is the indexer's."""
        docid = getattr(obj, DOCID, None)
        known = self.id_to_path.get(docid) if docid is not None else None
        if docid is None or (known is not None and known != tuple(path)
                             and getattr(resolve_path_from(obj, known), DOCID, None) == docid):
            setattr(obj, DOCID, self._free_docid())

    def _free_docid(self) -> int:
        # Random ids keep concurrent adds from contending for one "next id" (Substance D).
        # Below 2**31 they pickle in 5 bytes instead of 9, and every index stores each
        # docid several times: a quarter less catalog at a million courses.
        docid = random.randrange(1, DOCID_LIMIT)
        while docid in self.id_to_path:
            docid = random.randrange(1, DOCID_LIMIT)
        return docid

    def remove(self, obj) -> int | None:
        """Forget the object (it keeps its docid: moved back in, it is the same document)."""
        docid = self.docid_for(obj)
        if docid is None:
            return None
        self.forget(docid)
        return docid

    def docid_for(self, obj) -> int | None:
        """The object's docid while the map has it at the object's path (a copy that was never
        catalogued carries its original's docid, and must not take its entries away)."""
        docid = getattr(obj, DOCID, None)
        if docid is None or self.id_to_path.get(docid) != resource_path_tuple(obj):
            return None
        return docid

    def path_for(self, docid: int) -> tuple | None:
        return self.id_to_path.get(docid)

    def forget(self, docid: int):
        """Drop a docid whose object is gone from the tree (``reindex``)."""
        self.id_to_path.pop(docid, None)


_SHARED: dict = {}
SHARED_LIMIT = 200_000       # distinct tuples kept (venue lists are free text): a few MB


def canonical(value):
    """One object per distinct value (strings interned, tuples shared). pickle's memo works by
    identity: a bucket holding "臺北市" for forty documents then stores it once and refers to it
    39 times, where a value read afresh from each object was stored 40 times over."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, tuple):
        value = tuple(canonical(v) for v in value)
        if len(_SHARED) >= SHARED_LIMIT:
            _SHARED.clear()
        return _SHARED.setdefault(value, value)
    return value


# Discriminators are stored inside the indexes, so they must pickle: small classes, not closures.
class Attr:
    def __init__(self, name):
        self.name = name

    def __call__(self, obj, default):
        return canonical(getattr(obj, self.name, default))


class DateOrdinal(Attr):
    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return value.toordinal() if value is not None else default


class OpeningDate(Attr):
    """A course's first day of registration; one without (a draft) as never opening, so that
    every course has a value and "opened by today" may be answered by taking the courses that
    open later away (query_plan's ``complete``). Objects without the attribute: no value."""

    NEVER = date.max.toordinal() + 1

    def __call__(self, obj, default):
        if not hasattr(obj, self.name):
            return default
        value = getattr(obj, self.name)
        return value.toordinal() if value is not None else self.NEVER


class Value(Attr):
    """An attribute whose ``None`` (a field not filled in yet) is left out of the index."""

    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return default if value is None else canonical(value)


class OnlyTrue(Attr):
    """A flag indexed only where it is set: queried with ``eq(True)``, and a million
    ``False`` entries would only take room."""

    def __call__(self, obj, default):
        return True if getattr(obj, self.name, False) else default


class Keywords(Attr):
    """A tuple attribute (audiences, delivery modes, tags) for a KeywordIndex."""

    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return canonical(list(value)) if value else default


class Hours:
    """The hours a full attendee is credited (credits × 18 for credit classes): a whole number
    as an int, which pickles in 2 bytes where a float takes 9 (7 MB at a million courses)."""

    def __call__(self, obj, default):
        value = getattr(obj, "approved_hours", None)
        if not value:
            return default
        value = float(value)
        return int(value) if value.is_integer() else value


class County:
    """The county (縣市): for a course its organiser's (where it is held), for a shared item
    its own (venues have one)."""

    def __call__(self, obj, default):
        holder = obj.__parent__ if ICourse.providedBy(obj) else obj
        return canonical(getattr(holder, "county", None)) or default


class SearchableText:
    """What the full-text index reads: ``obj.searchable_text()`` where a type defines it."""

    def __call__(self, obj, default):
        method = getattr(obj, "searchable_text", None)
        return method() if method is not None else default


class ReviewFlagCodes:
    """The codes of the reviewer's flags (review_flags.py), for filtering the worklist."""

    def __call__(self, obj, default):
        from ..courses.review_flags import flag_codes

        return flag_codes(obj) if hasattr(obj, "sessions") else default


class LineageCode:
    """The code of the course's organiser (up=1) or centre (up=2)."""

    def __init__(self, up):
        self.up = up

    def __call__(self, obj, default):
        node = obj
        for _ in range(self.up):
            node = getattr(node, "__parent__", None)
        return canonical(getattr(node, "code", default))


def link_key(text: str) -> str:
    """A name or place as the sharing area matches it: NFKC, without any white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


class LinkKeys:
    """What links a course and a shared item without anyone entering the link: the names of
    a course's lecturers (item 8) or its places (item 20 and the sessions' venues), and a
    recommended lecturer's name or a venue's name and address (``lecturer_names``/``places``)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, obj, default):
        if getattr(obj, "content_type", None) == "course":
            if self.name == "lecturer_names":
                values = [lecturer.get("name", "") for lecturer in obj.lecturers]
            else:
                values = [obj.place] + [session.venue for session in obj.sessions]
        else:
            values = getattr(obj, self.name, ())
        keys = sorted({link_key(v) for v in values} - {""})
        return canonical(keys) or default


INDEXES = {
    "content_type": Attr("content_type"),
    "state": Attr("state"),
    "starts_on": DateOrdinal("starts_on"),
    "ends_on": DateOrdinal("ends_on"),
    "code": Attr("code"),
    "organiser": LineageCode(1),
    "centre": LineageCode(2),
    "stage": Attr("stage"),
    "auto_approved": OnlyTrue("auto_approved"),
    # the sharing area (shared items only; courses have none of these attributes)
    "sharing_id": Attr("sharing_id"),
    "owner": Attr("owner"),
    "owner_centre": Attr("owner_centre"),
    # 研習課程查詢 (evolve step 2); a venue's own county for the sharing area
    "county": County(),
    "registration_opens": OpeningDate("registration_opens"),
    "registration_closes": DateOrdinal("registration_closes"),
    "scope": Value("scope"),
    "sub_item": Value("sub_item"),
    "level": Value("level"),
    "hours": Hours(),
    "school": Attr("school"),          # a teacher's current school (its path), or None
}
KEYWORD_INDEXES = {
    "flags": ReviewFlagCodes(),
    # the sharing area (``tags``: COMPACT_KEYWORD_INDEXES)
    "stages": Attr("stages"),
    "scopes": Attr("scopes"),
    "related_courses": Attr("related_courses"),
}
COMPACT_KEYWORD_INDEXES = {      # 研習課程查詢 (evolve step 2); every course has these
    # the sharing area's links, which index every course too (evolve step 8)
    "lecturer_names": LinkKeys("lecturer_names"),
    "places": LinkKeys("places"),
    "audience_stages": Keywords("audience_stages"),
    "audience_titles": Keywords("audience_titles"),
    "delivery_modes": Keywords("delivery_modes"),
    "tags": Keywords("tags"),
}


_marker = object()


class NeverRecorded(BTrees.family64.IF.Set):
    """An index's set of "documents without a value" that stays empty.

    hypatia records, in every index, each document the index has no value for: every course
    in the sharing area's indexes, every teacher in the course indexes — about 6 MB per
    million documents and index, for a set only its ``not…`` queries read. Only the indexes
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
    buckets, instead of one persistent OOSet record per document (hypatia's): ~90 bytes less
    per document and index."""

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
    by that set instead of a union of 365 daily ones (query_plan.Range): a third of a
    three-filter search at a million courses, for ~6 MB more."""

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


def _index_classes() -> dict:
    """The class of each index this version defines (the text index aside)."""
    classes = {name: UniqueFieldIndex if name in UNIQUE else YearIndex if name in YEARS
               else FieldIndex for name in INDEXES}
    classes.update({name: KeywordIndex for name in KEYWORD_INDEXES})
    classes.update({name: CompactKeywordIndex for name in COMPACT_KEYWORD_INDEXES})
    return classes


def replace_outdated_indexes(catalog) -> list[str]:
    """Bring the indexes whose class this version changed up to date. A FieldIndex that is
    now a YearIndex is adopted (no document read); any other (``code`` → UniqueFieldIndex,
    keywords kept inline, the text index without scores) is dropped, for
    ``add_missing_indexes`` to make anew. Answers the names dropped."""
    dropped = []
    for name, cls in _index_classes().items():
        index = catalog.get(name)
        if index is None or type(index) is cls:
            continue
        if cls is YearIndex and type(index) is FieldIndex:
            catalog[name] = YearIndex.adopt(index)
        else:
            del catalog[name]
            dropped.append(name)
    if "text" in catalog and not isinstance(catalog["text"].index, PostingsIndex):
        del catalog["text"]
        dropped.append("text")
    return dropped


def make_catalog() -> Catalog:
    catalog = Catalog()
    add_missing_indexes(catalog)
    return catalog


def drop_unread_records(catalog):
    """Empty what no query reads (``NeverRecorded``, ``NoDocumentWeights``). Nothing needs
    indexing again afterwards."""
    for name, index in catalog.items():
        if name == "text":
            if not isinstance(index.index._docweight, NoDocumentWeights):
                index.index._docweight = NoDocumentWeights()
        elif name not in RECORDS_MISSING and not isinstance(index._not_indexed, NeverRecorded):
            index._not_indexed = NeverRecorded()


def add_missing_indexes(catalog) -> list[str]:
    """Create the indexes this version defines and the catalog lacks; return their names."""
    classes = _index_classes()
    discriminators = {**INDEXES, **KEYWORD_INDEXES, **COMPACT_KEYWORD_INDEXES}
    added = [name for name in (*classes, "text") if name not in catalog]
    for name in added:
        catalog[name] = (make_text_index(SearchableText()) if name == "text"
                         else classes[name](discriminators[name]))
    drop_unread_records(catalog)
    return added


def resolve_path_from(obj, path):
    return resolve_path(find_root(obj), path)


def resolve_path(root, path):
    """The object at a catalogued path (('', 'centres', c, o, code)), or None, by plain item
    access: pyramid's find_resource costs more than a search for a page of twenty."""
    if path is None:
        return None
    obj = root
    try:
        for name in path[1:]:
            obj = obj[name]
    except KeyError:
        return None
    return obj


def each_catalogued(root, savepoint_every=10_000):
    """(docid, object) for each object in the object map, with a savepoint now and then: an
    evolve step that changes a million objects must not hold them all in memory."""
    import transaction

    for count, (docid, path) in enumerate(root.objectmap.id_to_path.items(), 1):
        obj = resolve_path(root, path)
        if obj is not None:            # (``reindex`` drops the entries of vanished objects)
            yield docid, obj
        if count % savepoint_every == 0:
            transaction.savepoint(optimistic=True)
            if root._p_jar is not None:
                root._p_jar.cacheGC()


def reindex_all(root, names=None):
    """Index every catalogued object again, in every index or in those ``names``."""
    indexes = [root.catalog[name] for name in names] if names is not None else [root.catalog]
    for docid, obj in each_catalogued(root):
        for index in indexes:
            index.index_doc(docid, obj)


def bring_up_to_date(root, also=()) -> list[str]:
    """Replace the outdated indexes, add the missing ones, and fill those (and ``also``) from
    the catalogued objects: what an evolve step that changes the catalog does. Answers the
    names filled."""
    replace_outdated_indexes(root.catalog)
    names = add_missing_indexes(root.catalog)
    names += [name for name in also if name not in names]
    if names:
        reindex_all(root, names)
    return names


def catalogued_objects(root):
    """Every object of a catalogued type, found by walking the folders (for ``reindex`` only:
    views never walk the tree)."""
    from ..resources.interfaces import IFolder

    stack = [root]
    while stack:
        folder = stack.pop()
        for obj in folder.values():
            if any(iface.providedBy(obj) for iface in CATALOGUED):
                yield obj
            if IFolder.providedBy(obj):
                stack.append(obj)


def rebuild(root, savepoint_every=5000) -> dict:
    """``inservice-portal reindex``: add the indexes this version defines, index every
    catalogued object found in the tree, and drop catalog entries whose object is gone."""
    import transaction

    ensure_catalog(root)
    replace_outdated_indexes(root.catalog)
    added = add_missing_indexes(root.catalog)
    seen = set()
    for count, obj in enumerate(catalogued_objects(root), 1):
        docid = root.objectmap.add(obj)
        seen.add(docid)
        root.catalog.index_doc(docid, obj)
        if count % savepoint_every == 0:
            transaction.savepoint(optimistic=True)   # bound the memory of a big reindex
    stale = [docid for docid in root.objectmap.id_to_path.keys() if docid not in seen]
    for docid in stale:
        root.catalog.unindex_doc(docid)
        root.objectmap.forget(docid)
    return {"indexed": len(seen), "removed": len(stale), "added_indexes": added}


def ensure_catalog(root):
    if getattr(root, "catalog", None) is None:
        root.catalog = make_catalog()
        root.objectmap = ObjectMap()
    queue.queue_of(root)


class Search:
    """A small facade: ``Search(root).query(q).sort('starts_on', limit=10)``."""

    def __init__(self, root):
        self.root = root
        self.catalog = root.catalog

    def __getitem__(self, index_name):
        return self.catalog[index_name]

    def resolve(self, docid):
        return resolve_path(self.root, self.root.objectmap.path_for(docid))

    def execute(self, query):
        return query.execute(resolver=self.resolve)


def find_course(root, code):
    """The course with this code (課程代碼), or None."""
    try:
        code = int(code)
    except (TypeError, ValueError):
        return None
    search = Search(root)
    query = search["content_type"].eq("course") & search["code"].eq(code)
    return search.execute(query).first()


def index_object(obj):
    root = find_root(obj)
    ensure_catalog(root)
    docid = root.objectmap.add(obj)
    root.catalog.index_doc(docid, obj)


def unindex_object(obj):
    root = find_root(obj)
    docid = root.objectmap.remove(obj)
    if docid is not None:
        root.catalog.unindex_doc(docid)


def on_added(event):
    queue.note(event.object)


def on_modified(event):
    queue.note(event.object)


def on_removed(event):
    queue.note(event.object, leaving=True)


CATALOGUED = (ICourse, ISharedItem, ITeacher)


def includeme(config):
    for iface in CATALOGUED:
        config.add_subscriber(_for(iface, on_added), IObjectAdded)
        config.add_subscriber(_for(iface, on_modified), IObjectModified)
        config.add_subscriber(_for(iface, on_removed), IObjectWillBeRemoved)


def _for(iface, handler):
    def subscriber(event):
        if iface.providedBy(event.object):
            handler(event)

    return subscriber
