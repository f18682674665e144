"""Counters kept by key (統計): a cube is a BTree of key tuples, each holding a
``BTrees.Length.Length``, whose conflict resolution adds concurrent changes instead of
refusing them. A registration and a course transition in two transactions never collide on a
counter they both move; only the first use of a new key writes the BTree itself.
"""
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent


class Cube(Persistent):
    """One measure (courses, registrations, …) by its key's dimensions; every key holds no
    None (keys are compared: a missing value is ""), and starts with the school year except in
    the one measure of today (``teachers``)."""

    def __init__(self, dimensions: tuple[str, ...]):
        self.dimensions = dimensions
        self.cells = OOBTree()

    def add(self, key: tuple, delta: int) -> None:
        if not delta:
            return
        cell = self.cells.get(key)
        if cell is None:
            self.cells[key] = Length(delta)
        else:
            cell.change(delta)

    def value(self, key: tuple) -> int:
        cell = self.cells.get(key)
        return cell() if cell is not None else 0

    def items(self, year=None):
        """(key, value) of every non-zero cell; with ``year``, those whose key starts with it."""
        cells = (self.cells.items(min=(year,), max=(year + 1,), excludemax=True)
                 if year is not None else self.cells.items())
        for key, cell in cells:
            value = cell()
            if value:
                yield key, value

    def starting(self, prefix: tuple):
        """(key, value) of the non-zero cells whose key starts with ``prefix`` (a key range:
        no bound past it is written, since the next dimension's values may be of any type)."""
        size = len(prefix)
        for key, cell in self.cells.items(min=prefix):
            if key[:size] != prefix:
                break
            value = cell()
            if value:
                yield key, value

    def values_by(self, dimension: str, year=None) -> dict:
        """The totals by one dimension (e.g. county), over the other dimensions."""
        at = self.dimensions.index(dimension)
        totals: dict = {}
        for key, value in self.items(year):
            totals[key[at]] = totals.get(key[at], 0) + value
        return totals

    def as_dict(self) -> dict:
        return dict(self.items())
