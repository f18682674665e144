"""資訊傳報 at scale: a county's 100,000 records imported from one file and through the API,
and 1,000,000 records retrieved by cursor (回撈).

    .venv/bin/python bench/bench_exchange.py        (or: make bench-exchange)

Builds ``var/bench/exchange/Data.fs`` (reused): 22 counties' schools and 20,000 teachers,
and one partner. Then:

- **file**: a CSV of 100,000 records (five per teacher) read and imported in one transaction
  in process, as the upload does (progress printed), with the process's peak memory before
  and after;
- **API**: the same number through ``POST /api/v1/exchange/batches`` (ten batches of 10,000)
  to the app served by waitress in a child process, polled until every job is done;
- **retrieval**: a change feed of 1,000,000 records (written into the feed directly), read
  over HTTP by cursor (``GET /api/v1/exchange/records``, 5,000 a page), beside the same
  read in process.
"""
import argparse
import base64
import csv
import io
import json
import random
import resource
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import transaction
from ZODB import DB
from ZODB.FileStorage import FileStorage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from inservice_portal import reference  # noqa: E402
from inservice_portal.bootstrap import APP_ROOT, ensure_root  # noqa: E402
from inservice_portal.rules.national_id import check_digit  # noqa: E402

TEACHERS, PER_TEACHER, FEED = 20_000, 5, 1_000_000
REGISTERING = 3000                 # teachers who register while the API's batches import
SCHOOLS_PER_COUNTY = 20
PARTNER, SECRET = "bench-county", None


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def national_id(n: int) -> str:
    body = f"A{1 + n % 2}{n:07d}"
    return body + check_digit(body)


def build(path: Path, log=print) -> tuple[str, int, list]:
    """The schools, teachers and partner, and an open course: the partner's secret, the
    course's code and bearer tokens of REGISTERING teachers."""
    from datetime import time as clock_time

    from inservice_portal.accounts import tokens
    from inservice_portal.catalog import index_object
    from inservice_portal.exchange import partners
    from inservice_portal.resources.accounts import Teacher
    from inservice_portal.resources.course import Course, Session
    from inservice_portal.resources.organiser import Organiser

    db = DB(FileStorage(str(path)))
    ensure_root(db)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    schools = []
    for centre in (c for c in reference.centres() if c["county"]):
        for n in range(SCHOOLS_PER_COUNTY):
            code = f"{len(schools):06d}"
            root["centres"][centre["code"]].add(code, Organiser(
                code, f"學校{code}", "k12_school", county=centre["county"]), send_events=False)
            schools.append(f"/centres/{centre['code']}/{code}")
    for n in range(TEACHERS):
        teacher = Teacher(f"t{n:06d}", "教師", "", national_id=national_id(n),
                          school=schools[n % len(schools)], stage="elementary",
                          job_title="15-4")
        root["people"].add(teacher.login, teacher, send_events=False)
        if n % 5000 == 4999:
            transaction.savepoint(True)
    partner, secret = partners.register(root, PARTNER, "基準測試縣市系統", "database")
    partner.retrieves = True
    school = root["centres"]["taipei"][schools[0].rsplit("/", 1)[1]]
    code, day = root.course_codes.next(), date(2099, 5, 1)
    index_object(school.add(str(code), Course(
        code, "基準測試研習", state="published", starts_on=day, ends_on=day, place="本校",
        hours=3, seats_per_class=TEACHERS,
        sessions=[Session(day, clock_time(9), clock_time(12))]), send_events=False))
    bearer = [tokens.issue(root, f"t{n:06d}")[0] for n in range(REGISTERING)]
    transaction.commit()
    db.close()
    log(f"built {TEACHERS:,} teachers at {len(schools):,} schools, one open course")
    return secret, code, bearer


