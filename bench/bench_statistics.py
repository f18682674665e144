"""統計 at national scale: fill the counters as ten school years of the nation would leave
them, then time what each statistics page reads from them.

    .venv/bin/python bench/bench_statistics.py      (or: make bench-statistics)

The pages read the counters only (statistics/reports.py), never courses or records, so their
cost depends on the counters' cells, not on the objects behind them: the generator writes the
cells that 1,000,000 courses (100,000 a school year over 21,000 organisers in the 22
counties), their registrations, and 225,000 teachers' hours from 10,000,000 records would
leave, into ``var/bench/statistics/Data.fs`` (reused), through the Cube class itself. It
then times, warm and cold (the connection cache emptied first), the tables of each page:
national, a county centre's, the learning needs, the public area, a school's teachers (its
key range), and each chart drawn as SVG. ``--recount N`` times the nightly recomputation
over the N courses that bench/search.py generated, ``--recount-teachers`` over 225,000
generated teachers and their 10,000,000 records. What the event subscribers add to a
registration and to a roster confirmation: bench/bench_statistics_cost.py.
"""
import argparse
import random
import resource
import statistics as stats
import sys
import time
from pathlib import Path

import transaction
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from ZODB import DB
from ZODB.FileStorage import FileStorage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from inservice_portal import reference, vocabularies  # noqa: E402
from inservice_portal.bootstrap import APP_ROOT, ensure_root  # noqa: E402
from inservice_portal.statistics import charts, tables  # noqa: E402
from inservice_portal.statistics.cubes import Cube  # noqa: E402
from inservice_portal.statistics.measures import CUBES, MEASURES, banded, rolled  # noqa: E402

FIRST_YEAR, YEARS = 106, 10
COURSES_A_YEAR = 100_000
ORGANISERS = 21_000
TEACHERS = 225_000
RECORDS = 10_000_000
KINDS = ("k12_school", "university", "social_education", "curriculum_circle", "subject_centre")
STATES = ("accepted",) * 8 + ("waitlisted", "rejected", "withdrawn")


def organisers(rng):
    centres = [c for c in reference.centres() if c["county"]]
    found = []
    for n in range(ORGANISERS):
        centre = centres[n % len(centres)]
        found.append((centre["county"], centre["code"], f"{n:06d}", rng.choice(KINDS)))
    return found


