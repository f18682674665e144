"""The ``inservice-portal`` console script: operator commands on a configured site.

    inservice-portal CONFIG_URI demo                 load the demo school year (once)
    inservice-portal CONFIG_URI evolve               run pending evolve steps
    inservice-portal CONFIG_URI set-password LOGIN   new password from stdin
    inservice-portal CONFIG_URI reindex              rebuild the catalog from the tree
    inservice-portal CONFIG_URI statistics           recompute the statistics, report drift
    inservice-portal CONFIG_URI remind-rosters       mail organisers with overdue rosters
    inservice-portal CONFIG_URI remind-partners      mail partners late to confirm last month
    inservice-portal CONFIG_URI digests              mail reviewers and subscribers their digests
    inservice-portal CONFIG_URI audit-verify         check the audit log's hash chain
    inservice-portal CONFIG_URI audit-seal           seal waiting audit entries, sign the head
    inservice-portal CONFIG_URI audit-prune          drop audit entries past the retention
    inservice-portal CONFIG_URI reset-mfa LOGIN      forget an account's second factor
    inservice-portal CONFIG_URI worker [--burst]     run queued background jobs (Redis)
    inservice-portal CONFIG_URI backup DIR           back up FileStorage and blobs (repozo)
    inservice-portal CONFIG_URI restore DIR          restore them into a configuration
"""
import argparse
import getpass
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import transaction
from ZODB.POSException import ConflictError
from pyramid.paster import bootstrap, get_appsettings
from pyramid.threadlocal import get_current_registry

from .. import CONSOLE, audit, clock, evolve, reference
from ..audit import sealer as audit_sealer
from ..accounts import school_directory, service as accounts_service
from ..attendance.reminders import send_reminders
from ..bootstrap import APP_ROOT, ensure_root
from ..catalog import queue as catalog_queue
from ..comms import digests
from ..exchange import confirmation
from ..exchange import feed as exchange_feed
from ..statistics import queue as statistics_queue
from ..statistics import releases as statistics_releases
from ..catalog import rebuild
from ..jobs import runner
from ..statistics.rebuild import rebuild as rebuild_statistics
from . import backup
from .demo import load_demo


def ensure_storage_dir(config_uri: str):
    """FileStorage creates Data.fs but not its directory: a clean clone has no var/ yet."""
    uri = get_appsettings(config_uri).get("zodbconn.uri", "")
    parts = urlsplit(uri)
    if parts.scheme == "file":
        Path(unquote(parts.path)).parent.mkdir(parents=True, exist_ok=True)


def cmd_demo(root, tm, args) -> int:
    if not load_demo(root):
        tm.abort()
        print("demo data already loaded: nothing changed")
        return 0
    tm.get().note("inservice-portal demo: load the demo school year")
    tm.commit()
    password = reference.load("demo")["password"]
    print(f"demo data loaded: the site now has {len(root['people'])} accounts; "
          f"every demo account's password is {password}")
    return 0


def cmd_evolve(root, tm, args) -> int:
    steps = evolve.pending(root)
    if not steps:
        tm.abort()
        print(f"nothing to do (database at evolve step {evolve.latest()})")
        return 0
    evolve.run(root, tm=tm, log=print)     # one commit per step
    return 0


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if first != getpass.getpass("Repeat it: "):
            raise SystemExit("the passwords differ; nothing changed")
        return first
    return sys.stdin.readline().rstrip("\r\n")   # piped: the first line, spaces kept


def cmd_set_password(root, tm, args) -> int:
    account = root["people"].get(args.login)
    if account is None:
        tm.abort()
        print(f"no account {args.login!r}", file=sys.stderr)
        return 1
    password = read_password()
    if not password:
        tm.abort()
        print("empty password: nothing changed", file=sys.stderr)
        return 1
    try:
        # The same rules as the pages; sessions and tokens end; the audit log says so.
        accounts_service.set_password(root, account, password, action="password.reset")
    except accounts_service.PasswordRejected as rejected:
        tm.abort()
        print("password refused: " + " ".join(rejected.problems), file=sys.stderr)
        return 1
    tm.get().note(f"inservice-portal set-password {args.login}")
    tm.commit()
    print(f"password set for {args.login}")
    return 0


def cmd_reindex(root, tm, args) -> int:
    counts = rebuild(root)
    tm.get().note("inservice-portal reindex")
    tm.commit()
    added = "、".join(counts["added_indexes"]) or "none"
    print(f"catalog rebuilt: {counts['indexed']} objects indexed, {counts['removed']} stale "
          f"entries removed, indexes added: {added}")


def _counted(done, what):
    print(f"{done:,} {what} counted…", flush=True)


