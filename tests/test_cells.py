"""The matrix's index (CellStatement) follows every kind of write, and the
cached matrix is never stale after one."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actors.models import Actor, Role
from positions import cells, synthetic
from positions.cells import counted_in
from positions.matrix import MATRIX_PAGE_ROWS
from positions.models import (
    Attribution,
    CellLatest,
    CellStatement,
    Position,
    Response,
    Stance,
    Status,
)
from positions.seeding import load_seed

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2025, 1, 10), dt.date(2025, 2, 10), dt.date(2025, 3, 10)


def table() -> set[tuple]:
    return set(
        CellStatement.objects.values_list(
            "position_id", "subject_id", "topic_id", "as_of", "rank", "is_claim", "claimant_id",
            "role_id", "stance", "responds_to_id",
        )
    )  # fmt: skip


def latest() -> set[tuple]:
    return set(
        CellLatest.objects.values_list(
            "subject_id", "topic_id", "position_id", "as_of", "rank", "stance"
        )
    )


def assert_in_step():
    """What the writes left equals what a rebuild from scratch writes: the
    statements of each cell, and each cell's latest."""
    kept, kept_latest = table(), latest()
    cells.rebuild()
    assert kept == table()
    assert kept_latest == latest()


@pytest.fixture
def world(make):
    topic = make.topic()
    state = make.state("Freedonia", "FD")
    other = make.state("Sylvania", "SY")
    leader = make.official("Rufus Firefly")
    office = make.office(leader, state, title="President", start_date=JAN)
    own = make.position(actor=state, topic=topic, as_of=JAN)
    spoken = make.position(actor=leader, topic=topic, as_of=FEB, stance=Stance.OPPOSES)
    claim = make.position(
        actor=state,
        topic=topic,
        as_of=MAR,
        stance=Stance.CONDITIONAL,
        attribution=Attribution.CLAIM,
        claimant=other,
        speaker=other,
    )
    return {"topic": topic, "state": state, "other": other, "leader": leader, "office": office,
            "own": own, "spoken": spoken, "claim": claim}  # fmt: skip


def test_each_statement_counts_where_the_rule_says(world):
    w = world
    assert table() == {
        (w["own"].pk, w["state"].pk, w["topic"].pk, JAN, 0, False, None, None,
         Stance.SUPPORTS, None),
        (w["spoken"].pk, w["state"].pk, w["topic"].pk, FEB, 1, False, None, w["office"].pk,
         Stance.OPPOSES, None),
        (w["claim"].pk, w["state"].pk, w["topic"].pk, MAR, 0, True, w["other"].pk, None,
         Stance.CONDITIONAL, None),
    }  # fmt: skip
    assert_in_step()


def test_an_answer_carries_the_words_it_answers_in_the_index(world, make):
    """The rule reads which claim own words answer from the index itself
    (history.window_histories without words): answering, and taking the
    answer back, rewrite it there."""
    w = world
    answer = make.position(
        actor=w["leader"], topic=w["topic"], as_of=dt.date(2025, 4, 1), stance=Stance.OPPOSES,
        responds_to=w["claim"], response_kind=Response.DENIAL,
    )  # fmt: skip
    rows = CellStatement.objects.filter(position=answer)
    # The leader's words count for the state through the office.
    assert list(rows.values_list("subject_id", "responds_to_id")) == [
        (w["state"].pk, w["claim"].pk)
    ]
    assert_in_step()
    answer.responds_to, answer.response_kind = None, ""
    answer.save()
    assert list(rows.values_list("responds_to_id", flat=True)) == [None]
    assert_in_step()


