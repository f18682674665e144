"""Property-based fuzzing of every HTML form (issue 22): hypothesis fills each form the app
serves with hostile values (long and odd Unicode text, huge numbers, path tricks, formulas,
control characters, missing and repeated fields), posts it with a valid CSRF token as the
people who can see the form, and every answer must be deliberate: no server error.

The table of forms is the registry's every POST view (test_security.SAMPLES gives its URL),
so a new form is fuzzed without being listed. ``INSERVICE_FUZZ_EXAMPLES`` sets the rounds
(``make fuzz`` runs a longer pass).
"""
import os

import pytest
from hypothesis import HealthCheck, given, strategies as st
from hypothesis import settings as fuzzing

from ..conftest import browser as client, csrf_of
from .test_security import SAMPLES, allows, app_views, key, people  # noqa: F401 (fixture)

ROUNDS = int(os.environ.get("INSERVICE_FUZZ_EXAMPLES", "25")) // 5 or 1
KEEP = {"csrf_token", "_charset_", "__formid__"}
# The names views read from a post outside deform (a transition button, a roster's marks):
# posted, with hostile values, to views whose page lies elsewhere.
READ = ["action", "came_from", "code", "comment", "confirm", "confirmed", "course", "delete",
        "kind", "login", "name", "proof", "reason", "reasons", "secret", "session", "stage",
        "state", "token", "transition", "unit", "year"]
# What the CSRF test may not reach: logging out ends the session the other forms need.
SKIP = {"/logout", "/static/portal.css", "/deform_static/css/form.css"}

HOSTILE = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text(alphabet="研習課程０１２３ａ😀\u200b\u202e\x00\r\n\t<>&\"'%;", max_size=5000),
    st.integers(min_value=-(10 ** 60), max_value=10 ** 60).map(str),
    st.sampled_from(["", " ", "../../etc/passwd.pdf", "=HYPERLINK(\"http://x\")", "-1", "0",
                     "1e400", "NaN", "2026-02-30", "25:61", "9" * 5000, "\\ud800",
                     "A123456789", "__start__", "__end__", "null", "[]", "{}"]),
)


@pytest.fixture
def settings(base_settings, smtp):
    return {**base_settings, **smtp.settings}      # forms that mail reach a real SMTP server


@pytest.fixture
def form_table(app, config, people):  # noqa: F811 (the fixture imported above)
    """(browser, url, fields, submit names) for every POST view, with the browser that sees
    its form: the school's admin, the centre's reviewer, the ministry or a teacher."""
    browsers = [client(app, who) for who in ("a-admin", "tp-rev", "moe", "t1")]
    table = []
    for intr, _ in app_views(config):
        url = SAMPLES[key(intr)]
        if not allows(intr, "POST") or url in SKIP or url.startswith("/api/"):
            continue
        table.append(found_form(browsers, url))
    return table


def found_form(browsers, url):
    for browser in browsers:
        page = browser.get(url, status="*")
        if page.status_int == 200 and "text/html" in page.content_type:
            forms = [form for form in page.forms.values() if form.method.upper() == "POST"
                     and not (form.action or "").endswith("/logout")]
            if forms:
                form = max(forms, key=lambda f: len(f.field_order))
                fields = [name for name, _ in form.field_order if name]
                buttons = [name for name, field in form.field_order
                           if field.__class__.__name__ == "Submit" and name]
                return browser, url, csrf_of(page), fields, buttons
    # A POST-only view (a transition button elsewhere): the teacher's token, no known fields.
    page = browsers[0].get("/account")
    return browsers[0], url, csrf_of(page), [], []


@given(data=st.data())
@fuzzing(max_examples=ROUNDS, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_form_answers_a_server_error(form_table, data):
    for browser, url, token, fields, buttons in form_table:
        body = [("csrf_token", token)]
        fields = fields or data.draw(st.lists(st.sampled_from(READ), max_size=6))
        for name in fields:
            if name in KEEP:
                continue
            for _ in range(data.draw(st.sampled_from([1, 1, 1, 0, 2]))):
                body.append((name, data.draw(HOSTILE)))
        if buttons:
            body.append((data.draw(st.sampled_from(buttons)), ""))
        response = browser.post(url, body, status="*")
        assert response.status_int < 500, (url, body[:20], response.text[:800])
