"""The audit log: an entry (who, what, when, where, which object) for each audited action, the
hash chain and its tamper detection, retention, its own database (a content undo leaves it
alone), and the browsing page (the ministry sees all, a centre its own units)."""
import re
from datetime import timedelta

import pytest
import transaction
import webtest

from inservice_portal import audit, clock

from ..conftest import (PASSWORD, add_course, add_organiser, add_staff, add_teacher, complete,
                        csrf_of, login)

NATIONAL_ID = "A123456789"
FIELDS = {"seq", "at", "actor", "on_behalf", "ip", "action", "object", "title", "centre",
          "detail", "prev", "hash"}


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)      # (resetting a second factor mails)


@pytest.fixture
def world(site):
    soon = clock.now().date() + timedelta(days=30)
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        far = add_organiser(root, "pingtung", "134601", "屏東縣立乙國民小學")
        add_staff(root, "a-admin", school, "principal_admin", name="王校長")
        add_staff(root, "a-admin2", school, "principal_admin")   # (one always stays)
        add_staff(root, "far-admin", far, "principal_admin")
        add_staff(root, "tp-rev", root["centres"]["taipei"], "centre_reviewer")
        add_staff(root, "pt-rev", root["centres"]["pingtung"], "centre_reviewer")
        add_staff(root, "moe", root, "ministry_admin")
        add_teacher(root, "t1", school, name="林老師", national_id=NATIONAL_ID)
        return {"draft": complete(add_course(root, school, "草稿研習", state="draft",
                                    starts_on=soon)).code}


def entries(site):
    return site.read(lambda root: [dict(e) for e in audit.log_of(root).entries.values()])


def browser(app, who=None):
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost",
                                                 "REMOTE_ADDR": "192.0.2.7"})
    if who:
        assert login(client, who).status_int == 303
    return client


# --- what is recorded ------------------------------------------------------------------------

def test_login_success_and_failure_are_recorded_with_every_field(app, world, site):
    browser(app, "a-admin")
    client = browser(app)
    login(client, "a-admin", "wrong")
    login(client, "nobody", PASSWORD)
    success, failure, unknown = entries(site)
    assert set(success) == FIELDS
    assert success["action"] == "login.success" and success["actor"] == "a-admin"
    assert success["ip"] == "192.0.2.7" and success["object"] == "/people/a-admin"
    assert success["centre"] == "taipei" and success["detail"] == {"method": "totp"}
    assert success["at"].startswith(clock.now().date().isoformat())
    assert failure["action"] == "login.failure" and failure["actor"] == "a-admin"
    # An unknown login is not written down (it may be a mistyped password).
    assert unknown["actor"] == "anonymous" and unknown["object"] is None
    assert "nobody" not in str(unknown)


def test_every_workflow_transition_is_recorded(app, world, site):
    client = browser(app, "a-admin")
    url = f"/centres/taipei/353601/{world['draft']}/workflow"
    client.post(url, {"csrf_token": csrf_of(client.get(url)), "transition": "submit"},
                status=303)
    [entry] = [e for e in entries(site) if e["action"].startswith("workflow.")]
    assert entry["action"] == "workflow.course.submit"
    assert entry["actor"] == "a-admin" and entry["on_behalf"] is None
    assert entry["object"] == f"/centres/taipei/353601/{world['draft']}"
    assert entry["title"] == "草稿研習" and entry["centre"] == "taipei"
    assert entry["detail"]["from"] == "draft" and entry["detail"]["to"] == "pending"


def test_password_change_mfa_and_disable_are_recorded(app, world, site):
    client = browser(app, "t1")
    form = client.get("/password").forms["password-form"]
    form["current"], form["new_password"], form["repeat"] = PASSWORD, "Another-Pass-9", \
        "Another-Pass-9"
    assert form.submit("change").status_int == 303
    moe = browser(app, "moe")
    page = moe.get("/people/a-admin/@@security")
    moe.post("/people/a-admin/@@reset-mfa", {"csrf_token": csrf_of(page)}, status=303)
    moe.post("/people/a-admin/@@disable", {"csrf_token": csrf_of(page), "reason": "離職"},
             status=303)
    recorded = {e["action"]: e for e in entries(site)}
    assert recorded["password.change"]["actor"] == "t1"
    assert recorded["mfa.reset"]["actor"] == "moe"
    assert recorded["mfa.reset"]["object"] == "/people/a-admin"
    # a staff account is disabled and enabled through its workflow (workflows/staff_account.py)
    disabled = recorded["workflow.staff.disable"]
    assert disabled["detail"] == {"from": "active", "to": "disabled", "comment": "離職",
                                  "reasons": []}
    assert disabled["actor"] == "moe" and disabled["ip"] == "192.0.2.7"
    moe.post("/people/a-admin/@@enable", {"csrf_token": csrf_of(page)}, status=303)
    moe.post("/people/t1/@@disable", {"csrf_token": csrf_of(page), "reason": "重複帳號"},
             status=303)
    recorded = {e["action"]: e for e in entries(site)}
    assert recorded["workflow.staff.enable"]["detail"]["to"] == "active"
    assert recorded["account.disable"]["object"] == "/people/t1"       # a teacher: no workflow
    assert recorded["account.disable"]["detail"] == {"reason": "重複帳號"}
    assert site.read(lambda root: (root["people"]["a-admin"].state,
                                   root["people"]["a-admin"].active,
                                   root["people"]["t1"].active)) == ("active", True, False)


