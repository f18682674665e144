"""溝通 (comms/): workflow notices to organisers, 研習資訊訂閱 and the morning's digests, and
the one-click unsubscribe, through the pages and a real SMTP server on loopback."""
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import transaction

from inservice_portal import clock
from inservice_portal.comms import digests, subscriptions, unsubscribe

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, complete, csrf_of,
                        login)
from .test_cli import ini, run  # noqa: F401  (ini: fixture)

TODAY = clock.now().date()
SOON = TODAY + timedelta(days=30)
SCHOOL = "/centres/taipei/353601"


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        school.email = "school@example.org"
        far = add_organiser(root, "pingtung", "133601", "屏東縣立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "c-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "tp-quiet", root["centres"]["taipei"], "centre_reviewer").digests = False
        add_teacher(root, "t1", school)
        add_teacher(root, "t2", school, national_id="B223456789")
        draft = complete(add_course(root, school, "國小閱讀教學", state="draft", starts_on=SOON))
        pending = complete(add_course(root, school, "國小數學教學", state="pending", starts_on=SOON))
        return {"draft": f"{SCHOOL}/{draft.code}", "pending": f"{SCHOOL}/{pending.code}"}


def transition(testapp, path, name, **extra):
    page = testapp.get(f"{path}/workflow")
    data = {"csrf_token": csrf_of(page), "transition": name, "confirmed": "1", **extra}
    return testapp.post(f"{path}/workflow", data)


def sent_to(smtp, address):
    return [m for m in smtp.messages if address in m["To"]]


# -- workflow notices ------------------------------------------------------------------------

def test_a_submitted_course_gets_a_receipt_linking_to_its_review(testapp, world, smtp):
    login(testapp, "a-admin")
    transition(testapp, world["draft"], "submit")
    [receipt] = smtp.messages
    assert receipt["To"] == "school@example.org, a-admin@example.org"
    assert receipt["Subject"] == "【全國教師在職進修資訊網】已收到送審：國小閱讀教學"
    text = receipt.get_content()
    assert "已送出審核，等候" in text
    assert f"http://localhost{world['draft']}/workflow" in text


def test_a_returned_course_mails_the_reasons_in_words_and_the_comment(testapp, world, smtp):
    login(testapp, "tp-rev")
    transition(testapp, world["pending"], "return", reasons=["8-3", "A"], comment="請補上課地點")
    [notice] = smtp.messages
    assert notice["Subject"] == "【全國教師在職進修資訊網】課程退回修正：國小數學教學"
    text = notice.get_content()
    assert "上課時間及地點未詳細描述" in text and "請移除屬性標籤" in text
    assert "請補上課地點" in text
    assert f"http://localhost{world['pending']}/edit" in text      # where it is mended


def test_a_return_reaches_staff_who_turned_digests_off(testapp, world, smtp, site):
    def quiet(root):
        root["people"]["a-admin"].digests = False
    with site.edit() as root:
        quiet(root)
    login(testapp, "tp-rev")
    transition(testapp, world["pending"], "return", reasons=["A"])
    assert sent_to(smtp, "a-admin@example.org")


def test_approval_and_auto_approval_are_told_apart(testapp, world, smtp, site):
    login(testapp, "tp-rev")
    transition(testapp, world["pending"], "approve")
    assert [m["Subject"] for m in smtp.messages] == ["【全國教師在職進修資訊網】審核通過：國小數學教學"]
    smtp.messages.clear()
    with site.edit() as root:
        root["centres"]["taipei"].auto_approve = True
    testapp.reset()
    login(testapp, "a-admin")
    transition(testapp, world["draft"], "submit")
    [notice] = smtp.messages                    # no receipt: it is published at once
    assert notice["Subject"] == "【全國教師在職進修資訊網】自動審核通過：國小閱讀教學"
    assert "已依臺北市政府教育局的設定自動審核通過並公告" in notice.get_content()


