"""What the HTTP benchmarks share: Debian's wrk (a C load generator, so that the client does
not take the cores the server is measured on) and waiting for the server under test."""
from contextlib import contextmanager
import json
import shutil
import socket
import tempfile
import time


def wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("the benchmarks load the server with wrk (Debian: apt-get install wrk; "
                         "make bench-search and make bench-rush install it)")
    return found


@contextmanager
def listed(lines, suffix: str):
    """A temporary file of ``lines``, one per line, for a wrk script to read."""
    with tempfile.NamedTemporaryFile("w", suffix=suffix) as file:
        file.write("\n".join(lines) + "\n")
        file.flush()
        yield file.name


def figures(printed: str) -> dict:
    """The JSON line a wrk script's done() prints last."""
    return json.loads(printed.strip().splitlines()[-1])


def wait_for_port(port: int, timeout: float = 300):
    """Until the server answers (a million courses take a while to open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the benchmark server did not answer on port {port}")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
