"""The benchmark: for each database and size, a fresh database filled by
generate_synthetic, then every page and endpoint measured in-process
(benchmarks/measure.py) with production settings. Prints the table and
writes it to RESULTS.md, with the figures it was made from in RESULTS.json.

    python benchmarks/run.py                      # SQLite and PostgreSQL, 1k to 1M
    python benchmarks/run.py --quick              # 1k and 10k, fewer repeats (< 2 minutes),
                                                  # written to RESULTS-quick.md
    python benchmarks/run.py --sizes 1000,100000 --databases postgresql
    python benchmarks/run.py --no-load            # without the gunicorn load test
    python benchmarks/run.py --render benchmarks/RESULTS.json   # the table again, from
                                                  # the figures of the last run

On PostgreSQL (not with --quick) each size also gets a load test: gunicorn
under wrk, 50 connections for 30 s (benchmarks/load.py). SQLite at 100,000
positions also gets the peer line: our positions list against Datasette
serving the same file (benchmarks/peer.py).

PostgreSQL comes from BENCH_POSTGRES_URL (default: the local server as
postgres); each size gets a database of its own, dropped afterwards.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


class ScriptFailed(RuntimeError):
    pass


def report(env, script: str) -> dict:
    """Run one of the benchmark's scripts; it prints its figures as JSON last.
    A failure raises ScriptFailed with the end of what the script wrote."""
    done = subprocess.run(
        [sys.executable, script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        raise ScriptFailed(f"{script} failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def optional(result: dict, name: str, env, script: str) -> None:
    """The load test and the peer line: a failure is reported in the table,
    not the end of a run that has measured everything else."""
    try:
        result[name] = report(env, script)
    except ScriptFailed as error:
        result.setdefault("failed", {})[name] = str(error)


def postgres(sql: str):
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(sql)


def database_url(kind: str, size: int, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / f'bench-{size}.sqlite3'}"
    name = f"ceasefire_bench_{size}_{os.getpid()}"
    postgres(f"DROP DATABASE IF EXISTS {name}")
    postgres(f"CREATE DATABASE {name}")
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


def one(kind: str, size: int, workdir: Path, repeat: int, load: bool, peer: bool) -> dict:
    url = database_url(kind, size, workdir)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "BENCH_REPEAT": str(repeat),
    }
    try:
        manage(env, "migrate", "--noinput")
        started = time.perf_counter()
        manage(env, "generate_synthetic", "--positions", str(size))
        generated = time.perf_counter() - started
        # Measured as deployed: with debug on, Django logs every query and
        # Jinja2 checks each template's file on every use (a page of
        # statements asked for one 200 times): every line ~25% slower.
        from load import production_env  # beside this script, as peer.py imports it

        with tempfile.TemporaryDirectory() as static_root:
            production = production_env(static_root) | {
                key: env[key] for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "BENCH_REPEAT")
            }
            result = report(production, "benchmarks/measure.py") | {"generated_s": generated}
        if load:
            optional(result, "load", env, "benchmarks/load.py")
        if kind == "sqlite" and size == PEER_SIZE and peer:
            optional(result, "peer", env, "benchmarks/peer.py")
        return result
    finally:
        if kind == "postgresql":
            postgres(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")


def table(runs: list[tuple[str, int, dict]]) -> str:
    sizes = sorted({size for _, size, _ in runs})
    lines = []
    for kind in dict.fromkeys(kind for kind, _, _ in runs):
        mine = {size: data for k, size, data in runs if k == kind}
        database = next(iter(mine.values()))["database"]
        lines += [
            f"### {database}",
            "",
            "Server time in ms, median / p95, and SQL queries per request, by number of positions.",
            "",
            "| | " + " | ".join(f"{size:,}" for size in sizes) + " |",
            "| --- |" + " --- |" * len(sizes),
        ]
        names = list(next(iter(mine.values()))["results"])
        for name in names:
            cells = []
            for size in sizes:
                r = mine.get(size, {}).get("results", {}).get(name)
                if r is None:
                    cells.append("")
                    continue
                queries = "/".join(str(q) for q in r["queries"])
                cells.append(f"{r['median_ms']:.0f} / {r['p95_ms']:.0f} ms, {queries} q")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        ratio = []
        for size in sizes:
            r = mine.get(size, {}).get("results", {})
            ratio.append(
                f"{r['raw SQL of the matrix']['page_ratio']:.2f}×" if "matrix, today" in r else ""
            )
        lines.append("| matrix page ÷ its raw SQL | " + " | ".join(ratio) + " |")
        generated = [f"{mine[size]['generated_s']:.0f} s" for size in sizes if size in mine]
        lines += ["| generate_synthetic | " + " | ".join(generated) + " |", ""]
        largest = max(mine)
        plan = mine[largest].get("plan")
        if plan:
            lines += [
                f"Plan of the matrix's raw SQL at {largest:,} positions (EXPLAIN): index "
                f"scans on {', '.join(plan['indexed'])}; whole-table scans on "
                f"{', '.join(plan['sequential']) or 'no table'}.",
                "",
            ]
        loads = {size: data["load"] for size, data in mine.items() if "load" in data}
        if loads:
            first = next(iter(loads.values()))
            lines += [
                f"Load on {database.split()[0]}: gunicorn ({first['workers']} workers, "
                f"production settings) under wrk, {first['connections']} connections for "
                f"{first['seconds']} s per line; requests per second, median and 99th "
                f"percentile latency, and answers other than 2xx or 3xx, or socket errors. "
                f"The record does not change during the run, so the matrix page and the API "
                f"matrix are answered from each worker's cache after its first request"
                + uncached_note(loads)
                + ".",
                "",
                "| | " + " | ".join(f"{size:,}" for size in loads) + " |",
                "| --- |" + " --- |" * len(loads),
            ]
            for name in first["results"]:
                cells = []
                for data in loads.values():
                    r = data["results"][name]
                    errors = r["errors"] if r["socket_errors"] == "none" else r["socket_errors"]
                    cells.append(
                        f"{r['per_second']:.0f}/s, {r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms, "
                        f"{errors} errors"
                    )
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
            lines.append("")
        for size, data in mine.items():
            if "peer" in data:
                lines.append(peer_section(data["peer"], size))
            for name, why in data.get("failed", {}).items():
                lines += [f"The {name} run at {size:,} positions did not finish: {why}", ""]
    return "\n".join(lines)


def uncached_note(loads: dict[int, dict]) -> str:
    """What the load test's line that no cache answers asked for (load.py
    marks it with the number of days it counts through), and how many
    requests it made at each size; nothing for a run without it."""
    per_size = [
        next((r for r in data["results"].values() if "days" in r), None) for data in loads.values()
    ]
    if None in per_size:
        return ""
    seconds = next(iter(loads.values()))["seconds"]
    return (
        f"; the matrix page as of a new date asks for another of {per_size[0]['days']:,} days "
        f"on every request, so the cache answers none until the days run out (requests in "
        f"{seconds} s: " + ", ".join(f"{r['requests']:,}" for r in per_size) + ")"
    )


# Issue 21's targets for the peer line (benchmarks/peer.py): our positions
# list against Datasette answering the same positions in one SQL join.
PEER_SIZE = 100_000
PEER_TIME_RATIO, PEER_THROUGHPUT_RATIO = 1.5, 1.0


def peer_section(result: dict, size: int | None = None) -> str:
    where = f" at {size:,} positions" if size else ""
    rounds = "; ".join(
        f"{r['ours']['per_second']:.0f} against {r['peer']['per_second']:.0f}"
        for r in result["rounds"]
    )
    return "\n".join(
        [
            f"### The peer: Datasette{where}",
            "",
            f"`GET {result['ours']}` (gunicorn, {result['workers']} workers, production "
            f"settings) against {result['datasette']} serving the same SQLite file immutable "
            f"(`datasette serve -i`) and answering one SQL join of the same {result['page']} "
            f"positions to their actor, topic, quote and source (`_shape=array`). Timed by "
            f"turns over kept-alive connections, {result['turns']} requests each; then wrk, "
            f"{result['connections']} connections for {result['seconds']} s, "
            f"{len(result['rounds'])} alternating rounds.",
            "",
            "| | ours | Datasette |",
            "| --- | --- | --- |",
            f"| median time, sequential | {result['ours_ms']:.1f} ms | "
            f"{result['peer_ms']:.1f} ms |",
            f"| answer | {result['ours_bytes']:,} bytes | {result['peer_bytes']:,} bytes |",
            f"| requests per second under wrk (median of rounds) | "
            f"{result['ours_per_second']:.0f} | {result['peer_per_second']:.0f} |",
            "",
            f"Rounds (ours against Datasette, requests per second): {rounds}.",
            "",
            *peer_targets(result),
            "",
        ]
    )


def peer_targets(result: dict) -> list[str]:
    rate = result["ours_per_second"] / result["peer_per_second"]
    return [
        f"- Our positions list ÷ Datasette's time (median of the turns' ratios): "
        f"{result['ratio']:.2f}× (target {PEER_TIME_RATIO}×): "
        + ("met." if result["ratio"] <= PEER_TIME_RATIO else "**not met**."),
        f"- Our requests per second ÷ Datasette's under wrk: {rate:.2f}× "
        f"(target ≥ {PEER_THROUGHPUT_RATIO:.0f}×): "
        + ("met." if rate >= PEER_THROUGHPUT_RATIO else "**not met**."),
    ]


# Issue 6's targets, for PostgreSQL at the largest size measured.
MATRIX_MS, CACHED_MS, RATIO = 50, 5, 2.0
NOT_MODIFIED_MS = 2
LINEAR_MARGIN = 0.1
# Issue 21's: every page and endpoint, uncached. A whole export is the one
# answer that holds as many rows as its topic: it is timed, and its
# megabytes per second reported, but only its first rows have a time to
# meet, and its time cannot grow slower than its length.
PAGE_MS = 60
WHOLE_EXPORTS = {"API positions CSV, whole topic"}


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _against(what: str, uncached: float, cached: float) -> list[str]:
    return [
        f"- {what}, uncached: median {uncached:.1f} ms (target {MATRIX_MS} ms): "
        + ("met." if uncached <= MATRIX_MS else "**not met**."),
        f"- {what}, cached: median {cached:.1f} ms (target {CACHED_MS} ms): "
        + ("met." if cached <= CACHED_MS else "**not met**."),
    ]


def targets(runs: list[tuple[str, int, dict]]) -> str:
    """Whether the run meets the targets, worked out from its figures: the
    matrix page's times and ratio on PostgreSQL at the largest size, the query
    counts of every line at every size, and how each line's time grows from
    the size before the largest to the largest."""
    by_kind: dict[str, dict[int, dict]] = {}
    for kind, size, data in runs:
        by_kind.setdefault(kind, {})[size] = data["results"]
    lines = ["### Against the targets", "", "Worked out by `run.py` from the figures above.", ""]
    if "postgresql" in by_kind:
        largest = max(by_kind["postgresql"])
        r = by_kind["postgresql"][largest]
        page, cached = r["matrix, today"]["median_ms"], r["matrix, today, cached"]["median_ms"]
        ratio = r["raw SQL of the matrix"]["page_ratio"]
        where = f"on PostgreSQL at {largest:,} positions"
        lines += [
            *_against(f"Matrix page {where}", page, cached),
            f"- Matrix page ÷ its raw SQL {where}: {ratio:.2f}× (target {RATIO:.0f}×): "
            + ("met." if ratio <= RATIO else "**not met**."),
        ]
        # The totals and the map have the matrix's targets (issue 19).
        for name, label in (("totals", "Totals"), ("stance map", "Stance map")):
            if name in r:
                shown = r[name]["median_ms"], r[f"{name}, cached"]["median_ms"]
                lines += _against(f"{label} {where}", *shown)
        held = [n for n in r if n not in WHOLE_EXPORTS and n != "raw SQL of the matrix"]
        slow = [f"{n} ({r[n]['median_ms']:.0f} ms)" for n in held if r[n]["median_ms"] > PAGE_MS]
        lines.append(
            f"- Every page and endpoint {where}, median (whole exports aside): "
            f"within {PAGE_MS} ms on {len(held) - len(slow)} of {len(held)} lines"
            + (f"; **not** on {', '.join(slow)}." if slow else ": met.")
        )
        for name in sorted(WHOLE_EXPORTS & set(r)):
            took, size = r[name]["median_ms"] / 1000, r[name]["bytes"] / 1e6
            lines.append(
                f"- {name[0].upper()}{name[1:]} {where}: {took:.1f} s for {size:.1f} MB "
                f"({size / took:.1f} MB/s), streamed after its first rows."
            )
        # A conditional GET of an unchanged record (issue 21).
        for name in (name for name in r if name.endswith("(304)")):
            took = r[name]["median_ms"]
            lines.append(
                f"- {name[0].upper()}{name[1:]} {where}: median {took:.1f} ms "
                f"(target {NOT_MODIFIED_MS} ms): "
                + ("met." if took <= NOT_MODIFIED_MS else "**not met**.")
            )
    for kind, results in by_kind.items():
        kind = NAMES.get(kind, kind)
        sizes = sorted(results)
        names = list(results[sizes[0]])
        growing = [name for name in names if name not in WHOLE_EXPORTS]
        varying = [
            name
            for name in names
            if len({tuple(results[size][name]["queries"]) for size in sizes}) > 1
        ]
        every = ", ".join(f"{n:,}" for n in sizes)
        lines.append(
            f"- {kind}: the same query count at every size ({every}) on "
            f"{len(names) - len(varying)} of {len(names)} lines"
            + (f"; **not** on {', '.join(varying)}." if varying else ".")
        )
        if len(sizes) > 1:
            before, after = sizes[-2], sizes[-1]
            growth = sorted(
                (
                    (results[after][name]["median_ms"] / results[before][name]["median_ms"], name)
                    for name in growing
                ),
                reverse=True,
            )
            scale = after / before
            # Seven requests a line cannot tell growth within a tenth of the
            # data's from linear.
            limit = scale * (1 - LINEAR_MARGIN)
            steep = [
                f"{name} ({g:.1f}×{answer_growth(results[before][name], results[after][name])})"
                for g, name in growth
                if g >= limit
            ]
            lines.append(
                f"- {kind}: from {before:,} to {after:,} positions ({scale:.0f}× the data), "
                f"time grows sub-linearly (by less than {limit:.0f}×) on "
                f"{len(growing) - len(steep)} of {len(growing)} lines (whole exports aside)"
                + (f"; **not** on {', '.join(steep)}" if steep else "")
                + f". Steepest: {growth[0][1]} ({growth[0][0]:.1f}×)."
            )
    return "\n".join(lines) + "\n"


def answer_growth(before: dict, after: dict) -> str:
    """How much longer a line's answer grew, when the run measured it: an
    answer that holds ten times the rows cannot be written in less time."""
    if not before.get("bytes") or not after.get("bytes"):
        return ""
    return f", its answer {after['bytes'] / before['bytes']:.1f}× as long"


def revision() -> str:
    """The commit measured, and whether the work tree differed from it."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        return "an unknown revision"
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    return f"commit {head.stdout.strip()}" + (" with uncommitted changes" if dirty else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="1k and 10k, 3 repeats, no load")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    parser.add_argument(
        "--output",
        help="where to write the table (RESULTS.md; RESULTS-quick.md with --quick, so a "
        "short run never replaces the committed figures)",
    )
    parser.add_argument(
        "--render",
        metavar="JSON",
        help="measure nothing: write the table again from the figures a run saved",
    )
    args = parser.parse_args()
    output = args.output or ROOT / "benchmarks" / (
        "RESULTS-quick.md" if args.quick else "RESULTS.md"
    )
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        write(saved["header"], [tuple(run) for run in saved["runs"]], Path(output))
        return
    measured = revision()  # before the run: a commit made during it was not measured
    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 3 if args.quick else args.repeat
    runs = []
    with tempfile.TemporaryDirectory() as workdir:
        for kind in args.databases.split(","):
            for size in sizes:
                print(f"== {kind}, {size:,} positions", flush=True)
                load = kind == "postgresql" and not (args.quick or args.no_load)
                # The peer line wants gunicorn and wrk too: it goes with the load test.
                peer = not (args.quick or args.no_load)
                runs.append((kind, size, one(kind, size, Path(workdir), repeat, load, peer)))
    # The lines measured, when not all of them (measure.py reads BENCH_ONLY).
    only = f"BENCH_ONLY='{os.environ['BENCH_ONLY']}' " if os.environ.get("BENCH_ONLY") else ""
    header = (
        f"# Benchmark results\n\nMeasured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {measured}; `{only}python benchmarks/run.py "
        f"{' '.join(sys.argv[1:])}`. In-process server time with production settings "
        f"(Django test client, no network), {repeat} requests per line after one "
        f"warm-up (fewer where one request takes over a minute), the cache emptied "
        f"before each request except on the lines "
        f'marked cached. "matrix, today" gets {repeat * 3}, each followed by one run of '
        f'its raw SQL; "matrix page ÷ its raw SQL" is the median of those pairs\' '
        f"ratios.\n\n"
    )
    write(header, runs, Path(output))


def write(header: str, runs: list[tuple[str, int, dict]], output: Path) -> None:
    """The table to ``output`` (and printed); the figures beside it as JSON,
    from which ``--render`` writes the table again."""
    text = header + table(runs) + "\n" + targets(runs)
    print(text)
    output.write_text(text + "\n")
    figures = output.with_suffix(".json")
    figures.write_text(json.dumps({"header": header, "runs": runs}, indent=1) + "\n")
    print(f"Written to {output} and {figures}.")


if __name__ == "__main__":
    main()
