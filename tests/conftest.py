"""Shared fixtures (after the Pyramid cookiecutter): a fresh in-memory ZODB app per test, the
app's own root to build fixtures in, and WebTest helpers. Tests never depend on demo data."""
import email
import email.policy
import os
import re
import socket
import time
import weakref
from contextlib import contextmanager
from datetime import date
from pathlib import Path

# Compile each Chameleon template once per run, not once per test's new registry.
_CACHE = Path(__file__).parent.parent / ".pytest_cache" / "chameleon"
_CACHE.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("CHAMELEON_CACHE", str(_CACHE))

import pyotp
import pytest
import transaction
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
import webtest
from pyramid.paster import get_appsettings

from inservice_portal import audit, clock, make_config, reference
from inservice_portal.accounts import mfa
from inservice_portal.bootstrap import APP_ROOT, ensure_root
from inservice_portal.resources.accounts import Staff, Teacher
from inservice_portal.resources.course import Course
from inservice_portal.resources.organiser import Organiser

from .personal_data_scan import SCAN, install as install_scan

HERE = Path(__file__).parent
PASSWORD = "Test-Pass-2026!"
# Staff fixtures are enrolled in MFA with this TOTP secret (tests only); login() types its codes.
TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture(scope="session", autouse=True)
def personal_data_scan():
    """Every response, log record, mail and transaction note of the run, scanned for full
    national IDs (tests/personal_data_scan.py)."""
    undo = install_scan()
    yield SCAN
    undo()


def pytest_collection_modifyitems(config, items):
    # The scan's verdict comes after every other test of the run.
    last = [item for item in items if item.get_closest_marker("scan_verdict")]
    items[:] = [item for item in items if item not in last] + last


@pytest.fixture(scope="session")
def session_mailbox():
    """One SMTP server for the run: every workflow step now mails someone (comms/notices.py)."""
    with running_mailbox() as mailbox:
        yield mailbox


@pytest.fixture(scope="session")
def base_settings(session_mailbox):
    settings = dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")))
    return dict(settings, **session_mailbox.settings)


@pytest.fixture
def settings(base_settings):
    return dict(base_settings)


class Mailbox(Sink):
    """What a real SMTP server on loopback received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        SCAN.mail(str(message["Subject"]) + "\n" + message.get_body().get_content())
        return "250 OK"


@contextmanager
def running_mailbox():
    """An SMTP server (aiosmtpd) on a free loopback port; ``.settings`` points the app at it."""
    mailbox = Mailbox()
    with socket.socket() as probe:                 # aiosmtpd's readiness check needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.settings = {"mail.host": "127.0.0.1", "mail.port": str(port)}
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(session_mailbox):
    """The run's SMTP server, emptied of what earlier tests sent."""
    session_mailbox.messages.clear()
    yield session_mailbox


@pytest.fixture
def config(settings):
    """The configurator before the app is made: a test may add views to it."""
    return make_config(settings)


@pytest.fixture
def app(config):
    wsgi = config.make_wsgi_app()
    ensure_root(config.registry._zodb_databases[""])
    audit.ensure_database(config.registry._zodb_databases)      # as main() does
    yield wsgi
    for db in config.registry._zodb_databases.values():
        db.close()


@pytest.fixture
def db(app, config):
    return config.registry._zodb_databases[""]


class Site:
    """Build fixtures straight into the app's database: ``with site.edit() as root: …``."""

    def __init__(self, db, registry):
        self.db = db
        self.registry = registry

    def edit(self):
        return _Edit(self)

    def read(self, fn):
        """Run ``fn(root)`` in a throw-away transaction and return its result."""
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        try:
            tm.begin()
            return fn(conn.root()[APP_ROOT])
        finally:
            tm.abort()
            conn.close()

    def last_transaction(self):
        return self.db.lastTransaction()


class _Edit:
    def __init__(self, site):
        self.site = site

    def __enter__(self):
        from pyramid.threadlocal import manager

        self.tm = transaction.TransactionManager()
        self.conn = self.site.db.open(transaction_manager=self.tm)
        manager.push({"registry": self.site.registry, "request": None})
        self.tm.begin()
        return self.conn.root()[APP_ROOT]

    def __exit__(self, exc_type, *rest):
        from pyramid.threadlocal import manager

        try:
            if exc_type is None:
                self.tm.commit()
            else:
                self.tm.abort()
        finally:
            manager.pop()
            self.conn.close()


@pytest.fixture
def site(db, config):
    return Site(db, config.registry)


def add_organiser(root, centre_code, code, name, kind="k12_school", county=None):
    centre = root["centres"][centre_code]
    return centre.add(code, Organiser(code, name, kind, county=county or centre.county))


def add_staff(root, login, unit, role, name="測試人員", password=PASSWORD, enrolled=True):
    """A staff account; ``enrolled``: with MFA on (TOTP_SECRET), as every working staff account
    must be — False for one that has yet to enrol."""
    from pyramid.traversal import resource_path

    account = Staff(login, name, f"{login}@example.org", unit=resource_path(unit),
                    staff_type=role)
    account.email_confirmed = True
    account.set_password(password)
    if enrolled:
        mfa.enrol_known_secret(account, TOTP_SECRET)
    root["people"].add(login, account)
    unit.grant(login, role)
    return account


