"""The peer line: our positions list against Datasette serving the same SQLite
file and answering the equivalent query, one SQL join of the same fifty
published positions to their actor, topic, quote and source.

Both run as they would be deployed: gunicorn with production settings and
LOAD_WORKERS workers for us, ``datasette serve -i`` (immutable) for the
peer, installed by this script into an environment of its own
(PEER_VENV, default ~/.cache/ceasefire-positions/datasette). Timed by
turns over kept-alive connections, so both see the same moment of a shared
machine; then wrk against each in alternating rounds.

    python benchmarks/peer.py            # with DATABASE_URL naming a filled SQLite file
    python benchmarks/peer.py --size 100000 --output benchmarks/RESULTS-peer.md

Prints one JSON object last (run.py reads it); with --output, also writes the
section as Markdown.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from load import free_port, gunicorn, wait_until_up, wrk
from run import peer_section

ROOT = Path(__file__).resolve().parent.parent
DATASETTE = "datasette==0.65.1"
# Datasette 0.65 imports pkg_resources, which Python 3.12's venvs lack.
WITH = ("setuptools<81",)
VENV = Path(
    os.environ.get("PEER_VENV", Path.home() / ".cache" / "ceasefire-positions" / "datasette")
)
TURNS = int(os.environ.get("PEER_TURNS", "200"))
ROUNDS = int(os.environ.get("PEER_ROUNDS", "3"))
LOAD_CONNECTIONS = int(os.environ.get("PEER_CONNECTIONS", "16"))
LOAD_SECONDS = int(os.environ.get("PEER_SECONDS", "8"))
PAGE = 50
OURS = f"/api/v1/positions/?page_size={PAGE}"
# The same fifty positions, newest first, with what a citing tool needs.
SQL = f"""SELECT p.id, p.stance, p.attribution, p.as_of, p.status, p.summary,
a.slug AS actor, a.name AS actor_name, a.kind AS actor_kind, t.slug AS topic,
q.id AS quote_id, q.text AS quote, q.said_on, q.speaker_label,
s.id AS source_id, s.publisher, s.title, s.url, s.published_on
FROM positions_position p
JOIN actors_actor a ON a.id = p.actor_id
JOIN positions_topic t ON t.id = p.topic_id
JOIN sources_quote q ON q.id = p.quote_id
JOIN sources_source s ON s.id = q.source_id
WHERE p.status = 'published' ORDER BY p.id DESC LIMIT {PAGE}"""


def datasette_command() -> Path:
    executable = VENV / "bin" / "datasette"
    if not executable.exists() or not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", DATASETTE, *WITH],
            check=True,
        )
    return executable


@contextmanager
def datasette(path: Path):
    port = free_port()
    server = subprocess.Popen(
        [
            str(datasette_command()),
            "serve",
            "-i",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "10000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/-/versions.json", name="datasette")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def their_path(database: Path) -> str:
    query = urllib.parse.urlencode({"sql": SQL, "_shape": "array"})
    return f"/{database.stem}.json?{query}"


class Kept:
    """One kept-alive connection, timing whole answers."""

    def __init__(self, base: str):
        self.host = urllib.parse.urlsplit(base).netloc
        self.connection = http.client.HTTPConnection(self.host, timeout=60)

    def time(self, path: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        body = response.read()
        return (time.perf_counter() - started) * 1000, response.status, body


def by_turns(ours: Kept, theirs: Kept, our_path: str, peer_path: str) -> dict:
    for _ in range(5):  # warm up both
        ours.time(our_path), theirs.time(peer_path)
    mine, peer, ratios = [], [], []
    for turn in range(TURNS):
        # Alternate who goes first, so neither always follows the other.
        if turn % 2:
            b, _, peer_body = theirs.time(peer_path)
            a, status, body = ours.time(our_path)
        else:
            a, status, body = ours.time(our_path)
            b, _, peer_body = theirs.time(peer_path)
        if status != 200:
            raise RuntimeError(f"{our_path} answered {status}")
        mine.append(a)
        peer.append(b)
        ratios.append(a / b)
    ours_ids = [p["id"] for p in json.loads(body)["results"]]
    theirs_ids = [p["id"] for p in json.loads(peer_body)]
    if ours_ids != theirs_ids:
        raise RuntimeError("the two answers hold different positions")
    return {
        "turns": TURNS,
        "ours_ms": statistics.median(mine),
        "peer_ms": statistics.median(peer),
        "ratio": statistics.median(ratios),
        "ours_bytes": len(body),
        "peer_bytes": len(peer_body),
    }


def under_load(our_base: str, peer_base: str, our_path: str, peer_path: str) -> dict:
    rounds = []
    for _ in range(ROUNDS):
        mine = wrk(our_base + our_path, connections=LOAD_CONNECTIONS, seconds=LOAD_SECONDS)
        theirs = wrk(peer_base + peer_path, connections=LOAD_CONNECTIONS, seconds=LOAD_SECONDS)
        rounds.append({"ours": mine, "peer": theirs})
    return {
        "connections": LOAD_CONNECTIONS,
        "seconds": LOAD_SECONDS,
        "rounds": rounds,
        "ours_per_second": statistics.median(r["ours"]["per_second"] for r in rounds),
        "peer_per_second": statistics.median(r["peer"]["per_second"] for r in rounds),
    }


def measure(database: Path) -> dict:
    peer_path = their_path(database)
    with gunicorn() as our_base, datasette(database) as peer_base:
        turns = by_turns(Kept(our_base), Kept(peer_base), OURS, peer_path)
        load = under_load(our_base, peer_base, OURS, peer_path)
    return (
        {
            "database": str(database),
            "ours": OURS,
            "sql": " ".join(SQL.split()),
            "datasette": DATASETTE,
            "page": PAGE,
            "workers": int(os.environ.get("LOAD_WORKERS", str(os.cpu_count() or 2))),
        }
        | turns
        | load
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, help="make a synthetic SQLite file of this size")
    parser.add_argument("--output", help="also write the section, as Markdown, here")
    args = parser.parse_args()
    if args.size:
        with tempfile.TemporaryDirectory() as workdir:
            database = Path(workdir) / "peer.sqlite3"
            env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
            for command in (
                ["migrate", "--noinput"],
                ["generate_synthetic", "--positions", str(args.size)],
            ):
                subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            os.environ["DATABASE_URL"] = env["DATABASE_URL"]
            result = measure(database)
    else:
        url = os.environ["DATABASE_URL"]
        if not url.startswith("sqlite:///"):
            sys.exit("The peer serves SQLite: DATABASE_URL must name a SQLite file.")
        result = measure(Path(url.removeprefix("sqlite:///")))
    result["size"] = args.size
    if args.output:
        Path(args.output).write_text(
            f"# The peer line\n\nMeasured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC "
            f"with `python benchmarks/peer.py {' '.join(sys.argv[1:])}`.\n\n"
            + peer_section(result, args.size)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