def test_full_national_id_display_is_recorded_masked(app, world, site):
    client = browser(app, "t1")
    page = client.post("/people/t1/@@national-id", {"csrf_token": csrf_of(client.get("/account"))})
    assert NATIONAL_ID in page.text
    [entry] = [e for e in entries(site) if e["action"] == "national_id.display"]
    assert entry["actor"] == "t1" and entry["object"] == "/people/t1"
    assert NATIONAL_ID not in str(entries(site))


def test_only_the_teacher_and_staff_with_the_duty_see_the_full_id(app, world):
    token = lambda c: csrf_of(c.get("/account"))    # noqa: E731
    for who, status in (("far-admin", 403), ("pt-rev", 403), ("a-admin", 200),
                        ("tp-rev", 200), ("moe", 200)):
        client = browser(app, who)
        response = client.post("/people/t1/@@national-id", {"csrf_token": token(client)},
                               status=status)
        assert (NATIONAL_ID in response.text) == (status == 200), who


def test_national_ids_are_masked_on_the_way_in(app, world, site):
    with site.edit() as root:
        entry = audit.record("export", root["people"]["t1"], root=root, actor="moe",
                             detail={"rows": [f"{NATIONAL_ID} 林老師"], "note": NATIONAL_ID})
    assert entry["detail"] == {"rows": ["A12345**** 林老師"], "note": "A12345****"}


# --- the chain -------------------------------------------------------------------------------

def test_the_chain_verifies_and_each_entry_covers_the_one_before(app, world, site):
    browser(app, "a-admin")
    browser(app, "t1")
    first, second = entries(site)
    assert second["prev"] == first["hash"] and first["prev"] == audit.GENESIS
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []


@pytest.mark.parametrize("tamper,problem", [
    (lambda log: log.entries[1].update(actor="someone-else"), "content altered"),
    (lambda log: log.entries.__delitem__(2), "missing"),
    (lambda log: log.entries.__delitem__(3), "removed or added"),
    (lambda log: log.entries.__setitem__(1, dict(log.entries[1], ip="10.0.0.1",
                                                 hash=audit.entry_hash(dict(log.entries[1],
                                                                            ip="10.0.0.1")))),
     "does not follow"),
])
def test_tampering_is_detected(app, world, site, tamper, problem):
    for who in ("a-admin", "t1", "tp-rev"):
        browser(app, who)
    with site.edit() as root:
        log = audit.log_of(root)
        tamper(log)
        log.entries._p_changed = True
    problems = site.read(lambda root: audit.verify(audit.log_of(root)))
    assert any(problem in p for p in problems), problems


# --- retention -------------------------------------------------------------------------------

def test_retention_keeps_180_days_at_least_and_the_rest_still_verifies(app, world, site,
                                                                        monkeypatch):
    start = clock.now()
    with site.edit() as root:
        for days_ago in (400, 200, 181, 179, 1):
            audit.record("export", None, root=root, actor="moe",
                         at=start - timedelta(days=days_ago))
    with site.edit() as root:
        log = audit.log_of(root)
        with pytest.raises(ValueError):
            audit.prune(log, 90, now=start)
        assert audit.prune(log, 180, now=start) == 3
    left = entries(site)
    assert [e["seq"] for e in left] == [4, 5]
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []
    assert audit.retention_days({"audit.retention_days": "30"}) == 180
    assert audit.retention_days({"audit.retention_days": "365"}) == 365


# --- its own database ------------------------------------------------------------------------

@pytest.fixture
def file_settings(base_settings, tmp_path):
    return dict(base_settings, **{
        "zodbconn.uri": f"file://{tmp_path}/Data.fs?blobstorage_dir={tmp_path}/blobs"})


