"""Catalog upkeep by one writer (single_writer.py says why).

Indexing in the writer's own transaction made the catalog an object that every edit writes:
32 staff sharing handouts at once collided on the one set of docids of a state (and on
RelStorage on the BTree nodes every index write re-reads), and some got a 409. Now the event
subscribers only note the object in their connection's ``IndexInbox``, in the same
transaction; the ``Indexer`` then reconciles each noted object with the catalog — indexed
where it now stands, or unindexed if it left the tree — right after the commit, in a
transaction of its own. A search a few milliseconds after a change may not show it yet; code
that must search what its own transaction just wrote (the demo loader, tests) calls ``flush``.

The writer assigns a new object's docid itself (on its own object), so that the indexer never
writes a content object; the indexer alone writes the object map and the indexes.
"""
import logging

from pyramid.traversal import find_root, resource_path_tuple

from ..resources.ministry import APP_ROOT
from ..concurrency.single_writer import Inbox, Inboxes, SingleWriter, inbox_key, wake_after_commit
from .objectmap import DOCID, resolve_path
from .upkeep import index_object, unindex_object

log = logging.getLogger(__name__)

INBOX_ATTR = "_inservice_index_inbox"


class IndexInbox(Inbox):
    """One connection's noted objects, each (object, its path when noted)."""


class IndexQueue(Inboxes):
    inbox_class = IndexInbox


def queue_of(root) -> IndexQueue:
    queue = getattr(root, "index_queue", None)
    if queue is None:                     # a root older than evolve step 15
        queue = root.index_queue = IndexQueue()
    return queue


# --- the writers' side -----------------------------------------------------------------------

def note(obj, leaving=False):
    """Have ``obj`` reconciled with the catalog after this transaction commits (an added,
    changed or departing object alike: the indexer looks at where it then stands). A tree not
    stored yet has no concurrent writers: it is indexed at once."""
    root = find_root(obj)
    conn = root._p_jar
    if conn is None:
        return (unindex_object if leaving else index_object)(obj)
    txn = conn.transaction_manager.get()
    noted = _noted(txn)
    if id(obj) in noted:
        return
    noted[id(obj)] = obj                  # held: an id is unique only while the object lives
    path = resource_path_tuple(obj)
    root.objectmap.claim(obj, path)
    queue_of(root).add(conn, INBOX_ATTR, (obj, path))
    indexer = Indexer.writers().get(conn.db())
    if indexer is not None:
        wake_after_commit(txn, indexer)


_NOTED = object()


def _noted(txn) -> dict:
    try:
        return txn.data(_NOTED)
    except KeyError:
        noted = {}
        txn.set_data(_NOTED, noted)
        return noted


# --- the indexer's side ----------------------------------------------------------------------

def reconcile(root, obj, path):
    """Index ``obj`` where it stands now, or unindex it if it has left the tree."""
    objectmap, catalog = root.objectmap, root.catalog
    docid = getattr(obj, DOCID, None)
    here = resource_path_tuple(obj) if obj.__parent__ is not None else None
    if here is None or resolve_path(root, here) is not obj:
        if docid is not None and objectmap.path_for(docid) == tuple(path):
            catalog.unindex_doc(docid)
            objectmap.forget(docid)
        return
    known = objectmap.path_for(docid) if docid is not None else None
    if known is not None and known != here:
        holder = resolve_path(root, known)
        if holder is None or getattr(holder, DOCID, None) != docid:   # moved, not copied
            catalog.unindex_doc(docid)
            objectmap.forget(docid)
    objectmap.add(obj, here)            # (a copy beside its original gets a docid of its own)
    catalog.index_doc(getattr(obj, DOCID), obj)


def drain(root, keys=None) -> int:
    """Reconcile every noted object not yet reconciled (of the inboxes ``keys``, or all);
    one that fails is logged and skipped, never blocking the others. Returns how many."""
    done = 0
    for key, n, (obj, path) in queue_of(root).waiting(keys):
        try:
            reconcile(root, obj, path)
        except Exception:
            log.exception("catalog: could not reconcile %s (inbox %s, entry %s)",
                          "/".join(path), key, n)
        done += 1
    return done


def flush(root):
    """Reconcile what this connection's transaction has noted, now, in this transaction:
    for code that searches what it has just written (scripts, the demo loader)."""
    drain(root, [inbox_key(root._p_jar, INBOX_ATTR)])


class Indexer(SingleWriter):
    name = "catalog indexer"
    interval_setting = "catalog.index_interval"

    def work(self, conn):
        root = conn.root().get(APP_ROOT)
        if root is None or getattr(root, "index_queue", None) is None:
            return False, 0
        count = drain(root)
        return bool(count), count
