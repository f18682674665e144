"""Keeping the catalog's shape and contents current: the indexes this version defines, evolve
steps that change them, and ``inservice-portal reindex``."""
import transaction
from hypatia.catalog import Catalog
from hypatia.field import FieldIndex
from pyramid.traversal import find_root

from ..resources.interfaces import ICourse, IFolder, ISharedItem, ITeacher
from .discriminators import COMPACT_KEYWORD_INDEXES, INDEXES, KEYWORD_INDEXES, SearchableText
from .indexes import (RECORDS_MISSING, NeverRecorded, NoDocumentWeights, YearIndex,
                      index_classes)
from .objectmap import ObjectMap, resolve_path
from .text import PostingsIndex, make_text_index

CATALOGUED = (ICourse, ISharedItem, ITeacher)


def replace_outdated_indexes(catalog) -> list[str]:
    """Bring the indexes whose class this version changed up to date. A FieldIndex that is
    now a YearIndex is adopted (no document read); any other (``code`` → UniqueFieldIndex,
    keywords kept inline, the text index without scores) is dropped, for
    ``add_missing_indexes`` to make anew. Answers the names dropped."""
    dropped = []
    for name, cls in index_classes().items():
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
    classes = index_classes()
    discriminators = {**INDEXES, **KEYWORD_INDEXES, **COMPACT_KEYWORD_INDEXES}
    added = [name for name in (*classes, "text") if name not in catalog]
    for name in added:
        catalog[name] = (make_text_index(SearchableText()) if name == "text"
                         else classes[name](discriminators[name]))
    drop_unread_records(catalog)
    return added


def each_catalogued(root, savepoint_every=10_000):
    """(docid, object) for each object in the object map, with a savepoint now and then: an
    evolve step that changes a million objects must not hold them all in memory."""
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
    ensure_indexes(root)
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


def ensure_indexes(root):
    if getattr(root, "catalog", None) is None:
        root.catalog = make_catalog()
        root.objectmap = ObjectMap()


def index_object(obj):
    root = find_root(obj)
    ensure_indexes(root)
    docid = root.objectmap.add(obj)
    root.catalog.index_doc(docid, obj)


def unindex_object(obj):
    root = find_root(obj)
    docid = root.objectmap.remove(obj)
    if docid is not None:
        root.catalog.unindex_doc(docid)

