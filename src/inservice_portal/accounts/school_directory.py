"""The school directory (學校代碼): the ministry's list of schools and their codes, which the
centres report changes to every 1 June and 1 December (000, 區管中心 duties: closed, new,
converted and merged schools). An operator imports the list (CSV or XLSX), sees what differs
from the portal, and applies it:

- a new school is registered under the centre Art. 11 names (organisers.register_organiser);
- a renamed school takes its new name;
- a closed school (狀態 停辦) is marked closed and its staff accounts are disabled; its
  teachers keep their transcripts (records live with the teacher);
- a merged school (狀態 裁併, 併入學校代碼) is marked merged into the other; its courses stay
  with it, history and records unchanged, and its staff accounts are disabled.

The file's columns, by their headings (any order; 狀態 and 併入學校代碼 may be absent):
學校代碼, 學校名稱, 縣市, 設立別 (國立 | 私立 | 直轄市立 | 縣立 | 市立), 學校類別 (幼兒園 |
國民小學 | 國民中學 | 完全中學 | 高級中等學校 | 高職 | 特殊教育學校), 狀態, 併入學校代碼.
"""
import csv
import io
from dataclasses import dataclass

from openpyxl import load_workbook

from .. import vocabularies
from ..uploads import archives
from ..resources.organiser import ACTIVE
from . import service as accounts_service
from . import staff
from .organisers import DuplicateOrganiser, find_organiser, register_organiser

CLOSED, MERGED = "closed", "merged"
COLUMNS = {"學校代碼": "code", "學校名稱": "name", "縣市": "county", "設立別": "ownership",
           "學校類別": "school_type", "狀態": "status", "併入學校代碼": "merged_into"}
OWNERSHIPS = {"國立": "national", "私立": "private", "直轄市立": "county", "縣立": "county",
              "市立": "county", "縣市立": "county"}
SCHOOL_TYPES = {"幼兒園": "kindergarten", "國民小學": "elementary", "國民中學": "junior_high",
                "完全中學": "complete_high", "高級中等學校": "senior_high", "高職": "vocational",
                "特殊教育學校": "special_education"}
STAGES = {"kindergarten": "kindergarten", "elementary": "elementary",
          "junior_high": "junior_high"}              # the others teach up to senior high
STATUSES = {"": ACTIVE, "辦理中": ACTIVE, "停辦": CLOSED, "裁併": MERGED}
MAX_ROWS = 20000
MAX_BYTES = 10 * 1024 * 1024


class BadDirectory(ValueError):
    """A file that cannot be read as the directory; ``problems``: line → what is wrong."""

    def __init__(self, problems: dict):
        self.problems = problems
        super().__init__("；".join(f"{line}：{text}" for line, text in problems.items()))


@dataclass(frozen=True)
class School:
    code: str
    name: str
    county: str
    ownership: str
    school_type: str
    status: str = ACTIVE
    merged_into: str = ""


def read(data: bytes, filename: str) -> list[School]:
    """The schools of a CSV (UTF-8) or XLSX file; BadDirectory naming every bad line."""
    if len(data) > MAX_BYTES:
        raise BadDirectory({"檔案": "超過 10 MB。"})
    rows = _xlsx_rows(data) if filename.lower().endswith(".xlsx") else _csv_rows(data)
    header = [str(h or "").strip() for h in next(rows, [])]
    missing = [h for h in list(COLUMNS)[:5] if h not in header]
    if missing:
        raise BadDirectory({"第 1 列": f"缺少欄位：{'、'.join(missing)}。"})
    schools, problems = [], {}
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise BadDirectory({"檔案": f"最多 {MAX_ROWS} 列。"})
        cells = {COLUMNS[h]: str(v or "").strip() for h, v in zip(header, values) if h in COLUMNS}
        if not any(cells.values()):
            continue
        school, problem = _school(cells)
        if problem:
            problems[f"第 {number} 列"] = problem
        else:
            schools.append(school)
    if problems:
        raise BadDirectory(problems)
    return schools


