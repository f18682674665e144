"""電子報 (comms/newsletter.py): compose, test mail, send as a job in batches to a real SMTP
server, one-click unsubscribe, the archive, and a send that resumes where it stopped."""
import re

import pytest

from inservice_portal.comms import newsletter
from inservice_portal.jobs import runner

from ..conftest import (add_course, add_organiser, add_staff, add_teacher, csrf_of, login)


def jobs_finish():
    """Wait for the background jobs this test started (threads named "job …")."""
    import threading
    for thread in threading.enumerate():
        if thread.name.startswith("job "):
            thread.join(30)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        add_staff(root, "nk-staff", root["centres"]["nknu"], "national_centre")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        for n in range(1, 6):
            add_teacher(root, f"t{n}", school, national_id=f"A1{n:08d}"[:10])
            if n != 5:
                newsletter.subscribe(root, f"t{n}")
        root["people"]["t4"].active = False        # a disabled account gets nothing
        add_course(root, school, "閱讀素養工作坊")


def compose(testapp, **fields):
    form = testapp.get("/newsletter/add").forms["newsletter-form"]
    values = {"title": "春季號", "body": "各位老師好：\n\n本期介紹閱讀素養。", **fields}
    for name, value in values.items():
        form[name] = value
    return form.submit("save", status="*")


def post(testapp, path, view):
    return testapp.post(f"{path.rstrip('/')}/@@{view}", {"csrf_token": csrf_of(testapp.get(path))})


def test_the_national_centre_composes_tests_and_sends(testapp, world, smtp, site):
    login(testapp, "nk-staff")
    issue = compose(testapp, course_codes="1").follow()
    path = issue.request.path
    assert "目前有 4 位訂閱者" in issue.text
    post(testapp, path, "test")
    [test] = smtp.messages
    assert test["To"] == "nk-staff@example.org" and test["Subject"].startswith("［測試］")
    assert "閱讀素養工作坊" in test.get_content()
    smtp.messages.clear()
    post(testapp, path, "send")
    jobs_finish()
    assert sorted(m["To"] for m in smtp.messages) == ["t1@example.org", "t2@example.org",
                                                      "t3@example.org"]
    for message in smtp.messages:
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "key=" + message["To"].split("@")[0] in str(message["List-Unsubscribe"])
    assert site.read(lambda root: (root["newsletter"]["1"].state, root["newsletter"]["1"].sent)) \
        == ("sent", 4)
    testapp.reset()
    archive = testapp.get("/newsletter/")
    assert "第 1 期：春季號" in archive.text                  # archived publicly
    assert "本期介紹閱讀素養" in testapp.get(path).text


def test_sending_twice_is_refused(testapp, world, smtp, site):
    login(testapp, "nk-staff")
    path = compose(testapp).follow().request.path
    post(testapp, path, "send")
    jobs_finish()
    page = testapp.get(path)
    assert "寄送給全部訂閱者" not in page.text
    testapp.post(f"{path.rstrip('/')}/@@send", {"csrf_token": csrf_of(page)}, status=403)
    jobs_finish()
    assert len(smtp.messages) == 3


def test_a_send_that_stopped_carries_on_without_mailing_anyone_twice(world, site, smtp, config,
                                                                     monkeypatch):
    from pyramid.threadlocal import manager

    monkeypatch.setattr(newsletter, "BATCH", 2)
    monkeypatch.setattr(runner, "_dispatch", lambda *args: None)      # run below, by hand
    with site.edit() as root:
        issue = newsletter.NewsletterIssue("nk-staff", None, title="中斷測試", body="內容")
        root["newsletter"].add("1", issue)
        issue.state, issue.sent, issue.reached = "sending", 2, "t2"   # a batch went, then a crash
        job = runner.submit(root, config.registry.settings, newsletter.JOB, "nk-staff",
                            {"number": 1})
        job_id = job.id
    manager.push({"registry": config.registry, "request": None})     # as a worker has it
    try:
        runner.run(site.db, job_id)
    finally:
        manager.pop()
    assert sorted(m["To"] for m in smtp.messages) == ["t3@example.org"]   # t4: disabled
    assert site.read(lambda root: root["newsletter"]["1"].state) == "sent"


