"""Queue and run jobs. ``submit`` stores a Job in the request's transaction and, once that
commits, hands its id to the backend: a thread of the serving process (one per database:
jobs run one at a time, as the writes they make are large), or an RQ queue on Redis whose
workers (``inservice-portal CONFIG worker``) open the same database (RelStorage)."""
import logging
import secrets
import threading
import weakref
from datetime import timedelta

import transaction
from ZODB.POSException import ConflictError
from pyramid.threadlocal import get_current_registry, manager

from .. import clock
from ..resources.jobs import Job
from ..resources.ministry import APP_ROOT
from ..resources.shards import ShardedMap
from . import JOBS

log = logging.getLogger(__name__)
ATTEMPTS = 3
TIMEOUT = 1800                    # seconds a job may take (jobs.timeout)
QUEUE = "inservice-portal"
_TURNS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
WORKER_DB = None                  # the database an RQ worker process opened (cmd_worker)


def jobs_of(root) -> ShardedMap:
    return root.jobs


def ensure_jobs(root):
    if getattr(root, "jobs", None) is None:
        root.jobs = ShardedMap()


def submit(root, settings, name: str, owner: str, params: dict, id: str | None = None) -> Job:
    """A new job, run once the current transaction commits (never if it aborts)."""
    if name not in JOBS:
        raise KeyError(name)
    job = Job(id or secrets.token_urlsafe(12), name, params, owner, clock.now())
    jobs_of(root)[job.id] = job
    txn = root._p_jar.transaction_manager.get()
    txn.addAfterCommitHook(_dispatch, args=(root._p_jar.db(), dict(settings), job.id,
                                            get_current_registry()))
    return job


def abandoned(job, settings) -> bool:
    """A job queued or running longer than ``jobs.timeout`` (its process died): nothing will
    finish it, so it may be submitted again."""
    limit = timedelta(seconds=int(settings.get("jobs.timeout", TIMEOUT)))
    return not job.finished_state and clock.now() - (job.started or job.created) > limit


def _dispatch(committed, db, settings, job_id, registry=None):
    if not committed:
        return
    if settings.get("jobs.backend", "thread") == "redis":
        _queue(settings).enqueue(run_queued, job_id, job_id=_rq_id(job_id),
                                 job_timeout=int(settings.get("jobs.timeout", TIMEOUT)))
    else:
        threading.Thread(target=_run_in_turn, args=(db, job_id, registry), daemon=True,
                         name=f"job {job_id}").start()


def _rq_id(job_id: str) -> str:
    return "job-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in job_id)


def _queue(settings):
    from redis import Redis
    from rq import Queue
    return Queue(QUEUE, connection=Redis.from_url(settings["jobs.redis_url"]))


def _run_in_turn(db, job_id, registry=None):
    """A thread for one job, which waits for the database's jobs before it (one at a time:
    their writes are large) and then ends; no thread is kept between jobs. The app's
    registry is made current for it, as bootstrap makes it for a worker process (mail)."""
    manager.push({"registry": registry or get_current_registry(), "request": None})
    try:
        with _turn_of(db):
            run(db, job_id)
    finally:
        manager.pop()


def _turn_of(db) -> threading.Lock:
    with _LOCK:
        turn = _TURNS.get(db)
        if turn is None:
            turn = _TURNS[db] = threading.Lock()
        return turn


def run_queued(job_id: str):
    """What an RQ worker runs (the worker opened WORKER_DB first)."""
    return run(WORKER_DB, job_id)


def run(db, job_id: str) -> str:
    """Run a job in a connection of its own; its final state."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return _attempt(conn.root()[APP_ROOT], tm, job_id)
            except ConflictError:
                tm.abort()
                log.info("job %s conflicted (attempt %d), running it again", job_id, attempt)
        return _fail(conn, tm, job_id, "資料同時被修改，重試後仍未完成；請稍後再送一次。")
    except Exception:                              # noqa: BLE001 (a job never kills its thread)
        tm.abort()
        log.exception("job %s failed", job_id)
        return _fail(conn, tm, job_id, "處理時發生錯誤，已記錄下來；請稍後再送一次。")
    finally:
        tm.abort()
        conn.close()


def _attempt(root, tm, job_id) -> str:
    tm.begin()
    job = jobs_of(root)[job_id]
    if job.finished_state:
        return job.state                           # delivered twice: done once
    job.state, job.started, job.attempts = "running", clock.now(), job.attempts + 1
    tm.commit()

    def progress(done, total=None, message=None):
        job.done = done
        if total is not None:
            job.total = total
        if message is not None:
            job.message = message
        tm.commit()

    result = JOBS[job.name](root, progress, **job.params)
    job.state, job.result, job.finished, job.params = "done", result, clock.now(), {}
    job.message = ""
    tm.commit()
    return job.state


def _fail(conn, tm, job_id, message) -> str:
    tm.begin()
    job = jobs_of(conn.root()[APP_ROOT])[job_id]
    job.state, job.message, job.finished, job.params = "failed", message, clock.now(), {}
    tm.commit()
    return job.state


def work(db, settings, burst=False):
    """An RQ worker on this process's database: runs the queued jobs one after another (no
    fork: the ZODB connection pool is the process's), until stopped, or the queue is empty
    (``burst``)."""
    from rq import SimpleWorker
    global WORKER_DB
    WORKER_DB = db
    queue = _queue(settings)
    SimpleWorker([queue], connection=queue.connection).work(burst=burst)
