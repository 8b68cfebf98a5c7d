"""Statements loaded whole from plain values (positions.evidence) read as the
ORM's own loading of the same rows would: every column, every related
instance, the conditions in order, and nothing left to fetch later."""

import datetime as dt

from django.db.models import Q
from django.forms.models import model_to_dict

from positions.models import CellStatement, Position
from positions.rule import _evidenced


def _columns(instance, but=frozenset()) -> dict:
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in but
    }


def test_every_statement_reads_as_the_orms(seeded, django_assert_num_queries):
    rows = CellStatement.objects.select_related(
        "role",
        "position__actor",
        "position__topic",
        "position__claimant",
        "position__quote__source",
        "position__quote__speaker",
        "position__responds_to__quote__speaker",
    ).prefetch_related("position__conditions")
    expected = {row.pk: row for row in rows}
    with django_assert_num_queries(3):  # the rows, the actors they name, the conditions
        found = _evidenced(Q(pk__in=list(expected)))
    assert sorted(s.row_id for s in found) == sorted(expected)
    assert any(s.position.responds_to_id for s in found)
    assert any(s.role for s in found) and any(s.position.claimant_id for s in found)
    assert any(s.position.conditions.all() for s in found)
    with django_assert_num_queries(0):
        for statement in found:
            row = expected[statement.row_id]
            p, q = statement.position, row.position
            assert (statement.subject_id, statement.rank) == (row.subject_id, row.rank)
            assert statement.role_id == row.role_id
            assert _columns(statement.role) == _columns(row.role) if row.role else True
            assert _columns(p) == _columns(q)
            for name in ("actor", "topic", "claimant", "quote"):
                mine, theirs = getattr(p, name), getattr(q, name)
                assert (mine and _columns(mine)) == (theirs and _columns(theirs))
            assert p.quote.source.get_deferred_fields() == {"text"}
            assert _columns(p.quote.source, but={"text"}) == _columns(q.quote.source, but={"text"})
            assert p.quote.speaker_name == q.quote.speaker_name
            assert p.quote.is_verified == q.quote.is_verified
            assert p.as_of_display == q.as_of_display
            assert p.answer_display == q.answer_display
            assert [c.slug for c in p.conditions.all()] == [c.slug for c in q.conditions.all()]
            assert model_to_dict(p, exclude=["conditions"]) == model_to_dict(
                q, exclude=["conditions"]
            )
    # A source's stored text, which no statement shows, is read only when asked for.
    statement = found[0]
    with django_assert_num_queries(1):
        text = statement.position.quote.source.text
    assert text == expected[statement.row_id].position.quote.source.text


def test_the_words_an_answer_answers_are_read_beside_it(seeded, django_assert_num_queries):
    """Answers loaded without the words they answer: those words, their quote
    and its speaker come in a fourth query, as the ORM would show them."""
    answering = CellStatement.objects.filter(position__responds_to__isnull=False)
    answered = {row.position.responds_to_id for row in answering.select_related("position")}
    ids = list(answering.values_list("pk", flat=True))
    assert answered and ids
    with django_assert_num_queries(4):  # the rows, the words answered, actors, conditions
        found = _evidenced(Q(pk__in=ids))
    assert found and {s.position.pk for s in found}.isdisjoint(answered)
    with django_assert_num_queries(0):
        for statement in found:
            mine = statement.position
            assert mine.responds_to.pk == mine.responds_to_id
            assert mine.responds_to.quote.speaker_name
            assert mine.answer_display
    for statement in found:
        mine, theirs = statement.position, Position.objects.get(pk=statement.position.pk)
        assert _columns(mine.responds_to) == _columns(theirs.responds_to)
        assert _columns(mine.responds_to.quote) == _columns(theirs.responds_to.quote)
        assert mine.answer_display == theirs.answer_display


def test_a_position_named_twice_is_one_instance(db, make):
    """A state's and an organisation's cells can count the same words: the
    position is loaded once, its conditions with it."""
    topic, state = make.topic(), make.state("Testland", "TL")
    bloc = make.actor(name="Bloc", kind="organisation")
    leader = make.official("Leader")
    make.office(leader, state, title="President")
    make.office(leader, bloc, title="Chair")
    position = make.position(actor=leader, topic=topic, as_of=dt.date(2025, 1, 1))
    position.conditions.add(make.condition(name="A backstop"))
    first, second = _evidenced(Q(position=position))
    assert first.position is second.position
    assert {first.subject_id, second.subject_id} == {state.pk, bloc.pk}
    assert {first.role.title, second.role.title} == {"President", "Chair"}
    assert [c.name for c in first.position.conditions.all()] == ["A backstop"]