def test_roster_return_and_confirmation_are_mailed(testapp, world, smtp, site):
    from pyramid.traversal import find_resource
    with site.edit() as root:
        course = find_resource(root, world["pending"])
        course.state = "roster_pending"
    login(testapp, "tp-rev")
    transition(testapp, world["pending"], "return_roster", reasons=["R2"], comment="缺第二場")
    [returned] = smtp.messages
    assert "研習名單退回修正" in returned["Subject"]
    assert "出缺席登錄有誤" in returned.get_content() and "缺第二場" in returned.get_content()
    assert f"{world['pending']}/roster" in returned.get_content()


def test_an_aborted_transition_mails_nothing(world, site, smtp, config):
    from pyramid.traversal import find_resource
    from inservice_portal.workflows import course as course_workflow

    transaction.begin()
    try:
        with pytest.raises(RuntimeError):
            with site.edit() as root:
                course_workflow.transition(find_resource(root, world["pending"]), None, "approve")
                raise RuntimeError("the commit never comes")
    finally:
        transaction.abort()
    assert smtp.messages == []


# -- 研習資訊訂閱 --------------------------------------------------------------------------------

def subscribe(testapp, **criteria):
    page = testapp.get("/people/t1/subscriptions")
    form = page.forms["subscription-form"]
    for name, value in criteria.items():
        form[name] = value
    return form.submit("subscribe", status="*")


def test_a_teacher_subscribes_and_sees_the_subscription_in_words(testapp, world, site):
    login(testapp, "t1")
    done = subscribe(testapp, county="臺北市", stage="elementary", q="閱讀")
    assert done.status_int == 303
    page = done.follow()
    assert "臺北市・國民小學・關鍵字「閱讀」" in page.text
    assert site.read(lambda root: [s.criteria for s in subscriptions.of_teacher(
        root, root["people"]["t1"])]) == [{"county": "臺北市", "stage": "elementary", "q": "閱讀"}]


def test_a_subscription_needs_a_criterion_and_is_not_kept_twice(testapp, world, site):
    login(testapp, "t1")
    refused = subscribe(testapp)
    assert refused.status_int == 400 and "請至少選擇一項訂閱條件" in refused.text
    subscribe(testapp, county="臺北市")
    again = subscribe(testapp, county="臺北市")
    assert again.status_int == 400 and "已經訂閱過相同條件" in again.text
    assert site.read(lambda root: len(root.subscriptions)) == 1


def test_a_sub_item_needs_its_stage_and_scope(testapp, world):
    login(testapp, "t1")
    refused = subscribe(testapp, sub_item="1-1-1")
    assert refused.status_int == 400 and "課程細項須搭配教育階段與進修範疇" in refused.text


def test_the_search_offers_its_criteria_as_a_subscription(testapp, world):
    page = testapp.get("/search?" + urlencode({"county": "臺北市", "stage": "elementary",
                                                "sort": "code"}))
    link = page.html.find("a", string="訂閱此查詢條件")["href"]
    assert parse_qs(urlsplit(link).query) == {"county": ["臺北市"], "stage": ["elementary"]}
    login(testapp, "t1")
    form = testapp.get(link).follow().forms["subscription-form"]
    assert (form["county"].value, form["stage"].value) == ("臺北市", "elementary")


@pytest.mark.parametrize("who", ["a-admin", "t2"])
def test_another_account_cannot_see_or_change_a_teachers_subscriptions(testapp, world, who):
    login(testapp, who)
    testapp.get("/people/t1/subscriptions", status=403)


def test_a_teacher_removes_only_its_own_subscription(testapp, world, site):
    with site.edit() as root:
        mine = subscriptions.add(root, root["people"]["t1"], {"county": "臺北市"}).id
        theirs = subscriptions.add(root, root["people"]["t2"], {"county": "臺北市"}).id
    login(testapp, "t1")
    page = testapp.get("/people/t1/subscriptions")
    testapp.post("/people/t1/subscriptions", {"csrf_token": csrf_of(page), "remove": theirs})
    assert site.read(lambda root: theirs in root.subscriptions and mine in root.subscriptions)
    testapp.post("/people/t1/subscriptions", {"csrf_token": csrf_of(page), "remove": mine})
    assert site.read(lambda root: mine not in root.subscriptions)


