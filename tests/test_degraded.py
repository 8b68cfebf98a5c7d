"""The site degrades, it does not fail: with Redis unreachable, pages and
the API answer from the database; a dropped database connection is retried
once for a read."""

import datetime as dt
import logging

import pytest
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = {
    "default": {
        "BACKEND": "config.cache.FailSoftRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def redis_down():
    with override_settings(CACHES=UNREACHABLE):
        yield caches["default"]


@pytest.fixture
def world(make):
    topic = make.topic(slug="own-troops")
    poland = make.state("Poland", "PL", slug="poland")
    make.position(actor=poland, topic=topic, as_of=dt.date(2025, 2, 25))


def test_the_cache_answers_as_a_miss_and_logs_once(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert redis_down.get("k") is None
        redis_down.set("k", 1)
        assert redis_down.get("k", "fallback") == "fallback"
        assert redis_down.add("k", 1) is False
        with pytest.raises(ValueError):
            redis_down.incr("k")
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert warnings[0].startswith("Redis unreachable (")


def test_pages_and_the_api_answer_without_redis(redis_down, world, client):
    for url in ("/", "/topics/own-troops/", "/actors/poland/", "/search/?q=Poland"):
        assert client.get(url).status_code == 200, url
    api = APIClient()
    # The throttle reads and writes the cache on every request.
    for url in ("/api/v1/matrix/", "/api/v1/positions/", "/api/v1/topics/"):
        response = api.get(url)
        assert response.status_code == 200, url
    assert api.get("/api/v1/matrix/").json()["rows"][0]["actor"]["slug"] == "poland"


def drop_this_connection():
    """Have the server end this process's connection, as a restart would."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="a server to drop the connection: PostgreSQL",
)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "with a token"])
def test_a_read_survives_a_dropped_database_connection(world, editor, caplog, signed_in):
    from django.db import connection
    from rest_framework.authtoken.models import Token

    # The test client keeps the connection across requests (no health check
    # at request start), as a worker does between its checks. An anonymous
    # read meets the drop at its first query (the record's version, for the
    # ETag); one with a token in the view (the token's look-up).
    api = APIClient()
    if signed_in:
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert api.get("/api/v1/topics/").status_code == 200
    drop_this_connection()
    try:
        with caplog.at_level(logging.WARNING, logger="config.middleware"):
            response = api.get("/api/v1/topics/")
    finally:
        # Whatever happened, the next test starts on a live connection.
        connection.close()
    assert response.status_code == 200
    assert [t["slug"] for t in response.json()["results"]] == ["own-troops"]
    assert "Database connection dropped" in caplog.text
