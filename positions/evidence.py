"""Statements loaded whole, for the few a page lists in full among the many
it draws: each position with its actor, topic, claimant, quote, source,
speaker, the words it answers and its conditions, and the office it counts
through.

Read as plain values (three queries: the rows with their positions, quotes
and sources; the actors they name; the conditions; a fourth for the words
that answers among them answer) and made into model
instances directly, each row, source or actor once. The ORM's
``select_related`` over the same twelve tables built every related instance
of every row through ``Model.__init__``: a compare page's 200 statements
were 2,400 instances and 20 of its 30 ms of evidence at 1M positions. The
instances are the models' own (their methods and properties work); every
concrete column is loaded, so none is fetched later, but a source's stored
text: a statement shows the quote, never the article it came from, and each
source's whole text (often many kilobytes) was read with every statement
that cites it. Asked for, it is fetched as a deferred field is.
"""

from __future__ import annotations

import functools

from django.db import models
from django.db.models import Q
from django.db.models.base import ModelState

from actors.models import Actor, Role
from config.prepared import ByIds
from config.routers import reading
from sources.models import Quote, Source

from .models import CellStatement, Condition, Position, PositionCondition, Topic

# Each related instance a statement needs: (path from CellStatement, model,
# (path of the instance it hangs from, the field it fills there)).
RELATED = (
    ("role", Role, None),
    ("position", Position, None),
    ("position__topic", Topic, ("position", "topic")),
    ("position__quote", Quote, ("position", "quote")),
    ("position__quote__source", Source, ("position__quote", "source")),
)
# The words an answer answers (a denial's claim) are read in a query of their
# own, when some position answers any: two more joins cost every read 1.3 ms
# of PostgreSQL's planning at 1M positions, for rows most reads do not have.
# The actors they name (actor, claimant, speakers) are read in a query of
# their own: four more joins made PostgreSQL's planner weigh twelve tables'
# orders (5 ms, more than running the query), for rows found by id anyway.
NAMED = ((Position, ("actor", "claimant")), (Quote, ("speaker",)))
OWN = ("pk", "subject_id", "rank")


# Columns no statement shows, left unread (see above).
UNREAD = {Source: {"text"}}


def _columns(model) -> list[str]:
    unread = UNREAD.get(model, set())
    return [field.attname for field in model._meta.concrete_fields if field.attname not in unread]


COLUMNS = {
    model: _columns(model) for model in (Role, Position, Topic, Quote, Source, Actor, Condition)
}


def loaded(model, values, db: str) -> models.Model:
    """An instance of ``model`` from its concrete columns' ``values`` (in
    ``_meta.concrete_fields`` order), as a query would have made it."""
    instance = model.__new__(model)
    instance.__dict__.update(zip(COLUMNS[model], values, strict=True))
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = db
    return instance


@functools.cache
def _paths() -> tuple[list[str], list[tuple[str, type, int, int]]]:
    paths = list(OWN)
    spans = []
    for path, model, _ in RELATED:
        start = len(paths)
        paths.extend(f"{path}__{column}" for column in COLUMNS[model])
        spans.append((path, model, start, len(paths)))
    return paths, spans


@functools.cache
def _query():
    """The columns' joins, resolved once: for 140 columns over twelve
    tables that was a quarter of the time (each call filters a copy)."""
    return CellStatement.objects.values_list(*_paths()[0])


def evidenced_rows(which: Q) -> list[tuple[int, int, int, Role | None, Position]]:
    """``(row_id, subject_id, rank, role, position)`` for each CellStatement
    ``which`` selects, its position loaded whole."""
    rows = _query().filter(which)
    return _loaded_rows(rows, rows.db)


# Most reads are of CellStatements by id, their queries compiled once
# (config.prepared): compiling them was a fifth of a read of twenty.
_by_ids = ByIds(_query, lookup="any_of")
_actors_by_ids = ByIds(lambda: Actor.objects.values_list(*COLUMNS[Actor]), lookup="any_of")
_conditions_by_position = ByIds(
    lambda: PositionCondition.objects.order_by(
        *(f"condition__{name}" for name in Condition._meta.ordering), "condition_id"
    ).values_list("position_id", *(f"condition__{column}" for column in COLUMNS[Condition])),
    field="position_id",
    lookup="any_of",
)


