"""Load: gunicorn serving the database named by DATABASE_URL (already filled by
generate_synthetic) with production settings, and wrk (Debian's package)
driving it with concurrent connections. Prints one JSON object: per address,
requests per second, latency percentiles and errors. Run by
benchmarks/run.py --load; not meant to be run by hand.

The API's throttles are lifted for the run (it would answer 429 to
a single client making thousands of requests a minute, as it should); and
the record does not change during the run, so after each worker's first
request the matrix comes from its cache, as it would on a quiet day, except
on the line that asks for another date on every request (UNCACHED).
"""

import calendar
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(os.cpu_count() or 2)))
ADDRESSES = [("matrix page", "/"), ("API matrix", "/api/v1/matrix/")]
# The cached lines above show what a quiet day costs. This one shows the
# work itself under load: every request asks for the matrix as of another
# day, counting on from FIRST_DAY (a day apart per request, the threads
# interleaved), so none is answered from the cache until the days run out
# at today; the results say how many requests there were and how many days.
UNCACHED = "matrix page, a new date each request"
CONDITIONAL = "matrix page, conditional GET (304)"
FIRST_DAY = dt.date(2019, 2, 1)  # the synthetic record starts in January 2019
NEW_DAY_EACH_REQUEST = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local sent = 0
function request()
  local day = (sent * THREADS + id) % DAYS
  sent = sent + 1
  return wrk.format("GET", "/?as_of=" .. os.date("!%Y-%m-%d", FIRST + day * 86400))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60, name: str = "gunicorn") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer at {url}")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


THREADS = 2


def wrk(
    url: str,
    script: Path | None = None,
    *,
    connections: int = CONNECTIONS,
    seconds: int = SECONDS,
    headers: tuple[str, ...] = (),
) -> dict:
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *(["--script", str(script)] if script else []),
            *(part for header in headers for part in ("-H", header)),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # wrk pads a figure in seconds ("1.24s ") to the width of one in ms.
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if not {"50", "99"} <= percentiles.keys():
        # Said on one line, so that run.py's table can quote it.
        raise RuntimeError(f"wrk gave no latency percentiles for {url}: {' '.join(out.split())}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)$", out, re.MULTILINE)
    return {
        "requests": requests,
        "per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": to_ms(percentiles["50"]),
        "p99_ms": to_ms(percentiles["99"]),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
    }


def uncached(base: str, workdir: Path) -> dict:
    days = (dt.datetime.now(dt.UTC).date() - FIRST_DAY).days + 1
    first = calendar.timegm(FIRST_DAY.timetuple()) + 12 * 3600  # noon: no DST edge
    script = workdir / "new-day.lua"
    script.write_text(f"THREADS, DAYS, FIRST = {THREADS}, {days}, {first}\n" + NEW_DAY_EACH_REQUEST)
    return wrk(base + "/", script) | {"url": f"/?as_of=… ({days:,} days)", "days": days}


def production_env(static_root: str) -> dict:
    """The environment of a deployment on this machine: debug off (no query
    log, no template reloading), static files collected into ``static_root``
    and served by WhiteNoise, plain HTTP on 127.0.0.1."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "0",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env


@contextmanager
def gunicorn():
    """gunicorn serving DATABASE_URL with production settings, WORKERS workers
    and the API's throttles lifted; yields its address."""
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    port = free_port()
    with tempfile.TemporaryDirectory() as static_root:
        env = production_env(static_root) | {
            "API_ANON_RATE": "100000000/minute",
            "API_USER_RATE": "100000000/minute",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/")
            yield base
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def main():
    with gunicorn() as base, tempfile.TemporaryDirectory() as workdir:
        results = {name: wrk(base + path) | {"url": path} for name, path in ADDRESSES}
        results[UNCACHED] = uncached(base, Path(workdir))
        # Readers (a browser, a cache in front) asking whether what they hold
        # is still right: 304s, answered before any view runs.
        with urllib.request.urlopen(base + "/") as response:
            etag = response.headers["ETag"]
        results[CONDITIONAL] = wrk(base + "/", headers=(f"If-None-Match: {etag}",)) | {
            "url": "/ (If-None-Match)"
        }
    print(
        json.dumps(
            {
                "connections": CONNECTIONS,
                "seconds": SECONDS,
                "workers": WORKERS,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
