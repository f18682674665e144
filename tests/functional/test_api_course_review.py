"""The course workflow over the API: transitions listed and taken, errors, the worklist."""
from datetime import timedelta

import pytest

from inservice_portal import clock

from ..conftest import api_client, add_course, add_organiser, add_staff, add_teacher


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


api = api_client


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


# --- every transition over the API, by own and foreign staff and reviewers ------------------

MATRIX = {
    ("draft", "submit"): {"a-admin"}, ("returned", "submit"): {"a-admin"},
    ("pending", "approve"): {"tp-rev"}, ("pending", "return"): {"tp-rev"},
    ("published", "cancel"): {"a-admin"}, ("published", "submit_roster"): {"a-admin"},
    ("roster_returned", "submit_roster"): {"a-admin"},
    ("roster_pending", "confirm_roster"): {"tp-rev"},
    ("roster_pending", "return_roster"): {"tp-rev"},
    ("closed", "reopen"): set(),              # the national centre's alone
}
REASONS = {"return": ["A"], "return_roster": ["R1"]}


@pytest.mark.parametrize("state, name", sorted(MATRIX))
@pytest.mark.parametrize("who", ["a-admin", "b-admin", "tp-rev", "pt-rev", "t1"])
def test_transition_matrix_over_the_api(app, site, world, state, name, who):
    past = clock.now().date() - timedelta(days=3)          # rosters wait for the course's end
    with site.edit() as root:
        add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "b-admin", root["centres"]["taipei"]["353602"], "principal_admin")
        code = add_course(root, root["centres"]["taipei"]["353601"], "矩陣研習", state=state,
                          starts_on=past).code
    body = {"transition": name, "reasons": REASONS.get(name, [])}
    response = api(app, who).post_json(f"/api/v1/courses/{code}/transitions", body, status="*")
    after = site.read(lambda root: root["centres"]["taipei"]["353601"][str(code)].state)
    if who in MATRIX[(state, name)]:
        assert response.status_int == 200 and response.json["state"] == after != state
    else:
        assert (response.status_int, response.json["error"]["code"]) == (403, "forbidden")
        assert after == state


@pytest.mark.parametrize("state", ["draft", "pending", "returned", "published", "cancelled",
                                   "roster_pending", "roster_returned", "closed"])
def test_a_transition_from_the_wrong_state_is_409_for_those_who_see_it(app, site, world, state):
    with site.edit() as root:
        code = add_course(root, root["centres"]["taipei"]["353601"], "狀態研習",
                          state=state).code
    wrong = "cancel" if state != "published" else "approve"
    for who in ("a-admin", "tp-rev"):
        response = api(app, who).post_json(f"/api/v1/courses/{code}/transitions",
                                           {"transition": wrong}, status=409)
        assert response.json["error"]["code"] == "invalid_transition"
