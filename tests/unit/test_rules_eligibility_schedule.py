"""Eligibility (線上報名資格) and schedule overlap: pure rules, table-driven."""
from datetime import date, datetime, time

import pytest

from inservice_portal.rules import eligibility as e
from inservice_portal.rules import schedule

TODAY = date(2026, 3, 10)
ES = e.Applicant(stage_codes=("14-4",), title="15-4", employed=True)
OPEN = e.Offer(state="published", audience_stages=("14-4", "14-3"), audience_titles=("15-4",),
               opens=date(2026, 3, 1), closes=date(2026, 3, 20), first_day=date(2026, 3, 25))


def offer(**kw):
    return e.Offer(**{**OPEN.__dict__, **kw})


def applicant(**kw):
    return e.Applicant(**{**ES.__dict__, **kw})


@pytest.mark.parametrize("who,course,today,expected", [
    (ES, OPEN, TODAY, None),
    (applicant(employed=False), OPEN, TODAY, e.NOT_EMPLOYED),            # 004 amended Art. 5
    (applicant(stage_codes=("14-5",)), OPEN, TODAY, e.NOT_ELIGIBLE_STAGE),
    (applicant(stage_codes=("14-1", "14-2")), offer(audience_stages=("14-2",)), TODAY, None),
    (applicant(title="15-8"), OPEN, TODAY, e.NOT_ELIGIBLE_TITLE),
    (applicant(title=None), OPEN, TODAY, e.NOT_ELIGIBLE_TITLE),
    (applicant(stage_codes=(), title=None), offer(audience_stages=(), audience_titles=()),
     TODAY, None),                                                        # no restriction
    (ES, OPEN, date(2026, 2, 28), e.WINDOW_CLOSED),                       # before item 16
    (ES, OPEN, date(2026, 3, 1), None),                                   # opens on its day
    (ES, OPEN, date(2026, 3, 20), None),                                  # closes after its day
    (ES, OPEN, date(2026, 3, 21), e.WINDOW_CLOSED),
    # 000 附件四 (109): the organiser sets the hour registration opens (else 00:00) and closes.
    (ES, offer(opens_at=time(9)), datetime(2026, 3, 1, 8, 59), e.WINDOW_CLOSED),
    (ES, offer(opens_at=time(9)), datetime(2026, 3, 1, 9, 0), None),
    (ES, OPEN, datetime(2026, 3, 1, 0, 0), None),
    (ES, offer(closes_at=time(17)), datetime(2026, 3, 20, 17, 0), None),
    (ES, offer(closes_at=time(17)), datetime(2026, 3, 20, 17, 1), e.WINDOW_CLOSED),
    (ES, OPEN, datetime(2026, 3, 20, 23, 59), None),
    (ES, OPEN, datetime(2026, 3, 21, 0, 0), e.WINDOW_CLOSED),
    (ES, offer(closes=None, closes_at=time(17)), datetime(2026, 3, 24, 23, 0), None),
    (ES, offer(closes=None), date(2026, 3, 24), None),                    # until the day before
    (ES, offer(closes=None), date(2026, 3, 25), e.WINDOW_CLOSED),
    (ES, offer(opens=None, closes=None, first_day=None), TODAY, None),
    (ES, offer(state="pending"), TODAY, e.NOT_OPEN),
    (ES, offer(state="cancelled"), TODAY, e.NOT_OPEN),
    # The first failed check names the refusal: not open before not employed before window …
    (applicant(employed=False, title="15-8"), offer(state="closed"), TODAY, e.NOT_OPEN),
    (applicant(employed=False, title="15-8"), OPEN, date(2027, 1, 1), e.NOT_EMPLOYED),
    (applicant(title="15-8", stage_codes=("14-5",)), OPEN, TODAY, e.NOT_ELIGIBLE_STAGE),
])
def test_refusal(who, course, today, expected):
    found = e.refusal(who, course, today)
    assert (found.code if found else None) == expected
    if found:
        assert found.text and not found.ok


def test_checks_explain_every_condition_with_labels():
    rows = e.checks(ES, OPEN, TODAY, stage_label={"14-4": "國小", "14-3": "國中"}.get,
                    title_label={"15-4": "合格專任教師"}.get)
    assert [r.code for r in rows] == [e.NOT_EMPLOYED, e.WINDOW_CLOSED, e.NOT_ELIGIBLE_STAGE,
                                      e.NOT_ELIGIBLE_TITLE]
    assert all(r.ok for r in rows)
    assert "國小、國中" in rows[2].text and "合格專任教師" in rows[3].text
    assert "2026-03-20" in rows[1].text


D = date(2026, 5, 1)


@pytest.mark.parametrize("a,b,clash", [
    ((time(9), time(12)), (time(11), time(13)), True),
    ((time(9), time(12)), (time(12), time(15)), False),      # half-open: touching is fine
    ((time(12), time(15)), (time(9), time(12)), False),
    ((time(9), time(17)), (time(10), time(11)), True),       # containment
    ((time(9), time(12)), (time(9), time(12)), True),
    ((time(9), time(9)), (time(8), time(10)), False),        # an empty session clashes with none
])
def test_overlap_is_half_open(a, b, clash):
    assert schedule.overlaps(schedule.interval(D, *a), schedule.interval(D, *b)) is clash


def test_clashes_compare_every_pair_on_their_own_days():
    mine = [(D, time(9), time(12)), (date(2026, 5, 2), time(9), time(12))]
    theirs = [(date(2026, 5, 2), time(11), time(12)), (date(2026, 5, 3), time(9), time(12))]
    assert schedule.clashes(mine, theirs) == [(mine[1], theirs[0])]
    assert schedule.clashes(mine, []) == []


def test_the_window_names_its_times():
    timed = offer(opens_at=time(9), closes_at=time(17, 30))
    assert "2026-03-01 09:00 起、至 2026-03-20 17:30 止" in e.window_check(timed, TODAY).text
    assert "2026-03-01 09:00 起開放報名" in e.window_check(timed, datetime(2026, 3, 1, 8)).text
    assert "2026-03-20 23:59 截止" in e.window_check(OPEN, date(2026, 3, 21)).text
