"""The concurrency harness: many people at once against a real server on a real storage.

The app is served by waitress (webtest's StopableWSGIServer, 8 threads as in production) on a
loopback port, on FileStorage or RelStorage; each client is a ``requests.Session`` in a thread
of its own. Every client first prepares (fetches the login form, say), then all wait at a
barrier and make their one request at once. The report: the answers' statuses and the write
conflicts per object class (write_conflicts), those retried and those given up (a 409).
Used by tests/functional/test_concurrency.py and bench/concurrency.py.
"""
import re
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time as clock_time, timedelta
from types import SimpleNamespace

import pyotp
import requests
from webtest.http import StopableWSGIServer

from inservice_portal import audit, clock
from inservice_portal.concurrency import write_conflicts
from inservice_portal.attendance import checkin
from inservice_portal.accounts import tokens
from inservice_portal.resources.course import Session

from .conftest import (PASSWORD, TOTP_SECRET, add_course, add_organiser, add_shared, add_staff,
                       add_teacher, allow_tags)

THREADS = 8


@dataclass
class Report:
    statuses: Counter
    retried: dict
    gave_up: dict
    seconds: float

    def line(self, name: str) -> str:
        return (f"{name}: {dict(self.statuses)} in {self.seconds:.2f} s; conflicts retried "
                f"{self.retried or 'none'}, gave up {self.gave_up or 'none'}")


@contextmanager
def serving(app, threads=THREADS):
    server = StopableWSGIServer.create(app, threads=threads, connection_limit=256)
    try:
        yield server.application_url.rstrip("/")
    finally:
        server.shutdown()


def at_once(app, url, jobs) -> Report:
    """Run ``jobs`` — (prepare, act) pairs of functions of (session, url); ``act`` returns the
    response — one per client, all at once; conflicts counted from a clean slate."""
    stats = write_conflicts.stats(app.registry)
    clients = prepared(url, jobs)
    stats.reset()
    statuses, _, seconds = run(url, clients, connections=len(jobs))
    return Report(statuses, stats.by_class(write_conflicts.RETRIED),
                  stats.by_class(write_conflicts.GAVE_UP), seconds)


def prepared(url, jobs) -> list:
    """(session, act) per job, its ``prepare`` done (untimed)."""
    clients = []
    for prepare, act in jobs:
        client = requests.Session()
        client.trust_env = False          # loopback: never through an environment's proxy
        if prepare is not None:
            prepare(client, url)
        clients.append((client, act))
    return clients


def run(url, clients, connections: int):
    """Every client's ``act`` from ``connections`` threads released together; returns the
    statuses, each request's seconds, and the seconds from release to the last answer."""
    work = list(reversed(clients))
    lock = threading.Lock()
    barrier = threading.Barrier(connections + 1)
    statuses, latencies = Counter(), []

    def worker():
        barrier.wait(timeout=600)
        while True:
            with lock:
                if not work:
                    return
                client, act = work.pop()
            started = time.perf_counter()
            response = act(client, url)
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=600)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    seconds = time.perf_counter() - started
    for client, _ in clients:
        client.close()
    return statuses, latencies, seconds


# --- the world: a school, teachers, courses open for registration today ------------------------

def build(root, teachers: int, courses: int, seats: int = 100):
    """``teachers`` teachers (h000…) of one school and ``courses`` first-come courses whose
    one session runs now (so that check-in is open), each with ``seats`` seats."""
    school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
    for login in logins(teachers):
        add_teacher(root, login, school)
    now = clock.now()
    start, end = (now - timedelta(minutes=10)).time(), (now + timedelta(hours=2)).time()
    if end < start:                              # near midnight: keep the session in one day
        start, end = clock_time(0, 0), clock_time(23, 59)
    codes = []
    for n in range(courses):
        course = add_course(root, school, f"同時報名研習{n}", starts_on=now.date(), hours=2)
        course.update(seats_per_class=seats, admission="first_come",
                      registration_opens=now.date() - timedelta(days=7),
                      registration_closes=now.date(),
                      sessions=[Session(now.date(), start, end)])
        codes.append(course.code)
    return codes