def generate(path: Path, log=print) -> None:
    rng = random.Random(2026)
    units = organisers(rng)
    stages = list(vocabularies.stages())
    scopes = list(vocabularies.scopes())
    modes = list(vocabularies.delivery_modes())
    cells = {name: {} for name in MEASURES}

    def add(name, key, amount):
        cells[name][key] = cells[name].get(key, 0) + amount

    started = time.perf_counter()
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for _ in range(COURSES_A_YEAR):
            county, centre, code, kind = units[rng.randrange(ORGANISERS)]
            month, scope, level = rng.randint(1, 12), rng.choice(scopes), rng.randint(1, 4)
            place = (year, month, county, centre, code)
            key = place + (kind, scope, level)
            add("courses", key, 1)
            add("course_hours", key, rng.choice((300, 600, 1200)))
            stage, mode = rng.choice(stages), rng.choice(modes)
            need = (year, month, county, centre, stage, scope, f"{scope}-1-{rng.randint(1, 4)}",
                    mode)
            seats = rng.choice((20, 30, 40, 50))
            add("demand", need + ("courses",), 1)
            add("demand", need + ("seats",), seats)
            for _ in range(rng.randint(seats // 2, seats + 10) // 10):   # tens of registrations
                state = rng.choice(STATES)
                add("registrations", place + (state,), 10)
                if state in ("accepted", "waitlisted"):
                    add("demand", need + ("registrations",), 10)
                    add("demand", need + ("asked",), 10)
                if state == "waitlisted":
                    add("demand", need + ("waitlisted",), 10)
            add("closings", (year, centre, "closed"), 1)
            if rng.random() < 0.05:
                add("closings", (year, centre, "late"), 1)
        log(f"  {year} 學年度 courses: {time.perf_counter() - started:.0f} s")
    per_teacher = RECORDS // (TEACHERS * YEARS)
    school_stages = list(vocabularies.STAGE_LABELS)
    teachers = [(*units[n % ORGANISERS][::2], f"t{n:06d}", rng.choice(school_stages))
                for n in range(TEACHERS)]
    teachers += [(SCHOOL["county"], SCHOOL["code"], login, "elementary")
                 for login in SCHOOL["teachers"]]
    for county, school, login, stage in teachers:
        add("teachers", (county, stage), 1)
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            hours = sum(rng.choice((300, 300, 600, 1200)) for _ in range(per_teacher))
            if rng.random() < 0.1:
                continue                                   # no hours this year
            key = (year, county, school, login, stage)
            add("teacher_hours", key, hours)
            for (_, cell), moved in banded(key, 0, hours).items():
                add("teacher_bands", cell, moved)
            source = "local" if rng.random() < 0.4 else "tpe-city"
            add("records", (year, county, source, "records"), per_teacher)
            add("records", (year, county, source, "hours"), hours)
    for name in MEASURES:
        for key, value in list(cells[name].items()):
            for (rollup, cell), amount in rolled(name, key, value).items():
                found = cells.setdefault(rollup, {})
                found[cell] = found.get(cell, 0) + amount
    log(f"  teachers and roll-ups: {time.perf_counter() - started:.0f} s; cells: "
        + ", ".join(f"{name} {len(c):,}" for name, c in cells.items()))
    db = DB(FileStorage(str(path)), cache_size=100_000)
    ensure_root(db)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    add_school(root)
    add_staff(root)
    root.statistics = cubes = OOBTree()
    for name, found in cells.items():
        cube = cubes[name] = Cube(CUBES[name])
        for n, (key, value) in enumerate(sorted(found.items()), 1):
            cube.cells[key] = Length(value)
            if n % 200_000 == 0:
                transaction.savepoint(True)
                conn.cacheMinimize()
        transaction.commit()
        log(f"  stored {name}: {time.perf_counter() - started:.0f} s")
    db.close()


# A large school (120 teachers), whose principal reads its page (統計圖表（本校）).
SCHOOL = {"county": "臺北市", "centre": "taipei", "code": "999999",
          "teachers": [f"s{n:03d}" for n in range(120)]}
STAFF = {"bench-moe": ("", "ministry_admin"), "bench-tpe": ("centres/taipei", "centre_reviewer"),
         "bench-school": (f"centres/taipei/{SCHOOL['code']}", "principal_admin")}
PASSWORD = "Bench-2026!"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def add_school(root):
    """The school and its teachers, catalogued (its page lists them from the catalog)."""
    from inservice_portal.catalog import index_object
    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.organiser import Organiser

    root["centres"][SCHOOL["centre"]].add(
        SCHOOL["code"], Organiser(SCHOOL["code"], "臺北市立統計國民小學", "k12_school",
                                  county=SCHOOL["county"]))
    for n, login in enumerate(SCHOOL["teachers"]):
        teacher = Teacher(login, f"教師{n:03d}", f"{login}@example.org",
                          national_id=f"A2{n:08d}", school="/" + "/".join(
                              ("centres", SCHOOL["centre"], SCHOOL["code"])),
                          stage="elementary", job_title="15-4")
        root["people"].add(login, teacher)
        index_object(teacher)


def add_staff(root):
    """The accounts the HTTP run logs in with (their second factor's secret is known)."""
    from pyramid.traversal import find_resource

    from inservice_portal.accounts import mfa
    from inservice_portal.resources.accounts import Staff

    for login, (path, role) in STAFF.items():
        unit = find_resource(root, path) if path else root
        account = Staff(login, login, f"{login}@example.org", unit="/" + path,
                        staff_type=role, phone="02-0000-0000")
        account.set_password(PASSWORD)
        mfa.enrol_known_secret(account, TOTP_SECRET)
        root["people"].add(login, account)
        unit.grant(login, role)


def timed(conn, work, repeat) -> tuple[float, float, float]:
    conn.cacheMinimize()
    start = time.perf_counter()
    work()
    cold = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    runs.sort()
    return cold * 1000, stats.median(runs) * 1000, runs[int(len(runs) * 0.95) - 1] * 1000


def measure(path: Path, repeat: int, log=print) -> None:
    db = DB(FileStorage(str(path), read_only=True), cache_size=3_000_000)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    year = FIRST_YEAR + YEARS - 2
    taipei = root["centres"]["taipei"]
    school = taipei[SCHOOL["code"]]

    from inservice_portal.statistics import reports
    from inservice_portal.views.statistics_reports import school_rows
    pages = {
        "national (統計圖表 全國)": lambda: tables.national(root, year, {}),
        "county centre (臺北市, no per-unit names)": lambda: [
            tables.by_month(root, year, taipei.code),
            tables.scopes(root, year, {"centre": taipei.code}),
            tables.Table("units", "", "", reports.COLUMNS,
                         reports.table(root, year, "organiser", {"centre": taipei.code}))],
        "learning needs, national": lambda: tables.needs(root, year, {}),
        "learning needs, one county and stage": lambda: tables.needs(
            root, year, {"county": "臺北市", "stage": "elementary"}),
        "learning needs, a centre's": lambda: tables.needs(root, year, {"centre": taipei.code}),
        "public 統計專區": lambda: tables.public(root, year),
        "school (teachers' hours, key range)": lambda: reports.school_hours(root, year, school),
        "school page (its 120 teachers, catalog)": lambda: school_rows(root, school, year),
        "chart: counties (SVG)": lambda: charts.svg(tables.counties(root, year)),
    }
    log(f"school year {year}; {repeat} warm runs each; times in ms")
    log(f"{'figures of':45} {'cold':>9} {'warm p50':>9} {'warm p95':>9}")
    for title, work in pages.items():
        cold, p50, p95 = timed(conn, work, repeat)
        log(f"{title:45} {cold:9.1f} {p50:9.1f} {p95:9.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"max RSS {rss:,.0f} MB; database {path.stat().st_size / 2**20:,.0f} MB")
    db.close()


def generate_teachers(path: Path, teachers: int, log=print) -> None:
    """``teachers`` teachers at the 21,000 organisers, each with RECORDS / TEACHERS (44)
    training records over the ten school years (10,000,000 at 225,000), catalogued: what the
    recomputation reads of teachers (their courses are bench/search.py's part)."""
    from datetime import date
    from decimal import Decimal

    from inservice_portal.catalog import index_object
    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.organiser import Organiser
    from inservice_portal.resources.records import LOCAL, TrainingRecord

    rng = random.Random(2027)
    db = DB(FileStorage(str(path)), cache_size=50_000)
    ensure_root(db)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    schools = []
    for county, centre, code, kind in organisers(rng):
        root["centres"][centre].add(code, Organiser(code, f"學校{code}", kind, county=county))
        schools.append(f"/centres/{centre}/{code}")
    transaction.commit()
    stages, per = list(vocabularies.STAGE_LABELS), RECORDS // TEACHERS
    started = time.perf_counter()
    for n in range(teachers):
        login = f"t{n:06d}"
        teacher = Teacher(login, "教師", "", national_id=f"A{n:09d}",
                          school=schools[n % ORGANISERS], stage=rng.choice(stages))
        teacher.records = OOBTree()
        for r in range(per):
            day = date(FIRST_YEAR + 1911 + r % YEARS, 9 + r % 4, 1 + r % 28)
            hours, source = Decimal(rng.choice((3, 3, 6, 12))), rng.choice((LOCAL, "tpe-city"))
            record = TrainingRecord(login, source, f"{n}-{r}", title="研習", hours=hours,
                                    days=((day, hours),))
            teacher.records[record.key] = record
        root["people"].add(login, teacher, send_events=False)
        index_object(teacher)
        if (n + 1) % 5000 == 0:
            transaction.commit()
            conn.cacheMinimize()
            log(f"  {n + 1:,} teachers, {(n + 1) * per:,} records: "
                f"{time.perf_counter() - started:.0f} s")
    transaction.commit()
    db.close()


def recount(path: Path, what: str, log=print) -> None:
    """The nightly recomputation's reading of the data (rebuild.fresh_figures) over a
    generated database (read-only): its time, with progress, and the process's memory."""
    from inservice_portal.evolve import moved
    from inservice_portal.statistics.rebuild import fresh_figures

    db = DB(FileStorage(str(path), read_only=True), cache_size=200_000)
    moved.install({"": db})
    conn = db.open()
    root = conn.root()[APP_ROOT]
    started = time.perf_counter()

    def progress(done, kind):
        if done % 50_000 == 0:
            log(f"  {done:,} {kind}: {time.perf_counter() - started:.0f} s")
            conn.cacheGC()

    fresh = fresh_figures(root, progress)
    took = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"recomputed from {what} in {took / 60:.1f} min ({took:.0f} s); cells: "
        + ", ".join(f"{name} {len(cells):,}" for name, cells in fresh.items() if cells)
        + f"; max RSS {rss:,.0f} MB")
    db.close()


# -- over HTTP ------------------------------------------------------------------------------
PAGES = {"national page": ("bench-moe", "/statistics?year={y}"),
         "learning needs, national": ("bench-moe", "/learning-needs?year={y}"),
         "a county centre's page": ("bench-tpe", "/centres/taipei/statistics?year={y}"),
         "public 統計專區 (anonymous)": (None, "/figures?year={y}"),
         "a school's page (120 teachers)": ("bench-school",
                                            f"/centres/taipei/{SCHOOL['code']}/statistics?year={{y}}"),
         "a chart (SVG)": ("bench-moe", "/statistics.svg?table=counties&year={y}")}
BARE = "/bare"


def serve(path: Path, port: int, threads: int, bare: bool):
    """A child process: the real app on the bench database (production template setting),
    or (``bare``) a bare Pyramid app answering a 20 KB page: the stack's ceiling here."""
    import waitress
    from pyramid.config import Configurator
    from pyramid.paster import get_appsettings
    from pyramid.response import Response

    from inservice_portal import make_config

    if bare:
        config = Configurator()
        page = "<p>" + "統計" * 3400 + "</p>"
        config.add_route("bare", BARE)
        config.add_view(lambda request: Response(page, content_type="text/html"),
                        route_name="bare")
    else:
        settings = dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")))
        settings["zodbconn.uri"] = f"file://{path}?connection_cache_size=400000"
        settings["pyramid.reload_templates"] = "false"
        config = make_config(settings)
    import logging
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # queueing is the load's point
    waitress.serve(config.make_wsgi_app(), host="127.0.0.1", port=port, threads=threads,
                   _quiet=True)


def session_cookie(base: str, login: str) -> str:
    """Log in through the pages (password, then the second factor); the session cookie."""
    import re

    import pyotp
    import requests

    client = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(base + "/login").text)
    answer = client.post(base + "/login", data={"login": login, "password": PASSWORD,
                                                "csrf_token": token.group(1), "submit": "1"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', answer.text)
    client.post(base + "/login-otp", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                           "csrf_token": token.group(1), "verify": "1"})
    cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies)
    assert client.get(base + "/account", allow_redirects=False).status_code == 200, login
    return cookie


def http(path: Path, seconds: float, concurrency: int, threads: int, port=6598, log=print):
    import subprocess

    import loadgen

    children = [subprocess.Popen([sys.executable, __file__, "--serve", "--port", str(at),
                                  "--threads", str(threads), "--database", str(path), *extra])
                for at, extra in ((port, ()), (port + 1, ("--bare",)))]
    try:
        loadgen.wait_for_port(port)
        loadgen.wait_for_port(port + 1)
        base = f"http://127.0.0.1:{port}"
        cookies = {login: session_cookie(base, login) for login in STAFF}
        year = FIRST_YEAR + YEARS - 2
        for connections in (1, concurrency):     # one staff member's latency, then load
            log(f"over HTTP: waitress {threads} threads, wrk {connections} connection(s), "
                f"{seconds:.0f} s each after a warm-up; ms")
            log(f"{'page':40} {'req/s':>8} {'p50':>8} {'p95':>8} {'errors':>7}")
            for title, (login, url) in {"bare Pyramid (20 KB)": (None, BARE), **PAGES}.items():
                header = f"Cookie: {cookies[login]}" if login else None
                run, at = [url.format(y=year)], port + (url == BARE)
                loadgen.wrk_load(at, run, min(5, seconds), connections, header)        # warm-up
                found = loadgen.wrk_load(at, run, seconds, connections, header)
                log(f"{title:40} {found['requests'] / found['seconds']:8.0f} "
                    f"{found['p50_us'] / 1000:8.1f} {found['p95_us'] / 1000:8.1f} "
                    f"{found['error_status'] + found['socket_errors']:7d}")
    finally:
        for child in children:
            child.terminate()
            child.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--recount", type=int, metavar="COURSES",
                        help="time the nightly recomputation over bench/search.py's data")
    parser.add_argument("--recount-teachers", type=int, metavar="TEACHERS", nargs="?",
                        const=TEACHERS, help="time it over generated teachers and records")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=6598, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.recount:
        path = HERE.parent / "var" / "bench" / str(args.recount) / "Data.fs"
        if not path.exists():
            raise SystemExit(f"{path} is missing: run make bench-search COURSES={args.recount}")
        return recount(path, f"{args.recount:,} courses")
    if args.recount_teachers:
        n = args.recount_teachers
        path = HERE.parent / "var" / "bench" / f"teachers-{n}" / "Data.fs"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            generate_teachers(path, n)
        return recount(path, f"{n:,} teachers and {n * (RECORDS // TEACHERS):,} records")
    folder = HERE.parent / "var" / "bench" / "statistics"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Data.fs"
    if args.serve:
        return serve(Path(args.database or path), args.port, args.threads, args.bare)
    if args.regenerate or not path.exists():
        for stale in folder.glob("Data.fs*"):
            stale.unlink()
        print(f"generating the counters of {COURSES_A_YEAR * YEARS:,} courses, "
              f"{TEACHERS:,} teachers and {RECORDS:,} records into {path}")
        generate(path)
    measure(path, args.repeat)
    if not args.no_http:
        http(path, args.seconds, args.concurrency, args.threads)


if __name__ == "__main__":
    main()
