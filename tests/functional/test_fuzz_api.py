"""Property-based fuzzing of every operation of the OpenAPI document (issue 22): schemathesis
makes valid and invalid requests from the document, and every answer must be a deliberate
one, never a server error.

Each generated request is sent three times: anonymously, as a teacher and as an organiser's
operator, and with its path's course code swapped for a real course so that the fuzzed body
reaches the course's own rules. ``INSERVICE_FUZZ_EXAMPLES`` sets the examples per operation
(``make fuzz`` runs a longer pass).
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from inservice_portal import reference

from ..conftest import add_course, add_organiser, add_staff, add_teacher, api_client, credentials

# The partners' token endpoint answers errors as OAuth 2 does (RFC 6749 §5.2), not as the API.
OAUTH_TOKEN = "/api/v1/exchange/token"
EXAMPLES = int(os.environ.get("INSERVICE_FUZZ_EXAMPLES", "25"))
seen: dict[str, int] = {}        # requests sent per operation, reported after the module


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    if reporter is None or not seen:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\nAPI fuzz: {sum(seen.values())} requests, none answered 5xx")
        for label, count in sorted(seen.items()):
            reporter.write_line(f"  {count:6d}  {label}")


@pytest.fixture
def fuzz_world(site, app):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_staff(root, "fuzz-op", school, "operator")
        add_teacher(root, "fuzz-t", school)
        course = add_course(root, school, title="模糊測試研習")
        code = course.code
    client = api_client(app)
    tokens = [client.post_json("/api/v1/tokens", credentials(app, who)).json["token"]
              for who in ("fuzz-t", "fuzz-op")]
    return {"app": app, "code": str(code), "tokens": tokens}


# The document the API serves (GET /api/v1/openapi.json answers this very data).
schema = schemathesis.openapi.from_dict(reference.load("openapi"))


def callers(world):
    yield {}
    for token in world["tokens"]:
        yield {"Authorization": f"Bearer {token}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case, fuzz_world):
    variants = [case]
    if "code" in (case.path_parameters or {}):
        real = case.operation.Case(
            path_parameters={**case.path_parameters, "code": fuzz_world["code"]},
            query=case.query, headers=case.headers, body=case.body, media_type=case.media_type)
        variants.append(real)
    for variant in variants:
        for headers in callers(fuzz_world):
            response = variant.call(app=fuzz_world["app"], headers=headers)
            label = f"{case.method.upper()} {case.path}"
            seen[label] = seen.get(label, 0) + 1
            assert response.status_code < 500, (
                f"{label} answered {response.status_code}: {variant.as_curl_command()}\n"
                f"{response.text[:500]}")
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith("application/json")
                error = response.json()["error"]
                if not (case.path == OAUTH_TOKEN and isinstance(error, str)):  # RFC 6749 §5.2
                    assert set(error) == {"code", "message", "fields"}
