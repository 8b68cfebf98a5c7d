"""The cached matrix on a real Redis, as several gunicorn workers share it:
a write moves the record's version, and every process then misses."""

import os
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from positions import cache as record_cache

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set"),
]


@pytest.fixture
def redis_cache():
    prefix = f"ceasefire-test-{uuid.uuid4().hex}"
    settings = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=settings):
        yield caches["default"]
        client = caches["default"]._cache.get_client()
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def test_a_write_reaches_every_process_through_the_version(redis_cache, make, client):
    topic = make.topic()
    make.countries(topic, 2)
    computed = []

    def compute():
        computed.append(1)
        return {"rows": 2}

    assert record_cache.cached("probe", ("a",), compute) == {"rows": 2}
    assert record_cache.cached("probe", ("a",), compute) == {"rows": 2}
    assert len(computed) == 1  # the second came from Redis
    make.countries(topic, 1)
    record_cache.cached("probe", ("a",), compute)
    assert len(computed) == 2
    # The page itself, through Redis.
    first = client.get("/").content
    assert client.get("/").content == first
