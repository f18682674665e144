"""Background work (DESIGN.md §12): imports, reports and rebuilds run as jobs with a state and
progress. ``JOBS`` names each job's function; runner.py queues and runs them, in the serving
process (a thread, the default) or, where several processes serve, on Redis with RQ
(``jobs.backend = redis``), through the same functions.

A job function is ``fn(root, progress, **params) -> result``: it may call ``progress(done,
total, message)``, which commits the job's progress (so it must not hold writes of its own
yet); what it writes after is committed with its result. It must be idempotent: a conflict
or a worker that died runs it again.
"""
JOBS: dict = {}


def job(name: str):
    """Register a job function under ``name``."""
    def register(fn):
        JOBS[name] = fn
        return fn
    return register
