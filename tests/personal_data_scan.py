"""A scan for full national ID numbers (身分證統一編號) in what the app gives out during the test
run: every WebTest response and request URL, every log record, every mail delivered to the test
SMTP server and every transaction note. Only the audited full-ID view may show one, and the
partners' audited retrieval (回撈) of their teachers' records.

Installed for the whole session by tests/conftest.py; tests/functional/test_zz_personal_data.py
runs last and asserts nothing was found.
"""
import logging
import re
import unicodedata
from urllib.parse import unquote_plus

from inservice_portal.scripts.demo import valid_national_id

# A letter, 1 or 2, eight digits, not inside a longer run of letters and digits.
CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Z][12]\d{8}(?![0-9])")
# The one view that shows the full number, on purpose and audited (views/account_admin.py).
ALLOWED = re.compile(r"/@@national-id$")
# 回撈: a partner system reads its teachers' records by their IDs (its own key), audited.
RETRIEVAL = "/api/v1/exchange/records"


def as_typed(text: str) -> str:
    """Form input as the app normalises an ID (full-width, lower case, spaces)."""
    return re.sub(r"[ \t]+", "", unicodedata.normalize("NFKC", text)).upper()


def full_ids(text: str) -> set[str]:
    return {m for m in CANDIDATE.findall(text or "") if valid_national_id(m)}


class Scan:
    def __init__(self):
        self.responses = 0
        self.log_records = 0
        self.mails = 0
        self.findings: list[str] = []

    def found(self, where: str, text: str, typed=frozenset()):
        for value in full_ids(text) - typed:
            self.findings.append(f"{where}: {value}")

    def request(self, method: str, url: str, body_text: str, status: int, sent: str = ""):
        self.responses += 1
        self.found(f"URL of {method} {url}", url)
        path = url.split("?", 1)[0]
        if method == "POST" and ALLOWED.search(path) and status == 200:
            return
        if method == "GET" and path.endswith(RETRIEVAL) and status == 200:
            return
        # A refused form gives back what its sender typed (nothing lost on a failed
        # submission): the sender's own input is not a disclosure.
        typed = full_ids(as_typed(sent)) if status >= 400 else frozenset()
        self.found(f"response to {method} {url} ({status})", body_text, typed)

    def log(self, text: str):
        self.log_records += 1
        self.found("log record", text)

    def mail(self, text: str):
        self.mails += 1
        self.found("mail", text)


SCAN = Scan()


class LogScanHandler(logging.Handler):
    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:        # a broken format string is not our concern here
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + str(record.exc_info[1])
        SCAN.log(text)


def install():
    """Patch WebTest, logging and transaction notes for the session; returns an undo callable."""
    import transaction
    import webtest

    original_request = webtest.TestApp.do_request

    def do_request(self, req, status=None, expect_errors=None):
        response = original_request(self, req, status=status, expect_errors=expect_errors)
        try:
            body = response.text if response.charset or response.content_type.startswith(
                ("text/", "application/json")) else ""
        except (UnicodeDecodeError, AttributeError):
            body = ""
        sent = unquote_plus(req.body.decode("utf-8", "replace")) if req.method == "POST" else ""
        try:
            url = req.url
        except UnicodeDecodeError:                   # a test of a path that is not UTF-8
            url = req.environ["PATH_INFO"].encode("latin-1").decode("utf-8", "replace")
        SCAN.request(req.method, url, body, response.status_int, sent)
        return response

    original_note = transaction.Transaction.note

    def note(self, text):
        SCAN.found("transaction note", text if isinstance(text, str) else str(text))
        return original_note(self, text)

    webtest.TestApp.do_request = do_request
    transaction.Transaction.note = note
    handler = LogScanHandler(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    app_logger = logging.getLogger("inservice_portal")
    old_level = app_logger.level
    app_logger.setLevel(logging.DEBUG)

    def undo():
        webtest.TestApp.do_request = original_request
        transaction.Transaction.note = original_note
        logging.getLogger().removeHandler(handler)
        app_logger.setLevel(old_level)

    return undo
