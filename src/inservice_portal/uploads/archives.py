"""Zip archives that come in as uploads (XLSX rosters, office attachments, handouts), checked
before anything inflates them: a file of one megabyte can declare, or hide, gigabytes (a
decompression bomb). Each is refused unless its entries are few and their sizes, declared and
actual, stay within a bound; the actual sizes are counted by inflating in small chunks, so
memory stays flat whatever the archive holds.
"""
import io
import zipfile
import zlib

MAX_ENTRIES = 5000
MAX_TOTAL = 100 * 1024 * 1024      # uncompressed bytes of all entries together
CHUNK = 64 * 1024
# What a bad zip raises: also RuntimeError (an encrypted entry) and UnicodeDecodeError (a name)
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
           UnicodeDecodeError)


class TooLarge(ValueError):
    """An archive beyond the bounds; ``str()`` says which, in Chinese."""


def check(data: bytes, max_total: int = MAX_TOTAL, max_entries: int = MAX_ENTRIES):
    """Raise TooLarge for an archive that would inflate beyond ``max_total`` bytes or holds
    more than ``max_entries`` entries; one of DAMAGED for one that is not a sound zip."""
    limit = f"{max_total // (1024 * 1024)} MB"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        entries = package.infolist()
        if len(entries) > max_entries:
            raise TooLarge(f"壓縮檔內的項目超過 {max_entries} 個。")
        if sum(entry.file_size for entry in entries) > max_total:
            raise TooLarge(f"檔案解壓縮後超過 {limit}。")
        inflated = 0
        for entry in entries:
            with package.open(entry) as part:
                while chunk := part.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > max_total:
                        raise TooLarge(f"檔案解壓縮後超過 {limit}。")
