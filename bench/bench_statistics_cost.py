"""What the statistics' event subscribers add to a registration and to a roster confirmation
(issue 17: under 10 %), measured in one run with them and without them.

    .venv/bin/python bench/bench_statistics_cost.py          (or: make bench-statistics)

The real app's registry (subscribers, catalog, workflows) on a FileStorage in a temporary
folder; each registration and the confirmation is its own transaction, committed (fsync) as
in production. "Without" replaces the subscribers' work (statistics.move and .apply) by
nothing; the folder's work, adding the deltas to the counters after each commit (as its
thread does in production), is timed apart: it is not in the request's time.
"""
import argparse
import statistics as stats
import sys
import tempfile
import time as timer
from datetime import date, time, timedelta
from pathlib import Path

import transaction
from ZODB.POSException import ConflictError

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from pyramid.paster import get_appsettings  # noqa: E402
from pyramid.threadlocal import manager  # noqa: E402

import inservice_portal.statistics as counters  # noqa: E402
from inservice_portal import make_config  # noqa: E402
from inservice_portal.attendance import roster  # noqa: E402
from inservice_portal.bootstrap import APP_ROOT, ensure_root  # noqa: E402
from inservice_portal.registration import service  # noqa: E402
from inservice_portal.resources.accounts import Teacher  # noqa: E402
from inservice_portal.resources.course import Course, Session  # noqa: E402
from inservice_portal.resources.organiser import Organiser  # noqa: E402
from inservice_portal.catalog.queue import Indexer  # noqa: E402
from inservice_portal.concurrency.single_writer import SingleWriter  # noqa: E402
from inservice_portal.statistics import queue  # noqa: E402
from inservice_portal.statistics.queue import Folder  # noqa: E402
from inservice_portal.workflows import api as workflow_api  # noqa: E402


def app_db(folder: Path):
    settings = dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")))
    settings["zodbconn.uri"] = f"file://{folder}/Data.fs"
    settings["zodbconn.uri.audit"] = f"file://{folder}/Audit.fs"
    config = make_config(settings)
    config.make_wsgi_app()
    db = config.registry._zodb_databases[""]
    ensure_root(db)
    for writer in SingleWriter.writers().values():   # folded here, and timed, instead
        writer.stop()
    for cls in (Folder, Indexer):
        cls.writers().pop(db, None)
    return config.registry, db


def build(root, teachers: int, tag: str):
    centre = root["centres"]["taipei"]
    school = centre.add(f"9{tag}", Organiser(f"9{tag}", f"測試國小{tag}", "k12_school",
                                              county="臺北市"))
    for n in range(teachers):
        root["people"].add(f"{tag}t{n}", Teacher(f"{tag}t{n}", f"教師{n}",
                                                 national_id=f"A1{n:08d}"[:10],
                                                 school=f"/centres/taipei/9{tag}"))
    day = date.today() + timedelta(days=10)
    code = root.course_codes.next()
    course = Course(code, "大型研習", starts_on=day, ends_on=day, hours=3, state="published",
                    classes=1, seats_per_class=teachers,
                    sessions=[Session(day, time(9), time(12))])
    school.add(str(code), course)
    return course


def run(registry, db, teachers: int, tag: str) -> dict:
    """Per registration (ms, median and p95) and the confirmation of the whole roster."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    manager.push({"registry": registry, "request": None})
    try:
        root = conn.root()[APP_ROOT]
        course = build(root, teachers, tag)
        tm.commit()
        took, fold, folded = [], 0.0, 0
        for n in range(teachers):
            start = timer.perf_counter()
            while True:                 # the app's own writers (catalog, counters) run too
                try:
                    service.register(None, course, root["people"][f"{tag}t{n}"])
                    tm.commit()
                    break
                except ConflictError:
                    tm.abort()
            took.append(timer.perf_counter() - start)
            start = timer.perf_counter()          # the folder's turn, as after each commit
            folded += queue.flush(root)
            tm.commit()
            fold += timer.perf_counter() - start
        past = date.today() - timedelta(days=2)     # the course has taken place
        course.update(starts_on=past, ends_on=past, sessions=[Session(past, time(9), time(12))])
        course.state = "roster_pending"
        roster.save(course, [roster.Row(str(n), f"{tag}t{n}", ["present"])
                             for n in range(teachers)], "bench")
        tm.commit()
        start = timer.perf_counter()
        workflow_api.transition(course, None, "confirm_roster")
        tm.commit()
        confirm = timer.perf_counter() - start
        start = timer.perf_counter()
        queue.flush(root)
        tm.commit()
        took.sort()
        return {"median": stats.median(took) * 1000, "p95": took[int(len(took) * .95)] * 1000,
                "confirm": confirm * 1000, "fold": fold * 1000, "folded": folded,
                "fold_confirm": (timer.perf_counter() - start) * 1000}
    finally:
        manager.pop()
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    move, apply = counters.move, counters.apply
    results = {"with": [], "without": []}
    with tempfile.TemporaryDirectory() as folder:
        registry, db = app_db(Path(folder))
        for n in range(args.rounds):              # alternated, so that drift hits both alike
            for mode in ("with", "without"):
                if mode == "without":
                    counters.move = counters.apply = lambda *a, **k: None
                results[mode].append(run(registry, db, args.teachers, f"{mode[-3:]}{n}"))
                counters.move, counters.apply = move, apply
        db.close()
    print(f"{args.teachers} registrations (one transaction each) and one roster confirmation "
          f"of {args.teachers}, {args.rounds} rounds each; ms, best round")
    best = {mode: min(rounds, key=lambda r: r["median"]) for mode, rounds in results.items()}
    for label, name in (("registration, median", "median"), ("registration, p95", "p95"),
                        ("roster confirmation", "confirm")):
        a, b = best["with"][name], best["without"][name]
        print(f"{label:24} with {a:8.2f}  without {b:8.2f}  added {100 * (a - b) / b:+5.1f} %")
    w = best["with"]
    print(f"folder, after the commits: {w['folded']} inboxes of registrations in "
          f"{w['fold']:.0f} ms ({w['fold'] / args.teachers:.2f} ms each); the confirmation's "
          f"in {w['fold_confirm']:.0f} ms")


if __name__ == "__main__":
    main()