def cmd_statistics(root, tm, args) -> int:
    for attempt in range(1, 4):       # the serving processes' folder may fold meanwhile
        found = rebuild_statistics(root, progress=_counted)
        tm.get().note("inservice-portal statistics: counters recomputed")
        try:
            tm.commit()
            break
        except ConflictError:
            tm.abort()
            if attempt == 3:
                raise
            tm.begin()
    for name, cells in found.items():
        for key, (kept, fresh) in sorted(cells.items())[:20]:
            print(f"drift in {name} {key}: kept {kept}, data {fresh}")
    print(f"statistics recomputed: {sum(len(c) for c in found.values())} counter(s) corrected")
    tm.begin()                        # then the reports whose release day came are frozen
    frozen = statistics_releases.freeze_due(root)
    tm.get().note("inservice-portal statistics: reports frozen on release")
    tm.commit()
    if frozen:
        print("reports frozen as released: " + ", ".join(frozen))
    return 1 if found else 0


def cmd_remind_rosters(root, tm, args) -> int:
    # Mail joins the thread's default transaction (repoze.sendmail): commit that one.
    with transaction.manager:
        sent = send_reminders(root, get_current_registry())
    tm.abort()
    for code, count, to in sent:
        print(f"{code}: {count} overdue roster(s), mailed {', '.join(to)}")
    print(f"reminders sent to {len(sent)} organiser(s)")


def cmd_remind_partners(root, tm, args) -> int:
    with transaction.manager:          # mail joins the thread's default transaction
        sent = confirmation.remind(root, get_current_registry())
    tm.abort()
    for code, month, to in sent:
        print(f"{code}: {month} not confirmed, mailed {to}")
    print(f"reminders sent to {len(sent)} partner(s)")
    return 0


def cmd_digests(root, tm, args) -> int:
    """The morning's digests: reviewers', 研習資訊訂閱 and questionnaire reminders, their mail
    joined to the transaction that notes the day done."""
    sent = digests.send_all(root, get_current_registry(), clock.now().date())
    tm.commit()
    print(f"digests sent: {sent['reviewers']} centre(s), {sent['teachers']} teacher(s); "
          f"{sent['feedback']} questionnaire reminder(s)")
    return 0


