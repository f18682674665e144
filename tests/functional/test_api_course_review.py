"""The course workflow over the API: transitions listed and taken, errors, the worklist."""
from datetime import timedelta

import pytest
import webtest

from inservice_portal import clock

from ..conftest import PASSWORD, credentials, add_course, add_organiser, add_staff, add_teacher


@pytest.fixture
def world(site):
    soon = clock.now().date() + timedelta(days=30)
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_teacher(root, "t1", school)
        draft = add_course(root, school, "草稿研習", state="draft", starts_on=soon)
        pending = add_course(root, school, "待審研習", state="pending", starts_on=soon)
        return {"draft": draft.code, "pending": pending.code}


def api(app, login_name=None):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    if login_name:
        token = client.post_json("/api/v1/tokens", credentials(app, login_name))
        client.authorization = ("Bearer", token.json["token"])
    return client


def test_listed_transitions_depend_on_the_caller(app, world):
    url = f"/api/v1/courses/{world['pending']}/transitions"
    assert {t["name"] for t in api(app, "tp-rev").get(url).json["transitions"]} == {
        "approve", "return"}
    assert api(app, "a-admin").get(url).json["transitions"] == []


def test_submit_return_resubmit_approve(app, world):
    code = world["draft"]
    url = f"/api/v1/courses/{code}/transitions"
    organiser, reviewer = api(app, "a-admin"), api(app, "tp-rev")
    assert organiser.post_json(url, {"transition": "submit"}).json["state"] == "pending"
    returned = reviewer.post_json(url, {"transition": "return", "reasons": ["A"],
                                        "comment": "請移除標籤"}).json
    assert returned["state"] == "returned"
    last = returned["history"][-1]
    assert (last["transition"], last["from"], last["to"], last["by"], last["reasons"],
            last["comment"]) == ("return", "pending", "returned", "tp-rev", ["A"], "請移除標籤")
    assert last["at"].endswith("+08:00")
    assert organiser.post_json(url, {"transition": "submit"}).json["state"] == "pending"
    assert reviewer.post_json(url, {"transition": "approve"}).json["state"] == "published"


@pytest.mark.parametrize("who, body, status, code", [
    ("tp-rev", {"transition": "return"}, 422, "reasons_required"),
    ("tp-rev", {"transition": "return", "reasons": ["nope"]}, 422, "reasons_required"),
    ("a-admin", {"transition": "approve"}, 403, "forbidden"),
    ("tp-rev", {"transition": "submit"}, 409, "invalid_transition"),
    ("tp-rev", {"transition": "fly"}, 409, "invalid_transition"),
    ("tp-rev", {}, 400, "malformed"),
    ("tp-rev", {"transition": "approve", "reasons": "A"}, 400, "malformed"),
    ("pt-rev", {"transition": "approve"}, 403, "forbidden"),     # a foreign centre: no view
    ("t1", {"transition": "approve"}, 403, "forbidden"),
])
def test_refusals(app, world, site, who, body, status, code):
    url = f"/api/v1/courses/{world['pending']}/transitions"
    response = api(app, who).post_json(url, body, status=status)
    assert response.json["error"]["code"] == code
    assert site.read(lambda root: root["centres"]["taipei"]["353601"][str(world["pending"])].state) == "pending"


def test_unknown_course_is_404(app, world):
    assert api(app, "tp-rev").get("/api/v1/courses/999999/transitions", status=404)


def test_anonymous_gets_401(app, world):
    response = api(app).get(f"/api/v1/courses/{world['pending']}/transitions", status=401)
    assert response.json["error"]["code"] == "unauthorized"


def test_review_pending_is_the_centres_worklist(app, world):
    page = api(app, "tp-rev").get("/api/v1/review/pending?centre=taipei").json
    assert [i["code"] for i in page["items"]] == [world["pending"]] and page["total"] == 1
    assert api(app, "pt-rev").get("/api/v1/review/pending?centre=taipei", status=403)
    assert api(app, "a-admin").get("/api/v1/review/pending?centre=taipei", status=403)
    assert api(app, "tp-rev").get("/api/v1/review/pending?centre=mars", status=404)
