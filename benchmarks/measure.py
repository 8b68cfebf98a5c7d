"""Measure every page and endpoint in-process against the database named by
DATABASE_URL (already filled by generate_synthetic): server time (median and
95th percentile over repeated requests; the cache emptied before each request
except on the lines marked "cached") and SQL queries per request. Prints
one JSON object. Run by benchmarks/run.py; not meant to be run by hand."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_DEBUG", "1")

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

# As gunicorn loads the site: config.wsgi sets up Django, then sets the
# loaded objects aside from the garbage collector, as in production.
import config.wsgi  # noqa: E402, F401
from actors.models import Actor  # noqa: E402
from positions.matrix import MATRIX_PAGE_ROWS, matrix_page_sql, speaking_rows  # noqa: E402
from positions.models import Position, Status, Topic  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
# Names of lines to measure, separated by ";" (all when empty), e.g. "matrix, today".
ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(";") if name}
BUDGET = float(os.environ.get("BENCH_SECONDS_PER_ENDPOINT", "60"))


def endpoints() -> list[tuple[str, str]]:
    state = Actor.objects.filter(slug__startswith="syn-state-").order_by("pk").first()
    bloc = Actor.objects.filter(slug__startswith="syn-bloc-").order_by("pk").first()
    topic = Topic.objects.filter(slug__startswith="syn-topic-").order_by("pk").first()
    # The drill-down of a cell with everything a cell page shows (a history,
    # conditions, a retraction), so every size measures the same work.
    retracted = (
        Position.objects.filter(
            status=Status.RETRACTED, actor__kind=Actor.Kind.STATE, actor__slug__startswith="syn-"
        )
        .select_related("actor", "topic")
        .order_by("pk")
        .first()
    )
    return [
        ("matrix, today", "/"),
        ("matrix, today, cached", "/"),
        # The totals above the matrix: every country's cells, loaded beside it.
        # A reader's browser or a shared cache asking whether what it holds
        # is still right: answered before any view runs.
        ("matrix, conditional GET (304)", "/"),
        ("API positions list, conditional GET (304)", "/api/v1/positions/"),
        ("totals", "/totals/"),
        ("totals, cached", "/totals/"),
        ("stance map", f"/map/?topic={topic.slug}"),
        ("stance map, cached", f"/map/?topic={topic.slug}"),
        ("stance map, compare", f"/map/?topic={topic.slug}&as_of=2026-01-01&since=2025-06-01"),
        ("matrix, past date", "/?as_of=2022-01-01"),
        ("matrix, group and topics", f"/?group={bloc.slug}&topics={topic.slug}"),
        ("compare two dates", "/?as_of=2026-01-01&since=2025-06-01"),
        ("cell drill-down", f"/cells/{retracted.actor.slug}/{retracted.topic.slug}/"),
        ("timeline (topic page)", f"/topics/{topic.slug}/"),
        # Its month-by-month trend, loaded beside it.
        ("topic trend", f"/topics/{topic.slug}/trend/"),
        ("actor page", f"/actors/{state.slug}/"),
        ("search", "/search/?q=statement+rather"),
        ("actor list", "/actors/"),
        ("source list", "/sources/"),
        ("conditions page", "/conditions/"),
        ("feed", "/feed/"),
        ("API matrix", "/api/v1/matrix/"),
        ("API matrix, cached", "/api/v1/matrix/"),
        ("API positions list", "/api/v1/positions/"),
        # Quotes and sources are paged by number: the pager counts the list,
        # once per version of the record (the cached line: only the count).
        ("API quotes list", "/api/v1/quotes/"),
        ("API quotes list, cached", "/api/v1/quotes/"),
        ("API quotes, a word in every quote", "/api/v1/quotes/?q=statement"),
        ("API sources list", "/api/v1/sources/"),
        # An export streams: a reader waits for its first rows, then for as
        # many more as the topic holds, which no query budget bounds.
        ("API positions CSV, first rows", f"/api/v1/positions/export/?topic={topic.slug}"),
        ("API positions CSV, whole topic", f"/api/v1/positions/export/?topic={topic.slug}"),
        ("API changes", "/api/v1/changes/?since=2025-06-01&as_of=2026-01-01"),
        ("API timeline", f"/api/v1/timeline/?topic={topic.slug}"),
        (
            "API history",
            f"/api/v1/history/?actor={retracted.actor.slug}&topic={retracted.topic.slug}",
        ),
    ]


def timed(client, url, *, cached=False, etag=None, first=False):
    """One request: its time, its queries, its answer's length. With ``etag``
    it is a conditional GET of an unchanged record, which must be a 304;
    with ``first``, a streamed answer is timed to its first piece."""
    if not cached:
        cache.clear()
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1", **headers)
        if response.streaming and first:
            size = len(next(iter(response.streaming_content)))
        elif response.streaming:
            size = sum(len(piece) for piece in response.streaming_content)
        else:
            size = len(response.content)
        took = time.perf_counter() - started
        response.close()  # a stream left unread gives its cursor back
    assert response.status_code == (304 if etag else 200), (url, response.status_code)
    return took, len(queries), size


def etag_of(client, url) -> str:
    return client.get(url, HTTP_HOST="127.0.0.1")["ETag"]


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "n": len(times)}


def raw_matrix_query():
    """The one SQL query that computes the matrix's first page as of today:
    its rows, their count, and the statements that decide their cells with
    what each cell shows (what the page itself runs for them)."""
    topics = list(Topic.objects.all())
    today = timezone.localdate()
    return matrix_page_sql(
        rows=speaking_rows(on=today, topics=topics),
        on=today,
        topic_ids=[t.pk for t in topics],
        page=1,
        per_page=MATRIX_PAGE_ROWS,
    )


def time_raw(query) -> float:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(query.sql, query.params)
        cursor.fetchall()
        return time.perf_counter() - started


def plan(query) -> dict:
    """How the database reads each table for the query: the indexes it
    probes, and the tables it scans whole ("sequential", with their rows)."""
    indexed, sequential = set(), set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (FORMAT JSON) " + query.sql, query.params)
            nodes = [(cursor.fetchone()[0][0]["Plan"], None)]
            while nodes:
                node, parent = nodes.pop()
                nodes.extend((child, node) for child in node.get("Plans", []))
                if node["Node Type"] == "Seq Scan":
                    sequential.add(node["Relation Name"])
                elif "Index Name" in node:
                    # A bitmap index scan names its table in the heap scan above it.
                    table = node.get("Relation Name") or parent["Relation Name"]
                    indexed.add(f"{table} ({node['Index Name']})")
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + query.sql, query.params)
            for *_, detail in cursor.fetchall():
                words = detail.split()
                if words[0] not in ("SCAN", "SEARCH") or words[1] not in SQLITE_ALIASES:
                    continue  # a CTE or subquery, read as it was made
                if " INDEX " in detail or "PRIMARY KEY" in detail:
                    index = detail.split(" INDEX ")[1].split()[0] if " INDEX " in detail else "id"
                    indexed.add(f"{SQLITE_ALIASES[words[1]]} ({index})")
                else:
                    sequential.add(SQLITE_ALIASES[words[1]])
        # A whole-table scan is the right plan for a table of a few rows (the
        # topics): the row counts tell such a table from one that grows.
        scanned = []
        for table in sorted(sequential):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            scanned.append(f"{table} ({cursor.fetchone()[0]:,} rows)")
    return {"indexed": sorted(indexed), "sequential": scanned}


# The tables of the matrix's query, by the aliases SQLite's plan names them
# (the other names in its plan are CTEs and subqueries).
SQLITE_ALIASES = {
    "actors_actor": "actors_actor",
    "U0": "positions_cellstatement",
    "x": "positions_cellstatement",
    "s": "positions_cellstatement",
    "t": "positions_topic",
    "p": "positions_position",
    "q": "sources_quote",
    "a": "actors_actor",
    "cl": "actors_actor",
    "sp": "actors_actor",
}


def main():
    client = Client()
    results = {}
    query = raw_matrix_query()
    raw, ratios = [], []
    for name, url in endpoints():
        if ONLY and name not in ONLY:
            continue
        cached = name.endswith(", cached")
        etag = etag_of(client, url) if name.endswith("(304)") else None
        paired = name == "matrix, today"
        # The page a target compares with its query gets three times the
        # requests: a shared machine's speed drifts from second to second.
        repeat = REPEAT * 3 if paired else REPEAT
        first = name.endswith(", first rows")
        timed(client, url, etag=etag, first=first)  # warm up: imports, templates (and the cache)
        times, counts, sizes, spent = [], set(), set(), 0.0
        while len(times) < repeat and (spent < BUDGET or len(times) < 1):
            took, count, size = timed(client, url, cached=cached, etag=etag, first=first)
            times.append(took)
            counts.add(count)
            sizes.add(size)
            spent += took
            if paired:
                # The page and its query by turns, so that each pair is timed
                # under the same conditions; the ratio is the median of the
                # pairs' ratios, which a drift between pairs does not move.
                raw.append(time_raw(query))
        # The answer's length: where it grows with the data, so must the time.
        results[name] = summary(times) | {
            "queries": sorted(counts),
            "bytes": max(sizes),
            "url": url,
        }
        if paired:
            ratios = [page / sql for page, sql in zip(times, raw, strict=True)]
    if not raw:
        raw = [time_raw(query) for _ in range(REPEAT)]
    results["raw SQL of the matrix"] = summary(raw) | {"queries": [1], "url": ""}
    if ratios:
        results["raw SQL of the matrix"]["page_ratio"] = statistics.median(ratios)
    with connection.cursor() as cursor:
        cursor.execute(
            "select sqlite_version()" if connection.vendor == "sqlite" else "show server_version"
        )
        version = cursor.fetchone()[0]
    print(
        json.dumps(
            {"database": f"{connection.vendor} {version}", "results": results, "plan": plan(query)}
        )
    )


if __name__ == "__main__":
    main()
