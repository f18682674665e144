"""End-to-end fixtures: the real app over HTTP on loopback (waitress, FileStorage), Debian's
Chromium driven by Playwright (sync API), and axe-core for accessibility checks.

Without a browser the tests skip; with ``INSERVICE_REQUIRE_E2E=1`` (CI) they fail instead.
"""
import os
import re
import threading
from pathlib import Path

import pytest
import waitress

from inservice_portal import make_config
from inservice_portal.bootstrap import ensure_root

from ..conftest import Site

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
AXE = HERE.parent.parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


def pytest_collection_modifyitems(items):
    # Every test in this directory is an e2e test (setup.cfg declares the marker).
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def live_app(base_settings, tmp_path_factory):
    """The real app on a FileStorage of its own (not memory://: several server threads
    share it, as in production). Yields the configurator; the database is closed at the end."""
    var = tmp_path_factory.mktemp("e2e-var")
    settings = dict(base_settings)
    settings["zodbconn.uri"] = f"file://{var}/Data.fs?blobstorage_dir={var}/blobs"
    config = make_config(settings)
    app = config.make_wsgi_app()
    ensure_root(config.registry._zodb_databases[""])
    config.wsgi_app = app
    yield config
    for db in config.registry._zodb_databases.values():
        db.close()


@pytest.fixture(scope="module")
def live_server(live_app):
    """The base URL (``http://127.0.0.1:<port>``) of the app served by waitress in a thread."""
    server = waitress.create_server(live_app.wsgi_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="e2e-waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    server.task_dispatcher.shutdown(timeout=5)
    thread.join(timeout=5)  # kept-alive browser sockets may hold the loop; the thread is a daemon


@pytest.fixture(scope="module")
def live_site(live_app):
    """Build fixture data straight into the served database (tests/conftest.py's helpers)."""
    return Site(live_app.registry._zodb_databases[""], live_app.registry)


def _no_browser(reason: str):
    if os.environ.get("INSERVICE_REQUIRE_E2E") == "1":
        pytest.fail(f"INSERVICE_REQUIRE_E2E=1 but the browser tests cannot run: {reason}",
                    pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set INSERVICE_REQUIRE_E2E=1 to fail instead)")


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        _no_browser(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    if not AXE.is_file():
        _no_browser(f"{AXE} is missing (npm ci)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _no_browser(f"Playwright for Python is not installed ({exc})")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _no_browser(f"Chromium would not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh context per test (no cookies carried over). bypass_csp: our CSP forbids the
    inline script axe is injected as. A full-page screenshot is kept for humans to look at."""
    context = browser.new_context(base_url=live_server, locale="zh-TW", bypass_csp=True,
                                  viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