def _school(cells) -> tuple[School | None, str | None]:
    code = cells.get("code", "")
    if not (code.isascii() and code.isalnum() and 4 <= len(code) <= 10):
        return None, f"學校代碼「{code}」不正確。"
    if cells.get("county") not in vocabularies.counties():
        return None, f"縣市「{cells.get('county')}」不正確。"
    for field, table, title in (("ownership", OWNERSHIPS, "設立別"),
                                ("school_type", SCHOOL_TYPES, "學校類別"),
                                ("status", STATUSES, "狀態")):
        if cells.get(field, "") not in table:
            return None, f"{title}「{cells.get(field)}」不是可用的值。"
    status = STATUSES[cells.get("status", "")]
    if status == MERGED and not cells.get("merged_into"):
        return None, "裁併的學校請填「併入學校代碼」。"
    return School(code, cells.get("name") or code, cells["county"],
                  OWNERSHIPS[cells["ownership"]], SCHOOL_TYPES[cells["school_type"]], status,
                  cells.get("merged_into", "")), None


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadDirectory({"檔案": "請以 UTF-8 編碼的 CSV 或 XLSX 上傳。"}) from None
    return iter(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes):
    try:
        archives.check(data, max_total=50 * 1024 * 1024)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except archives.TooLarge as problem:
        raise BadDirectory({"檔案": str(problem)}) from None
    except (*archives.DAMAGED, KeyError, ValueError, OSError):
        raise BadDirectory({"檔案": "無法讀取，請上傳 CSV 或 XLSX 檔。"}) from None
    return book.worksheets[0].iter_rows(values_only=True)


def as_csv(schools) -> str:
    """The schools in the file's own format (the page carries a preview's list to its
    confirmation this way, to be read and compared again)."""
    names = {v: k for k, v in OWNERSHIPS.items()}         # (county: the last, 縣市立)
    types = {v: k for k, v in SCHOOL_TYPES.items()}
    statuses = {ACTIVE: "", CLOSED: "停辦", MERGED: "裁併"}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for s in schools:
        writer.writerow([s.code, s.name, s.county, names[s.ownership], types[s.school_type],
                         statuses[s.status], s.merged_into])
    return out.getvalue()


# -- what differs, and applying it ---------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    kind: str            # new | renamed | closed | merged
    school: School
    before: str = ""     # the portal's name, for a rename


def differences(root, schools) -> list[Change]:
    changes = []
    for school in schools:
        unit = find_organiser(root, school.code)
        if unit is None:
            if school.status == ACTIVE:
                changes.append(Change("new", school))
        elif school.status in (CLOSED, MERGED) and unit.state == ACTIVE:
            changes.append(Change(school.status, school))
        elif school.status == ACTIVE and unit.title != school.name:
            changes.append(Change("renamed", school, unit.title))
    return changes


def apply(root, changes, by: str, reason: str) -> dict[str, int]:
    """Make the changes; returns how many of each kind."""
    done: dict = {}
    for change in changes:
        school = change.school
        unit = find_organiser(root, school.code)
        if change.kind == "new" and unit is None:
            try:
                register_organiser(root, school.code, school.name, "k12_school",
                                   county=school.county, ownership=school.ownership,
                                   stage=STAGES.get(school.school_type, "senior_high"),
                                   school_type=school.school_type)
            except DuplicateOrganiser:
                continue
        elif change.kind == "renamed" and unit is not None:
            unit.title = school.name
        elif change.kind in (CLOSED, MERGED) and unit is not None:
            _close(root, unit, change.kind, school.merged_into, by, reason)
        else:
            continue
        done[change.kind] = done.get(change.kind, 0) + 1
    return done


def _close(root, unit, state, merged_into, by, reason):
    unit.state = state
    unit.merged_into = merged_into or None
    operator = root["people"].get(by)
    for account in staff.staff_of(unit):
        if account.active:
            accounts_service.disable(root, account, operator, reason=reason, unit_closed=True)
