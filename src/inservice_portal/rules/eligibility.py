"""Eligibility (線上報名資格): may this teacher register for this course, and if not, why.

Sources: 001 參五(二)2 (a teacher registers online for a course "open for online registration
whose audience restrictions they meet"), 000 附件十 items 14–17 (audience stages and titles,
registration opening and closing dates), and the amended Art. 5 of the usage rules (004): a
teacher with no current school (未在職／無服務學校) may only read the transcript.

Pure: plain values in, ``Check`` rows out; no Pyramid, no ZODB. The course page shows every row
so the teacher knows before clicking; the service refuses with the first failed row's code.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

NOT_OPEN = "not_open"
NOT_EMPLOYED = "not_employed"
WINDOW_CLOSED = "window_closed"
NOT_ELIGIBLE_STAGE = "not_eligible_stage"
NOT_ELIGIBLE_TITLE = "not_eligible_title"

REGISTRABLE_STATE = "published"       # 審核通過（已公告）: the only state that takes registrations


@dataclass(frozen=True)
class Applicant:
    """What the rule needs of a teacher: the item-14 codes of their stage, their item-15 title
    code, and whether they have a current school."""
    stage_codes: tuple = ()
    title: str | None = None
    employed: bool = True


@dataclass(frozen=True)
class Offer:
    """What the rule needs of a course."""
    state: str
    audience_stages: tuple = ()      # 14-x; empty: no restriction
    audience_titles: tuple = ()      # 15-x; empty: no restriction
    opens: date | None = None        # item 16; None: open since publication
    closes: date | None = None       # item 17; None: until the first day
    first_day: date | None = None
    opens_at: time | None = None     # item 16's time; None: from 00:00
    closes_at: time | None = None    # item 17's time; None: until the day's end


@dataclass(frozen=True)
class Check:
    code: str          # the refusal code when ``ok`` is False (the API's error codes)
    ok: bool
    text: str          # zh-TW, for the course page and the error message


OPENS_AT, CLOSES_AT = "00:00", "23:59"      # what item 16 and 17 mean without a time
TAIPEI = timezone(timedelta(hours=8))        # the window is Taipei wall-clock time


def closing_day(closes: date | None, first_day: date | None) -> date | None:
    """The last day of registration: item 17, else the day before the course
    (「至研習開始前一日止」), else none."""
    if closes is not None:
        return closes
    return date.fromordinal(first_day.toordinal() - 1) if first_day is not None else None


def moment_text(day: date | None, at: time | None, implied: str) -> str:
    """「2099-01-01 09:00」: a day of item 16 or 17 with its time, or the time it implies."""
    if day is None:
        return ""
    return f"{day.isoformat()} {at.strftime('%H:%M') if at is not None else implied}"


def window_check(offer: Offer, now: date | datetime) -> Check:
    """Item 16 opens on its day at the time the organiser set, from 00:00 where none is set
    (000 附件四, 109年1月: "將原預設為當日的零點零分起開放報名…新增提供課程辦理單位自行設定報名開始
    時間"); item 17 closes at its time, else after its day. Without a closing date,
    registration ends the day before the course begins. ``now``: Taipei wall-clock time (a
    date alone is its 00:00)."""
    if not isinstance(now, datetime):
        now = datetime.combine(now, time.min)
    at = (now.astimezone(TAIPEI) if now.tzinfo is not None else now).replace(tzinfo=None)
    opens = (offer.opens, offer.opens_at) if offer.opens is not None else None
    last = closing_day(offer.closes, offer.first_day)
    closes = (last, offer.closes_at if offer.closes is not None else None) if last else None
    opens_text = opens and moment_text(*opens, OPENS_AT)
    closes_text = closes and moment_text(*closes, CLOSES_AT)
    if opens and at < datetime.combine(opens[0], opens[1] or time.min):
        return Check(WINDOW_CLOSED, False, f"報名尚未開始（{opens_text} 起開放報名）。")
    if closes and at > datetime.combine(closes[0], closes[1] or time.max):
        return Check(WINDOW_CLOSED, False, f"報名已於 {closes_text} 截止。")
    span = "、".join(filter(None, (opens and f"{opens_text} 起", closes and f"至 {closes_text} 止")))
    return Check(WINDOW_CLOSED, True, f"目前在報名期間內{'（' + span + '）' if span else ''}。")


def checks(applicant: Applicant, offer: Offer, today: date | datetime,
           stage_label=str, title_label=str) -> list[Check]:
    """Every condition, in the order a refusal names them. ``*_label`` turn codes into words."""
    rows = []
    if offer.state != REGISTRABLE_STATE:
        rows.append(Check(NOT_OPEN, False, "本課程目前未開放報名（尚未公告或已取消、結束）。"))
    rows.append(Check(NOT_EMPLOYED, applicant.employed,
                      "您有服務學校，可使用線上報名。" if applicant.employed else
                      "您目前無服務學校（未在職），帳號僅能查詢研習紀錄，無法線上報名"
                      "（使用管理要點第 5 條）。"))
    rows.append(window_check(offer, today))
    if offer.audience_stages:
        wanted = "、".join(stage_label(c) for c in offer.audience_stages)
        ok = bool(set(applicant.stage_codes) & set(offer.audience_stages))
        rows.append(Check(NOT_ELIGIBLE_STAGE, ok, f"參加對象學制：{wanted}。" + (
            "您的任教學制符合。" if ok else "您的任教學制不在參加對象內。")))
    if offer.audience_titles:
        wanted = "、".join(title_label(c) for c in offer.audience_titles)
        ok = applicant.title in offer.audience_titles
        rows.append(Check(NOT_ELIGIBLE_TITLE, ok, f"參加對象職稱：{wanted}。" + (
            "您的職稱符合。" if ok else "您的職稱不在參加對象內。")))
    return rows


def refusal(applicant: Applicant, offer: Offer, today: date | datetime, **labels) -> Check | None:
    """The first failed check, or None when the teacher may register."""
    return next((c for c in checks(applicant, offer, today, **labels) if not c.ok), None)