def test_unknown_courses_are_refused_and_the_text_kept(testapp, world):
    login(testapp, "nk-staff")
    refused = compose(testapp, course_codes="999")
    assert refused.status_int == 400 and "找不到（或尚未公開）：999" in refused.text
    assert refused.forms["newsletter-form"]["title"].value == "春季號"


@pytest.mark.parametrize("who", ["tp-rev", "t1"])
def test_only_the_national_centre_composes(testapp, world, who):
    login(testapp, who)
    testapp.get("/newsletter/add", status=403)


def test_a_draft_is_not_in_the_public_archive(testapp, world):
    login(testapp, "nk-staff")
    path = compose(testapp).follow().request.path
    testapp.reset()
    assert "春季號" not in testapp.get("/newsletter/").text
    assert "/login" in testapp.get(path, status=303).location


def test_a_teacher_subscribes_and_unsubscribes_on_its_page(testapp, world, site):
    login(testapp, "t5")
    page = testapp.get("/people/t5/subscriptions")
    form = [f for f in page.forms.values() if f.action.endswith("/newsletter")][0]
    form.submit("subscribe", value="1")
    assert site.read(lambda root: newsletter.subscribed(root, "t5"))
    page = testapp.get("/people/t5/subscriptions")
    assert "您已訂閱電子報" in page.text
    form = [f for f in page.forms.values() if f.action.endswith("/newsletter")][0]
    form.submit("subscribe", value="0")
    assert not site.read(lambda root: newsletter.subscribed(root, "t5"))


def test_the_mails_own_one_click_link_unsubscribes(testapp, world, smtp, site):
    login(testapp, "nk-staff")
    path = compose(testapp).follow().request.path
    post(testapp, path, "send")
    jobs_finish()
    testapp.reset()
    [mail] = [m for m in smtp.messages if m["To"] == "t2@example.org"]
    url = re.search(r"<([^>]+)>", str(mail["List-Unsubscribe"])).group(1)
    testapp.post(re.sub(r"^https?://[^/]+", "", url), {"List-Unsubscribe": "One-Click"})
    assert not site.read(lambda root: newsletter.subscribed(root, "t2"))
    assert site.read(lambda root: newsletter.subscribed(root, "t1"))