def test_an_undo_of_content_leaves_the_audit_log_alone(file_settings, tmp_path):
    from inservice_portal import make_config
    from inservice_portal.bootstrap import ensure_root

    config = make_config(file_settings)
    app = config.make_wsgi_app()
    databases = config.registry._zodb_databases
    ensure_root(databases[""])
    assert (tmp_path / "Audit.fs").exists()
    try:
        from ..conftest import Site

        site = Site(databases[""], config.registry)
        with site.edit() as root:
            school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
            add_teacher(root, "t1", school)
        browser(app, "t1")       # one transaction: a session in Data.fs, an entry in Audit.fs
        main = databases[""]
        last = main.undoLog(0, 1)[0]
        assert "/login" in str(last["description"])        # the login's transaction
        main.undo(last["id"])
        transaction.commit()
        assert site.read(lambda root: len(root.login_sessions)) == 0      # undone …
        assert [e["action"] for e in entries(site)] == ["login.success"]  # … but not this
    finally:
        for db in databases.values():
            db.close()


# --- browsing --------------------------------------------------------------------------------

def test_ministry_sees_everything_a_centre_only_its_units(app, world, site):
    browser(app, "a-admin")      # a taipei school
    browser(app, "far-admin")    # a pingtung school
    moe = browser(app, "moe").get("/audit")
    assert "a-admin" in moe.text and "far-admin" in moe.text
    taipei = browser(app, "tp-rev").get("/centres/taipei/audit")
    assert "a-admin" in taipei.text and "far-admin" not in taipei.text
    # A centre's staff cannot read another centre's page nor the national one.
    reviewer = browser(app, "tp-rev")
    reviewer.get("/centres/pingtung/audit", status=403)
    reviewer.get("/audit", status=403)
    browser(app, "t1").get("/audit", status=403)
    browser(app, "a-admin").get("/centres/taipei/audit", status=403)


def test_browse_by_user_object_and_date_paged(app, world, site):
    with site.edit() as root:
        for n in range(60):
            audit.record("export", root["people"]["t1"], root=root, actor="moe",
                         detail={"n": n})
        audit.record("export", root["people"]["a-admin"], root=root, actor="tp-rev")
    moe = browser(app, "moe")
    first = moe.get("/audit")
    assert "共 62 筆" in first.text and "第 1 / 2 頁" in first.text   # 61 + moe's login
    assert moe.get("/audit?page=2").html.select("tbody tr")
    by_user = moe.get("/audit", {"actor": "tp-rev"})
    assert "共 1 筆" in by_user.text
    by_object = moe.get("/audit", {"object": "/people/t1"})
    assert "共 60 筆" in by_object.text
    today = clock.now().date()
    assert "共 62 筆" in moe.get("/audit", {"since": today.isoformat()}).text
    assert "共 0 筆" in moe.get("/audit", {"until": (today - timedelta(days=1)).isoformat()}).text
    bad = moe.get("/audit", {"since": "yesterday"})
    assert "請以西元年-月-日填寫" in bad.text


def test_two_appends_at_once_do_not_conflict_and_both_are_chained(app, world, db, site):
    """Each transaction writes its own connection's inbox, never the chain's head."""
    from inservice_portal.bootstrap import APP_ROOT

    with site.edit() as root:
        audit.record("export", None, root=root, actor="moe")
    managers = [transaction.TransactionManager() for _ in range(2)]
    connections = [db.open(transaction_manager=tm) for tm in managers]
    try:
        for n, (tm, conn) in enumerate(zip(managers, connections)):
            tm.begin()
            audit.record("export", None, root=conn.root()[APP_ROOT], actor=f"user{n}")
        for tm in managers:
            tm.commit()                     # the second no longer raises ConflictError
    finally:
        for conn in connections:
            conn.close()
    assert sorted(e["actor"] for e in entries(site)) == ["moe", "user0", "user1"]
    assert [e["seq"] for e in entries(site)] == [1, 2, 3]
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []


def unsealed(site):
    return site.read(lambda root: audit.unsealed_count(audit.log_of(root)))


def test_entries_a_dead_process_left_unsealed_are_sealed_at_the_next_start(app, world, site,
                                                                          db, monkeypatch):
    from inservice_portal.audit import sealer as audit_sealer

    audit_db = db.databases[audit.DB_NAME]
    monkeypatch.delitem(audit.SEALERS, audit_db)        # as if it died after each commit
    for who in ("a-admin", "t1"):
        browser(app, who)
    assert unsealed(site) == 2 and entries(site) == []
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []   # not a break
    sealer = audit_sealer.Sealer(audit_db, b"key")
    thread = sealer.start(interval=60)                  # what main() does at start-up
    sealer.stop()
    thread.join(timeout=5)
    assert unsealed(site) == 0
    assert [e["actor"] for e in entries(site)] == ["a-admin", "t1"]
    assert site.read(lambda root: audit.verify(audit.log_of(root), b"key")) == []


