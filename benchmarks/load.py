"""Load: gunicorn serving the database named by DATABASE_URL (already filled by
generate_synthetic) with production settings, and wrk (Debian's package)
driving it with concurrent connections. Prints one JSON object: per address,
requests per second, latency percentiles and errors. Run by
benchmarks/run.py --load; not meant to be run by hand.

The API's throttles are lifted for the run (it would answer 429 to
a single client making thousands of requests a minute, as it should); and
the record does not change during the run, so after each worker's first
request the matrix comes from its cache, as it would on a quiet day.
"""

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(os.cpu_count() or 2)))
ADDRESSES = [("matrix page", "/"), ("API matrix", "/api/v1/matrix/")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer at {url}")


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.MULTILINE))
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


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    port = free_port()
    with tempfile.TemporaryDirectory() as static_root:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HTTPS": "0",
            "DJANGO_STATIC_ROOT": static_root,
            "DJANGO_LOG_LEVEL": "WARNING",
            "API_ANON_RATE": "100000000/minute",
            "API_USER_RATE": "100000000/minute",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
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
            results = {name: wrk(base + path) | {"url": path} for name, path in ADDRESSES}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
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
