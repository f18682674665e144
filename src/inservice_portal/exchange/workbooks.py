"""A batch's report as Excel opens it: the problems row by row, and the failing rows in the
format's columns with what is wrong with each (fix them and send them again)."""
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from ..attendance.roster_xlsx import saved
from . import format as fmt


def report(batch) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "檢查結果"
    sheet.append(["批次編號", batch.key])
    sheet.append(["筆數", batch.rows, "匯入", batch.imported,
                  "未通過", len({p["row"] for p in batch.problems})])
    sheet.append([])
    _heading(sheet, ["列", "欄位代碼", "欄位名稱", "說明"])
    for p in batch.problems:
        sheet.append([p["row"], p["field"], p["title"], p["message"]])
    _widths(sheet, (8, 18, 16, 60))
    return saved(book)


def rows_to_fix(batch) -> bytes:
    """The failing rows, in the format's columns, each with its problems in a last column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "待修正紀錄"
    names = [f.name for f in fmt.RECORD_FIELDS]
    _heading(sheet, [f.title for f in fmt.RECORD_FIELDS] + ["原列號", "錯誤說明"])
    why: dict = {}
    for p in batch.problems:
        why.setdefault(p["row"], []).append(f"{p['title']}：{p['message']}")
    for number, raw in batch.rejected_rows:
        sheet.append([_cell(raw.get(name)) for name in names]
                     + [number, "；".join(why.get(number, ()))])
    _widths(sheet, (18, 14, 30, 20, 12, 12, 8, 12, 8, 8, 60))
    return saved(book)


def _cell(value):
    """A raw value as a cell: dates stay dates (typed as text they stay text)."""
    if isinstance(value, (date, datetime, int, float, bool)) or value is None:
        return value
    return str(value)


def _heading(sheet, titles):
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _widths(sheet, widths):
    for column, width in zip("ABCDEFGHIJK", widths):
        sheet.column_dimensions[column].width = width
