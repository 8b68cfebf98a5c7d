"""The API's reads written from plain values say exactly what the serializers
(the schema's word) say: on the whole record, with its drafts, retractions,
answers and translations, and on synthetic data; and through the endpoints,
page by page, with filters, for readers and for editors."""

import datetime as dt
import json
import time

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from positions import synthetic
from positions.api.reading import positions_data
from positions.api.serializers import PositionSerializer
from positions.models import Position, Status
from positions.seeding import load_seed

pytestmark = pytest.mark.django_db


def plain(data):
    """What a client reads: the JSON, parsed."""
    return json.loads(JSONRenderer().render(data))


def serialized(positions):
    queryset = positions.select_related(
        "actor", "topic", "claimant", "quote__source", "quote__speaker"
    ).prefetch_related("conditions")
    return plain(PositionSerializer(queryset, many=True).data)


def test_every_position_of_the_record_reads_as_the_serializer_says():
    load_seed()
    positions = Position.objects.order_by("-id")
    assert positions.count() > 150
    # Drafts and retractions too, which editors read.
    assert set(positions.values_list("status", flat=True)) >= {Status.PUBLISHED}
    assert plain(positions_data(positions.values_list("pk", flat=True))) == serialized(positions)


def test_synthetic_positions_read_as_the_serializer_says():
    synthetic.generate(positions=400, seed=11, countries=15)
    positions = Position.objects.order_by("-id")
    statuses = set(positions.values_list("status", flat=True))
    assert {Status.PUBLISHED, Status.DRAFT, Status.RETRACTED} <= statuses
    assert plain(positions_data(positions.values_list("pk", flat=True))) == serialized(positions)


