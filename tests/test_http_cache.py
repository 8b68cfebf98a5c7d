"""HTTP caching a browser or a CDN can use: an anonymous read carries an
ETag and Last-Modified, a conditional request answers 304 without running
the view, any write (admin, API, revert, import) changes the ETag and
nothing else does, and signed-in answers are never stored."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from positions.models import Position
from tests.conftest import opened_form

pytestmark = pytest.mark.django_db

READS = ["/", "/?as_of=2025-03-01", "/topics/own-troops/", "/api/v1/matrix/", "/api/v1/positions/"]


@pytest.fixture
def world(make):
    topic = make.topic(slug="own-troops")
    poland = make.state("Poland", "PL", slug="poland")
    return make.position(actor=poland, topic=topic, as_of=dt.date(2025, 2, 25))


def etags(client) -> dict[str, str]:
    return {url: client.get(url)["ETag"] for url in READS}


def test_anonymous_reads_carry_validators_and_revalidate_with_a_304(client, world):
    response = client.get("/")
    assert response.status_code == 200
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('W/"')
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert {"Cookie", "HX-Request", "Accept"} <= {v.strip() for v in response["Vary"].split(",")}
    # Revalidation: one query (the record's version), no view, no body.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        again = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, len(queries)) == (304, b"", 1)
    assert again["ETag"] == etag
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # Each address, and the htmx fragment of one, is an answer of its own.
    assert client.get("/?as_of=2025-03-01")["ETag"] != etag
    assert client.get("/", HTTP_HX_REQUEST="true")["ETag"] != etag
    assert client.get("/", HTTP_IF_NONE_MATCH='W/"0-stale"').status_code == 200


def test_every_write_and_only_a_write_changes_the_etags(client, world, editor, make):
    before = etags(client)
    assert etags(client) == before  # reads change nothing
    # A write through the API.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    url = f"/api/v1/positions/{world.pk}/"
    api.patch(url, {"summary": "API"}, format="json", HTTP_IF_MATCH=api.get(url)["ETag"])
    after_api = etags(client)
    assert all(after_api[u] != before[u] for u in READS)
    # In the admin.
    editor_client = type(client)()
    editor_client.force_login(editor)
    change = reverse("admin:positions_position_change", args=[world.pk])
    form = opened_form(editor_client, change)
    assert editor_client.post(change, form | {"summary": "Admin"}).status_code == 302
    after_admin = etags(client)
    assert all(after_admin[u] != after_api[u] for u in READS)
    # A history revert.
    first = world.history.earliest()
    revert = reverse("admin:positions_position_simple_history", args=[world.pk, first.history_id])
    assert editor_client.post(revert, opened_form(editor_client, revert)).status_code == 302
    after_revert = etags(client)
    assert all(after_revert[u] != after_admin[u] for u in READS)
    # An import (a new record, as after restoring a backup).
    call_command("load_seed", stdout=io.StringIO())
    assert all(etags(client)[u] != after_revert[u] for u in READS)


def test_a_304_never_serves_a_stale_answer(client, world):
    etag = client.get("/topics/own-troops/")["ETag"]
    Position.objects.filter(pk=world.pk).update(stance="opposes")  # no signals: no new version
    from positions import cache

    cache.bump()  # what every write does in its transaction
    fresh = client.get("/topics/own-troops/", HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200
    assert "Opposes" in fresh.content.decode()


def test_signed_in_answers_are_private_and_never_304(editor_client, world):
    response = editor_client.get("/")
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert api.get("/api/v1/topics/").has_header("ETag") is False


def test_two_databases_at_one_version_never_share_a_cached_rendering(db, settings):
    # A copy of the record, a staging site or a test run may reach the same
    # version number while sharing one Redis under one key prefix.
    from positions import cache

    assert cache.cached("a-page", ("same",), lambda: "this record's") == "this record's"
    assert cache.cached("a-page", ("same",), lambda: "recomputed") == "this record's"
    default = settings.DATABASES["default"]
    settings.DATABASES = {**settings.DATABASES, "default": {**default, "NAME": "another"}}
    assert cache.cached("a-page", ("same",), lambda: "the other's") == "the other's"


def test_a_lists_count_is_asked_once_per_version_and_never_stale(
    client, world, make, editor, django_assert_num_queries
):
    """The quotes' and sources' pages count their list once until the next
    write (positions.cache.CountedOncePerVersion): a tool paging through a
    million quotes no longer counts them for every page."""
    make.quote(text="Second words", source=make.source(publisher="Other Wire"))
    narrower = {
        "/api/v1/quotes/": {"source": world.quote.source_id},
        "/api/v1/sources/": {"publisher": "Test"},
    }
    for url, only_the_first in narrower.items():
        whole = client.get(url).json()  # counted
        with django_assert_num_queries(3):  # the version, the page's ids, its rows
            first = client.get(url, {"page_size": 1}).json()
        second = client.get(url, {"page_size": 1, "page": 2}).json()
        assert first["count"] == second["count"] == whole["count"] == 2
        assert first["results"] + second["results"] == whole["results"]
        # Another filter is another count: the version, the count, the ids, the rows.
        with django_assert_num_queries(4):
            assert client.get(url, only_the_first).json()["count"] == 1

    # A write through the API moves the version: the next answer counts again.
    api = APIClient()
    api.force_authenticate(editor)
    added = api.post(
        "/api/v1/sources/",
        {"publisher": "Wire", "title": "Third", "url": "https://example.org/third"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert client.get("/api/v1/sources/").json()["count"] == 3
    make.quote(text="Third words")
    assert client.get("/api/v1/quotes/").json()["count"] == 3