def test_heads_are_signed_and_catch_a_rebuilt_chain_or_a_cut_end(app, world, site, settings):
    key = audit.signing_key(settings)
    for who in ("a-admin", "t1", "tp-rev"):
        browser(app, who)
    heads = site.read(lambda root: list(audit.log_of(root).heads.values()))
    assert [h["seq"] for h in heads] == [1]             # one per HEAD_INTERVAL …
    with site.edit() as root:                           # … or when asked (audit-seal)
        assert audit.seal(audit.log_of(root), key, force_head=True)[1]["seq"] == 3
    assert site.read(lambda root: audit.verify(audit.log_of(root), key)) == []
    assert site.read(lambda root: audit.verify(audit.log_of(root), b"another key")) == [
        f"signed head {seq}: signed with another key (key id {audit.key_id(key)}, this one "
        f"is {audit.key_id(b'another key')})" for seq in (1, 3)]

    with site.edit() as root:                           # every hash recomputed: a new chain
        log = audit.log_of(root)
        previous = audit.GENESIS
        for seq, entry in list(log.entries.items()):
            fields = dict(entry, actor="someone-else", prev=previous)
            fields["hash"] = audit.entry_hash(fields)
            log.entries[seq] = fields
            previous = fields["hash"]
        log.last_hash = previous
    problems = site.read(lambda root: audit.verify(audit.log_of(root), key))
    assert any("signed head 3" in p for p in problems), problems


def test_the_cut_end_of_a_chain_is_caught_by_its_signed_head(app, world, site, settings):
    key = audit.signing_key(settings)
    for who in ("a-admin", "t1", "tp-rev"):
        browser(app, who)
    with site.edit() as root:
        log = audit.log_of(root)
        audit.seal(log, key, force_head=True)
        del log.entries[3]                              # the head moved back with it
        log.last_seq, log.last_hash = 2, log.entries[2]["hash"]
    problems = site.read(lambda root: audit.verify(audit.log_of(root), key))
    assert problems == ["signed head 3: the chain no longer holds the entry it signed"]


def test_pruning_drops_sealed_inbox_entries_and_idle_inboxes(app, world, site):
    start = clock.now()
    old = {"at": (start - timedelta(days=400)).isoformat(), "actor": "moe", "action": "export"}
    with site.edit() as root:
        log = audit.log_of(root)
        log.inboxes["another-process"] = idle = audit.Inbox()    # idle for 400 days
        idle.add(dict(old))
        audit.record("export", None, root=root, actor="moe", at=start - timedelta(days=200))
        audit.record("export", None, root=root, actor="moe")
    with site.edit() as root:
        log = audit.log_of(root)
        assert len(log.inboxes) == 2 and audit.unsealed_count(log) == 0
        assert audit.prune(log, 180, now=start) == 2
        assert list(log.inboxes) != ["another-process"] and len(log.inboxes) == 1
        assert idle.count == -1          # written, so that a writer of it at once conflicts
        [inbox] = log.inboxes.values()
        assert len(inbox.entries) == 1 and audit.unsealed_count(log) == 0
    assert [e["seq"] for e in entries(site)] == [3]
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []


def test_evolve_step_5_prepares_an_older_site(app, world, site):
    from inservice_portal import evolve

    with site.edit() as root:
        root.password_resets = None          # as a root made before step 5
        root.evolve_version = 1
    with site.edit() as root:
        assert 5 in [n for n, _, _ in evolve.pending(root)]
        dict((n, fn) for n, _, fn in evolve.STEPS)[5](root)
    assert site.read(lambda root: len(root.password_resets)) == 0


def test_evolve_step_9_moves_the_entries_into_small_buckets(app, world, site):
    from BTrees.LOBTree import LOBTree

    from inservice_portal import evolve

    for who in ("a-admin", "t1", "tp-rev"):
        browser(app, who)
    before = entries(site)
    with site.edit() as root:               # a log as made before step 9
        log = audit.log_of(root)
        log.entries = LOBTree(log.entries)
        root.evolve_version = 8
    with site.edit() as root:
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
    assert site.read(lambda root: type(audit.log_of(root).entries)) is audit.EntryTree
    assert entries(site) == before
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []


