"""The BTree folder: every container of the tree (after Substance D's ``Folder``)."""
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from zope.interface import implementer

from .events import ObjectAdded, ObjectWillBeRemoved, notify
from .interfaces import IFolder


class FolderKeyError(KeyError):
    pass


def check_name(name) -> str:
    """Names become URL segments and traversal keys: keep them plain."""
    if not isinstance(name, str) or not name:
        raise ValueError("name must be a non-empty string")
    if name in (".", "..") or name.startswith("@@") or "/" in name or name != name.strip():
        raise ValueError(f"{name!r} is not a valid name")
    return name


@implementer(IFolder)
class Folder(Persistent):
    __name__ = None
    __parent__ = None

    def __init__(self):
        self.data = OOBTree()
        self._num_objects = Length()

    def __getitem__(self, name):
        return self.data[name]

    def get(self, name, default=None):
        return self.data.get(name, default)

    def __contains__(self, name):
        return name in self.data

    def __len__(self):
        return self._num_objects()

    def __bool__(self):
        return True  # an empty folder is still a folder (a len() of 0 must not make it falsy)

    def keys(self, min=None, max=None):
        return self.data.keys(min, max)

    def values(self):
        return self.data.values()

    def items(self):
        return self.data.items()

    def __iter__(self):
        return iter(self.data.keys())

    def add(self, name, obj, send_events=True, registry=None):
        name = check_name(name)
        if name in self.data:
            raise FolderKeyError(f"{name!r} already exists")
        obj.__name__ = name
        obj.__parent__ = self
        self.data[name] = obj
        self._num_objects.change(1)
        if send_events:
            notify(ObjectAdded(obj, self, name), registry)
        return obj

    __setitem__ = add

    def remove(self, name, send_events=True, registry=None):
        obj = self.data[name]
        if send_events:
            notify(ObjectWillBeRemoved(obj, self, name), registry)
        del self.data[name]
        self._num_objects.change(-1)
        return obj

    __delitem__ = remove
