"""Registration rush over HTTP: N teachers register at once for one course of C seats.

    /work/main/.venv/bin/python bench/registration_rush.py   (from the project directory;
                                                             PYTHONPATH=src for a worktree)

Builds a fresh FileStorage in var/bench/rush (one organiser, one first-come course of 50 seats,
2,000 teachers, each with an API token), serves the app with waitress in a child process,
and fires 2,000 ``POST /api/v1/courses/{code}/registrations`` from 64 concurrent keep-alive
connections with wrk (bench/rush.lua; Debian's wrk, a C load generator that leaves the two
cores to the server). Prints accepted, waitlisted, other 4xx, 5xx, requests/s and latency
percentiles, then reopens the database and checks what was stored against the answers.
Options: --teachers, --seats, --connections, --threads (waitress), --port, --var (another
directory for the database, e.g. /dev/shm/bench to take the disk's fsync out of the figure:
FileStorage fsyncs every commit, and registrations of one course commit one at a time).
"""
import argparse
from contextlib import contextmanager
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, time as clock_time
from pathlib import Path

import loadgen                  # bench/loadgen.py, beside this script

HERE = Path(__file__).resolve().parent
# Emptied on each run: not var/bench itself, which holds the search benchmark's catalogues.
VAR = HERE.parent / "var" / "bench" / "rush"


def settings_for(var: Path) -> dict:
    return {
        "zodbconn.uri": f"file://{var}/Data.fs",     # the app's own pool size (32)
        "session.secret": "bench-only-secret-0123456789-0123456789",
        "retry.attempts": "3",
        "mail.queue_path": str(var / "mail"),      # nothing leaves the machine
        "pyramid.default_locale_name": "zh_Hant",
    }


def build(var: Path, teachers: int, seats: int) -> list[str]:
    """A fresh database with the course and the teachers; returns their bearer tokens."""
    import transaction
    from pyramid.threadlocal import manager
    from pyramid.traversal import resource_path

    from inservice_portal import make_config
    from inservice_portal.accounts import tokens
    from inservice_portal.bootstrap import APP_ROOT, ensure_root
    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.course import Course, Session
    from inservice_portal.resources.organiser import Organiser

    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    config = make_config(settings_for(var))
    config.make_wsgi_app()
    db = config.registry._zodb_databases[""]
    ensure_root(db)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    manager.push({"registry": config.registry, "request": None})
    tm.begin()
    root = conn.root()[APP_ROOT]
    centre = root["centres"]["taipei"]
    school = centre.add("353601", Organiser("353601", "臺北市立甲國民小學", "k12_school",
                                            county=centre.county))
    code = root.course_codes.next()
    day = date(2099, 5, 1)
    course = Course(code, "搶手研習：生成式 AI 於教學之應用", state="published", starts_on=day,
                    ends_on=day, place="本校會議室", hours=3, seats_per_class=seats,
                    sessions=[Session(day, clock_time(9), clock_time(12))])
    school.add(str(code), course)
    people = root["people"]
    bearer = []
    for n in range(teachers):
        login = f"bench{n:05d}"
        people.add(login, Teacher(login, f"教師{n}", f"{login}@example.org",
                                  national_id="A123456789", school=resource_path(school),
                                  stage="elementary", job_title="15-4"), send_events=False)
        bearer.append(tokens.issue(root, login)[0])
    tm.commit()
    manager.pop()
    conn.close()
    for database in config.registry._zodb_databases.values():   # the audit one too: the
        database.close()                                          # server must lock its file
    return code, bearer


class NoLocks:
    """For comparison only (--no-lock): every writer runs at once and relies on ZODB's
    optimistic conflict detection and retries."""

    @contextmanager
    def hold(self, code):
        yield


def serve(var: Path, port: int, threads: int, lock: bool = True):
    """The child process: the real app under waitress."""
    import waitress

    from inservice_portal import main

    app = main({}, **settings_for(var))
    if not lock:
        app.registry.course_locks = NoLocks()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "queue depth" is the point
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, connection_limit=256,
                   backlog=1024)


