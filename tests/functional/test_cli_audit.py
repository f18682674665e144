"""``inservice-portal … audit-verify`` / ``audit-prune`` / ``reset-mfa`` on a real FileStorage
(Data.fs, and the audit log's own Audit.fs beside it)."""
import re
import transaction
from ZODB import DB
from ZODB.FileStorage import FileStorage

from inservice_portal import audit
from inservice_portal.bootstrap import APP_ROOT

from .test_cli import ini, run  # noqa: F401  (the fixture and the runner)


def edit_audit(ini, fn):
    db = DB(FileStorage(str(ini.parent.parent / "var" / "Audit.fs")))
    conn = db.open()
    try:
        with transaction.manager:
            fn(audit.ensure_log(conn.root()))
    finally:
        conn.close()
        db.close()


def add_entries(ini, *days_ago):
    from datetime import timedelta

    from inservice_portal import clock

    def fill(log):
        for days in days_ago:
            at = (clock.now() - timedelta(days=days)).isoformat()
            audit.append(log, {"at": at, "actor": "moe",
                               "on_behalf": None, "ip": "", "action": "export",
                               "object": None, "title": "", "centre": None, "detail": {}})
    edit_audit(ini, fill)


def test_audit_verify_passes_then_detects_tampering(ini):
    assert run(ini, "audit-verify").returncode == 0      # creates the site, an empty log
    add_entries(ini, 3, 2, 1)
    intact = run(ini, "audit-verify")
    assert intact.returncode == 0 and "intact: 3 entries" in intact.stdout

    def tamper(log):
        entry = dict(log.entries[2])
        entry["actor"] = "someone-else"
        log.entries[2] = entry
    edit_audit(ini, tamper)
    tampered = run(ini, "audit-verify")
    assert tampered.returncode == 2
    assert "TAMPERED" in tampered.stderr and "entry 2: content altered" in tampered.stderr


def test_audit_seal_chains_what_a_dead_process_left_in_its_inbox(ini):
    run(ini, "audit-verify")

    def left_behind(log):                   # committed, never sealed: the process died
        inbox = log.inboxes["other-host-4242-dead"] = audit.Inbox()
        for actor in ("t1", "t2"):
            inbox.add({"at": "2026-12-01T09:00:00", "actor": actor, "action": "export"})
    edit_audit(ini, left_behind)
    # Any command starts the app, whose sealer catches up at once: look without one first.
    db = DB(FileStorage(str(ini.parent.parent / "var" / "Audit.fs"), read_only=True))
    try:
        assert audit.unsealed_count(db.open().root()[audit.LOG_KEY]) == 2
    finally:
        db.close()
    caught_up = run(ini, "audit-verify")    # a console command seals, but signs nothing
    assert "intact: 2 entries" in caught_up.stdout and "0 signed head(s)" in caught_up.stdout
    sealed = run(ini, "audit-seal")
    assert sealed.returncode == 0, sealed.stderr
    verified = run(ini, "audit-verify")
    assert verified.returncode == 0 and "intact: 2 entries" in verified.stdout
    assert "0 entries not yet sealed" in verified.stdout and "1 signed head(s)" in verified.stdout


def test_audit_prune_keeps_what_is_younger_than_the_retention(ini):
    run(ini, "audit-verify")
    add_entries(ini, 400, 181, 179, 0)
    result = run(ini, "audit-prune")
    assert result.returncode == 0, result.stderr
    assert "2 audit entries older than 180 days removed" in result.stdout
    check = run(ini, "audit-verify")
    assert check.returncode == 0 and "intact: 2 entries (from 3 to 4)" in check.stdout
    assert "nothing older" in run(ini, "audit-prune").stdout


def entries(verified) -> int:
    """The entry count ``audit-verify`` reports for an intact log."""
    return int(re.search(r"intact: (\d+) entries", verified.stdout).group(1))


def test_reset_mfa_makes_a_demo_staff_account_enrol_again(ini):
    run(ini, "demo")

    def secret():
        db = DB(FileStorage(str(ini.parent.parent / "var" / "Data.fs"), read_only=True))
        try:
            conn = db.open()
            value = conn.root()[APP_ROOT]["people"]["tpe-es-admin"].otp_secret
            conn.close()
            return value
        finally:
            db.close()

    assert secret() == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"     # the demo's, published
    before = entries(run(ini, "audit-verify"))
    result = run(ini, "reset-mfa", "tpe-es-admin")
    assert result.returncode == 0, result.stderr
    assert secret() is None
    assert run(ini, "reset-mfa", "nobody").returncode == 1
    # set-password applies the staff rules too, and is audited.
    weak = run(ini, "set-password", "tpe-es-admin", stdin="alllowercase\n")
    assert weak.returncode == 1 and "至少三種" in weak.stderr
    assert run(ini, "set-password", "tpe-es-admin", stdin="Strong-Enough-7\n").returncode == 0
    verified = run(ini, "audit-verify")
    assert verified.returncode == 0 and entries(verified) == before + 2   # reset, password
