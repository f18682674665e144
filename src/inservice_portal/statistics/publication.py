"""When the reports are published (000: 教師在職進修統計月報/年報): a month's report on the
5th of the month after it, a school year's on the 5th of August after it ends (July). Before
that day a report does not exist for anyone: its figures are still moving."""
from datetime import date

RELEASE_DAY = 5
LISTED_MONTHS = 24


def release_of_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, RELEASE_DAY)


def release_of_year(year: int) -> date:
    """School year ``year`` (ROC) ends in July of its second calendar year."""
    return date(year + 1912, 8, RELEASE_DAY)


def year_released(year: int, today: date) -> bool:
    return 1 <= year <= 999 and release_of_year(year) <= today


def month_of(value: str, today: date) -> date | None:
    """The published month written ``YYYY-MM``, or None (malformed, or not yet out)."""
    parts = value.split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1912 <= year <= 9999 and 1 <= month <= 12):
        return None
    first = date(year, month, 1)
    return first if release_of_month(first) <= today else None


def published(today: date, years: list[int]) -> dict:
    """The reports out by ``today``: the last LISTED_MONTHS months, and the school years of
    ``years`` that have ended."""
    months, at = [], date(today.year, today.month, 1)
    while len(months) < LISTED_MONTHS:
        at = date(at.year - (at.month == 1), (at.month - 2) % 12 + 1, 1)
        if release_of_month(at) <= today:
            months.append(at)
    return {"months": months, "years": [y for y in years if year_released(y, today)]}