def test_edits_to_positions_roles_quotes_and_actors_keep_it_in_step(world, make):
    w = world
    # Unpublishing takes a statement out; moving its date moves it.
    w["spoken"].status = Status.DRAFT
    w["spoken"].save()
    assert not CellStatement.objects.filter(position=w["spoken"]).exists()
    w["own"].as_of = dt.date(2025, 1, 20)
    w["own"].save()
    assert_in_step()
    w["spoken"].status = Status.PUBLISHED
    w["spoken"].save()
    # The office ending before the words: they are the leader's own again.
    w["office"].end_date = dt.date(2025, 2, 1)
    w["office"].save()
    assert not CellStatement.objects.filter(position=w["spoken"]).exists()
    assert_in_step()
    # The office handed to someone else, then deleted.
    successor = make.official("Chicolini")
    w["office"].holder = successor
    w["office"].end_date = None
    w["office"].save()
    assert_in_step()
    w["office"].delete()
    assert_in_step()
    # A state turned organisation keeps its row; an official has none.
    w["state"].kind = Actor.Kind.OFFICIAL
    w["state"].iso_code = ""
    w["state"].save()
    assert not CellStatement.objects.filter(subject=w["state"]).exists()
    assert_in_step()


def test_each_cells_latest_statement_follows_publishing_and_deleting(world, make):
    w = world
    cell = (w["state"].pk, w["topic"].pk)
    # The leader's words (February) are the latest; the March claim sets no stance.
    assert latest() == {(*cell, w["spoken"].pk, FEB, 1, Stance.OPPOSES)}
    later = make.position(actor=w["state"], topic=w["topic"], as_of=MAR, stance=Stance.HOSTILE)
    assert latest() == {(*cell, later.pk, MAR, 0, Stance.HOSTILE)}
    later.status, later.correction_note = Status.RETRACTED, "Misread."
    later.save()
    assert latest() == {(*cell, w["spoken"].pk, FEB, 1, Stance.OPPOSES)}
    # Deleting a position or the office its words counted through.
    w["office"].delete()
    assert latest() == {(*cell, w["own"].pk, JAN, 0, Stance.SUPPORTS)}
    w["own"].delete()
    assert latest() == set()
    assert_in_step()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_writers_to_one_cell_leave_its_latest_right(make):
    """A newer statement still uncommitted while an older one is written to
    the same cell: the second writer waits for the first, then finds both,
    rather than failing on the cell's row or keeping the older statement."""
    from django.db import transaction

    topic, state = make.topic(), make.state("Freedonia", "FD")
    quotes = {day: make.quote(speaker=state, said_on=day) for day in (FEB, MAR)}
    first_written, errors = threading.Event(), []

    def write(day, wait_for=None):
        try:
            with transaction.atomic():
                if wait_for:
                    wait_for.wait(timeout=10)
                Position.objects.create(
                    actor=state, topic=topic, as_of=day, stance=Stance.SUPPORTS,
                    attribution=Attribution.OWN, status=Status.PUBLISHED, quote=quotes[day],
                )  # fmt: skip
                if not wait_for:
                    first_written.set()
                    time.sleep(0.5)  # the other writer reaches the cell meanwhile
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(MAR,)),
        threading.Thread(target=write, args=(FEB, first_written)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    march = Position.objects.get(quote=quotes[MAR])
    assert latest() == {(state.pk, topic.pk, march.pk, MAR, 0, Stance.SUPPORTS)}
    assert_in_step()


def test_a_spokespersons_rank_follows_the_quotes_speaker(world, make):
    w = world
    spokesman = make.official("Spokesman")
    make.office(spokesman, w["state"], rank=Role.Rank.SPOKESPERSON, title="Spokesman")
    position = make.position(
        actor=w["state"],
        topic=w["topic"],
        as_of=MAR,
        attribution=Attribution.SPEAKING_FOR,
        speaker=spokesman,
    )
    assert CellStatement.objects.get(position=position).rank == Role.Rank.SPOKESPERSON
    quote = position.quote
    quote.speaker = w["leader"]
    quote.save()
    assert CellStatement.objects.get(position=position).rank == Role.Rank.HEAD
    assert_in_step()


def test_a_write_makes_the_cached_matrix_stale_at_once(world, client):
    w = world
    url = reverse("positions:matrix")
    first = client.get(url).content.decode()
    assert 'class="cell stance-opposes' in first
    # Served from the cache: no query touches the statements.
    again = client.get(url)
    assert again.content.decode() == first
    w["spoken"].stance = Stance.SUPPORTS
    w["spoken"].save()
    after = client.get(url).content.decode()
    assert after != first
    assert 'class="cell stance-opposes' not in after
    assert 'class="cell stance-supports' in after


def test_the_cached_matrix_costs_no_statement_query(world, client, django_assert_num_queries):
    url = reverse("positions:matrix")
    client.get(url)
    # The record's version; the whole page comes from the cache.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def _api_stance(url: str, body: dict, slug: str) -> str:
    """Freedonia's stance in an API matrix or changes answer."""
    if "rows" in body:
        (row,) = [row for row in body["rows"] if row["actor"]["slug"] == slug]
        return row["cells"][0]["stance"]
    (change,) = [change for change in body["changes"] if change["actor"]["slug"] == slug]
    return change["after"]


@pytest.mark.parametrize("url", ["/api/v1/matrix/", "/api/v1/changes/?since=2025-01-01"])
def test_the_api_serves_its_cached_json_until_a_write(
    world, client, url, django_assert_num_queries
):
    w = world
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert _api_stance(url, first.json(), w["state"].slug) == Stance.OPPOSES
    # A hit: the record's version, then the stored bytes.
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.content == first.content
    w["spoken"].stance = Stance.SUPPORTS
    w["spoken"].save()
    assert _api_stance(url, client.get(url).json(), w["state"].slug) == Stance.SUPPORTS


def test_the_matrix_shows_its_rows_a_page_at_a_time(make, client):
    topic = make.topic()
    make.countries(topic, MATRIX_PAGE_ROWS + 5)
    url = reverse("positions:matrix")
    first = client.get(url)
    page = first.content.decode()
    assert f"Rows 1–{MATRIX_PAGE_ROWS} of {MATRIX_PAGE_ROWS + 5}" in page
    assert 'href="?page=2"' in page
    second = client.get(url, {"page": 2}).content.decode()
    assert f"Rows {MATRIX_PAGE_ROWS + 1}–{MATRIX_PAGE_ROWS + 5} of" in second
    shown = {row.actor.pk for _, rows, *_ in first.context["sections"] for row in rows}
    assert len(shown) == MATRIX_PAGE_ROWS
    beyond = client.get(url, {"page": 3})
    assert beyond.status_code == 404
    assert "There is no page 3" in beyond.content.decode()
    assert client.get(url, {"page": "0"}).status_code == 400


def test_the_version_moves_with_every_write_and_only_when_it_commits(world, make):
    from django.db import transaction

    from positions import cache

    before = cache.version()
    make.topic()
    assert cache.version() > before
    moved = cache.version()
    with pytest.raises(RuntimeError), transaction.atomic():
        make.topic()
        raise RuntimeError("rolled back")
    assert cache.version() == moved


def test_export_leaves_out_what_is_derived(world):
    from positions.management.commands.export_data import exported_models
    from positions.models import RecordVersion

    assert not {CellStatement, CellLatest, RecordVersion} & set(exported_models())


def test_where_published_positions_count_is_read_from_the_index_as_worked_out(db):
    """``counted_in`` reads published positions from the table this module
    keeps; it says what working the rule out says, drafts worked out."""
    load_seed()
    synthetic.generate(positions=300, seed=8, countries=10)
    published = set(Position.objects.published().values_list("pk", flat=True))
    ids = list(Position.objects.values_list("pk", flat=True))
    worked_out = counted_in(ids)
    # Officials counting through their offices, and claims, are among them.
    found = [cell for cells in worked_out.values() for cell in cells]
    assert any(cell.office for cell in found) and any(cell.is_claim for cell in found)
    with CaptureQueriesContext(connection) as queries:
        read = counted_in(ids, published=published)
    assert read == worked_out
    assert len(queries) == 2  # the published from the index, the rest worked out
    with CaptureQueriesContext(connection) as queries:
        assert counted_in(published, published=published) == {
            pk: worked_out[pk] for pk in published
        }
    assert len(queries) == 1
