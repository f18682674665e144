"""全國統一的研習資訊傳報欄位資料格式 (000): the fields of a training record as partners send
them, their Chinese names, and how a value of each is read. Published as a page, as JSON
Schema and in the OpenAPI document; files and API batches are read by the same parsers.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ..rules import hours as hours_rule
from ..rules import national_id as national_id_rule

VERSION = "1"
MAX_BATCH = 10_000                 # records in one API batch (issue: up to 10,000)
MAX_HOURS = Decimal(300)           # a record above this is a typing error, not a course


class Invalid(ValueError):
    """A value that cannot be read: its message says why, in Chinese."""


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    kind: str                      # string | date | hours | boolean | national_id
    required: bool
    description: str
    max_length: int = 0


RECORD_FIELDS = (
    Field("source_record_id", "來源紀錄編號", "string", True,
          "傳報單位系統中這筆紀錄的編號；以同一編號再次傳報即更新該筆，不會重複。", 64),
    Field("national_id", "身分證統一編號", "national_id", True,
          "教師的身分證統一編號或新式居留證統一證號（10 碼）。"),
    Field("title", "研習名稱", "string", True, "研習課程名稱。", 200),
    Field("organiser", "辦理單位", "string", True, "辦理研習的單位名稱。", 100),
    Field("first_day", "研習起日", "date", True, "西元日期 YYYY-MM-DD。"),
    Field("last_day", "研習迄日", "date", True, "西元日期 YYYY-MM-DD，不早於起日。"),
    Field("hours", "研習時數", "hours", True, "核給的研習時數，以半小時為單位（例如 3 或 1.5）。"),
    Field("course_code", "課程代碼", "string", False,
          "本網的課程代碼（研習同時登錄於本網時填寫）。", 12),
    Field("credit_class", "學分班", "boolean", False, "學分班填 true（或 是、Y、1）。"),
)
FIELDS = {f.name: f for f in RECORD_FIELDS}
# Headings a file may use for a field: its code name or its Chinese title.
HEADINGS = {**{f.name: f.name for f in RECORD_FIELDS}, **{f.title: f.name for f in RECORD_FIELDS}}
TRUE, FALSE = {"true", "1", "y", "yes", "是", "t"}, {"false", "0", "n", "no", "否", "f", ""}
DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def parse(field: Field, value):
    """The value of ``field`` read from what a file or a JSON batch holds."""
    text = "" if value is None else str(value).strip()
    if not text:
        if field.required:
            raise Invalid("必填，不可空白。")
        return False if field.kind == "boolean" else None
    return READERS[field.kind](field, value, text)


def _string(field, value, text):
    if field.max_length and len(text) > field.max_length:
        raise Invalid(f"長度不可超過 {field.max_length} 字（現為 {len(text)} 字）。")
    return text


def _national_id(field, value, text):
    text = national_id_rule.normalise(text)
    problem = national_id_rule.problem(text)
    if problem:
        raise Invalid(problem)
    return text


def _date(field, value, text):
    if isinstance(value, datetime):           # a spreadsheet's date cell
        return value.date()
    if isinstance(value, date):
        return value
    found = DATE.fullmatch(text[:10]) if len(text) <= 10 or text[10] in " T" else None
    try:
        return date(*(int(part) for part in found.groups()))
    except (AttributeError, ValueError):
        raise Invalid("日期格式應為西元 YYYY-MM-DD（例如 2026-03-05）。") from None


def _hours(field, value, text):
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise Invalid("應為數字（例如 3 或 1.5）。") from None
    if not hours.is_finite() or hours <= 0:
        raise Invalid("應大於 0。")
    if hours > MAX_HOURS:
        raise Invalid(f"不可超過 {MAX_HOURS} 小時。")
    if hours % hours_rule.STEP:
        raise Invalid("以半小時為單位（例如 1.5，不可為 1.2）。")
    return hours


def _boolean(field, value, text):
    if isinstance(value, bool):
        return value
    if text.lower() in TRUE:
        return True
    if text.lower() in FALSE:
        return False
    raise Invalid("應為 true 或 false（是／否）。")


READERS = {"string": _string, "national_id": _national_id, "date": _date, "hours": _hours,
           "boolean": _boolean}
JSON_TYPES = {"string": {"type": "string"}, "national_id": {"type": "string",
              "pattern": "^[A-Za-z][1289][0-9]{8}$"},
              "date": {"type": "string", "format": "date"},
              "hours": {"type": ["number", "string"], "exclusiveMinimum": 0, "maximum": 300},
              "boolean": {"type": ["boolean", "string"]}}


def record_schema() -> dict:
    properties = {}
    for f in RECORD_FIELDS:
        prop = dict(JSON_TYPES[f.kind], title=f.title, description=f.description)
        if f.max_length:
            prop["maxLength"] = f.max_length
        properties[f.name] = prop
    return {"type": "object", "properties": properties,
            "required": [f.name for f in RECORD_FIELDS if f.required],
            "additionalProperties": False}


def batch_schema(base_url: str = "") -> dict:
    """The JSON Schema of a batch of records (POST /api/v1/exchange/records)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{base_url}/api/v1/exchange/format.json",
            "title": f"全國教師在職進修資訊網 研習紀錄傳報格式 第 {VERSION} 版",
            "type": "object",
            "properties": {
                "format_version": {"const": VERSION},
                "batch_key": {"type": "string", "minLength": 1, "maxLength": 64,
                              "description": "傳報單位給這批資料的編號；同一編號重送不會重複匯入。"},
                "import_valid": {"type": "boolean", "default": False,
                                 "description": "true：只匯入通過檢查的紀錄；false：有任何一筆不通過即全部不匯入。"},
                "records": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                            "items": record_schema()}},
            "required": ["batch_key", "records"], "additionalProperties": False}


EXAMPLE = {"source_record_id": "TPE-2026-000123", "national_id": "A123456789",
           "title": "數位學習融入教學工作坊", "organiser": "臺北市教師研習中心",
           "first_day": "2026-03-05", "last_day": "2026-03-05", "hours": 3,
           "course_code": "", "credit_class": False}
