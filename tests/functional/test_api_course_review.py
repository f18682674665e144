"""The course workflow over the API: transitions listed and taken, errors, the worklist."""
from datetime import timedelta

import pytest

from inservice_portal import clock

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, api_client, complete)


@pytest.fixture
def world(site):
    soon = clock.now().date() + timedelta(days=30)
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_teacher(root, "t1", school)
        draft = complete(add_course(root, school, "草稿研習", state="draft", starts_on=soon))
        pending = complete(add_course(root, school, "待審研習", state="pending", starts_on=soon))
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
        school = root["centres"]["taipei"]["353601"]
        code = complete(add_course(root, school, "矩陣研習", state=state, starts_on=past)).code
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
        code = complete(add_course(root, root["centres"]["taipei"]["353601"], "狀態研習",
                                   state=state)).code
    wrong = "cancel" if state != "published" else "approve"
    for who in ("a-admin", "tp-rev"):
        response = api(app, who).post_json(f"/api/v1/courses/{code}/transitions",
                                           {"transition": wrong}, status=409)
        assert response.json["error"]["code"] == "invalid_transition"


def test_an_incomplete_course_is_not_sent_for_review_by_api_or_page(app, world, site):
    """002 Art. 8 reviews complete courses (courses/service.problems): a copy that the form
    would refuse stays a draft, and the answer names each missing item; auto-approval does
    not publish it either. Others are still told they may not submit at all."""
    from ..conftest import browser, csrf_of

    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        code = add_course(root, school, "未填完的複製課程", state="draft").code
        root["centres"]["taipei"].auto_approve = True
    url = f"/api/v1/courses/{code}/transitions"
    refused = api(app, "a-admin").post_json(url, {"transition": "submit"}, status=422).json
    assert refused["error"]["code"] == "incomplete_course"
    assert {"lecturers", "outline", "sessions", "contacts"} <= set(refused["error"]["fields"])
    assert "「8 師資」" in refused["error"]["message"]
    api(app, "tp-rev").post_json(url, {"transition": "submit"}, status=403)    # not theirs
    page_url = f"/centres/taipei/353601/{code}/workflow"
    client = browser(app, "a-admin")
    answer = client.post(page_url, {"csrf_token": csrf_of(client.get(page_url)),
                                    "transition": "submit"}, status=303).follow()
    flash = " ".join(p.get_text() for p in answer.html.select(".flash"))
    assert "課程資料尚未完整，不能送出審核" in flash and "「9 課程大綱」" in flash
    assert site.read(lambda root: root["centres"]["taipei"]["353601"][str(code)].state) == "draft"
    with site.edit() as root:
        complete(root["centres"]["taipei"]["353601"][str(code)])
    assert api(app, "a-admin").post_json(url, {"transition": "submit"}).json["state"] == "published"