# -- the morning's digests ---------------------------------------------------------------------

def publish(site, path, day, title=None):
    from pyramid.traversal import find_resource
    from inservice_portal.catalog import queue
    with site.edit() as root:
        course = find_resource(root, path)
        course.state, course.published_on = "published", day
        if title:
            course.update(title=title)
        from inservice_portal.resources.events import ObjectModified, notify
        notify(ObjectModified(course))
        queue.flush(root)


def run_digests(site, config, today):
    with transaction.manager:            # the mail's transaction
        with site.edit() as root:
            return digests.send_all(root, config.registry, today)


def subscribed_earlier(root, login, criteria):
    """A subscription made two days ago (one counts the courses published since it was made)."""
    made = subscriptions.add(root, root["people"][login], criteria)
    made.created = clock.now() - timedelta(days=2)
    return made


def test_a_matching_course_published_yesterday_is_mailed_once(world, site, smtp, config):
    with site.edit() as root:
        subscribed_earlier(root, "t1", {"county": "臺北市", "q": "閱讀"})
        subscribed_earlier(root, "t2", {"county": "屏東縣"})
    publish(site, world["draft"], TODAY - timedelta(days=1))
    publish(site, world["pending"], TODAY - timedelta(days=1))    # 數學: not 閱讀
    assert run_digests(site, config, TODAY)["teachers"] == 1
    [digest] = sent_to(smtp, "t1@example.org")
    assert digest["Subject"] == "【全國教師在職進修資訊網】研習資訊訂閱：1 門新課程"
    text = digest.get_content()
    assert "國小閱讀教學" in text and "國小數學教學" not in text
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # (no request: the links start with portal.url, here its default)
    assert str(digest["List-Unsubscribe"]).strip().startswith("<http://localhost:6543/unsubscribe?")
    assert not sent_to(smtp, "t2@example.org")
    smtp.messages.clear()
    assert run_digests(site, config, TODAY)["teachers"] == 0       # the same morning again
    assert not sent_to(smtp, "t1@example.org")


def test_a_course_published_today_waits_for_tomorrows_digest(world, site, smtp, config):
    with site.edit() as root:
        subscriptions.add(root, root["people"]["t1"], {"county": "臺北市"})
    publish(site, world["draft"], TODAY)
    run_digests(site, config, TODAY)
    assert not sent_to(smtp, "t1@example.org")
    run_digests(site, config, TODAY + timedelta(days=1))
    assert sent_to(smtp, "t1@example.org")


def test_a_missed_day_is_covered_by_the_next_run_and_a_new_subscription_starts_fresh(
        world, site, smtp, config):
    with site.edit() as root:
        subscribed_earlier(root, "t1", {"county": "臺北市"})
        subscriptions.add(root, root["people"]["t2"], {"county": "臺北市"})   # made today
    run_digests(site, config, TODAY - timedelta(days=2))       # (a run two days ago)
    publish(site, world["draft"], TODAY - timedelta(days=2))    # the day of that run …
    publish(site, world["pending"], TODAY - timedelta(days=1))  # … and yesterday: none ran
    smtp.messages.clear()
    run_digests(site, config, TODAY)
    [digest] = sent_to(smtp, "t1@example.org")
    assert "國小閱讀教學" in digest.get_content() and "國小數學教學" in digest.get_content()
    assert not sent_to(smtp, "t2@example.org")                  # published before it was made


def test_reviewers_get_what_waits_unless_they_turned_digests_off(world, site, smtp, config):
    assert run_digests(site, config, TODAY)["reviewers"] == 1
    [digest] = [m for m in smtp.messages if "待辦摘要" in m["Subject"]]
    assert digest["To"] == "tp-rev@example.org"                  # not tp-quiet
    assert "待審核的課程：1 件" in digest.get_content() and "國小數學教學" in digest.get_content()
    assert "http://localhost:6543/centres/taipei/worklist" in digest.get_content()
    smtp.messages.clear()
    assert run_digests(site, config, TODAY)["reviewers"] == 0      # once a day


