"""What the HTTP benchmarks share: Debian's wrk (a C load generator, so that the client does
not take the cores the server is measured on) and waiting for the server under test."""
from contextlib import contextmanager
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

CYCLE = Path(__file__).resolve().parent / "cycle.lua"


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


def wrk_load(port, paths, seconds, concurrency, header=None) -> dict:
    """wrk's figures (cycle.lua) for ``seconds`` of GETs cycling through ``paths``."""
    with listed(paths, ".paths") as path_file:
        command = [wrk(), "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "30s", "-s", str(CYCLE)]
        if header:
            command += ["-H", header]
        command += [f"http://127.0.0.1:{port}", "--", path_file]
        printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return figures(printed)


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
