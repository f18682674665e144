"""An uploaded XLSX opened for reading, read-only, once the package's sizes are checked
(archives.py): a roster, a partner's records."""
import io

from openpyxl import load_workbook

from . import archives


class Damaged(ValueError):
    """Not a workbook openpyxl can open."""


def open_uploaded(data: bytes, max_inflated: int):
    """The workbook; archives.TooLarge when it would inflate too far, Damaged when it is
    not one."""
    try:
        archives.check(data, max_total=max_inflated)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except archives.TooLarge:
        raise
    except (*archives.DAMAGED, KeyError, ValueError, OSError):
        raise Damaged() from None