def build_staff_work(root, count: int):
    """For the staff: ``count`` staff accounts (s000…) of the school, ``count`` courses that
    ended yesterday (rosters to save) and ``count`` private handouts to share. Returns (ended
    codes, handout paths); ``create_drafts`` makes the courses to edit."""
    from pyramid.traversal import resource_path

    school = root["centres"]["taipei"]["353601"]
    allow_tags(root, "素養導向", "多元評量")          # the drafts' 專案屬性標籤 (BODY)
    for n in range(count):
        add_staff(root, f"s{n:03d}", school, "principal_admin")
    yesterday = clock.now().date() - timedelta(days=1)
    ended = []
    for n in range(count):
        course = add_course(root, school, f"已結束研習{n}", starts_on=yesterday)
        course.update(sessions=[Session(yesterday, clock_time(9), clock_time(12))])
        ended.append(course.code)
    handouts = [resource_path(add_shared(root, "handout", school, f"教學檔案{n}",
                                         state="private")) for n in range(count)]
    return ended, handouts


def create_drafts(url, token, count: int, body: dict) -> list[int]:
    """``count`` complete draft courses, made one by one through the API (the fields a PATCH
    is checked against are the whole form's)."""
    with requests.Session() as s:
        s.trust_env = False
        return [s.post(f"{url}/api/v1/organisers/353601/courses", headers=bearer(token),
                       json=dict(body, title=f"草稿研習{n}")).json()["code"] for n in range(count)]


def logins(count: int) -> list[str]:
    return [f"h{n:03d}" for n in range(count)]


def issue_tokens(root, names) -> dict:
    return {login: tokens.issue(root, login)[0] for login in names}


def audit_entries(root) -> list[dict]:
    return list(audit.log_of(root).entries.values())


# --- what people do ---------------------------------------------------------------------------

def api_login(login):
    return None, lambda s, url: s.post(f"{url}/api/v1/tokens",
                                       json={"login": login, "password": PASSWORD})


def form_login(login):
    """GET the form (its CSRF token and cookie) first; POST it at once with the others."""
    form = {}

    def prepare(s, url):
        page = s.get(f"{url}/login").text
        form.update(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page))
        form.update(login=login, password=PASSWORD, submit="submit")

    return prepare, lambda s, url: s.post(f"{url}/login", data=form, allow_redirects=False)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def revoke(token):
    return None, lambda s, url: s.delete(f"{url}/api/v1/tokens/current", headers=bearer(token))


def register(token, code):
    return None, lambda s, url: s.post(f"{url}/api/v1/courses/{code}/registrations", json={},
                                       headers=bearer(token))


def withdraw(token, code, login):
    return None, lambda s, url: s.delete(f"{url}/api/v1/courses/{code}/registrations/{login}",
                                         headers=bearer(token))


def check_in(login, code, key):
    """線上報到 is a page: log in through the form first, then type the session's code."""
    state = {}

    def prepare(s, url):
        form_prepare, form_act = form_login(login)
        form_prepare(s, url)
        form_act(s, url)
        page = s.get(f"{url}/checkin").text
        state["csrf"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def act(s, url):
        typed = checkin.code(key, SimpleNamespace(code=code), 0, checkin.window())
        return s.post(f"{url}/checkin", data={"csrf_token": state["csrf"], "course": str(code),
                                              "code": typed}, allow_redirects=False)

    return prepare, act


def staff_login(login):
    """The form, then the second factor: a browser session of a staff account."""
    def prepare(s, url):
        form_prepare, form_act = form_login(login)
        form_prepare(s, url)
        page = s.get(form_act(s, url).headers["Location"]).text
        fields = dict(re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', page))
        fields.update(code=pyotp.TOTP(TOTP_SECRET).now(), verify="verify")
        assert s.post(f"{url}/login-otp", data=fields, allow_redirects=False).status_code == 303
    return prepare


def edit_course(token, code, changes):
    return None, lambda s, url: s.patch(f"{url}/api/v1/courses/{code}", json=changes,
                                        headers=bearer(token))


def save_roster(token, code, login):
    body = {"entries": [{"login": login, "attendance": ["present"]}]}
    return None, lambda s, url: s.put(f"{url}/api/v1/courses/{code}/roster", json=body,
                                      headers=bearer(token))


def share(login, path):
    """A staff member shares a private handout (資源分享區) through its page's form."""
    state = {}

    def prepare(s, url):
        staff_login(login)(s, url)
        page = s.get(f"{url}{path}").text
        state["csrf"] = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    return prepare, lambda s, url: s.post(f"{url}{path}/transition", data={
        "csrf_token": state["csrf"], "transition": "share"}, allow_redirects=False)
