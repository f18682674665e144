"""The four main flows with the keyboard alone (issue 25), focus asserted at every step:
anonymous search, a teacher registering and withdrawing, an operator filling the course form
through its error summary, a reviewer returning and approving. Every key is counted; the
course-form flow's count is printed (the closing note quotes it) and bounded, so losing the
focus somewhere shows up as a failure."""
import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from inservice_portal import clock
from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser, add_staff, add_teacher, complete
from .conftest import assert_accessible
from .keyboard import Keyboard
from .test_foundation import log_in

SCHOOL = "臺北市立鍵盤國民小學"
FOUND = "鍵盤可及的多元評量工作坊"
RETURNED, APPROVED = "待退回的鍵盤研習", "待通過的鍵盤研習"
# What the operator types into each text field the summary leads to, by the field's name.
TYPED = {
    "authority_doc_no": "北市教師字第 1130000002 號", "title": "鍵盤填寫的研習課程",
    "subject": "數學領域", "outline": "以實例說明素養導向評量。", "hours": "3",
    "registration_opens": "2099-01-01", "registration_closes": "2099-01-20",
    "starts_on": "2099-02-01", "ends_on": "2099-02-01", "place": "本校視聽教室",
    "date": "2099-02-01", "start": "09:00", "end": "12:00", "classes": "1",
    "seats_per_class": "40", "name": "王大明", "phone": "02-2345-6789",
    "email": "chen@example.org", "funding_amount": "1000",
}
FORM_KEYS_BOUND = 400          # the flow below takes about half; 1,660 before issue 25


@pytest.fixture(scope="module")
def people(live_site):
    today = clock.now().date()
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353609", SCHOOL)
        add_staff(root, "kb-admin", school, "principal_admin", name="鍵校長")
        add_staff(root, "kb-rev", root["centres"]["taipei"], "centre_reviewer", name="鍵審核")
        add_teacher(root, "kb-t", school, name="鍵老師")
        found = add_course(root, school, title=FOUND, starts_on=today + timedelta(days=30))
        found.update(seats_per_class=10, audience_stages=["14-4"], audience_titles=["15-4"],
                     registration_opens=today - timedelta(days=1),
                     registration_closes=today + timedelta(days=20),
                     sessions=[Session(today + timedelta(days=30), time(9), time(12))])
        for title in (RETURNED, APPROVED):
            complete(add_course(root, school, title=title, state="pending",
                                starts_on=date(2099, 3, 1)))
        return found


def test_anonymous_search_reaches_its_results_by_keyboard(page, people):
    keys = Keyboard(page)
    page.goto("/search")
    keys.tab_to(page.get_by_label("關鍵字", exact=False))
    keys.type("多元評量")
    keys.press("Enter")
    expect(page.locator(".result-count")).to_contain_text("共 1 筆")
    # Past the filters in two keys: the skip link, then the first result.
    skip = page.get_by_role("link", name=re.compile("^跳到查詢結果"))
    expect(skip).to_contain_text("共 1 筆")
    keys.tab_to(skip, limit=30)
    before = keys.count
    keys.press("Enter")
    expect(page.get_by_role("heading", name="查詢結果")).to_be_focused()
    keys.press("Tab")
    expect(page.get_by_role("link", name=FOUND)).to_be_focused()
    assert keys.count - before == 2
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(FOUND)
    assert_accessible(page)


def test_a_teacher_registers_and_withdraws_by_keyboard(page, people):
    log_in(page, "kb-t")
    keys = Keyboard(page)
    page.goto(f"/centres/taipei/353609/{people.code}")
    keys.tab_to(page.get_by_role("button", name="我要報名"))
    keys.press("Enter")
    result = page.locator(".flash")
    expect(result).to_be_focused()                 # the result, not the top of the page
    expect(result).to_contain_text("錄取")
    keys.tab_to(page.get_by_role("button", name="取消報名"))
    keys.press("Enter")
    # Irreversible: asked first (issue 16), the question takes focus.
    expect(page.get_by_role("heading", level=1)).to_have_text("請確認：取消報名")
    expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert_accessible(page)
    keys.tab_to(page.get_by_role("button", name="確定取消報名"))
    keys.press("Enter")
    expect(page.locator(".flash")).to_be_focused()
    expect(page.locator(".flash")).to_contain_text("已取消")
    assert_accessible(page)


def _review(page, keys, title):
    page.goto("/centres/taipei/@@worklist")
    link = page.get_by_role("link", name=re.compile(rf"^審核\s*：{title}（\d+）$"))
    keys.tab_to(link)
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("審核與流程")


