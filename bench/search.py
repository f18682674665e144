"""研習課程查詢 at national scale: generate a catalogue, then time typical searches.

    .venv/bin/python bench/search.py --courses 1000000        (or: make bench-search)

1. Generate (once per size; reused from var/bench/<N>/Data.fs when present): N courses over
   the 22 counties and 10 years (nine past, one ahead), organisers spread over the counties'
   units, Chinese titles built from term lists, realistic states (past courses closed, future
   ones published, a few drafts, pending and cancelled). Courses go into the tree in batches
   (commit + cacheMinimize); the catalog is built in memory, unattached, and committed once,
   so that its buckets are written once and not once per batch.
2. Measure, with the ZODB cache sized by ``--cache-size`` (objects; the app's setting is the
   ``connection_cache_size`` of ``zodbconn.uri``): p50/p95 of seven typical searches, warm and
   cold (cold: the connection cache emptied before each run); the two-character keyword
   against the generator's ground truth; RSS and the catalog's size; then the search page
   and the API over HTTP, anonymous (waitress in a child process, loaded by wrk, a C load
   generator from Debian's packages, with ``--concurrency`` keep-alive connections), once with
   the production setting of the public answer cache (10 s, public_cache.py) and once without
   it (every request searches).

A Python load generator would measure itself: on two cores an asyncio client parsing the
answers took the core the server needed (45–660 requests/s where wrk shows several thousand).
"""
import argparse
import json
import logging
import random
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import transaction
from ZODB import DB
from ZODB.FileStorage import FileStorage

import loadgen                  # bench/loadgen.py, beside this script

HERE = Path(__file__).resolve().parent
ROOT_DIR = HERE.parent
sys.path.insert(0, str(ROOT_DIR / "src"))

from inservice_portal.courses import search as course_search  # noqa: E402
from inservice_portal import reference
from inservice_portal.bootstrap import APP_ROOT, ensure_root  # noqa: E402
from inservice_portal.catalog import ObjectMap, make_catalog  # noqa: E402
from inservice_portal.resources.course import Course, Session  # noqa: E402
from inservice_portal.resources.organiser import Organiser  # noqa: E402

TODAY = date(2026, 11, 23)          # fixed, so that reruns see the same "now"
YEARS = 10
SEEDED = "鯨豚"                      # the two-character keyword planted in a known share of titles
SEED_EVERY = 400

# Title parts: '{theme}{area}{kind}', sometimes with a series number. None contains 鯨 or 豚.
THEMES = ["十二年國教", "素養導向", "跨領域", "新課綱", "數位學習", "性別平等", "校園安全",
          "特殊教育", "戶外教育", "閱讀理解", "差異化教學", "學習共同體", "生命教育", "環境教育",
          "國際教育", "雙語教學", "適性輔導", "品德教育", "食農教育", "防災教育", "資訊素養",
          "多元評量", "探究與實作", "自主學習", "班級經營", "正向管教", "親師溝通", "創客教育"]
AREAS = ["自然領域", "數學領域", "國語文", "英語文", "社會領域", "藝術領域", "健康與體育",
         "綜合活動", "科技領域", "本土語文", "生活課程", "幼兒園課程", "特教課程", "校訂課程",
         "閩南語文", "客家語文", "原住民族語文", "新住民語文", "體育", "音樂", "視覺藝術"]
KINDS = ["教學工作坊", "專業社群研習", "增能研習", "案例與實作", "觀課議課", "共備研習",
         "知能研習", "課程設計研習", "評量實務", "教材研發", "經驗分享", "專題講座", "讀書會",
         "成果發表會", "實地參訪", "線上課程"]
SEEDED_TITLES = ["海洋教育：{s}生態與保育", "{s}保育教學工作坊", "認識臺灣{s}：海洋素養"]
SYLLABLES = "安平和興仁德忠孝信義光明中正復興大同民生民權建國文化自強成功博愛中山光復永和新莊竹林"
SCHOOL_KINDS = [("國民小學", "elementary"), ("國民中學", "junior_high"),
                ("高級中學", "senior_high"), ("幼兒園", "kindergarten")]
