"""The cache of anonymous 研習課程查詢 answers (public_cache.py): what it keeps, for how long,
and whom it never answers."""
from urllib.parse import urlencode

import pytest
import webtest

from inservice_portal.courses import public_cache

from ..conftest import add_organiser, add_teacher, api_client, login
from .test_course_search import make_course


@pytest.fixture
def settings(base_settings):
    return dict(base_settings, **{"public_cache.seconds": "10"})


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock, moved on by hand."""
    now = [1000.0]
    monkeypatch.setattr(public_cache, "timer", lambda: now[0])
    return now


@pytest.fixture
def organiser(site):
    with site.edit() as root:
        unit = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        make_course(root, unit, "自然領域教學工作坊")
        add_teacher(root, "teacher1", school=unit)
    return ("taipei", "353601")


def add(site, title):
    with site.edit() as root:
        return make_course(root, root["centres"]["taipei"]["353601"], title)


def visitor(app):
    """A browser without cookies (a TestApp keeps the cookies it is given)."""
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


def titles(response):
    return [item["title"] for item in response.json["items"]]


def test_an_anonymous_answer_is_kept_for_its_seconds_then_read_again(app, site, organiser, clock):
    first = visitor(app).get("/api/v1/courses", {"q": "工作坊"})
    assert titles(first) == ["自然領域教學工作坊"]
    assert first.headers["Cache-Control"] == "public, max-age=10"
    assert "Cookie" in first.headers["Vary"]
    add(site, "數學領域教學工作坊")
    clock[0] += 9
    again = visitor(app).get("/api/v1/courses", {"q": "工作坊"})
    assert titles(again) == ["自然領域教學工作坊"]          # still the kept answer
    clock[0] += 2
    fresh = visitor(app).get("/api/v1/courses", {"q": "工作坊"})
    assert sorted(titles(fresh)) == ["數學領域教學工作坊", "自然領域教學工作坊"]


def test_parameters_in_another_order_are_the_same_search(app, site, organiser, clock):
    page = visitor(app).get("/search?" + urlencode({"q": "工作坊", "county": "臺北市"}))
    add(site, "數學領域教學工作坊")
    same = visitor(app).get("/search?" + urlencode({"county": "臺北市", "q": "工作坊"}))
    assert same.text == page.text and "數學領域" not in same.text
    other = visitor(app).get("/search?" + urlencode({"county": "臺北市", "q": "工作坊",
                                                      "sort": "code"}))
    assert "數學領域教學工作坊" in other.text


def test_a_logged_in_teacher_always_reads_the_database(app, site, organiser, clock):
    visitor(app).get("/search", {"q": "工作坊"})
    add(site, "數學領域教學工作坊")
    teacher = visitor(app)
    login(teacher, "teacher1")
    page = teacher.get("/search", {"q": "工作坊"})
    assert "數學領域教學工作坊" in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_an_api_client_with_a_token_always_reads_the_database(app, site, organiser, clock):
    visitor(app).get("/api/v1/courses", {"q": "工作坊"})
    add(site, "數學領域教學工作坊")
    client = api_client(app, "teacher1")
    assert "數學領域教學工作坊" in titles(client.get("/api/v1/courses", {"q": "工作坊"}))


def test_refusals_are_not_kept(app, site, organiser, clock):
    bad = visitor(app).get("/api/v1/courses", {"county": "火星"}, status=400)
    assert bad.headers.get("Cache-Control") != "public, max-age=10"
    assert visitor(app).get("/api/v1/courses", {"county": "火星"}, status=400)


def test_other_pages_are_never_kept(app, site, organiser, clock):
    home = visitor(app).get("/")
    assert home.headers["Cache-Control"] == "no-store"


def test_off_when_the_setting_is_zero(base_settings):
    from pyramid.registry import Registry

    registry = Registry()
    registry.settings = dict(base_settings, **{"public_cache.seconds": "0"})
    handler = object()
    assert public_cache.public_cache_tween_factory(handler, registry) is handler
