"""AnswerCache (public_cache.py): one search per key and period, however many visitors ask."""
import threading

import pytest

from inservice_portal.courses import public_cache
from inservice_portal.courses.public_cache import AnswerCache


@pytest.fixture
def now(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(public_cache, "timer", lambda: clock[0])
    return clock


def answer(text, now):
    return (now[0] + 10, "200 OK", (), text.encode())


def test_a_fresh_answer_is_given_without_searching(now):
    cache = AnswerCache(10, 100)
    calls = []
    first = cache.answer("k", lambda: calls.append(1) or answer("one", now))
    now[0] += 9
    assert cache.answer("k", lambda: calls.append(1) or answer("two", now)) == first
    assert len(calls) == 1


def test_while_one_visitor_searches_again_the_others_get_the_stale_answer(now):
    cache = AnswerCache(10, 100)
    stale = cache.answer("k", lambda: answer("old", now))
    now[0] += 11
    started, release = threading.Event(), threading.Event()

    def slow_search():
        started.set()
        release.wait(5)
        return answer("new", now)

    results = []
    refresher = threading.Thread(target=lambda: results.append(cache.answer("k", slow_search)))
    refresher.start()
    assert started.wait(5)
    # another visitor meanwhile: the stale copy at once, and no second search
    assert cache.answer("k", lambda: pytest.fail("searched twice")) == stale
    release.set()
    refresher.join(5)
    assert results[0][3] == b"new"
    assert cache.answer("k", lambda: pytest.fail("searched again")) == results[0]


def test_visitors_without_any_copy_wait_for_the_first_search(now):
    cache = AnswerCache(10, 100)
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_search():
        calls.append(1)
        started.set()
        release.wait(5)
        return answer("first", now)

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.answer("k", slow_search)))
               for _ in range(5)]
    threads[0].start()
    assert started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and [r[3] for r in results] == [b"first"] * 5


def test_an_answer_not_worth_keeping_is_not_kept(now):
    cache = AnswerCache(10, 100)
    assert cache.answer("k", lambda: None) is None
    assert cache.answer("k", lambda: answer("later", now))[3] == b"later"
