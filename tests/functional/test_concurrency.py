"""Many people at once, on a real FileStorage and on RelStorage (PostgreSQL): 32 logins of
different accounts (API and form), 32 registrations over different courses and their
withdrawals, 32 check-ins into one session. Nobody gets a 409, no audit entry is lost, the
chain verifies afterwards; no request even conflicts and is retried (tests/concurrency.py).
The check-ins of one session share its one list: they are written one at a time, under the
course's lock, like its registrations."""
import pytest

from inservice_portal import audit
from inservice_portal.audit import sealer as audit_sealer
from inservice_portal.attendance import checkin
from inservice_portal.registration import service as registrations
from inservice_portal.catalog import find_course

from .. import concurrency as harness
from .test_api_course import BODY as COURSE
from .. import pg

AT_ONCE = 32
# Every edit adds the same words, new to the text index's lexicon, and moves its course to
# another value of two indexes: the catalog's one indexer takes them in turn.
EDIT = {"title": "生成式人工智慧融入教學", "seats_per_class": 50}


@pytest.fixture(params=["filestorage", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def settings(request, base_settings, tmp_path):
    if request.param == "filestorage":
        yield dict(base_settings, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"})
        return
    pg.server_or_skip()
    with pg.fresh_database() as main, pg.fresh_database() as audit_db:
        yield dict(base_settings, **{"zodbconn.uri": pg.uri(main),
                                     "zodbconn.uri.audit": pg.uri(audit_db)})


@pytest.fixture
def world(site):
    with site.edit() as root:
        codes = harness.build(root, teachers=AT_ONCE, courses=AT_ONCE)
        bearer = harness.issue_tokens(root, harness.logins(AT_ONCE))
    return codes, bearer


def sealed(app, site, settings):
    """Seal what the server's threads may still be sealing; the entries and the problems."""
    assert audit_sealer.sealer_of(app.registry._zodb_databases).seal_once() is not None
    key = audit.signing_key(app.registry.settings)

    def read(root):
        log = audit.log_of(root)
        return list(log.entries.values()), audit.verify(log, key), audit.unsealed_count(log)
    entries, problems, waiting = site.read(read)
    assert problems == [] and waiting == 0
    return entries


def no_conflict(report):
    """Not even one that a retry absorbed: these people share no object they write."""
    assert not report.retried, report.retried


def actions(entries, action):
    return sorted(e["actor"] for e in entries if e["action"] == action)


def test_32_logins_at_once_through_the_api_and_the_form(app, world, site, settings):
    people = harness.logins(AT_ONCE)
    with harness.serving(app) as url:
        api = harness.at_once(app, url, [harness.api_login(login) for login in people])
        form = harness.at_once(app, url, [harness.form_login(login) for login in people])
    print(api.line("API logins"), form.line("form logins"), sep="\n")
    assert api.statuses == {201: AT_ONCE} and not api.gave_up
    assert form.statuses == {303: AT_ONCE} and not form.gave_up
    no_conflict(api)
    no_conflict(form)
    entries = sealed(app, site, settings)
    assert actions(entries, "login.success") == sorted(people * 2)
    assert [e["seq"] for e in entries] == list(range(1, 2 * AT_ONCE + 1))


def test_32_registrations_over_different_courses_then_32_withdrawals(app, world, site,
                                                                      settings):
    codes, bearer = world
    people = harness.logins(AT_ONCE)
    with harness.serving(app) as url:
        joined = harness.at_once(app, url, [harness.register(bearer[login], code)
                                            for login, code in zip(people, codes)])
        left = harness.at_once(app, url, [harness.withdraw(bearer[login], code, login)
                                          for login, code in zip(people, codes)])
    print(joined.line("registrations"), left.line("withdrawals"), sep="\n")
    assert joined.statuses == {201: AT_ONCE} and not joined.gave_up
    assert left.statuses == {200: AT_ONCE} and not left.gave_up
    no_conflict(joined)
    no_conflict(left)

    def states(root):
        return [[r.state for r in registrations.all_of(find_course(root, code))]
                for code in codes]
    assert site.read(states) == [["withdrawn"]] * AT_ONCE
    entries = sealed(app, site, settings)
    moves = [e for e in entries if e["action"].startswith("workflow.registration")]
    assert len(moves) == 2 * AT_ONCE        # accepted, then withdrawn
    assert {e["object"].split("/")[4] for e in moves} == {str(code) for code in codes}


def test_32_check_ins_into_one_session(app, world, site, settings):
    codes, _ = world
    key = checkin.key_of(app.registry.settings)
    with harness.serving(app) as url:
        report = harness.at_once(app, url, [harness.check_in(login, codes[0], key)
                                            for login in harness.logins(AT_ONCE)])
    print(report.line("check-ins"))
    assert report.statuses == {303: AT_ONCE} and not report.gave_up
    no_conflict(report)
    assert site.read(lambda root: checkin.count(find_course(root, codes[0]), 0)) == AT_ONCE
    sealed(app, site, settings)


def test_32_staff_at_once_edit_courses_save_rosters_and_share(app, world, site, settings):
    with site.edit() as root:
        ended, handouts = harness.build_staff_work(root, AT_ONCE)
        staff = [f"s{n:03d}" for n in range(AT_ONCE)]
        bearer = harness.issue_tokens(root, staff)
    people = harness.logins(AT_ONCE)
    with harness.serving(app) as url:
        drafts = harness.create_drafts(url, bearer["s000"], AT_ONCE, COURSE)
        edits = harness.at_once(app, url, [harness.edit_course(bearer[login], code, EDIT)
                                           for login, code in zip(staff, drafts)])
        rosters = harness.at_once(app, url, [
            harness.save_roster(bearer[login], code, teacher)
            for login, code, teacher in zip(staff, ended, people)])
        shares = harness.at_once(app, url, [harness.share(login, path)
                                            for login, path in zip(staff, handouts)])
    print(edits.line("course edits"), rosters.line("roster saves"), shares.line("shares"),
          sep="\n")
    for report, status in ((edits, 200), (rosters, 200), (shares, 303)):
        assert report.statuses == {status: AT_ONCE} and not report.gave_up
        no_conflict(report)

    def stored(root):
        from pyramid.traversal import find_resource

        from inservice_portal.attendance import roster

        return ({(find_course(root, code).title, find_course(root, code).seats_per_class)
                 for code in drafts},
                [len(roster.roster_of(find_course(root, code)).entries) for code in ended],
                {find_resource(root, path).state for path in handouts})
    assert site.read(stored) == ({(EDIT["title"], EDIT["seats_per_class"])}, [1] * AT_ONCE,
                                 {"shared"})
    entries = sealed(app, site, settings)
    assert len(actions(entries, "workflow.sharing.share")) == AT_ONCE


def test_evolve_step_14_spreads_the_sessions_and_tokens_it_had(app, site):
    from BTrees.OOBTree import OOBTree

    from inservice_portal import evolve
    from inservice_portal.accounts import tokens
    from inservice_portal.resources.shards import ShardedMap

    with site.edit() as root:               # a root as made before step 14
        harness.build(root, teachers=2, courses=0)
        kept = {}
        root.api_tokens = OOBTree()
        for login in harness.logins(2):
            kept[login] = tokens.issue(root, login)[0]
        root.login_sessions = OOBTree({"sid": "a session"})
        root.evolve_version = 13
    with site.edit() as root:
        evolve.run(root, log=lambda message: None)
    assert site.read(lambda root: (type(root.api_tokens), type(root.login_sessions))) == (
        ShardedMap, ShardedMap)
    assert site.read(lambda root: {tokens.login_of(root, t) for t in kept.values()}) == set(kept)
    assert site.read(lambda root: root.login_sessions.get("sid")) == "a session"