TAGS = ["SDGs", "雙語教育", "前瞻數位", "性別平等", "人權教育", "原住民族教育", "海洋教育",
        "閱讀推動", "新住民", "偏鄉教育"]
HOURS = [Decimal(h) for h in ("1", "1.5", "2", "3", "3", "3", "6", "6", "12", "18")]
# Rough shares of Taiwan's schools per county (more units where more schools).
WEIGHTS = {"新北市": 10, "臺北市": 8, "桃園市": 7, "臺中市": 9, "臺南市": 8, "高雄市": 10,
           "基隆市": 2, "新竹市": 2, "新竹縣": 3, "苗栗縣": 4, "彰化縣": 6, "南投縣": 4,
           "雲林縣": 5, "嘉義市": 1, "嘉義縣": 4, "屏東縣": 6, "宜蘭縣": 3, "花蓮縣": 3,
           "臺東縣": 3, "澎湖縣": 1, "金門縣": 1, "連江縣": 1}

VENUES = ["本校會議室", "本校視聽教室", "多功能教室", "圖書館研討室", "教師研習中心",
          "線上（視訊會議）", "自然科教室", "本校禮堂"]
BATCH = 20000


def bench_dir(n: int) -> Path:
    return ROOT_DIR / "var" / "bench" / str(n)


def open_db(path: Path, cache_size=400_000, read_only=False) -> DB:
    from inservice_portal.evolve import moved

    db = DB(FileStorage(str(path), read_only=read_only), cache_size=cache_size)
    moved.install({"": db})              # a catalogue generated before a module moved
    return db