def test_a_reviewer_returns_and_approves_by_keyboard(page, people):
    log_in(page, "kb-rev")
    keys = Keyboard(page)
    _review(page, keys, RETURNED)
    keys.tab_to(page.get_by_label("A. 請移除屬性標籤"))
    keys.press("Space")
    keys.tab_to(page.get_by_label("說明（選填）").first)
    keys.type("請修正")
    keys.tab_to(page.get_by_role("button", name="退回修正"))
    keys.press("Enter")
    expect(page.locator(".flash")).to_be_focused()
    expect(page.locator(".flash")).to_contain_text("退回修正")

    _review(page, keys, APPROVED)
    keys.tab_to(page.get_by_role("button", name="審核通過"))
    keys.press("Enter")
    expect(page.locator(".flash")).to_be_focused()
    expect(page.locator(".flash")).to_contain_text("審核通過")
    assert_accessible(page)


def _answer(keys, page):
    """Fill the control the summary link led to, by its kind, as a keyboard user would."""
    control = page.locator(":focus")
    kind = control.evaluate("e => e.type || e.tagName.toLowerCase()")
    if kind in ("radio", "checkbox"):
        keys.press("Space")
    elif kind.startswith("select"):
        keys.press("ArrowDown")
    else:
        keys.type(TYPED[control.get_attribute("name")])
    # Enter submits from an <input>; in a select or a textarea it does not: Tab on to one.
    for _ in range(10):
        if page.evaluate("document.activeElement.tagName") == "INPUT":
            return
        keys.press("Tab")


def test_the_course_form_through_its_error_summary_by_keyboard(page, people, capsys):
    log_in(page, "kb-admin")
    keys = Keyboard(page)
    page.goto("/centres/taipei/353609/@@add-course")
    keys.tab_to(page.get_by_label("1-1 非學分班", exact=True))
    keys.press("Enter")                              # submit the empty form
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Every error at once, the conditional items 6 and 7 and the row groups included.
    for message in ("請選擇「6 課程細項」", "請選擇「7 進修階層」", "8 師資", "場次", "25 承辦人"):
        expect(summary).to_contain_text(message)
    assert_accessible(page)

    fixed = []
    for _ in range(60):
        if not page.locator(".error-summary").count():
            break
        expect(page.locator(".error-summary")).to_be_focused()
        keys.press("Tab")
        link = page.locator(".error-summary a").first
        expect(link).to_be_focused()
        target = page.locator(link.get_attribute("href"))
        fixed.append(link.inner_text())
        keys.press("Enter")
        # A link to a group (choices, rows) lands on the group's first control.
        keys.expect_focus_in(target)
        assert page.evaluate("document.activeElement.tagName") in ("INPUT", "SELECT", "TEXTAREA")
        _answer(keys, page)
        with page.expect_navigation():
            keys.press("Enter")
    result = page.locator(".flash")
    expect(result).to_be_focused()
    expect(result).to_contain_text("已建立研習課程草稿")
    expect(page.get_by_role("heading", level=1)).to_have_text(TYPED["title"])
    assert any("6 課程細項" in f for f in fixed) and any("師資" in f for f in fixed)
    with capsys.disabled():
        print(f"\n[keys] course form through its error summary: {keys.count} keys, "
              f"{len(fixed)} errors followed")
    assert keys.count < FORM_KEYS_BOUND


def test_rows_are_added_and_removed_by_keyboard_and_say_so(page, people):
    log_in(page, "kb-admin")
    keys = Keyboard(page)
    page.goto("/centres/taipei/353609/@@add-course")
    # Required groups say so, to the eye (*) and to a screen reader (必填 in the legend).
    for legend in ("8 師資", "場次", "25 承辦人"):
        group = page.get_by_role("group", name=re.compile(rf"^{legend}.*（必填）"))
        expect(group).to_have_count(1)
        expect(group.locator("legend").first).to_have_class(re.compile("required"))
    expect(page.get_by_role("radiogroup", name=re.compile("^1 班別類別"))).to_have_attribute(
        "aria-required", "true")

    keys.tab_to(page.get_by_role("button", name="新增場次"))
    keys.press("Enter")
    second = page.get_by_role("group", name=re.compile(r"^場次 2"))
    expect(second.get_by_label(re.compile("^日期"))).to_be_focused()
    announced = page.locator(".field-sessions [data-seq-announce]")
    expect(announced).to_have_text("已新增第 2 場次")
    # The date is typed in the form's own format and kept as typed (a text field).
    keys.type("2099-02-01")
    expect(second.get_by_label(re.compile("^日期"))).to_have_value("2099-02-01")
    remove = page.get_by_role("button", name="移除第 2 場次")
    keys.tab_to(remove)
    keys.press("Enter")
    expect(page.get_by_role("button", name="新增場次")).to_be_focused()
    expect(page.get_by_role("group", name=re.compile(r"^場次 2"))).to_have_count(0)
    expect(announced).to_contain_text("已移除第 2 場次")
    assert_accessible(page)
