"""A mapping spread over many small BTrees, for keys that many people add at once.

Login sessions and API tokens are keyed by random strings and added by every login. In one
BTree, two logins at once land in the same bucket whenever the tree is small, and a bucket
split cannot be merged with a concurrent insert: the second login conflicts (the concurrency
tests saw 409s). Spread over ``SHARDS`` trees by a stable hash of the key, concurrent inserts
meet in one tree seldom, and each tree's splits stay its own.
"""
import zlib

from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.list import PersistentList

SHARDS = 256
_MISSING = object()


class ShardedMap(Persistent):
    def __init__(self, items=()):
        self.shards = PersistentList(OOBTree() for _ in range(SHARDS))
        for key, value in dict(items).items():
            self[key] = value

    def _shard(self, key: str) -> OOBTree:
        return self.shards[zlib.crc32(key.encode()) % len(self.shards)]

    def __getitem__(self, key):
        return self._shard(key)[key]

    def get(self, key, default=None):
        return self._shard(key).get(key, default)

    def __setitem__(self, key, value):
        self._shard(key)[key] = value

    def __delitem__(self, key):
        del self._shard(key)[key]

    def pop(self, key, default=_MISSING):
        if default is _MISSING:
            return self._shard(key).pop(key)
        return self._shard(key).pop(key, default)

    def __contains__(self, key):
        return key in self._shard(key)

    def items(self):
        for shard in self.shards:
            yield from shard.items()

    def keys(self):
        return [key for key, _ in self.items()]

    def values(self):
        return [value for _, value in self.items()]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return sum(len(shard) for shard in self.shards)
