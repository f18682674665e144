"""Decompression bombs (archives.py): a small zip that declares, or inflates to, far more than
the bound is refused before anything reads it whole, with memory flat; sound files pass."""
import io
import resource
import zipfile

import pytest

from inservice_portal.uploads import archives
from inservice_portal.attendance import roster_xlsx
from inservice_portal.courses import attachments

MB = 1024 * 1024
DOCX_TYPES = (b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType='
              b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
              b'/></Types>')


def bomb(size=300 * MB, first=("[Content_Types].xml", DOCX_TYPES), entries=1) -> bytes:
    """A zip of ``size`` zero bytes (a few hundred KB compressed), behind a real first part."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr(*first)
        for n in range(entries):
            with package.open(f"xl/worksheets/sheet{n + 1}.xml", "w", force_zip64=True) as part:
                zeros = bytes(MB)
                for _ in range(size // MB // entries):
                    part.write(zeros)
    return out.getvalue()


@pytest.fixture(scope="module")
def big():
    return bomb()


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_bomb_is_refused_by_its_declared_size_with_memory_flat(big):
    assert len(big) < 2 * MB
    before = peak_mb()
    with pytest.raises(archives.TooLarge, match="解壓縮後超過 100 MB"):
        archives.check(big)
    with pytest.raises(attachments.Refused, match="解壓縮後超過"):
        attachments.check(io.BytesIO(big), "講義.docx")
    assert peak_mb() - before < 50


def test_a_roster_bomb_is_refused_before_openpyxl_reads_it(big):
    before = peak_mb()
    with pytest.raises(roster_xlsx.BadFile, match="解壓縮後超過 30 MB"):
        roster_xlsx.read(big, sessions=2, known_sources={})
    assert peak_mb() - before < 50


def test_sizes_that_lie_are_caught_by_counting(monkeypatch):
    """An archive whose headers understate its entries: inflating is counted, not trusted."""
    data = bomb(size=40 * MB)
    monkeypatch.setattr(zipfile.ZipInfo, "file_size", property(lambda self: 10, lambda s, v: None))
    with pytest.raises((archives.TooLarge, zipfile.BadZipFile)):
        archives.check(data, max_total=20 * MB)


def test_too_many_entries():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for n in range(archives.MAX_ENTRIES + 1):
            package.writestr(f"e{n}", b"")
    with pytest.raises(archives.TooLarge, match="項目超過"):
        archives.check(out.getvalue())


def test_a_sound_workbook_and_document_pass():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["帳號", "身分證統一編號", "姓名"])
    out = io.BytesIO()
    book.save(out)
    archives.check(out.getvalue())
    small = bomb(size=2 * MB)
    assert attachments.check(io.BytesIO(small), "講義.docx").filename == "講義.docx"


def test_a_damaged_zip_is_refused_plainly():
    data = bytearray(bomb(size=2 * MB))
    data[len(data) // 2] ^= 0xFF                      # a flipped byte in the deflated data
    with pytest.raises(attachments.Refused, match="已損毀|不是可接受"):
        attachments.check(io.BytesIO(bytes(data)), "講義.docx")


def test_an_encrypted_entry_is_refused_plainly():
    data = bytearray(bomb(size=MB))
    start = data.index(b"PK\x03\x04", 4)                 # the second entry's local header
    data[start + 6] |= 0x01                              # its "encrypted" flag …
    central = data.rindex(b"PK\x01\x02")                 # … and the central directory's
    data[central + 8] |= 0x01
    with pytest.raises(archives.DAMAGED):
        archives.check(bytes(data))
    with pytest.raises(attachments.Refused):
        attachments.check(io.BytesIO(bytes(data)), "講義.docx")
