"""統計圖表 in Chromium (issue 17): the charts are drawn under the page's and the image's own
security policies (no style lost, nothing run), each level's pages pass axe-core, and the
charts print."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from inservice_portal.registration.service import container
from inservice_portal.resources.registration import Registration
from inservice_portal.workflows import api as workflow_api

from ..conftest import add_staff
from ..functional.test_statistics import build, courses_of
from .conftest import DESKTOP, PHONE, assert_accessible
from .test_foundation import log_in

# The first series' colour (statistics/charts.py COLOURS[0]) as the canvas reads it.
FIRST_SERIES = (0x1D, 0x4F, 0x91)
PAINTED = """async img => {
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const seen = new Set();
  for (let i = 0; i < data.length; i += 4) seen.add(`${data[i]},${data[i+1]},${data[i+2]}`);
  return Array.from(seen);
}"""


@pytest.fixture(scope="module")
def people(live_site):
    with live_site.edit() as root:
        build(root)
        add_staff(root, "st-moe", root, "ministry_admin")
        add_staff(root, "st-rev", root["centres"]["taipei"], "centre_reviewer")
        for course in courses_of(root):
            if course.state == "draft" and course.first_day < date(2099, 1, 1):
                for step in ("submit", "approve"):
                    workflow_api.transition(course, None, step)
        course = next(c for c in courses_of(root) if c.title == "研習1")
        regs = container(course)
        for n in range(3):
            reg = regs.add(f"t{n}", Registration(f"t{n}", regs.next_seq(), course.first_day))
            workflow_api.start(reg, None, "register", actor=f"t{n}")


def charts_painted(page) -> list:
    """Each chart image's colours, read back from a canvas."""
    images = page.locator("figure.chart img")
    assert images.count() > 0
    painted = []
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()          # loading="lazy"
        painted.append(images.nth(i).evaluate(PAINTED))
    return painted


@pytest.mark.parametrize("who, path, heading", [
    ("st-moe", "/statistics?year=114", "統計圖表（全國）"),
    ("st-moe", "/learning-needs?year=114", "進修儀表板（全國）"),
    ("st-rev", "/centres/taipei/statistics?year=114", "統計圖表（臺北市政府教育局）"),
    ("st-rev", "/centres/taipei/learning-needs?year=114", "進修儀表板（臺北市政府教育局）"),
    (None, "/figures?year=114", "統計專區"),
])
def test_each_level_sees_its_charts_drawn_and_accessible(browser, live_server, people, who,
                                                         path, heading):
    # Not the suite's page: that one bypasses CSP for axe; here the policies must hold.
    context = browser.new_context(base_url=live_server, locale="zh-TW", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        if who:
            log_in(page, who)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        for n, colours in enumerate(charts_painted(page)):
            assert "%d,%d,%d" % FIRST_SERIES in colours, n  # styled, not black on white
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/figures?year=114", "/statistics?year=114"])
def test_the_statistics_pages_pass_axe_on_a_desktop_and_a_phone(page, people, path):
    log_in(page, "st-moe")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(path)
        expect(page.locator("figure.chart img").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        assert_accessible(page)


def test_the_charts_print_with_their_tables(page, people):
    page.goto("/figures?year=114")
    page.emulate_media(media="print")
    expect(page.locator("figure.chart img").first).to_be_visible()
    expect(page.locator("form.filters")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    captions = page.locator("figure.chart figcaption").all_inner_texts()
    assert captions and all(re.search(r"合計 [\d,]+", text) for text in captions)