def add_teacher(root, login, school=None, name="測試教師", password=PASSWORD, stage="elementary",
                job_title="15-4", national_id="A123456789"):
    from pyramid.traversal import resource_path

    account = Teacher(login, name, f"{login}@example.org", national_id=national_id,
                      school=resource_path(school) if school is not None else None,
                      stage=stage, job_title=job_title)
    account.email_confirmed = True
    account.set_password(password)
    root["people"].add(login, account)
    return account


def allow_tags(root, *names):
    """Put 專案屬性標籤 on the ministry's list (courses/project_tags.py)."""
    for name in names:
        root.project_tags.add(name, "moe")


def complete(course, stage="elementary"):
    """Fill what the course form asks for and ``course`` lacks (the demo's defaults), so that
    the review takes it (courses/service.problems); the fields a test set are kept."""
    from inservice_portal.scripts.demo import complete_fields

    data = reference.load("demo")
    organiser = course.__parent__
    filled = complete_fields(data, {"organiser": None, "place": course.place or "本校會議室",
                                    "hours": float(course.hours or 3),
                                    "fields": {"stage": course.stage or stage}},
                             organiser, course.starts_on or date(2099, 1, 1),
                             list(course.sessions), {})
    filled["contacts"] = [{"name": "研習承辦人", "phone": "(02)2700-0101",
                           "email": "training@example.org"}]
    course.update(**{name: value for name, value in filled.items()
                     if not getattr(course, name, None)})
    return course


def add_course(root, organiser, title="測試研習", state="published", starts_on=None, hours=3.0):
    code = root.course_codes.next()
    course = Course(code, title, starts_on=starts_on or date(2099, 1, 1),
                    ends_on=starts_on or date(2099, 1, 1), place="本校會議室", hours=hours,
                    state=state)
    organiser.add(str(code), course)
    return course


def returned(course, by, comment, reasons=("A",)):
    """``course`` as a reviewer's 退回修正 leaves it: state and the history entry."""
    course.state = "returned"
    course.history = ({"transition": "return", "from": "pending", "to": "returned", "by": by,
                       "at": "2099-01-02T10:00:00+08:00", "reasons": list(reasons),
                       "comment": comment},)
    return course


@pytest.fixture
def testapp(app):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})


def csrf_of(response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, "the page has no CSRF token"
    return match.group(1)


# app → {login: the last TOTP step typed}: the server refuses a code twice, so each login of the
# same account takes the next step of the accepted window (now ± 1 step).
_USED_STEPS = weakref.WeakKeyDictionary()


def otp_for(app, login_name, secret=TOTP_SECRET, margin=5) -> str:
    """A TOTP code ``login_name`` has not used yet on ``app`` (the WSGI app).

    The server accepts the steps now-1, now and now+1, each once. The previous step is used
    only while more than ``margin`` seconds remain in the current one: at a step boundary the
    server's "now" could already be the next step, leaving it out of the window."""
    totp = pyotp.TOTP(secret)
    used = _USED_STEPS.setdefault(app, {})
    now = clock.now()
    current = totp.timecode(now)
    left = totp.interval - now.timestamp() % totp.interval
    step = max(current - 1 if left > margin else current, used.get(login_name, -10) + 1)
    while step > totp.timecode(clock.now()) + 1:     # all used: wait for the next step
        time.sleep(1)
    used[login_name] = step
    return totp.generate_otp(step)


def credentials(app, login_name, password=PASSWORD) -> dict:
    """The body of ``POST /api/v1/tokens``: with a fresh code for an account with MFA (an
    ``otp`` is ignored for one without)."""
    return {"login": login_name, "password": password, "otp": otp_for(app, login_name)}


def api_client(app, login_name=None):
    """A JSON API client; with a login, it carries that account's bearer token (got through
    ``POST /api/v1/tokens``, with the second factor where the account has one)."""
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    if login_name:
        token = client.post_json("/api/v1/tokens", credentials(app, login_name))
        client.authorization = ("Bearer", token.json["token"])
    return client


def browser(app, who=None, **environ):
    """A WebTest browser; with a login, logged in through the pages (the MFA step included)."""
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", **environ})
    if who:
        assert login(client, who).status_int == 303
    return client


def login(testapp, login_name, password=PASSWORD, came_from="", otp=True):
    """Log in through the pages; an account with MFA also passes the code step (``otp=False``
    stops before it). Returns the last response (303 to the page asked for, on success)."""
    page = testapp.get("/login")
    form = page.forms["login-form"]
    form["login"] = login_name
    form["password"] = password
    response = form.submit("submit")
    if otp and response.status_int == 303 and "/login-otp" in response.location:
        form = response.follow().forms["otp-form"]
        form["code"] = otp_for(testapp.app, login_name)
        response = form.submit("verify")
    return response


def add_shared(root, kind, unit, title, state="shared", login="fixture", **fields):
    """A shared item (資源分享區) owned by ``unit``, in ``state``, indexed."""
    from inservice_portal.sharing import service as sharing
    from inservice_portal.resources.events import ObjectModified, notify

    item = sharing.add_item(root, kind, unit, login, title=title, **fields)
    if state != item.state:
        item.state = state
        notify(ObjectModified(item))
    return item
