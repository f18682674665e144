"""傳報現況: per partner and month, the batches it sent, their rows, what was imported and
rejected, its last transmission and whether the month before was confirmed in time (for
the national centre, and for a county's centre its own partners)."""
from dataclasses import dataclass

from .. import clock
from . import confirmation


@dataclass
class Month:
    batches: int = 0
    rows: int = 0
    imported: int = 0
    rejected: int = 0


@dataclass
class Line:
    partner: object
    last_sent: object
    this_month: Month
    last_month: Month
    confirmation: str             # 已確認 / 逾期未確認 / 待確認（期限 …）


def overview(platform, county: str | None = None, today=None) -> list[Line]:
    """A line per active partner (those that may write ``county``'s teachers, if given)."""
    today = today or clock.now().date()
    now, before = confirmation.month_of(today), confirmation.previous_month(today)
    lines = []
    for partner in sorted(platform.values(), key=lambda p: p.code):
        if not partner.active or (county and not partner.may_reach(county)):
            continue
        months = {now: Month(), before: Month()}
        batches = list(partner.batches.values()) + list(partner.refused.values())
        for batch in batches:
            found = months.get(confirmation.month_of(batch.received.date()))
            if found is not None:
                found.batches += 1
                found.rows += batch.rows
                found.imported += batch.imported
                found.rejected += len({p["row"] for p in batch.problems})
        last = max((b.received for b in batches), default=None)
        lines.append(Line(partner, last, months[now], months[before], _state(partner, before,
                                                                             today)))
    return lines


def _state(partner, month, today) -> str:
    if month in partner.confirmed:
        return "已確認"
    due = confirmation.due_on(month)
    return "逾期未確認" if today > due else f"待確認（期限 {due:%-m 月 %-d 日}）"
