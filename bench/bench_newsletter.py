"""電子報 to 225,000 subscribers: the time to queue every mail, the memory it takes, and the
pages' latency while it runs.

    .venv/bin/python bench/bench_newsletter.py          (or: make bench-newsletter)

Builds ``var/bench/newsletter/Data.fs`` (reused): 225,000 teacher accounts, all subscribed,
and one published course. Then serves the app from it in a child process (waitress, 8
threads, ``reload_templates = false``, mail queued in a maildir as in production), measures
the home page, 最新消息 and a course page for 10 s, starts the issue's sending job in that
process (the embedded default: a thread of the serving process), keeps measuring the same
pages until the job is done, and prints: the job's time and rate, the mails in the maildir,
the server's peak memory before and after, and p50/p99 of the pages before and during.
"""
import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import transaction
from ZODB import DB
from ZODB.FileStorage import FileStorage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from loadgen import percentile, wait_for_port  # noqa: E402

from inservice_portal.bootstrap import APP_ROOT, ensure_root  # noqa: E402

SUBSCRIBERS = 225_000
VAR = HERE.parent / "var" / "bench" / "newsletter"
PAGES = ("/", "/news/", "/centres/taipei/353601/1/")
CLIENTS = 4


def build(path: Path, count: int, log=print):
    """Teachers (no password: nobody logs in) subscribed to the e-newsletter; one course."""
    from inservice_portal import make_config
    from inservice_portal.comms import newsletter
    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.course import Course
    from inservice_portal.resources.organiser import Organiser

    config = make_config(settings_for(path))   # the app's registry and database
    databases = config.registry._zodb_databases
    db = databases[""]
    ensure_root(db)
    with transaction.manager:
        root = db.open().root()[APP_ROOT]
        centre = root["centres"]["taipei"]
        school = centre.add("353601", Organiser("353601", "臺北市立測試國民小學", "k12_school",
                                                county="臺北市"))
        school.add("1", Course(1, "閱讀素養工作坊", state="published", place="本校"))
    started = time.monotonic()
    for start in range(0, count, 10_000):
        with transaction.manager:
            root = db.open().root()[APP_ROOT]
            for n in range(start, min(start + 10_000, count)):
                login = f"t{n:06d}"
                root["people"].add(login, Teacher(login, "測試教師", f"{login}@example.org",
                                                  national_id=""), send_events=False)
                newsletter.subscribe(root, login)
        log(f"  {min(start + 10_000, count):,} teachers ({time.monotonic() - started:.0f} s)")
    for database in databases.values():
        database.close()


def settings_for(path: Path) -> dict:
    from pyramid.paster import get_appsettings
    settings = dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")))
    settings.update({"zodbconn.uri": f"file://{path}?connection_cache_size=50000",
                     "pyramid.reload_templates": "false",
                     "mail.queue_path": str(path.parent / "mail"),
                     "portal.url": "https://inservice.example.tw"})
    return settings


def serve(path: Path, port: int):
    """The child: the app on waitress; on a cue (a file), the sending starts in it."""
    import waitress

    from inservice_portal import main
    app = main({}, **settings_for(path))
    threading.Thread(target=start_when_asked, args=(app, path), daemon=True).start()
    waitress.serve(app, host="127.0.0.1", port=port, threads=8, _quiet=True)


def start_when_asked(app, path: Path):
    from pyramid.threadlocal import manager

    from inservice_portal.comms import newsletter
    from inservice_portal.jobs.runner import submit
    from inservice_portal.resources.newsletter import NewsletterIssue

    cue = path.parent / "start"
    while not cue.exists():
        time.sleep(0.1)
    registry = app.registry
    db = registry._zodb_databases[""]
    manager.push({"registry": registry, "request": None})
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    with tm:
        root = conn.root()[APP_ROOT]
        room = root["newsletter"]
        number = str(room.numbers.next())
        issue = NewsletterIssue("bench", None, title="春季號", body="各位老師好：\n\n本期介紹閱讀素養。",
                                course_codes=(1,))
        room.add(number, issue, send_events=False)
        issue.state, issue.total = "sending", len(room.subscribers)
        issue.job_id = submit(root, registry.settings, newsletter.JOB, "bench",
                              {"number": int(number)}).id
    (path.parent / "job").write_text(issue.job_id)


def queued(path: Path) -> int:
    """Mails in the maildir so far (each batch's are written as it commits)."""
    found = path.parent / "mail" / "new"
    return sum(1 for _ in found.iterdir()) if found.exists() else 0


def job_state(path: Path) -> tuple[str, int]:
    """The job's end state and count, read once the server has stopped."""
    from inservice_portal.jobs.runner import jobs_of
    db = DB(FileStorage(str(path), read_only=True))
    try:
        root = db.open().root()[APP_ROOT]
        job = jobs_of(root)[(path.parent / "job").read_text()]
        return job.state, job.done or 0
    finally:
        db.close()


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(base: str, stop: threading.Event) -> list[float]:
    """Latencies (ms) of CLIENTS clients cycling through PAGES until ``stop``."""
    found: list[float] = []

    def client(offset):
        n = offset
        while not stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(base + PAGES[n % len(PAGES)], timeout=30) as answer:
                answer.read()
            found.append((time.monotonic() - started) * 1000)
            n += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    return found, threads


def timed(base: str, seconds: float | None = None, until=None) -> list[float]:
    stop = threading.Event()
    found, threads = measure(base, stop)
    if seconds is not None:
        time.sleep(seconds)
    else:
        until()
    stop.set()
    for thread in threads:
        thread.join()
    return found


def describe(values: list[float]) -> str:
    return (f"{len(values):,} requests, p50 {percentile(values, 50):.0f} ms, "
            f"p99 {percentile(values, 99):.0f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=SUBSCRIBERS)
    parser.add_argument("--port", type=int, default=6581)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = VAR / str(args.subscribers) / "Data.fs"
    if args.serve:
        return serve(path, args.port)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building {args.subscribers:,} subscribers in {path}")
        build(path, args.subscribers)
    for leftover in ("mail", "start", "job"):
        target = path.parent / leftover
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(
            missing_ok=True)
    backup = path.with_suffix(".orig")
    if not backup.exists():
        shutil.copy(path, backup)               # each run sends the same issue afresh
    else:
        shutil.copy(backup, path)
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--port", str(args.port),
                              "--subscribers", str(args.subscribers)],
                             env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")})
    try:
        wait_for_port(args.port)
        base = f"http://127.0.0.1:{args.port}"
        before = timed(base, seconds=10)
        print(f"pages before: {describe(before)}; server RSS {rss_mb(child.pid):,.0f} MB")
        started = time.monotonic()
        (path.parent / "start").touch()
        done = threading.Event()

        def wait_for_job():
            while queued(path) < args.subscribers:
                time.sleep(2)
                print(f"  {queued(path):,} queued ({time.monotonic() - started:.0f} s, "
                      f"server RSS {rss_mb(child.pid):,.0f} MB)")

        during = timed(base, until=wait_for_job)
        took = time.monotonic() - started
        peak = peak_mb(child.pid)
        print(f"{queued(path):,} mails queued in {took:.0f} s ({queued(path) / took:,.0f}/s); "
              f"server peak RSS {peak:,.0f} MB")
        print(f"pages during: {describe(during)}")
        time.sleep(3)                            # the job's last commit (sent), then stop
    finally:
        child.terminate()
        child.wait()
    if (path.parent / "job").exists():
        state, done = job_state(path)
        print(f"job {state}: {done:,} subscribers done")


if __name__ == "__main__":
    main()
