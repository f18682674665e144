"""Home page, keyword search and unit pages, as the public sees them."""
from datetime import date, timedelta

import pytest

from inservice_portal import clock

from ..conftest import add_course, add_organiser


@pytest.fixture
def catalogue(site):
    today = clock.now().date()
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立測試國民小學")
        add_course(root, school, "十二年國教五堂課多元評量--自然領域案例與實作",
                   starts_on=today + timedelta(days=3))
        add_course(root, school, "校園性別平等教育研習", starts_on=today + timedelta(days=10))
        add_course(root, school, "去年的研習", starts_on=today - timedelta(days=300))
        add_course(root, school, "尚未送審的自然領域草稿", state="draft",
                   starts_on=today + timedelta(days=5))


def test_home_lists_upcoming_published_courses_in_date_order(testapp, catalogue):
    page = testapp.get("/")
    text = page.text
    assert text.index("自然領域案例與實作") < text.index("校園性別平等教育研習")
    assert "去年的研習" not in text          # already past
    assert "草稿" not in text                # not published
    assert "臺北市立測試國民小學" in text


def test_search_finds_a_chinese_keyword_inside_a_title(testapp, catalogue):
    page = testapp.get("/search", {"q": "自然領域"})
    assert "十二年國教五堂課多元評量--自然領域案例與實作" in page.text
    assert "草稿" not in page.text
    assert "共 1 筆" in page.text


def test_search_by_organiser_name_and_empty_results(testapp, catalogue):
    assert "共 3 筆" in testapp.get("/search", {"q": "測試國民小學"}).text
    assert "共 0 筆" in testapp.get("/search", {"q": "數學"}).text


def test_search_survives_malformed_queries(testapp, catalogue):
    for q in ['"', "AND", "NOT", "(", "*", "a" * 500]:
        assert testapp.get("/search", {"q": q}).status_int == 200


def test_centre_page_lists_its_organisers(testapp, catalogue):
    page = testapp.get("/centres/taipei/")
    assert "臺北市政府教育局" in page.text and "臺北市立測試國民小學" in page.text
    assert "資料庫對傳模式" in page.text      # 000 捌 §三: Taipei exchanges by database


def test_organiser_page_shows_only_published_courses_to_the_public(testapp, catalogue):
    page = testapp.get("/centres/taipei/353601/")
    assert "校園性別平等教育研習" in page.text
    assert "草稿" not in page.text


def test_unknown_paths_answer_404_in_chinese(testapp):
    page = testapp.get("/centres/nowhere/", status=404)
    assert "找不到網頁" in page.text


def test_privacy_and_contact_pages_are_in_every_footer(testapp, site):
    """Issue 16 item 9: 個人資料保護 and 聯絡我們, as a government portal has them; the contact
    page shows what each centre entered on 修改本單位通訊資料 and invents nothing."""
    with site.edit() as root:
        taipei = root["centres"]["taipei"]
        taipei.phone, taipei.email = "(02)2720-8889", "training@tp.example.org"
    for path in ("/", "/search", "/login"):
        footer = testapp.get(path).html.find("footer")
        assert footer.find("a", string="個人資料保護")["href"].endswith("/privacy")
        assert footer.find("a", string="聯絡我們")["href"].endswith("/contact")
    privacy = testapp.get("/privacy").text
    assert "個人資料保護法" in privacy and "A12345****" in privacy
    rows = testapp.get("/contact").html.select("tbody tr")
    assert "全國推廣中心" in rows[0].text                           # the national centre first
    taipei_row = next(r for r in rows if "臺北市政府教育局" in r.text)
    assert "(02)2720-8889" in taipei_row.text and "training@tp.example.org" in taipei_row.text
    pingtung_row = next(r for r in rows if "屏東縣政府教育處" in r.text)
    assert pingtung_row.text.count("（尚未提供）") == 3
