"""背景工作: one piece of work longer than a request (DESIGN.md §12), in ``root.jobs``, with
its state and progress for whoever waits on it (jobs/runner.py runs it)."""
from persistent import Persistent

STATES = {"queued": "等待處理", "running": "處理中", "done": "完成", "failed": "失敗"}


class Params(Persistent):
    """A job's arguments, stored apart: its progress is committed often, and a batch's
    10,000 rows must not be written again with each step."""

    def __init__(self, values: dict):
        self.values = values


class Job(Persistent):
    state = "queued"
    done = 0                  # units of work done of ``total`` (rows, say)
    total = 0
    message = ""              # what it is doing, or why it failed (Chinese)
    result = None             # what it answers when done (JSON-able)
    started = None
    finished = None
    attempts = 0
    _params = None

    def __init__(self, id, name, params, owner, created):
        self.id = id
        self.name = name          # a key of jobs.JOBS
        self.params = params      # its function's keyword arguments, dropped once it is done
        self.owner = owner        # who may read it ("partner:<code>", a login)
        self.created = created

    @property
    def params(self) -> dict:
        return self._params.values if self._params is not None else {}

    @params.setter
    def params(self, values: dict):
        self._params = Params(values) if values else None

    @property
    def finished_state(self) -> bool:
        return self.state in ("done", "failed")