def rows(batch: int, count: int):
    rng = random.Random(batch)
    for i in range(count):
        n = batch * count + i
        day = date(2025, 8, 1) + timedelta(days=(n // TEACHERS) * 7 + rng.randrange(5))
        yield {"source_record_id": f"R{n:08d}", "national_id": national_id(n % TEACHERS),
               "title": f"研習{n % 997}", "organiser": "縣市教師研習中心",
               "first_day": day.isoformat(), "last_day": day.isoformat(),
               "hours": rng.choice((2, 3, 3, 6))}


def file_import(path: Path, log=print):
    from inservice_portal.exchange import files, importer

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(next(rows(0, 1))))
    writer.writeheader()
    writer.writerows(rows(0, TEACHERS * PER_TEACHER))
    data = out.getvalue().encode("utf-8")
    databases = app_databases(path)
    conn = databases[""].open()
    root = conn.root()[APP_ROOT]
    before, started = rss_mb(), time.perf_counter()

    def progress(done, total, message):
        if done % 20_000 == 0 or done == total:
            log(f"  {message} {done:,}/{total:,}: {time.perf_counter() - started:.1f} s")

    sheet = files.read(data, "records.csv")
    read = time.perf_counter() - started
    batch, _ = importer.import_batch(root, root["exchange"][PARTNER], importer.file_key(data),
                                     sheet.rows, via="upload", progress=progress)
    transaction.commit()
    took = time.perf_counter() - started
    log(f"file: {len(sheet.rows):,} rows ({len(data) / 2**20:.1f} MB CSV) read in {read:.1f} s, "
        f"imported {batch.imported:,} in {took:.1f} s in all ({batch.imported / took:,.0f}/s); "
        f"peak RSS {before:,.0f} MB before, {rss_mb():,.0f} MB after")
    conn.close()
    close(databases)


def settings_for(path: Path) -> dict:
    from pyramid.paster import get_appsettings
    settings = dict(get_appsettings(str(HERE.parent / "etc" / "test.ini")))
    settings["zodbconn.uri"] = f"file://{path}?connection_cache_size=100000"
    settings["pyramid.reload_templates"] = "false"
    return settings


def app_databases(path: Path):
    """The app's databases (the content's and the audit log's), as the app opens them."""
    from inservice_portal import audit, make_config
    config = make_config(settings_for(path))
    databases = config.registry._zodb_databases
    ensure_root(databases[""])
    audit.ensure_database(databases)
    return databases


def close(databases):
    for db in databases.values():
        db.close()


def serve(path: Path, port: int):
    import waitress

    from inservice_portal import main
    waitress.serve(main({}, **settings_for(path)), host="127.0.0.1", port=port, threads=4,
                   _quiet=True)


def call(method, url, body=None, headers=None, form=False):
    data, headers = None, dict(headers or {})
    if body is not None:
        data = (urllib.parse.urlencode(body) if form else json.dumps(body)).encode()
        headers["Content-Type"] = ("application/x-www-form-urlencoded" if form
                                   else "application/json")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=600) as answer:  # nosec B310 (loopback)
        return json.loads(answer.read())


def token(base, secret) -> dict:
    basic = base64.b64encode(f"{PARTNER}:{secret}".encode()).decode()
    found = call("POST", f"{base}/api/v1/exchange/token", {"grant_type": "client_credentials"},
                 {"Authorization": f"Basic {basic}"}, form=True)
    return {"Authorization": f"Bearer {found['access_token']}"}


