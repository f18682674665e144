"""The catalog: hypatia indexes over the tree, kept current by one indexer (``queue``) that
the writers' event subscribers feed. Views query here and never walk the tree.

The modules: ``objectmap`` (docid → path), ``discriminators`` (what each index reads),
``indexes`` (the index classes), ``upkeep`` (the catalog's shape, reindexing), ``queue`` (the
writers' inboxes and the indexer), ``text`` (the CJK text index), ``query_plan`` (searches).
Stored objects name the classes by their paths in these modules; records written before the
split name them here, where they are still found (and evolve step 18 rewrites them).
"""
from ..resources.events import IObjectAdded, IObjectModified, IObjectWillBeRemoved
from . import queue
from .discriminators import (  # noqa: F401  (stored under inservice_portal.catalog.*)
    COMPACT_KEYWORD_INDEXES, INDEXES, KEYWORD_INDEXES, Attr, County, DateOrdinal, Hours,
    Keywords, LineageCode, LinkKeys, OnlyTrue, OpeningDate, ReviewFlagCodes, SearchableText,
    Value, canonical, link_key)
from .indexes import (  # noqa: F401
    CompactKeywordIndex, NeverRecorded, NoDocumentWeights, UniqueFieldIndex, YearIndex)
from .objectmap import DOCID, ObjectMap, resolve_path  # noqa: F401
from .upkeep import (  # noqa: F401
    CATALOGUED, add_missing_indexes, bring_up_to_date, each_catalogued, ensure_indexes,
    index_object, make_catalog, rebuild, reindex_all, unindex_object)


def ensure_catalog(root):
    """The catalog, its object map and the indexer's queue, made where missing."""
    ensure_indexes(root)
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
    """The course with this code (課程代碼), or None (also for what cannot be a code: the
    index holds 64-bit integers)."""
    if isinstance(code, str):
        code = code.strip()
        if not (code.isascii() and code.isdigit() and len(code) <= 12):
            return None
    try:
        code = int(code)
    except (TypeError, ValueError):
        return None
    search = Search(root)
    query = search["content_type"].eq("course") & search["code"].eq(code)
    return search.execute(query).first()



def on_added(event):
    queue.note(event.object)


def on_modified(event):
    queue.note(event.object)


def on_removed(event):
    queue.note(event.object, leaving=True)



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
