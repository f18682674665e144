"""Many people at once: logins of distinct accounts, registrations spread over many courses,
check-ins into one session, staff editing courses, saving rosters and sharing handouts —
answers, p99 and the write conflicts per object class.

    /work/main/.venv/bin/python bench/concurrency.py     (from the project directory)

Builds a fresh FileStorage in var/bench/concurrency (TEACHERS teachers with production-cost
argon2 passwords and bearer tokens, COURSES first-come courses whose session runs now, and
for 64 staff members as many courses that ended and handouts to share), serves
the real app with waitress (8 threads, the production setting) in a child process, and drives
it from client threads (tests/concurrency.py: the same harness as the tests). The conflicts
come from the server's own /metrics, as an operator would read them. Options: --teachers,
--courses, --threads, --port, --var.
"""
import argparse
import multiprocessing
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import loadgen                                  # noqa: E402  (bench/loadgen.py)
from tests import concurrency as harness        # noqa: E402

VAR = HERE.parent / "var" / "bench" / "concurrency"
STAFF = 64                                     # staff at once: edits, rosters, shares


def settings_for(var: Path) -> dict:
    return {
        "zodbconn.uri": f"file://{var}/Data.fs",
        "session.secret": "bench-only-secret-0123456789-0123456789",
        "retry.attempts": "3",
        "mail.queue_path": str(var / "mail"),
        "pyramid.default_locale_name": "zh_Hant",
        "pyramid.reload_templates": "false",
        "public_cache.seconds": "0",
    }


def build(var: Path, teachers: int, courses: int):
    """The database (production argon2: the default parameters); the courses and tokens."""
    import transaction
    from pyramid.threadlocal import manager

    from inservice_portal import audit, make_config
    from inservice_portal.bootstrap import APP_ROOT, ensure_root

    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    config = make_config(settings_for(var))
    config.make_wsgi_app()
    databases = config.registry._zodb_databases
    ensure_root(databases[""])
    audit.ensure_database(databases)
    tm = transaction.TransactionManager()
    conn = databases[""].open(transaction_manager=tm)
    manager.push({"registry": config.registry, "request": None})
    with tm:
        root = conn.root()[APP_ROOT]
        codes = harness.build(root, teachers, courses, seats=teachers)
        ended, handouts = harness.build_staff_work(root, STAFF)
        bearer = harness.issue_tokens(root, harness.logins(teachers) + staff_logins())
    manager.pop()
    conn.close()
    for db in databases.values():
        db.close()
    return codes, bearer, ended, handouts


def staff_logins() -> list[str]:
    return [f"s{n:03d}" for n in range(STAFF)]


def serve(var: Path, port: int, threads: int):
    import logging

    import waitress

    from inservice_portal import main

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(main({}, **settings_for(var)), host="127.0.0.1", port=port, threads=threads,
                   connection_limit=512, backlog=1024)


METRIC = re.compile(r'inservice_write_conflicts_total\{object_class="([^"]*)",'
                    r'outcome="([^"]*)"\} ([0-9.]+)')


def conflicts(url) -> Counter:
    import requests

    text = requests.get(f"{url}/metrics", timeout=10).text
    return Counter({(cls, outcome): float(n) for cls, outcome, n in METRIC.findall(text)})


def measure(name, url, jobs, connections):
    before = conflicts(url)
    clients = harness.prepared(url, jobs)
    statuses, latencies, seconds = harness.run(url, clients, connections)
    after = conflicts(url)
    delta = {f"{cls} {outcome}": int(n) for (cls, outcome), n in (after - before).items()}
    p50, p99 = (loadgen.percentile(latencies, q) * 1000 for q in (50, 99))
    print(f"| {name} | {len(jobs)} | {connections} | "
          f"{', '.join(f'{n} × {s}' for s, n in sorted(statuses.items()))} | "
          f"{len(jobs) / seconds:.0f} | {p50:.0f} ms | {p99:.0f} ms | "
          f"{'; '.join(f'{k}: {v}' for k, v in sorted(delta.items())) or 'none'} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=500)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=6591)
    parser.add_argument("--var", type=Path, default=VAR)
    args = parser.parse_args()
    print(f"building {args.teachers} teachers (production argon2) and {args.courses} courses …",
          flush=True)
    codes, bearer, ended, handouts = build(args.var, args.teachers, args.courses)
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(args.var, args.port, args.threads), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{args.port}"
    try:
        loadgen.wait_for_port(args.port)
        people = harness.logins(args.teachers)
        print("| what | requests | at once | answers | requests/s | p50 | p99 | "
              "conflicts (class, outcome: count) |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        start = 0
        for n in (8, 32, 64):
            batch = people[start:start + n]
            start += n
            measure("API logins, distinct accounts", url,
                    [harness.api_login(login) for login in batch], n)
        measure("form logins, distinct accounts", url,
                [harness.form_login(login) for login in people[:64]], 64)
        measure(f"registrations over {len(codes)} courses", url,
                [harness.register(bearer[login], codes[n % len(codes)])
                 for n, login in enumerate(people)], 64)
        measure(f"withdrawals over {len(codes)} courses", url,
                [harness.withdraw(bearer[login], codes[n % len(codes)], login)
                 for n, login in enumerate(people)], 64)
        from inservice_portal.attendance import checkin
        key = checkin.key_of(settings_for(args.var))
        measure("check-ins into one session", url,
                [harness.check_in(login, codes[0], key) for login in people], 64)
        staff = staff_logins()
        from tests.functional.test_api_course import BODY
        drafts = harness.create_drafts(url, bearer[staff[0]], STAFF, BODY)
        measure("course edits, new words, different courses", url,
                [harness.edit_course(bearer[login], code, {"title": f"生成式人工智慧{n}"})
                 for n, (login, code) in enumerate(zip(staff, drafts))], STAFF)
        measure("roster saves, different courses", url,
                [harness.save_roster(bearer[login], code, teacher)
                 for login, code, teacher in zip(staff, ended, people)], STAFF)
        measure("shares (資源分享區), different handouts", url,
                [harness.share(login, path) for login, path in zip(staff, handouts)], STAFF)
        measure("token revocations", url, [harness.revoke(bearer[login]) for login in people],
                64)
    finally:
        server.terminate()
        server.join(timeout=30)


if __name__ == "__main__":
    main()
