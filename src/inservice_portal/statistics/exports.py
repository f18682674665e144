"""Statistics tables as files people open in Excel: XLSX (a sheet per table, numbers as
numbers, rates with one decimal) and CSV for open data (UTF-8 with a byte-order mark, so Excel
reads the Chinese; a label that starts like a formula is quoted as text)."""
import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .tables import FILL

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _lines(table):
    yield [table.heading, *(title for _, title in table.columns)]
    for row in (*table.rows, table.total):
        yield [row.label, *(row.figures.get(name) for name, _ in table.columns)]


def workbook(tables, period: str) -> Workbook:
    """A sheet per table; ``period`` says what the figures cover (a school year, a month)."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])      # Excel's limit on a sheet's name
        for line in _lines(table):
            sheet.append(line)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = max([12, *(len(str(r.label)) * 2 for r in table.rows)])
        for at, (name, _) in enumerate(table.columns, start=2):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=at, max_col=at):
                cell.number_format = "0.0" if name == FILL[0] else "#,##0.##"
        sheet.append([])
        sheet.append([period])
        if table.note:
            sheet.append([table.note])
    return book


def csv_bytes(table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in _lines(table):
        label = line[0]
        if isinstance(label, str) and label.startswith(FORMULA_STARTS):
            line[0] = "'" + label
        writer.writerow([_plain(value) for value in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _plain(value):
    """A figure as people write it: 8, not 8.0; nothing for a rate without seats."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
