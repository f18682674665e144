"""研習名單 as an XLSX file (openpyxl): the template to download, and reading it back.

Columns: 帳號, 身分證統一編號 (masked in the download; a full number may be typed for a
walk-in), 姓名 (for reading only), then one column per session holding 出席 / 請假 / 缺席.
"""
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from ..uploads import archives, workbooks
from . import roster as roster_service

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_INFLATED = 30 * 1024 * 1024    # a roster of MAX_ROWS rows inflates to a few MB
HEAD = ("帳號", "身分證統一編號", "姓名")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadFile(Exception):
    pass


def saved(book) -> bytes:
    """The workbook as bytes, every cell as data: openpyxl writes a string starting with "="
    as a live formula, so a title or a name typed as =HYPERLINK(…) would run in Excel (issue
    22). The portal's exports hold no formulas of their own; each such cell is kept as text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def session_label(index, session) -> str:
    if isinstance(session, roster_service.WholeCourse):
        return f"場次{index + 1} {session.date.isoformat()}（全程）"
    return (f"場次{index + 1} {session.date.isoformat()} "
            f"{session.start.strftime('%H:%M')}-{session.end.strftime('%H:%M')}")


def template(course) -> bytes:
    sessions = roster_service.schedule(course)
    book = Workbook()
    sheet = book.active
    sheet.title = "研習名單"
    sheet.append([*HEAD, *(session_label(i, s) for i, s in enumerate(sessions))])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in roster_service.lines(course):
        sheet.append([line["login"], line["national_id"], line["name"],
                      *(roster_service.MARKS[m] for m in line["entry"].attendance)])
    if sessions:
        marks = DataValidation(type="list", formula1='"出席,請假,缺席"', allow_blank=False)
        sheet.add_data_validation(marks)
        last = chr(ord("D") + len(sessions) - 1) if len(sessions) <= 23 else "Z"
        marks.add(f"D2:{last}{MAX_ROWS}")
    for column, width in zip("ABC", (16, 18, 12)):
        sheet.column_dimensions[column].width = width
    return saved(book)


def read(data: bytes, sessions: int, known_sources: dict) -> list:
    """The rows of an uploaded roster (``roster.Row``), labelled 第 N 列; BadFile if it is
    not a workbook of the template's shape."""
    if len(data) > MAX_BYTES:
        raise BadFile("檔案超過 2 MB。")
    try:
        book = workbooks.open_uploaded(data, MAX_INFLATED)
    except archives.TooLarge as problem:
        raise BadFile(f"無法讀取檔案：{problem}") from None
    except workbooks.Damaged:
        raise BadFile("無法讀取檔案：請上傳由範本製作的 XLSX 檔。") from None
    sheet = book.worksheets[0]
    if (sheet.max_row or 0) > MAX_ROWS + 1:           # the sheet's declared dimension
        raise BadFile(f"名單最多 {MAX_ROWS} 列。")
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header or tuple(str(h or "").strip() for h in header[:3]) != HEAD:
        raise BadFile("檔案第一列須為範本的欄位名稱（帳號、身分證統一編號、姓名、各場次）。")
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise BadFile(f"名單最多 {MAX_ROWS} 列。")
        values = [("" if v is None else str(v).strip()) for v in values]
        if not any(values):
            continue
        login, national_id = (values + ["", ""])[:2]
        # A masked number (from the download) identifies nobody: the login does.
        who = login or ("" if "*" in national_id else national_id)
        marks = [v for v in values[3:3 + sessions]]
        marks += [""] * (sessions - len(marks))
        result.append(roster_service.Row(f"第 {number} 列", who, marks,
                                         known_sources.get(who, "upload")))
    book.close()
    return result
