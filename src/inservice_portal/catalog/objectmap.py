"""The object map: hypatia needs integer document ids. Each catalogued object keeps its own
(``__docid__``, as Substance D's objects keep ``__oid__``) and the map gives each docid's
resource path, so that a search answers objects, not numbers."""
import random

from BTrees.LOBTree import LOBTree
from persistent import Persistent
from pyramid.traversal import find_root, resource_path_tuple

from .discriminators import canonical


DOCID_LIMIT = 2**31
DOCID = "__docid__"           # the attribute holding a catalogued object's docid


class ObjectMap(Persistent):
    """docid → path. Each catalogued object carries its own docid (``__docid__``, as Substance
    D's objects carry ``__oid__``), so no map from path to docid is kept: a few bytes in each
    object's own record cost far less than a second BTree over every path."""

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
        # docid several times.
        # An index key, not a secret (bandit B311 accepted).
        docid = random.randrange(1, DOCID_LIMIT)  # nosec B311
        while docid in self.id_to_path:
            docid = random.randrange(1, DOCID_LIMIT)  # nosec B311
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