class TestQueued:
    """With a maildir queue (production), the copies are laid out from one template."""

    @pytest.fixture
    def settings(self, base_settings, tmp_path):
        return dict(base_settings, **{"mail.queue_path": str(tmp_path / "mail")})

    def test_each_copy_has_its_own_address_and_links(self, world, site, config, tmp_path,
                                                     monkeypatch):
        import email
        import email.policy
        from pyramid.threadlocal import manager

        monkeypatch.setattr(runner, "_dispatch", lambda *args: None)
        with site.edit() as root:
            issue = newsletter.NewsletterIssue("nk-staff", None, title="春季號",
                                               body="各位老師好：本期介紹閱讀素養。")
            root["newsletter"].add("1", issue)
            issue.state = "sending"
            job_id = runner.submit(root, config.registry.settings, newsletter.JOB, "nk-staff",
                                   {"number": 1}).id
        manager.push({"registry": config.registry, "request": None})
        try:
            runner.run(site.db, job_id)
        finally:
            manager.pop()
        queued = sorted((tmp_path / "mail" / "new").iterdir())
        assert not list((tmp_path / "mail" / "tmp").iterdir())
        messages = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
                    for f in queued]
        assert sorted(m["To"] for m in messages) == ["t1@example.org", "t2@example.org",
                                                     "t3@example.org"]
        assert len({m["Message-Id"] for m in messages}) == 3
        for message in messages:
            login = message["To"].split("@")[0]
            assert message["X-Actually-To"] == message["To"]
            assert message["Subject"] == "【全國教師在職進修資訊網電子報】第 1 期：春季號"
            text = message.get_content()
            assert "本期介紹閱讀素養" in text and f"key={login}&" in text
            assert f"key={login}&" in str(message["List-Unsubscribe"])

    def test_an_aborted_transaction_leaves_nothing_queued(self, world, config, tmp_path):
        import transaction
        from inservice_portal.comms.bulk import Bulk

        tm = transaction.TransactionManager()
        tm.begin()
        bulk = Bulk(config.registry, tm, "主旨", "內容\n@@link@@\n", {})
        bulk.send("a@example.org", link="https://x/1")
        tm.abort()
        tm.begin()                                    # a vote that fails: removed as well
        bulk.send("c@example.org", link="https://x/3")
        tm.get().join(FailingVote(tm))
        with pytest.raises(RuntimeError):
            tm.commit()
        tm.abort()
        assert not list((tmp_path / "mail" / "new").iterdir())
        assert not list((tmp_path / "mail" / "tmp").iterdir())
        tm.begin()
        bulk.send("b@example.org", link="https://x/2?a=1&b=2")
        tm.commit()
        [queued] = list((tmp_path / "mail" / "new").iterdir())
        import email
        message = email.message_from_bytes(queued.read_bytes(), policy=email.policy.default)
        assert "https://x/2?a=1&b=2" in message.get_content()     # (=3D in quoted-printable)

    def test_long_paragraphs_keep_lines_short(self, world, config, tmp_path):
        import transaction
        from inservice_portal.comms.bulk import Bulk

        tm = transaction.TransactionManager()
        tm.begin()
        Bulk(config.registry, tm, "主旨", "閱讀素養" * 300 + "\n@@link@@\n", {}).send(
            "a@example.org", link="https://x/" + "y" * 200)
        tm.commit()
        [queued] = list((tmp_path / "mail" / "new").iterdir())
        assert max(len(line) for line in queued.read_bytes().split(b"\r\n")) <= 998


class FailingVote:
    """A data manager whose vote fails, as a conflicting database's would."""

    def __init__(self, tm):
        self.transaction_manager = tm

    def sortKey(self):
        return "failing"

    def tpc_vote(self, txn):
        raise RuntimeError("conflict")

    def abort(self, txn):
        pass

    tpc_begin = commit = tpc_abort = tpc_finish = abort


def test_a_stopped_send_resumes_after_the_last_one_reached(testapp, world, smtp, site, config,
                                                          monkeypatch):
    from inservice_portal.jobs.runner import jobs_of
    monkeypatch.setattr(runner, "_dispatch", lambda *args: None)      # the job never runs
    login(testapp, "nk-staff")
    path = compose(testapp).follow().request.path
    post(testapp, path, "send")
    assert "從中斷處繼續寄送" not in testapp.get(path).text           # queued: not stopped
    with site.edit() as root:
        issue = root["newsletter"]["1"]
        issue.sent, issue.reached = 2, "t2"                          # t1, t2 got it
        jobs_of(root)[issue.job_id].state = "failed"
        newsletter.subscribe(root, "t0")                             # since, before t2
    monkeypatch.undo()
    page = testapp.get(path)
    assert "從中斷處繼續寄送" in page.text
    testapp.post(f"{path.rstrip('/')}/@@resume", {"csrf_token": csrf_of(page)})
    jobs_finish()
    assert sorted(m["To"] for m in smtp.messages) == ["t3@example.org"]
    assert site.read(lambda root: root["newsletter"]["1"].state) == "sent"


def test_an_unpublished_course_is_not_recommended(testapp, world, site):
    with site.edit() as root:
        root["centres"]["taipei"]["353601"]["1"].state = "draft"
    login(testapp, "nk-staff")
    refused = compose(testapp, course_codes="1")
    assert refused.status_int == 400 and "找不到（或尚未公開）：1" in refused.text
