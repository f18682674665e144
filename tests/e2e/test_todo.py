"""待辦事項 in a real browser (issue 16 item 1): a reviewer and an organiser log in and land on
their work, desktop and phone; on a phone the staff menu folds behind 選單 (opened by
keyboard) instead of taking a third of the screen. axe-core on each."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from ..conftest import add_course, add_organiser, add_staff, returned
from .conftest import PHONE, assert_accessible
from .test_foundation import log_in

SCHOOL = "臺北市立待辦國民小學"


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        school = add_organiser(root, "taipei", "353608", SCHOOL)
        add_staff(root, "td-admin", school, "principal_admin", name="待校長")
        add_staff(root, "td-rev", root["centres"]["taipei"], "centre_reviewer", name="待審核")
        add_course(root, school, "等待審核的研習", state="pending", starts_on=date(2099, 4, 1))
        returned(add_course(root, school, "退回修正的研習", starts_on=date(2099, 4, 2)),
                 "td-rev", "標籤請刪除")


@pytest.mark.parametrize("who, shows", [("td-rev", "等待審核的研習"),
                                        ("td-admin", "標籤請刪除")])
def test_staff_land_on_their_todo_page(page, people, who, shows):
    log_in(page, who)
    expect(page.get_by_role("heading", level=1)).to_have_text("待辦事項")
    expect(page.get_by_role("main")).to_contain_text(shows)
    assert_accessible(page)


def test_on_a_phone_the_staff_menu_folds(page, people):
    page.set_viewport_size(PHONE)
    log_in(page, "td-rev")
    expect(page.get_by_role("heading", level=1)).to_have_text("待辦事項")
    toggle = page.get_by_role("button", name="選單")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    header = page.get_by_role("banner").bounding_box()
    assert header["height"] < PHONE["height"] / 3, f"the header is {header['height']}px tall"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert_accessible(page)
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu = page.get_by_role("navigation", name="主選單")
    expect(menu.get_by_role("link", name="研習課程資料確認")).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="首頁")).to_be_focused()
    assert_accessible(page)
    menu.get_by_role("link", name="研習課程資料確認").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("研習課程資料確認")
    expect(page.get_by_role("navigation", name="主選單").get_by_role(
        "link", name=re.compile("待辦事項"))).to_be_hidden()
