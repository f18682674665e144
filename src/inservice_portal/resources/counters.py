"""Monotonic counters for codes that are never reused (課程代碼)."""
from persistent import Persistent


class Counter(Persistent):
    """A counter whose concurrent increments conflict instead of merging.

    Course codes must be unique, so two transactions that both took "the next code" must not
    both commit: no ``_p_resolveConflict`` here on purpose (a ``BTrees.Length`` would merge them).
    """

    def __init__(self, start: int = 0):
        self.value = start

    def next(self) -> int:
        self.value += 1
        return self.value
