"""Run by scripts/replica-check against a primary and its streaming replica:
anonymous pages and API reads are served from the replica once it has the
record's version; a write goes to the primary and the very next read shows
it (from the primary while the replica replays it, then from the replica);
editors read the primary. Exits non-zero on the first claim that fails."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from positions import cache  # noqa: E402
from positions.models import Position  # noqa: E402
from positions.seeding import load_seed  # noqa: E402

PRIMARY, REPLICA = connections["default"], connections["replica"]


def check(claim: str, holds: bool) -> None:
    print(("ok   " if holds else "FAIL ") + claim)
    if not holds:
        sys.exit(1)


def replica_version() -> int:
    with REPLICA.cursor() as cursor:
        cursor.execute("SELECT number FROM positions_recordversion WHERE id = 1")
        found = cursor.fetchone()
    return found[0] if found else 0


def wait_for_replica(seconds: float = 30) -> float:
    started = time.monotonic()
    while replica_version() < cache.stamp()[0]:
        if time.monotonic() - started > seconds:
            sys.exit("FAIL the replica did not catch up within 30 s")
        time.sleep(0.02)
    return time.monotonic() - started


def get(client: Client, url: str):
    """The answer, and how many queries each database ran for it."""
    reset_queries()  # the seed's thousands of queries filled the log
    with CaptureQueriesContext(PRIMARY) as primary, CaptureQueriesContext(REPLICA) as replica:
        response = client.get(url, HTTP_HOST="127.0.0.1")
        # A streamed answer is read after the view has returned: count its queries too.
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, len(primary), len(replica)


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    load_seed()
    caught_up = wait_for_replica()
    print(f"the replica replayed the seed {caught_up * 1000:.0f} ms after it was written")

    reader = Client()
    urls = (
        "/",
        "/api/v1/positions/?page_size=20",
        "/coverage/",
        "/api/v1/matrix/",
        # A whole topic's CSV: the heaviest read, streamed after the view returns.
        "/api/v1/positions/export/?topic=reassurance-force",
    )
    for url in urls:
        response, _, on_primary, on_replica = get(reader, url)
        check(
            f"GET {url}: {response.status_code}, {on_replica} queries on the replica, "
            f"{on_primary} on the primary (the record's version)",
            # More than the question whether the replica has the version.
            response.status_code == 200 and on_replica > 1 and on_primary == 1,
        )

    position = Position.objects.published().order_by("pk").first()
    url = f"/api/v1/positions/{position.pk}/"
    # A replica that lags: its replay paused while the primary takes a write.
    with REPLICA.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    position.summary = f"Changed on the primary at {time.time():.6f}."
    position.save()  # moves the record's version, on the primary
    check("the paused replica has not got the write", replica_version() < cache.stamp()[0])
    response, body, on_primary, on_replica = get(reader, url)
    check(
        f"the next read shows the write, from the primary while the replica lags "
        f"({on_primary} queries on the primary, {on_replica} on the replica)",
        response.status_code == 200
        and position.summary in body.decode()
        and on_replica == 1  # only the question whether it has the version
        and on_primary > 1,
    )
    with REPLICA.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replica()
    response, body, on_primary, on_replica = get(reader, url)
    check(
        f"once replayed, the replica serves it: {on_replica} queries on the replica",
        position.summary in body.decode() and on_replica > 0 and on_primary == 1,
    )

    editor = get_user_model().objects.create_superuser("replica-check", password="x" * 20)
    signed_in = Client()
    signed_in.force_login(editor)
    response, _, on_primary, on_replica = get(signed_in, "/")
    check(
        f"a signed-in editor reads the primary: {on_primary} queries there, "
        f"{on_replica} on the replica",
        response.status_code == 200 and on_replica == 0 and on_primary > 0,
    )
    print("reads are served from the replica; writes and editors stay on the primary")


if __name__ == "__main__":
    main()
