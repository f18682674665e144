"""最新消息 (comms/news.py): drafts, publishing, who may write where, the home page by region,
pinning and expiry, attachments and the Atom feed, through the pages."""
from datetime import timedelta
from io import BytesIO

import pytest
import webtest
from defusedxml import ElementTree

from inservice_portal import clock

from ..conftest import add_organiser, add_staff, add_teacher, csrf_of, login

ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = clock.now().date()


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        far = add_organiser(root, "pingtung", "133601", "屏東縣立丙國民小學")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_staff(root, "nk-staff", root["centres"]["nknu"], "national_centre")
        add_staff(root, "moe", root, "ministry_admin")
        add_staff(root, "a-admin", school, "principal_admin")
        add_teacher(root, "t-taipei", school)
        add_teacher(root, "t-pingtung", far, national_id="B223456789")


def write(testapp, title, body="內容第一段。\n\n內容第二段。", expires_on="", pinned=False,
          publish=True):
    """Write a draft through the form and (by default) publish it; the item's page."""
    form = testapp.get("/news/add").forms["news-form"]
    form["title"], form["body"], form["expires_on"] = title, body, expires_on
    form["pinned"] = pinned
    page = form.submit("save", status="*")
    if page.status_int != 303:
        return page
    item = page.follow()
    if publish:
        testapp.post(item.request.path.rstrip("/") + "/@@workflow",
                     {"csrf_token": csrf_of(item), "transition": "publish"})
        item = testapp.get(item.request.path)
    return item


def news_titles(page):
    return [a.get_text() for a in page.html.select("ul.news-list a")]


def test_a_centre_publishes_news_that_its_region_sees_on_the_home_page(testapp, world, site):
    login(testapp, "tp-rev")
    draft = write(testapp, "臺北市研習公告", publish=False)
    assert "尚未公開" in draft.text
    path = draft.request.path
    testapp.reset()
    assert "/login" in testapp.get(path, status=303).location   # a draft is not public
    login(testapp, "tp-rev")
    testapp.post(path.rstrip("/") + "/@@workflow",
                 {"csrf_token": csrf_of(testapp.get(path)), "transition": "publish"})
    testapp.reset()
    assert "臺北市研習公告" in testapp.get(path).text            # published: public
    assert "臺北市研習公告" in news_titles(testapp.get("/news/"))
    assert "臺北市研習公告" not in news_titles(testapp.get("/"))  # a visitor: national only
    login(testapp, "t-taipei")
    assert "臺北市研習公告" in news_titles(testapp.get("/"))
    testapp.reset()
    login(testapp, "t-pingtung")
    assert "臺北市研習公告" not in news_titles(testapp.get("/"))


def test_the_national_centres_news_is_on_everyones_home_page(testapp, world):
    login(testapp, "nk-staff")
    write(testapp, "全國推廣中心公告")
    testapp.reset()
    assert news_titles(testapp.get("/")) == ["全國推廣中心公告"]
    login(testapp, "t-pingtung")
    assert news_titles(testapp.get("/")) == ["全國推廣中心公告"]


@pytest.mark.parametrize("who", ["a-admin", "t-taipei"])
def test_only_reviewers_write_news(testapp, world, who):
    login(testapp, who)
    testapp.get("/news/add", status=403)
    testapp.get("/news/manage", status=403)


def test_another_centre_cannot_edit_or_withdraw(testapp, world):
    login(testapp, "tp-rev")
    path = write(testapp, "臺北市公告").request.path.rstrip("/")
    testapp.reset()
    login(testapp, "pt-rev")
    testapp.get(f"{path}/@@edit", status=403)
    page = testapp.get("/news/")
    testapp.post(f"{path}/@@workflow", {"csrf_token": csrf_of(page), "transition": "withdraw"},
                 status=403)
    testapp.reset()
    login(testapp, "moe")                                # the ministry may
    page = testapp.get(path)
    testapp.post(f"{path}/@@workflow", {"csrf_token": csrf_of(page), "transition": "withdraw"})
    assert "臺北市公告" not in news_titles(testapp.get("/news/"))


def test_pinned_comes_first_and_expired_is_not_listed(testapp, world, site):
    login(testapp, "nk-staff")
    write(testapp, "舊的置頂公告", pinned=True)
    write(testapp, "一般公告")
    last = write(testapp, "明天下架", expires_on=TODAY.isoformat())
    assert news_titles(testapp.get("/news/"))[:1] == ["舊的置頂公告"]
    assert news_titles(testapp.get("/")) == ["舊的置頂公告", "明天下架", "一般公告"]
    from pyramid.traversal import find_resource
    with site.edit() as root:
        find_resource(root, last.request.path).expires_on = TODAY - timedelta(days=1)
    assert "明天下架" not in news_titles(testapp.get("/"))
    assert testapp.get(last.request.path).status_int == 200     # still readable by its link


def test_an_expiry_in_the_past_is_refused_and_what_was_typed_is_kept(testapp, world):
    login(testapp, "tp-rev")
    refused = write(testapp, "過期公告", expires_on=(TODAY - timedelta(days=3)).isoformat())
    assert refused.status_int == 400 and "下架日期不可早於今天" in refused.text
    assert refused.forms["news-form"]["title"].value == "過期公告"


class TestAttachments:
    @pytest.fixture
    def settings(self, base_settings, tmp_path):       # a FileStorage: memory:// has no blobs
        return dict(base_settings, **{
            "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})

    def test_editors_upload_and_anyone_downloads(self, testapp, world):
        login(testapp, "tp-rev")
        path = write(testapp, "附件公告").request.path.rstrip("/")
        form = testapp.get(f"{path}/@@files").forms["upload-form"]
        pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        form["file"] = webtest.Upload("簡章.pdf", pdf, "application/pdf")
        form.submit("upload")
        testapp.reset()
        link = testapp.get(path).html.find("a", string="簡章.pdf")["href"]
        download = testapp.get(link)
        assert download.body == pdf and download.content_type == "application/pdf"
        testapp.get(f"{path}/@@files", status=303)           # a visitor: to the login page


def test_the_atom_feed_lists_published_news(testapp, world):
    login(testapp, "tp-rev")
    write(testapp, "臺北市公告")
    write(testapp, "草稿不出現", publish=False)
    testapp.reset()
    feed = testapp.get("/news/atom.xml")
    assert feed.content_type == "application/atom+xml"
    tree = ElementTree.parse(BytesIO(feed.body))
    titles = [e.findtext(f"{ATOM}title") for e in tree.getroot().findall(f"{ATOM}entry")]
    assert titles == ["臺北市公告"]
    assert testapp.get("/news/atom.xml?centre=pingtung").body.count(b"<entry>") == 0
    testapp.get("/news/atom.xml?centre=nowhere", status=400)


def test_publishing_is_audited(testapp, world, site):
    from inservice_portal import audit

    login(testapp, "tp-rev")
    write(testapp, "臺北市公告")
    actions = site.read(lambda root: [e["action"] for e in audit.log_of(root).entries.values()])
    assert "workflow.news.publish" in actions