# -- generation ----------------------------------------------------------------------------------
def organisers_spec(rng, n_courses):
    """(centre code, organiser code, name, county, stage) spread over the county centres."""
    county_centres = {c["county"]: c["code"] for c in reference.centres() if c["county"]}
    total = max(44, min(12000, n_courses // 80))
    weight_sum = sum(WEIGHTS.values())
    out = []
    for k, (county, weight) in enumerate(WEIGHTS.items()):
        for j in range(max(2, total * weight // weight_sum)):
            name_kind, stage = SCHOOL_KINDS[rng.randrange(len(SCHOOL_KINDS))]
            name = f"{county}立{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}{name_kind}"
            out.append((county_centres[county], f"{k + 10:02d}{j:04d}", name, county, stage))
    return out


def state_for(rng, starts: date, ends: date) -> str:
    if ends < TODAY - timedelta(days=60):
        return "cancelled" if rng.random() < 0.03 else "closed"
    if ends < TODAY:
        return rng.choices(["published", "roster_pending", "roster_returned", "closed"],
                           [60, 25, 5, 10])[0]
    return rng.choices(["published", "pending", "draft", "returned", "cancelled"],
                       [85, 7, 4, 2, 2])[0]


def course_specs(rng, n, organisers):
    """Course field dicts in start-date order (codes are issued in that order)."""
    first = TODAY - timedelta(days=365 * (YEARS - 1))
    span = 365 * YEARS
    starts = sorted(first + timedelta(days=rng.randrange(span)) for _ in range(n))
    stages = reference.load("course_form")["stage_audiences"]
    deliveries = list(reference.load("course_form")["vocabularies"]["delivery_modes"])[:6]
    for i, start in enumerate(starts):
        organiser = organisers[rng.randrange(len(organisers))]
        stage = organiser[4] if rng.random() < 0.8 else rng.choice(list(stages))
        if i % SEED_EVERY == 7:
            title = rng.choice(SEEDED_TITLES).format(s=SEEDED)
        else:
            title = f"{rng.choice(THEMES)}{rng.choice(AREAS)}{rng.choice(KINDS)}"
            if rng.random() < 0.3:
                title += f"（第{rng.randrange(1, 6)}場）"
        days = 0 if rng.random() < 0.85 else rng.randrange(1, 3)
        ends = start + timedelta(days=days)
        scope = str(rng.randrange(1, 7))
        yield {
            "title": title, "organiser": organiser, "stage": stage, "scope": scope,
            "level": None if scope == "6" else rng.randrange(1, 5),
            "starts_on": start, "ends_on": ends,
            "registration_opens": start - timedelta(days=rng.randrange(14, 46)),
            "registration_closes": start - timedelta(days=rng.randrange(1, 8)),
            "hours": rng.choice(HOURS), "seats_per_class": rng.randrange(20, 61),
            "audience_stages": tuple(stages[stage]),
            "delivery_modes": tuple(sorted(rng.sample(deliveries, rng.randrange(1, 3)))),
            "tags": (rng.choice(TAGS),) if rng.random() < 0.1 else (),
            "state": state_for(rng, start, ends),
        }


def generate(n: int, seed: int = 2026, log=print) -> dict:
    """Write var/bench/<n>/Data.fs and truth.json; answer the ground truth."""
    directory = bench_dir(n)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "Data.fs"
    for suffix in ("", ".index", ".lock", ".tmp"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    db = open_db(path, cache_size=50_000)
    ensure_root(db)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    started = time.perf_counter()

    organisers = organisers_spec(rng, n)
    units = {}
    for centre_code, code, name, county, stage in organisers:
        unit = Organiser(code, name, "k12_school", county=county)
        unit.stage = stage
        units[code] = root["centres"][centre_code].add(code, unit, send_events=False)
    transaction.commit()

    # The catalog and object map are built unattached (in memory only) and stored at the end.
    catalog, objectmap = make_catalog(), ObjectMap()
    truth = {"seeded": SEEDED, "published": 0, "public_with_finished": 0, "courses": n}
    by_state = defaultdict(int)
    session_start, session_end = (__import__("datetime").time(9, 0),
                                  __import__("datetime").time(12, 0))
    for i, spec in enumerate(course_specs(rng, n, organisers), 1):
        organiser = units[spec.pop("organiser")[1]]
        state = spec.pop("state")
        code = i
        course = Course(code, spec.pop("title"), state=state, place=rng.choice(VENUES),
                        sessions=(Session(spec["starts_on"], session_start, session_end),),
                        **spec)
        course.submitted_on = spec["starts_on"] - timedelta(days=rng.randrange(8, 30))
        organiser.add(str(code), course, send_events=False)
        docid = objectmap.add(course, ("", "centres", organiser.__parent__.__name__,
                                       organiser.__name__, str(code)))
        catalog.index_doc(docid, course)
        by_state[state] += 1
        if SEEDED in course.title:
            if state == "published":
                truth["published"] += 1
            if state in course_search.CATALOGUE_STATES + course_search.FINISHED_STATES:
                truth["public_with_finished"] += 1
        if i % BATCH == 0:
            transaction.commit()
            conn.cacheMinimize()
            log(f"  {i:,} courses ({time.perf_counter() - started:.0f} s)")
    log(f"  storing the catalog ({time.perf_counter() - started:.0f} s)")
    root.catalog, root.objectmap = catalog, objectmap
    transaction.commit()
    conn.close()
    db.close()
    truth["states"] = dict(by_state)
    truth["organisers"] = len(organisers)
    truth["seconds"] = round(time.perf_counter() - started, 1)
    (directory / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    log(f"generated {n:,} courses in {truth['seconds']} s: {path}")
    return truth


def rebuild_catalog(n: int, log=print):
    """Build the catalog of a generated database again from its courses (after the catalog's
    format changed), unattached as in ``generate``. (The old one stays in the file, unreachable:
    the catalog's size is measured by walking from the new one.)"""
    path = bench_dir(n) / "Data.fs"
    db = open_db(path, cache_size=50_000)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    started = time.perf_counter()
    catalog, objectmap = make_catalog(), ObjectMap()
    paths = sorted(root.objectmap.id_to_path.values())       # tree order: organisers cached
    for i, path_ in enumerate(paths, 1):
        obj = root
        for name in path_[1:]:
            obj = obj[name]
        catalog.index_doc(objectmap.add(obj, path_), obj)
        if i % BATCH == 0:
            transaction.savepoint(optimistic=True)     # (a course gets its docid: written)
            conn.cacheMinimize()
            log(f"  {i:,} courses ({time.perf_counter() - started:.0f} s)")
    root.catalog, root.objectmap = catalog, objectmap
    transaction.commit()
    conn.close()
    db.close()
    log(f"catalog rebuilt in {time.perf_counter() - started:.0f} s")


# -- measuring -----------------------------------------------------------------------------------
def searches(root) -> dict[str, dict]:
    """The five typical searches (query-string parameters), plus the targets' own two."""
    organiser = next(iter(root["centres"]["taipei"].keys()))
    year = TODAY.year - 1
    return {
        "keyword + county": {"q": "自然領域", "county": "臺北市", "finished": "1"},
        "date window + stage": {"starts_from": f"{year}-03-01", "starts_to": f"{year}-03-31",
                                "stage": "elementary", "finished": "1"},
        "tag + year": {"tag": "SDGs", "starts_from": f"{year}-01-01",
                       "starts_to": f"{year}-12-31", "finished": "1"},
        "organiser": {"organiser": organiser, "finished": "1"},
        "open now": {"open": "1"},
        "three filters (county + stage + year)": {
            "county": "高雄市", "stage": "junior_high", "starts_from": f"{year}-01-01",
            "starts_to": f"{year}-12-31", "finished": "1"},
        f"two-character keyword {SEEDED}": {"q": SEEDED, "finished": "1"},
    }


def run_search(root, params):
    criteria, errors = course_search.parse_criteria(params)
    assert not errors, errors
    results = course_search.search(root, criteria, TODAY, 0, 20)
    for course in results.courses:      # what a result line reads
        (course.code, course.title, course.organiser.title, course.starts_on,
         course.approved_hours, course.place, course.seats_left)
    return results.total


def time_searches(conn, root, repeat, cold):
    out = {}
    for name, params in searches(root).items():
        run_search(root, params)          # warm (or, for cold, resolve names once)
        timings = []
        for _ in range(repeat):
            if cold:
                conn.cacheMinimize()
            t0 = time.perf_counter()
            total = run_search(root, params)
            timings.append((time.perf_counter() - t0) * 1000)
        out[name] = {"p50_ms": round(loadgen.percentile(timings, 50), 2),
                     "p95_ms": round(loadgen.percentile(timings, 95), 2), "total": total}
    return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def catalog_bytes(db, root) -> int:
    """Bytes of every stored record reachable from the catalog and the object map."""
    from ZODB.serialize import referencesf

    storage = db.storage
    seen, stack, total = set(), [root.catalog._p_oid, root.objectmap._p_oid], 0
    while stack:
        oid = stack.pop()
        if oid in seen:
            continue
        seen.add(oid)
        data, _ = storage.load(oid)
        total += len(data)
        stack.extend(r for r in referencesf(data) if r not in seen)
    return total


def measure(n: int, cache_size: int, repeat: int) -> dict:
    path = bench_dir(n) / "Data.fs"
    truth = json.loads((bench_dir(n) / "truth.json").read_text())
    before = rss_mb()
    db = open_db(path, cache_size=cache_size, read_only=True)
    conn = db.open()
    root = conn.root()[APP_ROOT]
    report = {"courses": n, "cache_size": cache_size, "truth": truth}
    report["cold"] = time_searches(conn, root, max(5, repeat // 4), cold=True)
    report["warm"] = time_searches(conn, root, repeat, cold=False)
    seeded = report["warm"][f"two-character keyword {SEEDED}"]["total"]
    report["seeded_found"] = seeded
    report["seeded_expected"] = truth["public_with_finished"]
    report["rss_mb_after_warm"] = round(rss_mb(), 1)
    report["rss_mb_delta"] = round(rss_mb() - before, 1)
    report["catalog_stored_mb"] = round(catalog_bytes(db, root) / 2**20, 1)
    report["cache_objects"] = len(conn._cache)
    conn.close()
    db.close()
    return report


# -- over HTTP -----------------------------------------------------------------------------------
def serve(n: int, cache_size: int, port: int, threads: int, public_cache: int):
    """The child process: the real app, on the bench database, under waitress, with the
    production setting of the public answer cache (or 0: every request searches)."""
    import waitress
    from pyramid.paster import get_appsettings

    from inservice_portal import clock, make_config

    clock.now = lambda: __import__("datetime").datetime(TODAY.year, TODAY.month, TODAY.day, 10,
                                                        tzinfo=clock.TAIPEI)
    settings = dict(get_appsettings(str(ROOT_DIR / "etc" / "test.ini")))
    settings["zodbconn.uri"] = (f"file://{bench_dir(n) / 'Data.fs'}?read_only=1"
                                f"&connection_cache_size={cache_size}")
    settings["public_cache.seconds"] = str(public_cache)
    app = make_config(settings).make_wsgi_app()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # queueing is the load's point
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True,
                   connection_limit=1000, asyncore_use_poll=True)


def http_bench(n, cache_size, seconds, concurrency, threads, port=6599, warmup=20,
               public_cache=10) -> dict:
    """Requests/s and latency of the search page and the API, anonymous, cycling through the
    typical searches; with ``public_cache`` 0 every request searches the catalog."""
    child = subprocess.Popen([sys.executable, __file__, "--courses", str(n), "--serve",
                              "--port", str(port), "--threads", str(threads),
                              "--cache-size", str(cache_size),
                              "--public-cache", str(public_cache)])
    try:
        loadgen.wait_for_port(port)
        db = open_db(bench_dir(n) / "Data.fs", read_only=True)
        conn = db.open()
        every = list(searches(conn.root()[APP_ROOT]).values())
        conn.close()
        db.close()
        out = {}
        for label, prefix in (("search page", "/search?"), ("API", "/api/v1/courses?")):
            paths = [prefix + urlencode(p) for p in every]
            # Warm every thread's connection cache (each waitress thread has its own), past the
            # public cache: a session cookie makes a request search.
            loadgen.wrk_load(port, paths, warmup, concurrency, "Cookie: isp_session=warm-up")
            figures = loadgen.wrk_load(port, paths, seconds, concurrency)
            out[label] = {"requests_per_s": round(figures["requests"] / figures["seconds"], 1),
                          "error_status": figures["error_status"],
                          "socket_errors": figures["socket_errors"],
                          **{f"p{p}_ms": round(figures[f"p{p}_us"] / 1000, 1)
                             for p in (50, 95, 99)}}
        return out
    finally:
        child.terminate()
        child.wait(timeout=30)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=1_000_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--rebuild-catalog", action="store_true",
                        help="index the generated courses again (after the catalog changed)")
    parser.add_argument("--cache-size", type=int, default=400_000,
                        help="ZODB connection cache, in objects (the app's connection_cache_size)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2,
                        help="waitress threads (each holds a ZODB connection and its cache)")
    parser.add_argument("--warmup", type=float, default=20,
                        help="seconds of load before measuring over HTTP")
    parser.add_argument("--public-cache", type=int, default=None,
                        help="seconds anonymous answers are kept (public_cache.seconds); by "
                             "default measured both with the production 10 and with 0")
    parser.add_argument("--http-only", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=6599)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.courses, args.cache_size, args.port, args.threads, args.public_cache)
    if args.regenerate or not (bench_dir(args.courses) / "truth.json").exists():
        print(f"generating {args.courses:,} courses into {bench_dir(args.courses)}")
        generate(args.courses)
    elif args.rebuild_catalog:
        rebuild_catalog(args.courses)
    out = bench_dir(args.courses) / "report.json"
    if args.http_only:
        report = json.loads(out.read_text())
    else:
        report = measure(args.courses, args.cache_size, args.repeat)
    if not args.no_http:
        caches = [args.public_cache] if args.public_cache is not None else [10, 0]
        report["http"] = {"threads": args.threads, "concurrency": args.concurrency}
        for seconds in caches:
            label = f"public cache {seconds} s" if seconds else "no public cache"
            report["http"][label] = http_bench(
                args.courses, args.cache_size, args.seconds, args.concurrency, args.threads,
                args.port, args.warmup, seconds)
    out.write_text(
        json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report, ensure_ascii=False, indent=1))
    ok = report["seeded_found"] == report["seeded_expected"]
    print(f"seeded keyword {SEEDED}: found {report['seeded_found']}, "
          f"expected {report['seeded_expected']}: {'OK' if ok else 'MISMATCH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
