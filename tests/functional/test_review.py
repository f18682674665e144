"""The reviewer's worklist, bulk approval, the 審核與流程 page, centre settings,
自動審核瀏覽 and 本單位研習課程瀏覽, through the pages as their users would."""
import re
from datetime import timedelta

import pytest

from inservice_portal import clock

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, complete, csrf_of,
                        login)


@pytest.fixture
def world(site):
    soon = clock.now().date() + timedelta(days=30)
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        far = add_organiser(root, "pingtung", "133601", "屏東縣立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_teacher(root, "t1", school)
        courses = {
            "math": complete(add_course(root, school, "國小數學領域教學", state="pending", starts_on=soon)),
            "yoga": complete(add_course(root, other, "教師瑜珈紓壓", state="pending", starts_on=soon),
                             stage="junior_high"),
            "late": complete(add_course(root, school, "臨時加開的自然研習", state="pending",
                               starts_on=clock.now().date() + timedelta(days=2))),
            "far": complete(add_course(root, far, "屏東在地文化課程", state="pending", starts_on=soon)),
            "draft": complete(add_course(root, school, "尚未送審", state="draft", starts_on=soon)),
        }
        courses["math"].update(stage="elementary")
        courses["late"].update(stage="junior_high")
        for c in courses.values():
            c.submitted_on = clock.now().date()
        from inservice_portal.catalog import reindex_all
        reindex_all(root)
        return {k: (c.code, "/".join(["", "centres", c.centre.code, c.organiser.code, str(c.code)]))
                for k, c in courses.items()}


def titles(page):
    links = set(re.findall(r'<td><a href="[^"]+">([^<]+)</a></td>', page.text))
    return links - {"審核", "流程"}


def test_worklist_lists_only_my_centres_pending_courses(testapp, world):
    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/worklist")
    assert titles(page) == {"國小數學領域教學", "教師瑜珈紓壓", "臨時加開的自然研習"}


@pytest.mark.parametrize("who", ["pt-rev", "a-admin", "t1"])
def test_worklist_is_refused_to_others(testapp, world, who):
    login(testapp, who)
    assert testapp.get("/centres/taipei/worklist", status=403)


def test_anonymous_is_sent_to_login(testapp, world):
    assert testapp.get("/centres/taipei/worklist").status_int == 303


@pytest.mark.parametrize("query, expected", [
    ("stage=elementary", {"國小數學領域教學"}),
    ("organiser=353602", {"教師瑜珈紓壓"}),
    ("flag=art9", {"教師瑜珈紓壓"}),            # Art. 9 (4): 瑜珈
    ("flag=late", {"臨時加開的自然研習"}),      # Art. 12: fewer than 7 days ahead
])
def test_worklist_filters(testapp, world, query, expected):
    login(testapp, "tp-rev")
    assert titles(testapp.get(f"/centres/taipei/worklist?{query}")) == expected


def test_flags_are_shown_with_their_clause(testapp, world):
    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/worklist")
    assert "第 9 條第 4 款" in page.text and "逾期登錄" in page.text


def test_bulk_approve_approves_the_ticked_courses_once(testapp, world, site):
    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/worklist")
    form = {"csrf_token": csrf_of(page), "approve": "1",
            "course": [str(world["math"][0]), str(world["yoga"][0]), str(world["far"][0])]}
    done = testapp.post("/centres/taipei/worklist", form).follow()
    assert "已審核通過 2 門課程" in done.text
    assert f"{world['far'][0]}（不屬本中心）" in done.text
    again = testapp.post("/centres/taipei/worklist", form).follow()   # a double submit
    assert "狀態已變更或無權限" in again.text
    states = site.read(lambda root: {k: _course(root, p).state for k, (_, p) in world.items()})
    assert states == {"math": "published", "yoga": "published", "late": "pending",
                      "far": "pending", "draft": "draft"}


def _course(root, path):
    from pyramid.traversal import find_resource
    return find_resource(root, path)


def _post_transition(testapp, path, transition, **extra):
    page = testapp.get(f"{path}/workflow")
    data = {"csrf_token": csrf_of(page), "transition": transition, **extra}
    return testapp.post(f"{path}/workflow", data).follow()


def test_return_needs_a_reason_then_the_organiser_sees_it_and_resubmits(testapp, world, site):
    _, path = world["math"]
    login(testapp, "tp-rev")
    page = testapp.get(f"{path}/workflow")
    refused = testapp.post(f"{path}/workflow", {"csrf_token": csrf_of(page), "transition": "return",
                                               "comment": "地點請寫清楚"}, status=400)
    # like every form: the summary on top, the message at the reasons, what was typed kept
    summary = refused.html.select_one(".error-summary")
    assert "請至少選擇一項退回原因" in summary.get_text()
    assert summary.a["href"] == "#reasons-return"
    fieldset = refused.html.find(id="reasons-return")
    assert fieldset["aria-describedby"] == "e-return"
    assert "請至少選擇一項退回原因" in fieldset.find(id="e-return").get_text()
    assert fieldset.textarea.get_text() == "地點請寫清楚"
    assert refused.html.title.get_text().startswith("錯誤：")
    assert site.read(lambda root: _course(root, path).state) == "pending"
    done = _post_transition(testapp, path, "return", reasons=["A", "8-3"], comment="請補地點")
    assert "退回修正" in done.text
    testapp.reset()
    login(testapp, "a-admin")
    page = testapp.get(f"{path}/workflow")
    assert "請移除屬性標籤" in page.text and "請補地點" in page.text
    assert "修正後重新送審" in page.text
    _post_transition(testapp, path, "submit")
    assert site.read(lambda root: _course(root, path).state) == "pending"


def test_wrong_role_and_wrong_state_change_nothing(testapp, world, site):
    _, path = world["math"]
    login(testapp, "a-admin")                          # the organiser cannot approve
    page = _post_transition(testapp, path, "approve")
    assert "沒有執行此動作的權限" in page.text
    page = _post_transition(testapp, path, "submit")   # already pending
    assert "不能執行" in page.text
    assert site.read(lambda root: _course(root, path).state) == "pending"


def test_foreign_reviewer_can_neither_see_nor_act(testapp, world, site):
    _, path = world["math"]
    login(testapp, "pt-rev")
    testapp.get(f"{path}/workflow", status=403)
    testapp.get(path, status=403)
    other = testapp.get("/centres/pingtung/worklist")
    testapp.post(f"{path}/workflow", {"csrf_token": csrf_of(other), "transition": "approve"},
                 status=403)
    assert site.read(lambda root: _course(root, path).state) == "pending"


def test_auto_approval_setting_publishes_on_submit_and_lists_it(testapp, world, site):
    login(testapp, "tp-rev")
    form = testapp.get("/centres/taipei/settings").forms["centre-settings"]
    form["auto_approve"] = True
    form.submit("save").follow()
    testapp.reset()
    login(testapp, "a-admin")
    _, path = world["draft"]
    _post_transition(testapp, path, "submit")
    assert site.read(lambda root: _course(root, path).state) == "published"
    testapp.reset()
    login(testapp, "tp-rev")
    page = testapp.get("/centres/taipei/auto-approved")
    assert "尚未送審" in page.text
    history = testapp.get(f"{path}/workflow")
    assert "系統（自動審核）" in history.text


def test_settings_validate_and_are_refused_to_schools(testapp, world):
    login(testapp, "tp-rev")
    form = testapp.get("/centres/taipei/settings").forms["centre-settings"]
    form["submit_days"] = "-3"
    page = form.submit("save", status=400)
    assert "不可小於 0 天" in page.text and 'value="-3"' in page.text
    testapp.reset()
    login(testapp, "a-admin")
    testapp.get("/centres/taipei/settings", status=403)


def test_organiser_course_list_shows_all_states_with_filter(testapp, world):
    login(testapp, "a-admin")
    page = testapp.get("/centres/taipei/353601/courses")
    assert titles(page) == {"國小數學領域教學", "臨時加開的自然研習", "尚未送審"}
    assert titles(testapp.get("/centres/taipei/353601/courses?state=draft")) == {"尚未送審"}
    testapp.get("/centres/taipei/353602/courses", status=403)     # another school's list


# --- every transition through the 審核與流程 page, by every kind of caller ---------------------

# (state, transition) → who may take it on the page; everyone else changes nothing.
PAGE_MATRIX = {
    ("draft", "submit"): {"a-admin"}, ("returned", "submit"): {"a-admin"},
    ("pending", "approve"): {"tp-rev"}, ("pending", "return"): {"tp-rev"},
    ("published", "cancel"): {"a-admin"}, ("published", "submit_roster"): {"a-admin"},
    ("roster_returned", "submit_roster"): {"a-admin"},
    ("roster_pending", "confirm_roster"): {"tp-rev"},
    ("roster_pending", "return_roster"): {"tp-rev"},
    ("closed", "reopen"): set(),              # the national centre's alone (unit test)
}
REASONS = {"return": ["A"], "return_roster": ["R1"]}
CALLERS = ["a-admin", "b-admin", "tp-rev", "pt-rev", "t1"]   # own / foreign staff and reviewer


@pytest.mark.parametrize("state, transition", sorted(PAGE_MATRIX))
@pytest.mark.parametrize("who", CALLERS)
def test_transition_matrix_through_the_page(testapp, site, world, state, transition, who):
    past = clock.now().date() - timedelta(days=3)          # rosters wait for the course's end
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        course = complete(add_course(root, school, "矩陣研習", state=state, starts_on=past))
        path = f"/centres/taipei/353601/{course.code}"
    login(testapp, who)
    data = {"csrf_token": csrf_of(testapp.get("/account")), "transition": transition,
            "reasons": REASONS.get(transition, []), "confirmed": "1"}   # (test_..._asks_first)
    response = testapp.post(f"{path}/workflow", data, status="*")
    after = site.read(lambda root: _course(root, path).state)
    if who in PAGE_MATRIX[(state, transition)]:
        assert response.status_int == 303 and after != state
        assert "已完成" in response.follow().text
    else:
        assert after == state
        assert response.status_int in (303, 403)
        if response.status_int == 303:             # it may see the course: told why not
            assert "未完成" in response.follow().text


@pytest.mark.parametrize("who, state, shown, action", [
    ("a-admin", "draft", True, "送出審核"),
    ("a-admin", "pending", True, None),
    ("tp-rev", "pending", True, "審核通過、退回修正"),
    ("tp-rev", "draft", True, None),
    ("b-admin", "published", False, None),
    ("t1", "published", False, None),
    (None, "published", False, None),
])
def test_course_page_links_to_the_workflow_page(testapp, site, world, who, state, shown,
                                                action):
    with site.edit() as root:
        course = complete(add_course(root, root["centres"]["taipei"]["353601"], "連結研習",
                                     state=state))
        path = f"/centres/taipei/353601/{course.code}"
    if who:
        login(testapp, who)
    page = testapp.get(path)
    link = re.search(rf'<a class="btn [^"]*"\s+href="http://localhost{path}/workflow">([^<]*)', page.text)
    assert bool(link) == shown
    if shown:       # with what the caller may do there now
        assert link.group(1) == "審核與流程" + (f"（{action}）" if action else "")


def test_courses_are_entered_two_weeks_ahead_unless_a_centre_says_otherwise(site):
    """001 (2022) "各學校、單位須於研習活動辦理前兩週…登錄": the default is 14 days; evolve 21
    moves the centres still at the old default week, and keeps a number a centre chose."""
    from inservice_portal import evolve

    with site.edit() as root:
        assert {c.submit_days for c in root["centres"].values()} == {14}
        root["centres"]["taipei"].submit_days = 7
        root["centres"]["pingtung"].submit_days = 10
        setattr(root, evolve.VERSION_KEY, 20)
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert site.read(lambda root: (root["centres"]["taipei"].submit_days,
                                   root["centres"]["pingtung"].submit_days)) == (14, 10)


def test_rosters_are_due_within_a_month_unless_a_centre_says_otherwise(testapp, site):
    """001 "請於研習辦理結束後一個月內…登錄": the default is a month (no number of days); a
    centre may set days on its settings page (blank brings the month back); evolve 23 moves
    the centres still at the old default of 7 days and keeps a number a centre chose."""
    from inservice_portal import evolve

    with site.edit() as root:
        assert {c.roster_days for c in root["centres"].values()} == {None}
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        root["centres"]["taipei"].roster_days = 7
        root["centres"]["pingtung"].roster_days = 10
        setattr(root, evolve.VERSION_KEY, 22)
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert site.read(lambda root: (root["centres"]["taipei"].roster_days,
                                   root["centres"]["pingtung"].roster_days)) == (None, 10)
    client = testapp
    login(client, "tp-rev")
    form = client.get("/centres/taipei/settings").forms["centre-settings"]
    assert form["roster_days"].value == ""
    form["roster_days"] = "21"
    form.submit("save").follow()
    assert site.read(lambda root: root["centres"]["taipei"].roster_days) == 21
    form = client.get("/centres/taipei/settings").forms["centre-settings"]
    form["roster_days"] = ""
    form.submit("save").follow()
    assert site.read(lambda root: root["centres"]["taipei"].roster_days) is None


@pytest.mark.parametrize("state, transition, words", [
    ("published", "cancel", "課程不再公告"),
    ("published", "submit_roster", "送交區域管理中心確認"),
    ("roster_returned", "submit_roster", "送交區域管理中心確認"),
])
def test_irreversible_transitions_ask_first(testapp, site, world, state, transition, words):
    """Issue 16 item 2: 取消課程 and 送出研習名單 answer a confirmation page (what will happen,
    the button, the way back) and change nothing until it is pressed."""
    past = clock.now().date() - timedelta(days=3)
    with site.edit() as root:
        course = complete(add_course(root, root["centres"]["taipei"]["353601"], "確認研習",
                                     state=state, starts_on=past))
        path = f"/centres/taipei/353601/{course.code}"
    login(testapp, "a-admin")
    page = testapp.get(f"{path}/workflow")
    form = next(f for f in page.forms.values() if f.fields.get("transition")
                and f["transition"].value == transition)
    asked = form.submit()
    assert asked.status_int == 200 and "<h1" in asked.text and "請確認：" in asked.text
    assert words in asked.text and "確認研習" in asked.text
    assert asked.html.find("a", string=re.compile("^返回"))["href"].endswith(f"{path}/workflow")
    assert site.read(lambda root: _course(root, path).state) == state
    done = next(f for f in asked.forms.values() if "confirmed" in f.fields).submit()
    assert done.status_int == 303 and "已完成" in done.follow().text
    assert site.read(lambda root: _course(root, path).state) != state


def test_a_caller_who_may_not_is_not_asked(testapp, site, world):
    with site.edit() as root:
        course = complete(add_course(root, root["centres"]["taipei"]["353601"], "他校研習",
                                     state="published"))
        path = f"/centres/taipei/353601/{course.code}"
    login(testapp, "b-admin")
    response = testapp.post(f"{path}/workflow", {"csrf_token": csrf_of(testapp.get("/account")),
                                                 "transition": "cancel"}, status="*")
    assert "請確認" not in response.text
    assert site.read(lambda root: _course(root, path).state) == "published"