def rush(port: int, code: int, bearer: list[str], connections: int) -> dict:
    """wrk (rush.lua) on ``connections`` keep-alive connections: every teacher's registration
    once, all sent as fast as the server answers."""
    with loadgen.listed(bearer, ".tokens") as token_file:
        command = [loadgen.wrk(), "-t1", f"-c{connections}", "-d600s", "--timeout", "120s",
                   "-s", str(HERE / "rush.lua"), f"http://127.0.0.1:{port}", "--",
                   f"/api/v1/courses/{code}/registrations", "/static/portal.css", token_file]
        with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as wrk_run:
            marks = {}
            for line in wrk_run.stdout:
                marks[line.strip()] = time.perf_counter()
                if "answered" in marks:
                    break
            wrk_run.send_signal(signal.SIGINT)      # wrk then prints and calls done()
            printed = wrk_run.stdout.read()
    if "answered" not in marks:
        raise SystemExit("wrk ended before every registration was answered")
    figures = loadgen.figures(printed)
    figures["seconds"] = marks["answered"] - marks["started"]
    return figures


def stored(var: Path, code: int):
    from ZODB import DB
    from ZODB.FileStorage import FileStorage

    from inservice_portal.registration import service as registrations
    from inservice_portal.bootstrap import APP_ROOT

    db = DB(FileStorage(str(var / "Data.fs"), read_only=True))
    try:
        conn = db.open()
        course = conn.root()[APP_ROOT]["centres"]["taipei"]["353601"][str(code)]
        regs = registrations.all_of(course)
        summary = {"registrations": len(regs),
                   "accepted": sum(r.state == "accepted" for r in regs),
                   "waitlisted": sum(r.state == "waitlisted" for r in regs),
                   "waitlist_in_order": [r.position for r in regs if r.state == "waitlisted"]
                   == list(range(1, sum(r.state == "waitlisted" for r in regs) + 1)),
                   "first_come_first_served": [r.state for r in regs][:course.capacity]
                   == ["accepted"] * min(course.capacity, len(regs))}
        conn.close()
        return summary
    finally:
        db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=2000)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--port", type=int, default=6599)
    parser.add_argument("--var", type=Path, default=VAR, help="database directory (emptied first)")
    parser.add_argument("--no-lock", action="store_true",
                        help="compare: no per-course lock, optimistic retries only")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    var = args.var.resolve()
    if args.serve:
        return serve(var, args.port, args.threads, lock=not args.no_lock)

    print(f"building {var}: 1 course of {args.seats} seats, {args.teachers} teachers …")
    code, bearer = build(var, args.teachers, args.seats)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (
        str(HERE.parent / "src"), os.environ.get("PYTHONPATH")))))
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--port", str(args.port),
                               "--threads", str(args.threads), "--var", str(var)]
                              + (["--no-lock"] if args.no_lock else []), env=env)
    try:
        loadgen.wait_for_port(args.port)
        got = rush(args.port, code, bearer, args.connections)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"requests:        {got['answered']} of {len(bearer)} answered, over "
          f"{args.connections} connections (waitress threads: {args.threads}; "
          f"{'NO LOCK' if args.no_lock else 'per-course lock'}), {got['seconds']:.2f} s")
    print(f"accepted:        {got['accepted']}")
    print(f"waitlisted:      {got['waitlisted']}")
    print(f"4xx:             {got['4xx']}")
    print(f"5xx:             {got['5xx']}")
    if got["unclear"]:
        print(f"2xx, no state:   {got['unclear']}")
    print(f"errors:          {got['errors'] or 'none'}; socket errors {got['socket_errors']}")
    print(f"requests/s:      {got['answered'] / got['seconds']:.0f}")
    print(f"latency ms:      p50 {got['p50_us'] / 1000:.1f}  p95 {got['p95_us'] / 1000:.1f}  "
          f"p99 {got['p99_us'] / 1000:.1f}  max {got['max_us'] / 1000:.1f} "
          f"(wrk's, with the {got['requests'] - got['answered']} static fillers at the end)")
    print(f"stored:          {stored(var, code)}")


if __name__ == "__main__":
    sys.exit(main())
