"""Dates and times as people type them into a plain text field.

The form's own format is 西元年-月-日 and 24-hour 時:分 (000 附件十 prints 2015-01-01). A browser's
date and time controls draw their own order and a 12-hour clock from the browser's locale, so
typing that format into them fails (issue 25); the portal's fields are text, and read the usual
variants: / . 年月日 separators, full-width digits, 20260301, 0930.
"""
import re
import unicodedata
from datetime import date, time

import colander

DATE_FORMAT, TIME_FORMAT = "西元年-月-日", "24 小時制的 時:分"
DATE_HINT = f"{DATE_FORMAT}，例如 2026-03-01"
TIME_HINT = f"{TIME_FORMAT}，例如 13:30"
FIRST_YEAR = 1900            # below it, a year is a 民國 year typed by habit

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{4})(\d{2})(\d{2})")
_TIME = re.compile(r"(\d{1,2})\s*[:.時]\s*(\d{2})\s*分?|(\d{2})(\d{2})")
_ROC = re.compile(r"(\d{2,3})\s*[-/.年]")


def _plain(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def read_date(text) -> date:
    """The date typed; ValueError (with the reason in zh-TW) when there is none."""
    value = _plain(text)
    match = _DATE.fullmatch(value)
    if not match:
        roc = _ROC.match(value)
        if roc:
            raise ValueError(f"請以西元年填寫（民國 {int(roc[1])} 年是 {int(roc[1]) + 1911} 年）")
        raise ValueError(f"請以{DATE_FORMAT}填寫（例如 2026-03-01）")
    year, month, day = (int(g) for g in match.groups() if g is not None)
    if year < FIRST_YEAR:
        raise ValueError(f"請以西元年填寫（民國 {year} 年是 {year + 1911} 年）")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"沒有 {year} 年 {month} 月 {day} 日這一天") from None


def read_time(text) -> time:
    value = _plain(text)
    match = _TIME.fullmatch(value)
    if not match:
        raise ValueError(f"請以{TIME_FORMAT} 填寫（例如 13:30）")
    hour, minute = (int(g) for g in match.groups() if g is not None)
    if hour > 23 or minute > 59:
        raise ValueError(f"沒有 {hour} 時 {minute} 分（{TIME_HINT}）")
    return time(hour, minute)


class _Written(colander.SchemaType):
    """A colander type over read_date/read_time whose error names the field."""

    read = staticmethod(read_date)
    shown = staticmethod(date.isoformat)
    wrong = "不是正確的日期"

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return self.shown(appstruct)

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or not _plain(cstruct):
            return colander.null
        try:
            return self.read(cstruct)
        except ValueError as exc:
            raise colander.Invalid(node, f"「{node.title}」{self.wrong}：{exc}") from None


class Date(_Written):
    pass


class Time(_Written):
    read = staticmethod(read_time)
    shown = staticmethod(lambda t: t.strftime("%H:%M"))
    wrong = "不是正確的時間"
