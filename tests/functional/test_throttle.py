"""Abuse limits (throttle.py): failed logins and codes per client address, reset and
confirmation mails per account and address, sign-ups and check-in codes; 429 with Retry-After
and a Chinese message (JSON for the API); counted in Redis across processes."""
import os

import pytest
import webtest

from inservice_portal import make_config
from inservice_portal.bootstrap import ensure_root

from ..conftest import PASSWORD, add_organiser, add_teacher, browser, csrf_of, login

REDIS = "redis://127.0.0.1:6379/15"
REQUIRE = "INSERVICE_REQUIRE_REDIS"


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def people(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        for n in range(1, 4):
            add_teacher(root, f"t{n}", school)


def attempt(client, login_name, password=PASSWORD):
    """One login through the page, whatever the answer."""
    form = client.get("/login").forms["login-form"]
    form["login"], form["password"] = login_name, password
    return form.submit("submit", status="*")


def from_address(app, address):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def test_a_hundred_failed_logins_from_one_address_stop_at_thirty(app, people):
    attacker = from_address(app, "203.0.113.9")
    for n in range(30):
        assert login(attacker, f"guess{n}", "wrong").status_int == 200
    refused = attempt(attacker, "t1")            # even the right password, for now
    assert refused.status_int == 429
    assert 50 <= int(refused.headers["Retry-After"]) <= 60
    assert "嘗試次數過多，請於 1 分鐘後再試。" in refused.text
    api = attacker.post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD},
                             status=429)
    assert api.json["error"]["code"] == "too_many_requests" and "Retry-After" in api.headers
    # Another address is not held back; successful logins do not count at all.
    teacher = from_address(app, "198.51.100.7")
    for _ in range(40):
        assert login(teacher, "t1").status_int == 303
        teacher.reset()


def test_failed_api_logins_count_with_the_pages(app, people):
    client = from_address(app, "203.0.113.10")
    for n in range(15):
        login(client, f"guess{n}", "wrong")
        client.post_json("/api/v1/tokens", {"login": f"api{n}", "password": "x"}, status=401)
    client.post_json("/api/v1/tokens", {"login": "t1", "password": PASSWORD}, status=429)


def reset(client, login_name):
    page = client.get("/password-reset")
    form = page.forms["reset-request-form"]
    form["login"] = login_name
    return form.submit("send", status="*")


def test_reset_mails_are_limited_per_account_and_per_address(app, people, smtp):
    client = from_address(app, "203.0.113.11")
    for _ in range(5):
        assert reset(client, "t1").status_int == 303
    assert [m["To"] for m in smtp.messages] == ["t1@example.org"] * 3      # 3 an hour
    # An unknown login is counted the same way: the answers cannot tell them apart.
    for _ in range(5):
        assert reset(client, "nobody").status_int == 303
    for n in range(20):
        reset(client, f"x{n}")
    assert reset(client, "t2").status_int == 429                 # the 31st ask in a minute
    assert len(smtp.messages) == 3
    assert reset(from_address(app, "198.51.100.8"), "t2").status_int == 303
    assert len(smtp.messages) == 4


@pytest.fixture
def small_limits(settings):
    settings.update({"throttle.signup.client": "2/hour", "throttle.checkin.account": "3/minute",
                     "throttle.otp.client": "2/minute"})
    return settings


def test_sign_ups_and_check_in_codes_have_their_limits(small_limits, app, people):
    client = from_address(app, "203.0.113.12")
    for _ in range(2):
        page = client.get("/signup")
        assert page.forms["signup-form"].submit("signup", status=400)
    assert client.get("/signup").status_int == 200                    # reading is free
    assert client.get("/signup").forms["signup-form"].submit("signup", status=429)
    teacher = browser(app, "t1")
    page = teacher.get("/checkin")
    for _ in range(3):
        teacher.post("/checkin", {"csrf_token": csrf_of(page), "course": "1", "code": "000000"},
                     status=400)
    answer = teacher.post("/checkin", {"csrf_token": csrf_of(page), "course": "1",
                                       "code": "000000"}, status=429)
    assert "嘗試次數過多" in answer.text


def test_wrong_second_factor_codes_per_address(small_limits, app, site):
    from ..conftest import add_staff

    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        for n in range(3):
            add_staff(root, f"s{n}", school, "contact")
    client = from_address(app, "203.0.113.13")
    for n in range(2):
        step = login(client, f"s{n}", otp=False).follow()
        form = step.forms["otp-form"]
        form["code"] = "000000"
        assert form.submit("verify", status=400)
        client.reset()
    step = login(client, "s2", otp=False).follow()
    form = step.forms["otp-form"]
    form["code"] = "000000"
    assert form.submit("verify", status=429)


def redis_or_skip(url=REDIS):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"{REQUIRE}=1 but Redis is not reachable at {url}: {error}",
                        pytrace=False)
        pytest.skip(f"Redis is not reachable at {url}: {error}")


def test_processes_sharing_redis_count_together(settings):
    """Two apps (as two processes would) on one Redis: failures at one count at the other."""
    redis_or_skip()
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    apps = []
    for n in range(2):
        config = make_config(dict(settings, **{
            "throttle.storage": REDIS, "throttle.login.client": "4/minute"}))
        apps.append(config.make_wsgi_app())
        ensure_root(config.registry._zodb_databases[""])
    try:
        for n in range(4):
            login(from_address(apps[n % 2], "203.0.113.14"), f"guess{n}", "wrong")
        assert attempt(from_address(apps[0], "203.0.113.14"), "t1").status_int == 429
        assert attempt(from_address(apps[1], "203.0.113.14"), "t1").status_int == 429
        assert login(from_address(apps[1], "203.0.113.15"), "nobody", "x").status_int == 200
    finally:
        redis.Redis.from_url(REDIS).flushdb()
        for wsgi in apps:
            for db in wsgi.registry._zodb_databases.values():
                db.close()