def registering(base, code, bearer, stop, found):
    """Registrations one after another, each by another teacher, until ``stop``: each one's
    time and status."""
    for token_ in bearer:
        if stop.is_set():
            return
        request = urllib.request.Request(f"{base}/api/v1/courses/{code}/registrations",
                                         data=b"{}", method="POST", headers={
                                             "Authorization": f"Bearer {token_}",
                                             "Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # nosec B310
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        found.append((time.perf_counter() - started, status))


def api_import(base, bearer, code=None, registrants=(), log=print):
    import threading

    import loadgen
    stop, timings = threading.Event(), []
    rushing = threading.Thread(target=registering, args=(base, code, registrants, stop, timings))
    rushing.start()
    started, urls = time.perf_counter(), []
    for batch in range(1, 11):
        answer = call("POST", f"{base}/api/v1/exchange/batches",
                      {"batch_key": f"api-{batch}", "records": list(rows(batch, 10_000))}, bearer)
        urls.append(answer["status_url"])
    sent = time.perf_counter() - started
    for url in urls:
        while (state := call("GET", url, headers=bearer))["state"] not in ("done", "failed"):
            time.sleep(0.2)
        log(f"  {url.rsplit('/', 1)[-1]}: {state['state']}, {state['report']['imported']:,} "
            f"imported, {time.perf_counter() - started:.1f} s")
    took = time.perf_counter() - started
    stop.set()
    rushing.join()
    log(f"API: 100,000 records in ten batches sent in {sent:.1f} s, all imported in {took:.1f} s "
        f"({100_000 / took:,.0f}/s)")
    times = sorted(t * 1000 for t, _ in timings)
    statuses = {s: sum(1 for _, x in timings if x == s) for _, s in timings}
    if times:
        log(f"registrations meanwhile: {len(times):,} (statuses {statuses}); p50 "
            f"{loadgen.percentile(times, 50):.0f} ms, p95 {loadgen.percentile(times, 95):.0f} ms, "
            f"p99 {loadgen.percentile(times, 99):.0f} ms")


def fill_feed(path: Path, log=print):
    """FEED entries written into the feed as the writer would leave them."""
    from BTrees.LOBTree import LOBTree

    from inservice_portal.exchange.feed import feed_of
    db = DB(FileStorage(str(path)), cache_size=50_000)
    conn = db.open()
    found = feed_of(conn.root()[APP_ROOT])
    if found.last >= FEED:
        db.close()
        return
    counties = [c["county"] for c in reference.centres() if c["county"]]
    for n in range(found.last + 1, FEED + 1):
        county = counties[n % len(counties)]
        found.entries[n] = {"login": f"t{n % TEACHERS:06d}", "national_id": national_id(n),
                            "county": county, "source": PARTNER, "source_record_id": f"F{n}",
                            "deleted": False, "title": "研習", "organiser": "中心",
                            "course_code": None, "hours": "3", "first_day": "2025-10-06",
                            "last_day": "2025-10-06", "credit_class": False}
        found.by_county.setdefault(county, LOBTree())[n] = 1
        if n % 100_000 == 0:
            transaction.savepoint(True)
            conn.cacheGC()
    found.last = FEED
    transaction.commit()
    db.close()
    log(f"feed filled with {FEED:,} entries")


def retrieve(base, bearer, log=print):
    started, cursor, count, pages = time.perf_counter(), "0", 0, 0
    while True:
        page = call("GET", f"{base}/api/v1/exchange/records?since={cursor}&limit=5000",
                    headers=bearer)
        count, pages, cursor = count + len(page["items"]), pages + 1, page["next"]
        if not page["more"]:
            break
    took = time.perf_counter() - started
    log(f"retrieval over HTTP: {count:,} records in {pages} pages, {took:.1f} s "
        f"({count / took:,.0f} records/s)")


def retrieve_in_process(path: Path, log=print):
    from inservice_portal.exchange import feed
    db = DB(FileStorage(str(path), read_only=True), cache_size=200_000)
    conn = db.open()
    found = feed.feed_of(conn.root()[APP_ROOT])
    started, after, count = time.perf_counter(), 0, 0
    while True:
        page, after = feed.read(found, (), after, 5000)
        count += len(page)
        if not page:
            break
    took = time.perf_counter() - started
    log(f"retrieval in process: {count:,} records in {took:.1f} s ({count / took:,.0f}/s)")
    db.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=6597)
    args = parser.parse_args(argv)
    folder = HERE.parent / "var" / "bench" / "exchange"
    path = folder / "Data.fs"
    if args.serve:
        return serve(path, args.port)
    import loadgen

    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("Data.fs*"):
        stale.unlink()
    secret, code, registrants = build(path)
    file_import(path)
    fill_feed(path)
    retrieve_in_process(path)
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--port", str(args.port)])
    try:
        loadgen.wait_for_port(args.port)
        base = f"http://127.0.0.1:{args.port}"
        bearer = token(base, secret)
        api_import(base, bearer, code, registrants)
        retrieve(base, bearer)
    finally:
        child.terminate()
        child.wait()


if __name__ == "__main__":
    main()
