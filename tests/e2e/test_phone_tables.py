"""Tables on a phone keep their column labels (issue 16 item 7): every table's rows stack and
each cell says which column it is, on every kind of table page; axe-core stays clean."""
import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from inservice_portal.resources.course import Session

from ..conftest import add_course, add_organiser, add_staff, add_teacher, complete
from .conftest import PHONE, assert_accessible
from .test_foundation import log_in

UNLABELLED = """() => Array.from(document.querySelectorAll('table.table tbody td'))
  .filter(td => td.offsetParent !== null && td.textContent.trim())
  .filter(td => { const before = getComputedStyle(td, '::before').content;
                  return !td.dataset.label || !before.includes(td.dataset.label); })
  .map(td => td.textContent.trim().slice(0, 30))"""


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353607", "臺北市立表格國民小學")
        add_staff(root, "tb-admin", school, "principal_admin")
        add_staff(root, "tb-rev", root["centres"]["taipei"], "centre_reviewer")
        add_teacher(root, "tb-t", school)
        complete(add_course(root, school, "手機表格待審研習", state="pending",
                            starts_on=date(2099, 5, 1)))
        open_course = add_course(root, school, "手機表格報名研習", starts_on=date(2099, 5, 2))
        open_course.update(sessions=[Session(date(2099, 5, 2), time(9), time(12))])
        return open_course.code


@pytest.mark.parametrize("who, path, heading", [
    ("tb-rev", "/centres/taipei/worklist", "研習課程資料確認"),
    ("tb-admin", "/centres/taipei/353607/courses", "本單位研習課程瀏覽"),
    ("tb-t", "/my-registrations", "個人報名紀錄"),
    ("tb-admin", "/centres/taipei/353607/teacher-records", "教師研習記錄"),
    ("tb-rev", "/centres/taipei/audit", "稽核紀錄"),
    ("tb-rev", "/centres/taipei/statistics?year=187", "統計圖表"),    # 2099-05: 187 學年度
    ("tb-admin", "/centres/taipei/353607/statistics", "統計圖表（本校）"),
])
def test_every_cell_names_its_column_on_a_phone(page, people, who, path, heading):
    page.set_viewport_size(PHONE)
    log_in(page, who)
    if who == "tb-t":                       # something to list
        page.goto(f"/centres/taipei/353607/{people}")
        page.get_by_role("button", name="我要報名").click()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    cells = page.locator("table.table tbody td")
    assert cells.count() > 0
    expect(page.locator("table.table thead").first).to_be_hidden()
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)


def test_a_transcript_proof_and_its_check_are_accessible(page, people):
    log_in(page, "tb-t")
    page.goto("/transcript")
    page.get_by_role("button", name=re.compile("^產生可供查證的研習時數證明")).click()
    proof = page.get_by_role("region", name=re.compile("^研習時數證明驗證碼"))
    expect(proof).to_be_visible()
    assert_accessible(page)
    proof.get_by_role("link", name=re.compile("verify")).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("本網站核發的證明，資料如下")
    assert_accessible(page)
