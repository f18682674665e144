"""每月確認 (002 Art. 12(3)–(4)): a partner confirms, before the 5th, the data it sent for the
month before; a confirmed month is locked against the partner's own changes, and only the
national centre reopens it, with a reason (the Article's official letter), audited. Partners
late for the 5th are listed and reminded.

A record belongs to the month of its last day (研習迄日).
"""
from datetime import date

from .. import clock, mail

DUE_DAY = 5
LOCKED = "{month} 的資料已確認，不能再由傳報單位更改；須更改時請行文國立高雄師範大學（全國推廣中心）。"


class NotConfirmable(ValueError):
    """The month cannot be confirmed (yet); ``str()`` says why, in Chinese."""


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_month(today: date) -> str:
    return month_of(date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1))


def due_on(month: str) -> date:
    """The 5th of the month after ``month``."""
    year, number = (int(part) for part in month.split("-"))
    return date(year + (number == 12), number % 12 + 1, DUE_DAY)


def valid_month(text: str) -> bool:
    parts = (text or "").split("-")
    return (len(parts) == 2 and all(p.isascii() and p.isdigit() for p in parts)
            and len(parts[0]) == 4 and 1 <= int(parts[1]) <= 12 and len(parts[1]) == 2)


def locked(partner, day: date | None) -> bool:
    return day is not None and month_of(day) in partner.confirmed


def confirm(partner, month: str, by: str) -> dict:
    """Lock ``month`` for ``partner``; the entry kept (idempotent: a second call keeps the
    first)."""
    today = clock.now().date()
    if not valid_month(month):
        raise NotConfirmable("月份格式應為 YYYY-MM。")
    if month >= month_of(today):
        raise NotConfirmable("只能確認已經過去的月份。")
    found = partner.confirmed.get(month)
    if found is None:
        found = partner.confirmed[month] = {"at": clock.now(), "by": by}
    return found


def reopen(partner, month: str) -> bool:
    return partner.confirmed.pop(month, None) is not None


def late(platform, today: date | None = None) -> list:
    """(partner, month) of each active partner that has not confirmed last month, once its
    5th has passed."""
    today = today or clock.now().date()
    month = previous_month(today)
    if today <= due_on(month):
        return []
    return [(p, month) for p in sorted(platform.values(), key=lambda p: p.code)
            if p.active and month not in p.confirmed]


def remind(root, registry, today=None) -> list:
    """Mail each late partner's contact (at the current transaction's commit)."""
    sent = []
    for partner, month in late(root["exchange"], today):
        to = partner.contact.get("email")
        if not to:
            continue
        mail.send(registry, [to], f"【全國教師在職進修資訊網】請確認 {month} 的傳報資料",
                  f"{partner.title} 傳報承辦人您好：\n\n依「全國教師在職進修資訊網研習課程使用規定」"
                  f"第 12 條，{month} 的研習資料應於 {due_on(month):%Y 年 %-m 月 %-d 日}前確認，"
                  "本網尚未收到貴單位的確認。請於傳報系統呼叫確認 API，或洽全國推廣中心。\n\n"
                  "全國教師在職進修資訊網")
        sent.append((partner.code, month, to))
    return sent
