"""待辦事項 (issue 16 item 1): every staff role lands on its work after logging in; a reviewer
sees what waits on the centre, an organiser its returned courses (with the reasons right there),
drafts, registrations to review and rosters due and overdue; the national centre and the
ministry see every centre. Nobody sees another unit's page."""
from datetime import date, timedelta

import pytest
import webtest

from inservice_portal import clock

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, csrf_of, login,
                        returned)
from .test_roster import add_ended_course

TODAY = clock.now().date()
SCHOOL = "/centres/taipei/353601"


def _ended(root, school, title, days_ago, state="published"):
    return add_ended_course(root, school, title, day=TODAY - timedelta(days=days_ago),
                            state=state)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        other = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "a-contact", school, "contact")
        add_staff(root, "a-operator", school, "operator")
        add_staff(root, "b-admin", other, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "nat", root["centres"]["nknu"], "national_centre")
        add_staff(root, "moe", root, "ministry_admin")
        add_teacher(root, "t1", school)
        add_course(root, school, "待審的課程", state="pending", starts_on=date(2099, 3, 1))
        add_course(root, school, "還在寫的草稿", state="draft", starts_on=date(2099, 3, 2))
        returned(add_course(root, school, "被退回的課程", starts_on=date(2099, 3, 3)),
                 "tp-rev", "請刪除專案屬性標籤")
        reviewing = add_course(root, school, "審核制的課程", starts_on=date(2099, 3, 4))
        reviewing.update(admission="review")
        _ended(root, school, "剛結束待送名單", 3)
        _ended(root, school, "名單逾期的課程", 40)
        _ended(root, school, "待確認名單的課程", 5, state="roster_pending")
        _ended(root, other, "別校逾期的課程", 40)
    return site


def browser(app, who=None):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    if who:
        login(client, who)
    return client


@pytest.mark.parametrize("who, landing", [
    ("a-admin", f"{SCHOOL}/todo"), ("a-contact", f"{SCHOOL}/todo"),
    ("a-operator", f"{SCHOOL}/todo"), ("tp-rev", "/centres/taipei/todo"),
    ("nat", "/centres/nknu/todo"), ("moe", "/todo"), ("t1", "/"),
])
def test_every_staff_role_lands_on_its_todo_page(app, world, who, landing):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    response = login(client, who)
    assert response.location == f"http://localhost{landing}"
    page = response.follow()
    if landing != "/":
        assert "<h1>待辦事項</h1>" in page.text
        assert '<a href="http://localhost' + landing + '"' in page.text      # in the menu


def test_the_reviewer_sees_what_waits_on_the_centre(app, world):
    page = browser(app, "tp-rev").get("/centres/taipei/todo")
    section = page.html.find(id="task-courses").parent
    assert "（1）" in section.text and "待審的課程" in section.text
    assert section.find("a", string="待審的課程")["href"].endswith("/workflow")
    assert "待確認名單的課程" in page.html.find(id="task-rosters").parent.text
    overdue = page.html.find(id="task-overdue").parent.text
    assert "名單逾期的課程" in overdue and "別校逾期的課程" in overdue
    assert "剛結束待送名單" not in overdue
    assert "各區域管理中心待辦" not in page.text        # a county's reviewer: its own centre


def test_the_organiser_sees_its_returned_courses_with_the_reasons(app, world):
    page = browser(app, "a-operator").get(f"{SCHOOL}/todo")
    returned = page.html.find(id="task-returned").parent.text
    assert "被退回的課程" in returned and "請移除屬性標籤" in returned
    assert "請刪除專案屬性標籤" in returned
    assert "還在寫的草稿" in page.html.find(id="task-drafts").parent.text
    assert "剛結束待送名單" in page.html.find(id="task-rosters_due").parent.text
    overdue = page.html.find(id="task-rosters_overdue").parent.text
    assert "名單逾期的課程" in overdue and "別校逾期的課程" not in overdue
    assert "待審的課程" not in page.text               # waiting on the centre, not on the school


def test_registrations_to_review_are_counted(app, world, site):
    code = site.read(lambda root: next(c.code for c in root["centres"]["taipei"]["353601"].values()
                                       if c.title == "審核制的課程"))
    teacher = browser(app, "t1")
    page = teacher.get(f"{SCHOOL}/{code}")
    teacher.post(f"{SCHOOL}/{code}/@@register", {"csrf_token": csrf_of(page)}, status=303)
    section = browser(app, "a-admin").get(f"{SCHOOL}/todo").html.find(
        id="task-registrations").parent
    assert "審核制的課程" in section.text and "待審核 1 人" in section.text
    assert section.find("a", string="審核制的課程")["href"].endswith("/registrations")


@pytest.mark.parametrize("who", ["nat", "moe"])
def test_the_national_centre_and_the_ministry_see_every_centre(app, world, who):
    url = "/centres/nknu/todo" if who == "nat" else "/todo"
    page = browser(app, who).get(url)
    table = page.html.find(id="national-title").parent
    taipei = next(row for row in table.find_all("tr") if "臺北市" in row.text)
    assert [td.text for td in taipei.find_all("td")] == ["1", "1", "2"]


@pytest.mark.parametrize("who, url, status", [
    (None, f"{SCHOOL}/todo", 303), ("t1", f"{SCHOOL}/todo", 403),
    ("b-admin", f"{SCHOOL}/todo", 403), ("tp-rev", f"{SCHOOL}/todo", 403),
    ("a-admin", "/centres/taipei/todo", 403), ("tp-rev", "/centres/pingtung/todo", 403),
    ("tp-rev", "/todo", 403), ("a-admin", "/todo", 403), ("nat", "/centres/taipei/todo", 403),
])
def test_nobody_sees_another_units_todo(app, world, who, url, status):
    browser(app, who).get(url, status=status)


def test_tasks_whose_page_one_may_not_open_are_not_shown(app, world, site):
    """An operator (作業人員) has no 本單位業務帳號管理: the applications waiting there, with the
    applicants' names, are not on the operator's 待辦事項; they are on the 總負責人's."""
    from inservice_portal.accounts import staff as staff_accounts

    with site.edit() as root:
        staff_accounts.file_application(root["centres"]["taipei"]["353601"], "new-op",
                                        "Str0ng-Passw0rd!x", "新進人員", "new@example.org",
                                        "02-1234-5678", "operator")
    operator = browser(app, "a-operator").get(f"{SCHOOL}/todo")
    assert operator.html.find(id="task-applications") is None and "新進人員" not in operator.text
    assert operator.html.find(id="task-drafts") is not None
    admin = browser(app, "a-admin").get(f"{SCHOOL}/todo")
    assert "新進人員（new-op）" in admin.html.find(id="task-applications").parent.text