def test_the_digests_command_runs_on_a_new_site(ini):  # noqa: F811
    result = run(ini, "digests")
    assert result.returncode == 0, result.stderr
    assert "digests sent: 0 centre(s), 0 teacher(s)" in result.stdout


# -- one-click unsubscribe ----------------------------------------------------------------------

def unsubscribe_link(config, kind, key):
    token = unsubscribe.token(config.registry.settings, kind, key)
    return f"/unsubscribe?kind={kind}&key={key}&t={token}"


def test_opening_the_link_asks_first_and_a_one_click_post_unsubscribes(testapp, world, site,
                                                                      config):
    with site.edit() as root:
        subscriptions.add(root, root["people"]["t1"], {"county": "臺北市"})
        subscriptions.add(root, root["people"]["t1"], {"county": "屏東縣"})
    link = unsubscribe_link(config, "subscriptions", "t1")
    page = testapp.get(link)
    assert "確定不再收到「全部的研習資訊訂閱」" in page.text
    assert site.read(lambda root: len(root.subscriptions)) == 2          # a GET changes nothing
    # RFC 8058: the mail client POSTs to the header's address, without cookie or token
    done = testapp.post(link, {"List-Unsubscribe": "One-Click"})
    assert "已取消" in done.text
    assert site.read(lambda root: len(root.subscriptions)) == 0


def test_one_subscription_is_stopped_by_its_own_link(testapp, world, site, config):
    with site.edit() as root:
        keep = subscriptions.add(root, root["people"]["t1"], {"county": "臺北市"}).id
        stop = subscriptions.add(root, root["people"]["t1"], {"county": "屏東縣"}).id
    testapp.post(unsubscribe_link(config, "subscription", stop), {"List-Unsubscribe": "One-Click"})
    assert site.read(lambda root: sorted(root.subscriptions.keys())) == [keep]


@pytest.mark.parametrize("tamper", [
    lambda link: link[:-1] + ("0" if link[-1] != "0" else "1"),        # a forged token
    lambda link: link.replace("key=t1", "key=t2"),                       # another's key
    lambda link: link.split("&t=")[0],                                   # no token at all
])
def test_a_forged_unsubscribe_link_is_refused(testapp, world, site, config, tamper):
    with site.edit() as root:
        subscriptions.add(root, root["people"]["t2"], {"county": "臺北市"})
    link = tamper(unsubscribe_link(config, "subscriptions", "t1"))
    assert "已失效" in testapp.get(link, status=400).text
    testapp.post(link, {"List-Unsubscribe": "One-Click"}, status=400)
    assert site.read(lambda root: len(root.subscriptions)) == 1


def test_the_digest_s_own_link_works(world, site, smtp, config, testapp):
    with site.edit() as root:
        subscribed_earlier(root, "t1", {"county": "臺北市"})
    publish(site, world["draft"], TODAY - timedelta(days=1))
    run_digests(site, config, TODAY)
    [digest] = sent_to(smtp, "t1@example.org")
    url = re.search(r"不再收到這一項：(\S+)", digest.get_content()).group(1)
    testapp.post(url.replace("http://localhost:6543", ""), {"List-Unsubscribe": "One-Click"})
    assert site.read(lambda root: len(root.subscriptions)) == 0


# -- 通知設定 -----------------------------------------------------------------------------------

def test_staff_turn_their_digests_off_and_back_on(testapp, world, site):
    login(testapp, "tp-rev")
    form = testapp.get("/people/tp-rev/notifications").forms["notification-form"]
    assert form["digests"].checked
    form["digests"] = False
    form.submit("save").follow()
    assert site.read(lambda root: root["people"]["tp-rev"].digests) is False
    form = testapp.get("/people/tp-rev/notifications").forms["notification-form"]
    form["digests"] = True
    form.submit("save")
    assert site.read(lambda root: root["people"]["tp-rev"].digests) is True


def test_a_teacher_has_no_staff_notification_settings(testapp, world):
    login(testapp, "t1")
    testapp.get("/people/t1/notifications", status=404)
    testapp.get("/people/tp-rev/notifications", status=403)