def cmd_audit_verify(root, tm, args) -> int:
    log = audit.log_of(root, create=False)
    problems = audit.verify(log, audit.signing_key(args.settings))
    waiting = audit.unsealed_count(log)
    heads = len(log.heads) if log.heads else 0
    tm.abort()
    if problems:
        print(f"audit log TAMPERED: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    print(f"audit log intact: {len(log.entries)} entries (from {log.anchor_seq + 1} to "
          f"{log.last_seq}), head {log.last_hash}, {heads} signed head(s); "
          f"{waiting} entries not yet sealed")
    return 0


def cmd_audit_seal(root, tm, args) -> int:
    """The one command that signs: the operator gives it the servers' key."""
    tm.abort()
    result = audit_sealer.sealer_of(args.databases).seal_once(
        force_head=True, signing_key=audit.signing_key(args.settings))
    if result is None:
        print("audit sealing failed (see the log)", file=sys.stderr)
        return 1
    count, head = result
    print(f"{count} entries sealed" + (f"; head {head['seq']} {head['hash']} signed"
                                      if head else "; the head was signed already"))
    return 0


def cmd_audit_prune(root, tm, args) -> int:
    days = audit.retention_days(args.settings)
    removed = audit.prune(audit.log_of(root), days)
    if not removed:
        tm.abort()
        print(f"nothing older than {days} days")
        return 0
    tm.get().note(f"inservice-portal audit-prune: {removed} entries past {days} days")
    tm.commit()
    print(f"{removed} audit entries older than {days} days removed; the chain is anchored")
    return 0


def cmd_reset_mfa(root, tm, args) -> int:
    account = root["people"].get(args.login)
    if account is None:
        tm.abort()
        print(f"no account {args.login!r}", file=sys.stderr)
        return 1
    accounts_service.reset_mfa(root, account, None)   # (an operator's act: no mail)
    tm.get().note(f"inservice-portal reset-mfa {args.login}")
    tm.commit()
    print(f"second factor reset for {args.login}: it enrols again at the next login")
    return 0


KINDS = {"new": "新增", "renamed": "更名", "closed": "停辦", "merged": "裁併"}


def cmd_school_directory(root, tm, args) -> int:
    """The ministry's school list against the portal; with --apply, the changes made."""
    try:
        schools = school_directory.read(Path(args.file).read_bytes(), args.file)
    except school_directory.BadDirectory as bad:
        tm.abort()
        for line, problem in bad.problems.items():
            print(f"{line}: {problem}", file=sys.stderr)
        return 1
    changes = school_directory.differences(root, schools)
    for change in changes:
        s = change.school
        extra = (f" (was {change.before})" if change.kind == "renamed"
                 else f" → {s.merged_into}" if change.kind == "merged" else "")
        print(f"{KINDS[change.kind]} {s.code} {s.name}{extra}")
    print(f"{len(schools)} schools read, {len(changes)} changes")
    if not args.apply:
        tm.abort()
        return 0
    done = school_directory.apply(root, changes, "system", args.reason)
    tm.get().note(f"inservice-portal school-directory {args.file}: {done}")
    tm.commit()
    print("applied: " + ", ".join(f"{KINDS[k]} {n}" for k, n in done.items()))
    return 0


def cmd_worker(root, tm, args) -> int:
    """Run the queued background jobs (jobs.backend = redis), as many such processes as
    wanted, beside the serving ones, on the same database (RelStorage)."""
    if args.settings.get("jobs.backend") != "redis":
        print("jobs.backend is not redis: the serving process runs its own jobs")
        return 2
    tm.abort()
    runner.work(args.databases[""], args.settings, burst=args.burst)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inservice-portal",
                                     description="全國教師在職進修資訊網: operator commands")
    parser.add_argument("config_uri", help="the ini file, e.g. etc/development.ini")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("demo", help="load the demo school year (idempotent)"
                        ).set_defaults(run=cmd_demo)
    commands.add_parser("evolve", help="run pending schema evolve steps"
                        ).set_defaults(run=cmd_evolve)
    set_password = commands.add_parser("set-password",
                                       help="set an account's password (read from stdin)")
    set_password.add_argument("login")
    set_password.set_defaults(run=cmd_set_password)
    commands.add_parser("reindex", help="rebuild the search catalog from the resource tree"
                        ).set_defaults(run=cmd_reindex)
    commands.add_parser("statistics", help="recompute the statistics counters from the data "
                                           "and report any drift (exit 1: some was corrected)"
                        ).set_defaults(run=cmd_statistics)
    commands.add_parser("remind-rosters",
                        help="mail each organiser whose rosters are overdue (未結案研習課程催覆)"
                        ).set_defaults(run=cmd_remind_rosters)
    commands.add_parser("remind-partners",
                        help="mail each partner that has not confirmed last month by the 5th "
                             "(每月確認, Art. 12)").set_defaults(run=cmd_remind_partners)
    commands.add_parser("digests", help="mail the day's digests: what waits for each centre's "
                                        "reviewers, and the teachers' 研習資訊訂閱"
                        ).set_defaults(run=cmd_digests)
    for name, text in (("backup", "back up the FileStorage databases and their blobs into "
                                  "DIRECTORY (repozo: full, then increments)"),
                       ("restore", "restore them from DIRECTORY into the files the "
                                   "configuration names (which must not exist)")):
        commands.add_parser(name, help=text).add_argument("directory", metavar="DIRECTORY")
    commands.add_parser("audit-verify", help="check the audit log's hash chain (exit 2: tampered)"
                        ).set_defaults(run=cmd_audit_verify)
    commands.add_parser("audit-seal", help="seal the audit entries waiting in their inboxes "
                                           "and sign the head").set_defaults(run=cmd_audit_seal)
    commands.add_parser("audit-prune", help="remove audit entries past audit.retention_days "
                                            "(at least 180)").set_defaults(run=cmd_audit_prune)
    reset_mfa = commands.add_parser("reset-mfa", help="forget an account's second factor")
    reset_mfa.add_argument("login")
    reset_mfa.set_defaults(run=cmd_reset_mfa)
    directory = commands.add_parser(
        "school-directory", help="compare the ministry's school code list (CSV or XLSX) with "
                                 "the portal; --apply makes the changes")
    directory.add_argument("file")
    directory.add_argument("--apply", action="store_true")
    directory.add_argument("--reason", default="學校代碼清單更新（停辦或裁併）")
    directory.set_defaults(run=cmd_school_directory)
    worker = commands.add_parser("worker", help="run queued background jobs (jobs.backend = "
                                                "redis); --burst: until the queue is empty")
    worker.add_argument("--burst", action="store_true")
    worker.set_defaults(run=cmd_worker)
    return parser


def cmd_backup(args) -> int:
    """No database is opened: repozo reads the files (a server may be running)."""
    settings = get_appsettings(args.config_uri)
    try:
        run = backup.backup if args.command == "backup" else backup.restore
        for line in run(settings, Path(args.directory)):
            print(line)
    except backup.BackupError as refused:
        print(f"{args.command} refused: {refused}", file=sys.stderr)
        return 2
    return 0


def main(argv=None) -> int:
    args = make_parser().parse_args(argv)
    if args.command in ("backup", "restore"):
        return cmd_backup(args)
    ensure_storage_dir(args.config_uri)
    # bootstrap makes the app from the ini and pushes its registry, so that the catalog's
    # subscribers see the objects we add.
    env = bootstrap(args.config_uri, options={CONSOLE: "true"})
    databases = env["registry"]._zodb_databases
    db = databases[""]
    try:
        ensure_root(db)
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            tm.begin()
            args.settings = env["registry"].settings
            args.databases = databases
            return args.run(conn.root()[APP_ROOT], tm, args)
        finally:
            tm.abort()      # a no-op after a commit
            conn.close()
    finally:
        env["closer"]()
        audit_sealer.sealer_of(databases).stop()       # each folds what is left
        catalog_queue.Indexer.of(databases).stop()
        statistics_queue.Folder.of(databases).stop()
        exchange_feed.Writer.of(databases).stop()
        for database in databases.values():   # release the FileStorage lock
            database.close()


if __name__ == "__main__":
    sys.exit(main())
