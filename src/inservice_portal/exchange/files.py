"""後端傳報 files: the records of a batch read from XLSX, CSV (UTF-8 or Big5, as Taiwanese
offices still export) or XML, into the rows importer.py checks. A file that cannot be read
at all (wrong encoding, no heading row, a missing column, an unsafe XML) is refused whole
with a reason in Chinese; nothing of it is imported.

Headings name a field by its code or its Chinese title (format.HEADINGS). Rows are numbered
as a spreadsheet shows them: the heading is row 1 (in XML, the first <record> is row 1).
"""
import csv
import io
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..uploads import archives, workbooks
from . import format as fmt

MAX_BYTES = 20 * 1024 * 1024       # a county's month of records is a few MB
MAX_ROWS = 100_000                 # a file may hold a county's month (an API batch: 10,000)
MAX_INFLATED = 200 * 1024 * 1024
KINDS = {"xlsx": "Excel（XLSX）", "csv": "CSV（UTF-8 或 Big5）", "xml": "XML"}


class Unreadable(ValueError):
    """The file as a whole cannot be read; ``str()`` says why, in Chinese."""


@dataclass
class Sheet:
    rows: list                     # (row number, {field: raw value}), blank rows left out
    headings: list                 # the file's own headings


def kind_of(filename: str) -> str:
    ext = (filename or "").rsplit(".", 1)[-1].lower()
    if ext not in KINDS:
        raise Unreadable("只接受 XLSX、CSV 或 XML 檔（請以副檔名區分）。")
    return ext


def read(data: bytes, filename: str) -> Sheet:
    kind = kind_of(filename)
    if len(data) > MAX_BYTES:
        raise Unreadable(f"檔案超過 {MAX_BYTES // (1024 * 1024)} MB，請分批傳報。")
    if not data:
        raise Unreadable("檔案是空的。")
    return READERS[kind](data)


def _table(lines) -> Sheet:
    """Rows of a heading line and data lines (lists of cells) into a Sheet."""
    headings = [str(h or "").strip() for h in next(lines, None) or ()]
    names = [fmt.HEADINGS.get(h.lstrip("\ufeff")) for h in headings]
    missing = [f.title for f in fmt.RECORD_FIELDS if f.required and f.name not in names]
    if missing:
        raise Unreadable("第 1 列須為欄位名稱；缺少必填欄位：" + "、".join(missing) + "。")
    unknown = [h for h, n in zip(headings, names) if n is None and h]
    if unknown:
        raise Unreadable("第 1 列有傳報格式以外的欄位：" + "、".join(unknown) + "。")
    rows = []
    for number, cells in enumerate(lines, 2):
        values = {n: v for n, v in zip(names, cells) if n is not None}
        if not any(str(v if v is not None else "").strip() for v in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise Unreadable(f"一個檔案至多 {MAX_ROWS:,} 筆紀錄，請分批傳報。")
        rows.append((number, values))
    if not rows:
        raise Unreadable("檔案沒有任何紀錄（第 1 列之後是空的）。")
    return Sheet(rows, headings)


def _csv(data: bytes) -> Sheet:
    for encoding in ("utf-8-sig", "cp950"):          # cp950: Big5 as Windows writes it
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unreadable("無法辨識檔案的文字編碼：請存成 UTF-8 或 Big5 的 CSV。")
    try:
        return _table(iter(csv.reader(io.StringIO(text, newline=""))))
    except csv.Error:
        raise Unreadable("CSV 格式不正確（引號或欄位分隔不成對）。") from None


def _xlsx(data: bytes) -> Sheet:
    try:
        book = workbooks.open_uploaded(data, MAX_INFLATED)
    except archives.TooLarge as problem:
        raise Unreadable(f"無法讀取檔案：{problem}") from None
    except workbooks.Damaged:
        raise Unreadable("無法讀取檔案：不是有效的 XLSX 檔。") from None
    try:
        return _table(iter(book.worksheets[0].iter_rows(values_only=True)))
    except Unreadable:
        raise
    except Exception:               # a sheet's XML damaged: read lazily, it fails here
        raise Unreadable("無法讀取檔案：XLSX 的工作表內容損毀。") from None
    finally:
        book.close()


def _xml(data: bytes) -> Sheet:
    """<records><record><national_id>…</national_id>…</record>…</records>; no DTD, no
    entities (defusedxml refuses them: a billion laughs never expands)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise Unreadable("XML 檔含有 DTD 或實體宣告，基於安全不予處理。") from None
    except Exception:                   # ParseError and the expat errors beneath it
        raise Unreadable("XML 格式不正確，無法解析。") from None
    if root.tag != "records":
        raise Unreadable("XML 的根元素須為 <records>。")
    rows = []
    for element in root:
        if element.tag != "record":
            raise Unreadable(f"<records> 之下只能有 <record>（看到 <{element.tag}>）。")
        if len(rows) >= MAX_ROWS:
            raise Unreadable(f"一個檔案至多 {MAX_ROWS:,} 筆紀錄，請分批傳報。")
        rows.append((len(rows) + 1, {child.tag: (child.text or "") for child in element}))
    if not rows:
        raise Unreadable("XML 沒有任何 <record>。")
    return Sheet(rows, [f.name for f in fmt.RECORD_FIELDS])


READERS = {"csv": _csv, "xlsx": _xlsx, "xml": _xml}
