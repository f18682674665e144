"""背景工作 (jobs/, DESIGN.md §12): a job runs after its request commits, never if it aborts;
it tells its progress; a failure is recorded, not raised; and with ``jobs.backend = redis``
the same job waits on the queue until a worker process (``inservice-portal … worker``) on
the same database runs it."""
import threading
import time

import pytest
import redis
import transaction
import webtest

from inservice_portal.bootstrap import APP_ROOT
from inservice_portal.exchange import partners
from inservice_portal.jobs import JOBS, job, runner

from .. import pg
from ..conftest import add_organiser, add_teacher
from .test_exchange import basic, jobs_finish, record, wait_for  # noqa: F401 (fixture)
from .test_relstorage import pg_audit_uri, pg_settings, pg_uri, run  # noqa: F401 (fixtures)
from .test_throttle import redis_or_skip

QUEUE_URL = "redis://127.0.0.1:6379/14"


@job("test.count")
def count_to(root, progress, n: int, fail: bool = False):
    for done in range(0, n + 1, 10):
        progress(done, n, "數著")
    if fail:
        raise RuntimeError("broken on purpose")
    root.counted = n
    return {"counted": n}


def test_a_job_runs_after_the_commit_and_keeps_its_result(site):
    with site.edit() as root:
        found = runner.submit(root, {}, "test.count", "tester", {"n": 30})
        assert found.state == "queued"
    deadline = time.monotonic() + 10
    while site.read(lambda root: root.jobs[found.id].state) != "done":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert site.read(lambda root: (root.counted, root.jobs[found.id].result,
                                   root.jobs[found.id].done)) == (30, {"counted": 30}, 30)


def test_a_job_of_an_aborted_transaction_never_runs(site):
    tm = transaction.TransactionManager()
    conn = site.db.open(transaction_manager=tm)
    tm.begin()
    found = runner.submit(conn.root()[APP_ROOT], {}, "test.count", "tester", {"n": 10})
    tm.abort()
    conn.close()
    time.sleep(0.3)
    assert site.read(lambda root: root.jobs.get(found.id)) is None
    assert not [t for t in threading.enumerate() if t.name == f"job {found.id}"]
    assert site.read(lambda root: getattr(root, "counted", None)) is None


def test_a_failing_job_says_so_and_writes_nothing(site):
    with site.edit() as root:
        found = runner.submit(root, {}, "test.count", "tester", {"n": 10, "fail": True})
    deadline = time.monotonic() + 10
    while site.read(lambda root: root.jobs[found.id].state) != "failed":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert "錯誤" in site.read(lambda root: root.jobs[found.id].message)
    assert site.read(lambda root: getattr(root, "counted", None)) is None
    assert "test.count" in JOBS


@pytest.mark.postgresql
def test_on_redis_a_worker_process_runs_the_batch(pg_settings):
    """The deployment of several processes: the serving app queues the batch on Redis and
    does not run it; a worker process on the same RelStorage database does."""
    pg.server_or_skip()
    redis_or_skip(QUEUE_URL)
    redis.Redis.from_url(QUEUE_URL).flushdb()
    settings = dict(pg_settings, **{"jobs.backend": "redis", "jobs.redis_url": QUEUE_URL})
    app, config = pg._app(settings)
    db = config.registry._zodb_databases[""]
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    tm.begin()
    root = conn.root()[APP_ROOT]
    school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
    add_teacher(root, "t-tpe", school, national_id="A123456789")
    _, secret = partners.register(root, "tpe-city", "臺北市系統", "database", ("臺北市",))
    tm.commit()
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    token = client.post("/api/v1/exchange/token", {"grant_type": "client_credentials"},
                        headers=basic("tpe-city", secret)).json["access_token"]
    client.authorization = ("Bearer", token)
    queued = client.post_json("/api/v1/exchange/batches",
                              {"batch_key": "rq", "records": [record(1), record(2)]},
                              status=202)
    time.sleep(0.5)
    assert client.get(queued.headers["Location"]).json["state"] == "queued"   # not run here
    run(pg.run_jobs, settings)                      # a worker process, until the queue is empty
    done = wait_for(client, queued.headers["Location"])
    assert done["state"] == "done" and done["report"]["imported"] == 2
    tm.begin()
    assert set(conn.root()[APP_ROOT]["people"]["t-tpe"].records) == {
        ("tpe-city", "TPE-1"), ("tpe-city", "TPE-2")}
    tm.abort()
    conn.close()
    for database in config.registry._zodb_databases.values():
        database.close()
