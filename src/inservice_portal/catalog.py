"""The catalog: hypatia indexes over the tree, kept current by event subscribers.

hypatia needs integer document ids; the ``ObjectMap`` maps them to resource paths and back
(after Substance D's objectmap). Views query here and never walk the tree.
"""
import random

from BTrees.LOBTree import LOBTree
from BTrees.OOBTree import OOBTree
from hypatia.catalog import Catalog
from hypatia.field import FieldIndex
from hypatia.keyword import KeywordIndex
from hypatia.text import TextIndex
from persistent import Persistent
from pyramid.traversal import find_resource, find_root, resource_path_tuple

from .resources.events import IObjectAdded, IObjectModified, IObjectWillBeRemoved
from .resources.interfaces import ICourse, ITeacher
from .chinese_text import make_lexicon


class ObjectMap(Persistent):
    def __init__(self):
        self.path_to_id = OOBTree()
        self.id_to_path = LOBTree()

    def add(self, path: tuple) -> int:
        docid = self.path_to_id.get(path)
        if docid is None:
            # Random ids keep concurrent adds from contending for one "next id" (Substance D).
            docid = random.randrange(1, 2**62)
            while docid in self.id_to_path:
                docid = random.randrange(1, 2**62)
            self.path_to_id[path] = docid
            self.id_to_path[docid] = path
        return docid

    def remove(self, path: tuple) -> int | None:
        docid = self.path_to_id.pop(path, None)
        if docid is not None:
            del self.id_to_path[docid]
        return docid

    def docid_for(self, path: tuple) -> int | None:
        return self.path_to_id.get(path)


# Discriminators are stored inside the indexes, so they must pickle: small classes, not closures.
class Attr:
    def __init__(self, name):
        self.name = name

    def __call__(self, obj, default):
        return getattr(obj, self.name, default)


class DateOrdinal(Attr):
    def __call__(self, obj, default):
        value = getattr(obj, self.name, None)
        return value.toordinal() if value is not None else default


class SearchableText:
    """What the full-text index reads: ``obj.searchable_text()`` where a type defines it."""

    def __call__(self, obj, default):
        method = getattr(obj, "searchable_text", None)
        return method() if method is not None else default


class ReviewFlagCodes:
    """The codes of the reviewer's flags (review_flags.py), for filtering the worklist."""

    def __call__(self, obj, default):
        from .review_flags import flag_codes

        return flag_codes(obj) if hasattr(obj, "sessions") else default


class LineageCode:
    """The code of the course's organiser (up=1) or centre (up=2)."""

    def __init__(self, up):
        self.up = up

    def __call__(self, obj, default):
        node = obj
        for _ in range(self.up):
            node = getattr(node, "__parent__", None)
        return getattr(node, "code", default)


INDEXES = {
    "content_type": Attr("content_type"),
    "state": Attr("state"),
    "starts_on": DateOrdinal("starts_on"),
    "ends_on": DateOrdinal("ends_on"),
    "code": Attr("code"),
    "organiser": LineageCode(1),
    "centre": LineageCode(2),
    "stage": Attr("stage"),
    "auto_approved": Attr("auto_approved"),
    "school": Attr("school"),          # a teacher's current school (its path), or None
}
KEYWORD_INDEXES = {
    "flags": ReviewFlagCodes(),
}


def make_catalog() -> Catalog:
    catalog = Catalog()
    add_missing_indexes(catalog)
    return catalog


def add_missing_indexes(catalog) -> list[str]:
    """Create the indexes this version defines and the catalog lacks; return their names."""
    wanted = {name: lambda d=d: FieldIndex(d) for name, d in INDEXES.items()}
    wanted.update({name: lambda d=d: KeywordIndex(d) for name, d in KEYWORD_INDEXES.items()})
    wanted["text"] = lambda: TextIndex(SearchableText(), lexicon=make_lexicon())
    added = [name for name in wanted if name not in catalog]
    for name in added:
        catalog[name] = wanted[name]()
    return added


def reindex_all(root):
    """Index every catalogued object again (after new indexes; ``inservice-portal reindex``)."""
    for docid, path in list(root.objectmap.id_to_path.items()):
        obj = find_resource(root, path)
        root.catalog.index_doc(docid, obj)


def ensure_catalog(root):
    if getattr(root, "catalog", None) is None:
        root.catalog = make_catalog()
        root.objectmap = ObjectMap()


class Search:
    """A small facade: ``Search(root).query(q).sort('starts_on', limit=10)``."""

    def __init__(self, root):
        self.root = root
        self.catalog = root.catalog

    def __getitem__(self, index_name):
        return self.catalog[index_name]

    def resolve(self, docid):
        path = self.root.objectmap.id_to_path.get(docid)
        return find_resource(self.root, path) if path is not None else None

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
    docid = root.objectmap.add(resource_path_tuple(obj))
    root.catalog.index_doc(docid, obj)


def unindex_object(obj):
    root = find_root(obj)
    docid = root.objectmap.remove(resource_path_tuple(obj))
    if docid is not None:
        root.catalog.unindex_doc(docid)


def on_added(event):
    index_object(event.object)


def on_modified(event):
    index_object(event.object)   # index_doc on a known docid reindexes


def on_removed(event):
    unindex_object(event.object)


CATALOGUED = (ICourse, ITeacher)


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
