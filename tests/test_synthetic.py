"""The synthetic data set for benchmarks: deterministic, and valid by every
rule the models and the database enforce."""

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor, Role
from positions import synthetic
from positions.models import Attribution, Position, Status
from positions.rule import stances_as_of
from sources.models import Quote, Source

pytestmark = pytest.mark.django_db


def snapshot():
    """The set's content, without database ids."""
    return sorted(
        Position.objects.filter(topic__slug__startswith=synthetic.PREFIX).values_list(
            "actor__slug",
            "topic__slug",
            "quote__text",
            "quote__source__url",
            "stance",
            "attribution",
            "claimant__slug",
            "as_of",
            "status",
        )
    )


def test_every_record_passes_full_clean():
    report = synthetic.generate(positions=300, seed=7, countries=12)
    assert report.counts["positions"] == Position.objects.count() == 300
    assert report.counts["quotes"] == Quote.objects.count() == 300
    for model in (Actor, Role, Source, Quote, Position):
        for record in model.objects.all():
            record.full_clean()
    assert all(quote.is_verified for quote in Quote.objects.select_related("source"))
    attributions = set(Position.objects.values_list("attribution", flat=True))
    assert attributions == {Attribution.OWN, Attribution.REPORT, Attribution.CLAIM}
    assert Position.objects.filter(status=Status.PUBLISHED).count() > 270
    # Officials' words count for their states through their offices.
    cells = stances_as_of(on=synthetic.END)
    assert any(cell.current and cell.current.role for cell in cells.values())
    assert any(cell.claims for cell in cells.values())


def test_the_same_seed_gives_the_same_data():
    synthetic.generate(positions=200, seed=3)
    first = snapshot()
    synthetic.remove()
    assert not Position.objects.exists() and not Actor.objects.exists()
    synthetic.generate(positions=200, seed=3)
    assert snapshot() == first
    synthetic.remove()
    synthetic.generate(positions=200, seed=4)
    assert snapshot() != first


def test_command_refuses_to_stack_sets_and_leaves_the_seed_alone(seeded):
    seed_positions = Position.objects.count()
    call_command("generate_synthetic", positions=50, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_synthetic", positions=50)
    call_command("generate_synthetic", positions=80, replace=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Position.objects.count() == seed_positions + 80
    synthetic.remove()
    assert Position.objects.count() == seed_positions
    assert not Actor.objects.filter(slug__startswith=synthetic.PREFIX).exists()


def summary(cell):
    """What decides a cell, by position id (the same whether its positions
    are model instances or the plain values a matrix page reads)."""
    return (
        cell.stance,
        cell.position.pk if cell.position else None,
        sorted(s.position.pk for s in cell.conflicts),
        sorted(s.position.pk for s in cell.claims),
        cell.has_conflict,
    )


def test_the_narrowed_query_decides_every_cell_as_the_whole_record_does():
    """stances_as_of lets the database drop statements that cannot decide a
    cell; on a large varied set, every cell must come out as resolving the
    whole record would have it, at many dates."""
    import datetime as dt

    from positions.rule import resolve, statements_by_cell

    synthetic.generate(positions=3000, seed=11, countries=12)

    for on in [dt.date(2019, 3, 1), dt.date(2021, 7, 15), dt.date(2023, 1, 1), synthetic.END]:
        whole = {
            key: summary(resolve(found, subject_id=key[0], topic_id=key[1]))
            for key, found in statements_by_cell(on=on).items()
        }
        fast = {key: summary(cell) for key, cell in stances_as_of(on=on).items()}
        assert fast == whole, on
    assert any(conflicts for _, _, conflicts, _, _ in fast.values())
    assert any(claims for _, _, _, claims, _ in fast.values())


def test_the_matrix_page_query_gives_the_rows_and_cells_of_the_full_load():
    """The matrix page reads a page of rows and their cells in one query, as
    plain values (stance_matrix without evidence); page by page, with and
    without filters, it must show the rows, counts and cells that loading
    the positions with their evidence gives."""
    import datetime as dt

    from config.paging import PageOutOfRange
    from positions.matrix import stance_matrix
    from positions.models import Topic

    synthetic.generate(positions=3000, seed=5, countries=40)
    topics = list(Topic.objects.order_by("sort_order"))
    bloc = Actor.objects.filter(slug__startswith=synthetic.PREFIX, kind="organisation").first()
    views = [
        {"topics": topics},
        {"topics": topics[2:5], "kind": Actor.Kind.ORGANISATION},
        {"topics": topics, "group": bloc},
    ]
    compared = 0
    for on in [dt.date(2019, 6, 1), dt.date(2022, 2, 1), synthetic.END]:
        for params in views:
            page, pages = 1, 1
            while page <= pages:
                fast = stance_matrix(on=on, page=page, per_page=10, evidence=False, **params)
                full = stance_matrix(on=on, page=page, per_page=10, evidence=True, **params)
                assert [a.slug for a in fast.rows] == [a.slug for a in full.rows]
                assert (fast.row_count, fast.pages) == (full.row_count, full.pages)
                assert {k: summary(c) for k, c in fast.cells.items()} == {
                    k: summary(c) for k, c in full.cells.items()
                }
                compared += len(fast.cells)
                page, pages = page + 1, full.pages
    assert compared > 500
    with pytest.raises(PageOutOfRange, match="There is no page 99"):
        stance_matrix(on=synthetic.END, topics=topics, page=99, evidence=False)


def test_a_cells_history_walked_forward_matches_resolving_each_date():
    """history() keeps only what can decide the cell as it walks the dates;
    every step must come out as resolving the whole record up to that date."""
    from positions.history import history_of
    from positions.rule import as_of_from, statements_by_cell

    synthetic.generate(positions=3000, seed=3, countries=12)
    steps = 0
    for (subject_id, topic_id), found in statements_by_cell(on=synthetic.END).items():
        walked = history_of(found, subject_id=subject_id, topic_id=topic_id)
        days = sorted({s.position.as_of for s in found})
        assert [entry.on for entry in walked] == days
        for entry in walked:
            whole = as_of_from(found, on=entry.on, subject_id=subject_id, topic_id=topic_id)
            assert summary(entry.cell) == summary(whole), (subject_id, topic_id, entry.on)
            assert [s.position.pk for s in entry.cell.same_day] == [
                s.position.pk for s in whole.same_day
            ]
            assert {s.position.pk for s in entry.made} == {
                s.position.pk for s in found if s.position.as_of == entry.on
            }
        steps += len(walked)
    assert steps > 1000
