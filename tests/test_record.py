"""The whole record as it ships (founding articles and the record built on
them): its evidence holds, its offices cover the words they count, and the
coverage page and API read it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from actors.models import Actor, Role
from positions.models import CellStatement, Position
from positions.seeding import load_seed, read_seed, record_size
from sources.models import Quote, Source
from sources.text import occurs_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(db):
    return load_seed()


def test_every_quote_occurs_in_its_stored_text(record):
    for quote in Quote.objects.select_related("source"):
        assert quote.source.text, quote.source
        assert occurs_in(quote.text, quote.source.text), quote.text


def test_every_source_says_where_it_was_seen(record):
    for source in Source.objects.all():
        assert source.url or source.editor_note, source
        # A source without a date of its own says how its quotes are dated.
        if source.published_on is None:
            assert "inferred" in source.editor_note, source


def test_every_counted_office_was_held_on_the_day(record):
    counted = CellStatement.objects.filter(role__isnull=False).select_related("role")
    assert counted.exists()
    for row in counted:
        assert row.role.is_held_on(row.as_of), (row.role, row.as_of)
        assert row.role.kind == Role.Kind.OFFICE


def test_a_translation_says_so_where_its_words_are_shown(client, record):
    quote = Quote.objects.get(text__startswith="Ma non prevediamo")
    assert quote.translation_note == "translated from Spanish by ANSA"
    spain = Position.objects.filter(quote=quote).first()
    page = client.get(
        reverse("positions:cell", args=["spain", "own-troops"]), {"as_of": "2024-12-20"}
    ).content.decode()
    assert spain.quote.text.split('"')[0] in page
    assert "(translated from Spanish by ANSA)" in page


def _statements(run) -> int:
    """How many SQL statements ``run()`` sends (all of them: the test
    client's capture keeps at most 9,000)."""
    sent = 0

    def count(execute, *args):
        nonlocal sent
        sent += 1
        return execute(*args)

    with connection.execute_wrapper(count):
        run()
    return sent


def test_the_record_is_loaded_once_and_quickly(db):
    loads = []
    first = _statements(lambda: loads.append(load_seed()))
    assert loads[0].changed
    # Loaded again, nothing changes and nothing is written.
    assert _statements(lambda: loads.append(load_seed())) < first / 5
    assert not loads[1].changed
    # The whole seed in a bounded number of statements (10,904 now,
    # ~4 s), not in seconds of a clock: a wall-clock bound failed whenever
    # the machine was busy. A change that makes loading the record cost
    # per row far more than it does trips this.
    assert first < 15_000


def test_load_seed_prints_what_the_record_holds(db, capsys):
    call_command("load_seed")
    size = record_size()
    data = read_seed()
    assert size.positions == len(data["positions"])
    assert size.sources == len(data["sources"])
    assert size.line() in capsys.readouterr().out
    assert size.line().startswith(f"The record: {size.states_heard} of {size.states} states")


class TestCoverage:
    def test_every_state_with_its_newest_statement_per_topic(self, client, record):
        response = client.get(reverse("positions:coverage"), {"as_of": "2025-03-01"})
        assert response.status_code == 200
        rows = {row.actor.slug: row for row in response.context["coverage"].rows}
        assert set(rows) == set(Actor.objects.states().values_list("slug", flat=True))
        spain = {c.topic.slug: c for c in rows["spain"].cells}
        assert spain["own-troops"].newest == dt.date(2024, 12, 19)
        assert not spain["own-troops"].stale
        assert spain["russian-veto"].newest is None
        assert [g.slug for g in rows["spain"].groups] == ["european-union", "nato"]
        # A claim is not the state speaking: Shea's about Denmark counts nowhere here.
        denmark = {c.topic.slug: c for c in rows["denmark"].cells}
        assert denmark["reassurance-force"].newest is None
        page = response.content.decode()
        assert "never" in page and "Coverage: who has spoken, and when" in page

    def test_stale_is_older_than_six_months(self, client, record):
        found = client.get(reverse("positions:coverage"), {"as_of": "2025-09-01"}).context[
            "coverage"
        ]
        spain = next(row for row in found.rows if row.actor.slug == "spain")
        own = next(c for c in spain.cells if c.topic.slug == "own-troops")
        assert (own.newest, own.stale) == (dt.date(2024, 12, 19), True)

    def test_group_and_order(self, client, record):
        found = client.get(
            reverse("positions:coverage"),
            {"as_of": "2025-03-01", "group": "g7", "sort": "oldest"},
        ).context["coverage"]
        slugs = [row.actor.slug for row in found.rows]
        assert set(slugs) == {
            "canada",
            "france",
            "germany",
            "italy",
            "japan",
            "united-kingdom",
            "united-states",
        }
        newest = [row.newest or dt.date.min for row in found.rows]
        assert newest == sorted(newest)

    def test_bad_input_is_a_400_with_a_message(self, client, record):
        response = client.get(reverse("positions:coverage"), {"as_of": "2025-02-30"})
        assert response.status_code == 400
        assert "“As of” must be a date written YYYY-MM-DD." in response.content.decode()
        response = client.get(reverse("positions:coverage"), {"sort": "shoe-size"})
        assert response.status_code == 400

    def test_the_api_says_the_same(self, client, record):
        body = client.get("/api/v1/coverage/", {"as_of": "2025-03-01", "group": "nato"}).json()
        page = client.get(
            reverse("positions:coverage"), {"as_of": "2025-03-01", "group": "nato"}
        ).context["coverage"]
        assert body["states"] == len(page.rows) == body["spoken"] + body["never"]
        assert [row["actor"]["slug"] for row in body["rows"]] == [
            row.actor.slug for row in page.rows
        ]
        spain = next(row for row in body["rows"] if row["actor"]["slug"] == "spain")
        assert {"topic": "own-troops", "newest": "2024-12-19", "stale": False} in spain["cells"]
        assert client.get("/api/v1/coverage/", {"group": "nowhere"}).status_code == 404
        assert client.get("/api/v1/coverage/", {"as_of": "soon"}).status_code == 400
        # An order that names nothing, blank or a lone space, is unknown like any other.
        for nothing in ("nowhere", "", "\u00a0", " "):
            assert client.get("/api/v1/coverage/", {"sort": nothing}).status_code == 404, nothing
        assert client.get("/api/v1/coverage/", {"sort": "own-troops"}).status_code == 200


def test_a_quote_ending_in_a_quotation_closes_once(client, record):
    from sources.text import quoted

    words = "would be “legitimate targets.”"
    assert quoted(words) == "“would be ‘legitimate targets.’”"
    assert quoted('a U.S. "backstop" such as') == "“a U.S. ‘backstop’ such as”"
    page = client.get(
        reverse("positions:cell", args=["russia", "reassurance-force"]), {"as_of": "2026-03-02"}
    ).content.decode()
    assert "would be ‘legitimate targets.’”</p>" in page
    assert "”</p>" in page and "””" not in page
