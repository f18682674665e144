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
from dataclasses import dataclass, field
from datetime import time as clock_time, timedelta
from types import SimpleNamespace

import requests
from webtest.http import StopableWSGIServer

from inservice_portal import audit, checkin, clock, tokens, write_conflicts
from inservice_portal.resources.course import Session

THREADS = 8
PASSWORD = "Test-Pass-2026!"


@dataclass
class Report:
    statuses: Counter
    retried: dict
    gave_up: dict
    seconds: float
    latencies: list = field(default_factory=list)

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0
        return (f"{name}: {dict(self.statuses)} in {self.seconds:.2f} s, p99 {p99 * 1000:.0f} ms;"
                f" conflicts retried {self.retried or 'none'}, gave up {self.gave_up or 'none'}")


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
    statuses, latencies, seconds = run(url, clients, connections=len(jobs))
    return Report(statuses, stats.by_class(write_conflicts.RETRIED),
                  stats.by_class(write_conflicts.GAVE_UP), seconds, latencies)


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
    from pyramid.traversal import resource_path

    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.course import Course
    from inservice_portal.resources.organiser import Organiser

    centre = root["centres"]["taipei"]
    school = centre.add("353601", Organiser("353601", "臺北市立甲國民小學", "k12_school",
                                            county=centre.county))
    for n in range(teachers):
        login = f"h{n:03d}"
        teacher = Teacher(login, f"教師{n}", f"{login}@example.org", national_id="A123456789",
                          school=resource_path(school), stage="elementary", job_title="15-4")
        teacher.set_password(PASSWORD)
        root["people"].add(login, teacher)
    now = clock.now()
    start, end = (now - timedelta(minutes=10)).time(), (now + timedelta(hours=2)).time()
    if end < start:                              # near midnight: keep the session in one day
        start, end = clock_time(0, 0), clock_time(23, 59)
    codes = []
    for n in range(courses):
        code = root.course_codes.next()
        course = Course(code, f"同時報名研習{n}", state="published", starts_on=now.date(),
                        ends_on=now.date(), place="本校會議室", hours=2)
        course.update(seats_per_class=seats, admission="first_come",
                      registration_opens=now.date() - timedelta(days=7),
                      registration_closes=now.date(),
                      sessions=[Session(now.date(), start, end)])
        school.add(str(code), course)
        codes.append(code)
    return codes


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