@pytest.fixture
def clock_in_tokyo(monkeypatch):
    """The machine's own local time elsewhere than UTC: a naive datetime
    taken for local time would show."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("zone", ["Europe/Kyiv", "America/New_York"])
def test_dates_and_times_read_as_the_serializer_writes_them_in_any_zone(zone, clock_in_tokyo):
    """Dates and datetimes are written from what the driver read (SQLite's
    naive datetimes are UTC, whatever the server's own clock says); in any
    zone they read as DRF writes them."""
    synthetic.generate(positions=60, seed=3, countries=6)
    positions = Position.objects.order_by("-id")
    # Times with and without a fraction of a second.
    Position.objects.filter(pk=positions[0].pk).update(
        created_at=dt.datetime(2025, 3, 1, 23, 30, tzinfo=dt.UTC)
    )
    with timezone.override(zone):
        found = plain(positions_data(positions.values_list("pk", flat=True)))
        assert found == serialized(positions)
    assert found[0]["created_at"].startswith("2025-03-0")
    assert not found[0]["created_at"].endswith("Z")
    assert plain(positions_data(positions.values_list("pk", flat=True))) == serialized(positions)
    assert found[1]["created_at"] != plain(positions_data([positions[1].pk]))[0]["created_at"]


def test_the_endpoints_answer_as_the_serializer_says(editor_client):
    load_seed()
    client = Client()
    published = Position.objects.published().order_by("-id")
    first = client.get("/api/v1/positions/?page_size=40").json()
    assert first["results"] == serialized(published[:40])
    second = client.get(first["next"]).json()
    assert second["results"] == serialized(published[40:80])

    filtered = client.get("/api/v1/positions/?topic=own-troops&stance=opposes").json()
    wanted = published.filter(topic__slug="own-troops", stance="opposes")
    assert filtered["results"] == serialized(wanted) and wanted.exists()

    answer = Position.objects.filter(responds_to__isnull=False, status=Status.PUBLISHED).first()
    one = client.get(f"/api/v1/positions/{answer.pk}/")
    assert one.json() == serialized(Position.objects.filter(pk=answer.pk))[0]
    assert one["ETag"] == f'"{answer.pk}-{answer.updated_at.timestamp():.6f}"'

    # An editor reads the drafts a reader may not.
    draft = Position.objects.exclude(status=Status.PUBLISHED).first()
    if draft is None:
        draft = Position.objects.first()
        draft.status = Status.DRAFT
        draft.save()
    assert client.get(f"/api/v1/positions/{draft.pk}/").status_code == 404
    read = editor_client.get(f"/api/v1/positions/{draft.pk}/").json()
    assert read == serialized(Position.objects.filter(pk=draft.pk))[0]


def test_a_page_is_the_same_few_queries_however_long(client, django_assert_max_num_queries):
    synthetic.generate(positions=300, seed=5, countries=10)
    # The version, the page's ids, the positions, their conditions, their cells.
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/positions/?page_size=200").json()["results"]) == 200
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/positions/?page_size=10").json()["results"]) == 10


def every_page(client, url):
    answers, next_url = [], url
    while next_url:
        page = client.get(next_url).json()
        answers += page["results"]
        next_url = page["next"]
    return answers


@pytest.mark.parametrize("synthetic_too", [False, True])
def test_sources_quotes_and_actors_read_as_their_serializers_say(editor_client, synthetic_too):
    from actors.api import ActorSerializer, with_current_roles
    from actors.models import Actor
    from positions.visibility import public_quotes, public_sources
    from sources.api import QuoteSerializer, SourceSerializer
    from sources.models import Quote, Source

    load_seed()
    if synthetic_too:
        synthetic.generate(positions=300, seed=13, countries=12)
    reader = Client()
    sources = public_sources(
        Source.objects.order_by(F("published_on").desc(nulls_last=True), "-pk")
    )
    assert every_page(reader, "/api/v1/sources/?page_size=37") == plain(
        SourceSerializer(sources, many=True).data
    )
    quotes = public_quotes(Quote.objects.select_related("source", "speaker")).order_by(
        "source_id", "pk"
    )
    assert every_page(reader, "/api/v1/quotes/?page_size=41") == plain(
        QuoteSerializer(quotes, many=True).data
    )
    # Editors see the drafts' quotes too.
    everything = Quote.objects.select_related("source", "speaker").order_by("source_id", "pk")
    assert every_page(editor_client, "/api/v1/quotes/?page_size=200") == plain(
        QuoteSerializer(everything, many=True).data
    )
    actors = with_current_roles(Actor.objects.order_by("name", "pk"))
    assert every_page(reader, "/api/v1/actors/?page_size=29") == plain(
        ActorSerializer(actors, many=True).data
    )
    states = with_current_roles(Actor.objects.states().order_by("name", "pk"))
    assert every_page(reader, "/api/v1/actors/?kind=state&page_size=50") == plain(
        ActorSerializer(states, many=True).data
    )


def test_statements_read_as_their_positions_say():
    """A statement in the matrix, timeline and history answers (statement_records)
    says what its CellStatement and position say, read whole by the ORM: on
    the record, whose statements answer, claim and speak through offices."""
    from positions.api.statements import StatementSerializer, statement_records
    from positions.models import CellStatement
    from positions.rule import END_OF_RECORD, statements

    load_seed()
    found = statements(on=END_OF_RECORD, evidence=False)
    records = statement_records(found)
    rows = CellStatement.objects.select_related(
        "role", "position__actor", "position__claimant", "position__quote__source"
    ).prefetch_related("position__conditions")
    assert len(records) == len(found) == rows.count()
    assert any(r["claimant"] for r in records.values())
    assert any(r["office"] for r in records.values())
    assert any(r["responds_to"] for r in records.values())
    for row in rows:
        p, quote = row.position, row.position.quote
        expected = {
            "position": p.pk,
            "stance": p.stance,
            "as_of": p.as_of,
            "attribution": p.attribution,
            "rank": row.rank,
            "actor": p.actor.slug,
            "office": row.role.title if row.role else None,
            "claimant": p.claimant.slug if p.claimant else None,
            "responds_to": p.responds_to_id,
            "response_kind": p.response_kind,
            "conditions": sorted(c.slug for c in p.conditions.all()),
            "quote": quote.text,
            "speaker": quote.speaker_name,
            "source": {
                "id": quote.source.pk,
                "publisher": quote.source.publisher,
                "title": quote.source.title,
                "url": quote.source.url,
                "published_on": quote.source.published_on,
            },
        }
        mine = {**records[row.pk], "conditions": sorted(records[row.pk]["conditions"])}
        assert mine == expected
        assert plain(StatementSerializer(mine).data) == plain(StatementSerializer(expected).data)