def evidenced_by_ids(ids) -> list[tuple[int, int, int, Role | None, Position]]:
    """:func:`evidenced_rows` of the CellStatements with these ids."""
    return _loaded_rows(_by_ids(ids), reading().alias)


def _loaded_rows(rows, db: str) -> list[tuple[int, int, int, Role | None, Position]]:
    spans = _paths()[1]
    made: dict[tuple[type, int], models.Model] = {}
    result, positions = [], {}
    for values in rows:
        found: dict[str, models.Model | None] = {}
        for path, model, start, end in spans:
            pk = values[start]  # the first concrete column is the primary key
            if pk is None:
                found[path] = None
                continue
            key = (model, pk)
            if key not in made:
                made[key] = loaded(model, values[start:end], db)
            found[path] = made[key]
        for path, _, parent in RELATED:
            if parent is not None and found[parent[0]] is not None:
                found[parent[0]]._state.fields_cache[parent[1]] = found[path]
        position = found["position"]
        positions[position.pk] = position
        result.append((values[0], values[1], values[2], found["role"], position))
    _with_answered(positions, made, db)
    _with_actors(made, db)
    _with_conditions(positions, db)
    return result


def _with_answered(
    positions: dict[int, Position], made: dict[tuple[type, int], models.Model], db: str
) -> None:
    """The positions (with their quotes) that ``positions`` answer, in place;
    added to ``made``, so that their actors and speakers are read too."""
    wanted = {p.responds_to_id for p in positions.values() if p.responds_to_id}
    # A statement may answer another that the same read loaded.
    wanted -= {pk for model, pk in made if model is Position}
    if wanted:
        quote_columns = [f"quote__{column}" for column in COLUMNS[Quote]]
        split = len(COLUMNS[Position])
        answered = (
            Position.objects.using(db)
            .filter(pk__any_of=wanted)
            .values_list(*COLUMNS[Position], *quote_columns)
        )
        for values in answered:
            position = loaded(Position, values[:split], db)
            quote = made.get((Quote, values[split]))
            if quote is None:
                quote = made[Quote, values[split]] = loaded(Quote, values[split:], db)
            position._state.fields_cache["quote"] = quote
            made[Position, position.pk] = position
    for position in positions.values():
        answered_id = position.responds_to_id
        position._state.fields_cache["responds_to"] = answered_id and made[Position, answered_id]


def _with_actors(made: dict[tuple[type, int], models.Model], db: str) -> None:
    """The actors that the positions and quotes of ``made`` name, in place."""
    naming = [
        (instance, fields)
        for (model, _), instance in made.items()
        for named, fields in NAMED
        if model is named
    ]
    ids = {getattr(instance, f"{name}_id") for instance, fields in naming for name in fields} - {
        None
    }
    if not ids:
        return
    actors = {values[0]: loaded(Actor, values, db) for values in _actors_by_ids(ids)}
    for instance, fields in naming:
        for name in fields:
            pk = getattr(instance, f"{name}_id")
            instance._state.fields_cache[name] = None if pk is None else actors[pk]


def _with_conditions(positions: dict[int, Position], db: str) -> None:
    """Each position's conditions, in their model's order, where
    ``position.conditions.all()`` finds them (as prefetch_related leaves them)."""
    if not positions:
        return
    named: dict[int, list[Condition]] = {pk: [] for pk in positions}
    conditions: dict[int, Condition] = {}
    for position_id, *values in _conditions_by_position(positions):
        condition = conditions.get(values[0])
        if condition is None:
            condition = conditions[values[0]] = loaded(Condition, values, db)
        named[position_id].append(condition)
    for pk, position in positions.items():
        cached = models.QuerySet(Condition, using=db)
        cached._result_cache = named[pk]
        cached._prefetch_done = True
        position._prefetched_objects_cache = {"conditions": cached}