def test_a_long_log_is_kept_in_small_buckets(app, world, site):
    with site.edit() as root:
        log = audit.log_of(root)
        for n in range(40):
            audit.append(log, {"at": "2026-11-23T10:00:00", "actor": "t1", "action": "x"})
    with site.edit() as root:
        bucket = audit.log_of(root).entries._firstbucket
        sizes = []
        while bucket is not None:
            sizes.append(len(bucket))
            bucket = bucket._next
        assert sum(sizes) == 40 and max(sizes) <= audit.EntryTree.max_leaf_size
        assert audit.verify(audit.log_of(root)) == []


def test_every_export_is_recorded(app, world, site):
    with site.edit() as root:
        school = root["centres"]["taipei"]["353601"]
        code = complete(add_course(root, school, "公告研習", state="published")).code
    course = f"/centres/taipei/353601/{code}"
    staff = browser(app, "a-admin")
    for kind in ("signin", "participants"):
        assert staff.get(f"{course}/@@export?kind={kind}").content_type.endswith("sheet")
    staff.get(f"{course}/@@roster.xlsx")
    browser(app, "t1").get("/transcript.xlsx")
    exports = [(e["actor"], e["object"], e["detail"]["export"], e["ip"])
               for e in entries(site) if e["action"] == "export"]
    assert exports == [("a-admin", course, "簽到表", "192.0.2.7"),
                       ("a-admin", course, "參與研習教師名單", "192.0.2.7"),
                       ("a-admin", course, "研習名單", "192.0.2.7"),
                       ("t1", "/people/t1", "個人研習紀錄", "192.0.2.7")]


def test_evolve_step_13_gives_an_older_log_its_inboxes(app, world, site):
    from inservice_portal import evolve

    browser(app, "a-admin")
    with site.edit() as root:               # a log as made before step 13
        log = audit.log_of(root)
        for name in ("inboxes", "sealed", "heads"):
            delattr(log, name)
        root.evolve_version = 12
    assert site.read(lambda root: audit.log_of(root).inboxes) is None
    with site.edit() as root:
        evolve.run(root, tm=transaction.manager, log=lambda message: None)
    browser(app, "t1")
    assert [e["actor"] for e in entries(site)] == ["a-admin", "t1"]
    assert site.read(lambda root: audit.verify(audit.log_of(root))) == []


# --- in Chinese, filtered by choice (issue 16 item 6) -------------------------------------------

def test_every_recorded_action_has_a_chinese_label():
    from pathlib import Path

    import inservice_portal

    source = Path(inservice_portal.__file__).parent
    recorded = {m for path in source.rglob("*.py")
                for m in re.findall(r'audit\.record\(\s*"([a-z_.]+)"', path.read_text())}
    assert recorded and not {a for a in recorded if audit.label(a) == a}


def test_the_log_reads_in_chinese(app, world, site):
    code = world["draft"]
    admin = browser(app, "a-admin")              # a staff login: password and the code
    page = admin.get(f"/centres/taipei/353601/{code}/workflow")
    form = next(f for f in page.forms.values() if f.fields.get("transition")
                and f["transition"].value == "submit")
    form.submit()
    rows = browser(app, "moe").get("/audit").html.select("tbody tr")
    text = {r.select("td")[4].text: r.select("td")[6].text for r in rows}
    assert "草稿 → 待審核" in text["研習課程：送出審核"]
    assert text["登入成功"] == "登入方式：密碼＋驗證碼"


def test_the_log_is_narrowed_by_chosen_units_people_and_objects(app, world, site):
    browser(app, "a-admin")                      # taipei
    browser(app, "far-admin")                    # pingtung
    moe = browser(app, "moe")
    page = moe.get("/audit")
    options = {o["value"]: o.text for o in page.html.select("#unit option")}
    assert options["/centres/pingtung"] == "屏東縣政府教育處"
    taipei = moe.get("/audit", {"unit": "/centres/taipei"})
    assert "a-admin" in taipei.text and "far-admin" not in taipei.text
    link = taipei.html.select_one("tbody a[href*='actor=']")
    assert "actor=a-admin" in link["href"] and "unit=%2Fcentres%2Ftaipei" in link["href"]
    assert moe.get("/audit", {"unit": "/centres/nowhere"}).html.select_one(
        "#unit option[selected]") is None                        # not a choice: ignored
    with site.edit() as root:
        audit.record("export", root["centres"]["taipei"]["353601"], root=root, actor="tp-rev")
    centre = browser(app, "tp-rev").get("/centres/taipei/audit",
                                        {"unit": "/centres/taipei/353601"})
    assert "共 1 筆" in centre.text and "匯出資料" in centre.text
    narrowed = browser(app, "tp-rev").get("/centres/taipei/audit",
                                          {"object": "/centres/taipei/353601"})
    assert "不限對象" in narrowed.text and "共 1 筆" in narrowed.text
