"""Writes that touch several models, each atomic and validated by the models
themselves (``full_clean``), so the admin and the API accept the same data and
a refused request leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from actors.models import Actor
from config.validation import errors_by_field
from sources.models import Quote, Source

from .models import Attribution, Condition, Position, Status, Topic, status_move_error


class InvalidInput(Exception):
    """Validation errors keyed by field; a nested object's errors nest under its name."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def _clean(instance, *, at: tuple[str, ...] = ()):
    try:
        instance.full_clean()
    except ValidationError as error:
        errors = errors_by_field(error)
        for name in reversed(at):
            errors = {name: errors}
        raise InvalidInput(errors) from error


@transaction.atomic
def record_position(
    *,
    actor: Actor,
    topic: Topic,
    stance: str,
    quote: Quote | None = None,
    new_quote: dict | None = None,
    attribution: str = Attribution.OWN,
    claimant: Actor | None = None,
    as_of: dt.date | None = None,
    status: str = Status.DRAFT,
    summary: str = "",
    correction_note: str = "",
    conditions: Iterable[Condition] = (),
) -> Position:
    """A position on an existing ``quote``, or on a ``new_quote`` (with an
    existing ``source`` or a ``new_source``) written in the same transaction.
    ``as_of`` defaults to the quote's date, else its source's publication."""
    if error := status_move_error(None, status):
        raise InvalidInput({"status": [error]})
    if (quote is None) == (new_quote is None):
        raise InvalidInput({"quote": ["Give either an existing quote or a new quote, not both."]})
    if new_quote is not None:
        quote = _new_quote(**new_quote)
    if as_of is None:
        as_of = quote.said_on or quote.source.published_on
    position = Position(
        actor=actor,
        topic=topic,
        quote=quote,
        stance=stance,
        attribution=attribution,
        claimant=claimant,
        as_of=as_of,
        status=status,
        summary=summary,
        correction_note=correction_note,
    )
    _clean(position)
    position.save()
    position.conditions.set(conditions)
    return position


def _new_quote(*, source: Source | None = None, new_source: dict | None = None, **fields) -> Quote:
    if (source is None) == (new_source is None):
        raise InvalidInput(
            {"new_quote": {"source": ["Give either an existing source or a new source."]}}
        )
    if new_source is not None:
        source = Source(**new_source)
        _clean(source, at=("new_quote", "new_source"))
        source.save()
    quote = Quote(source=source, **fields)
    _clean(quote, at=("new_quote",))
    quote.save()
    return quote


@transaction.atomic
def update_position(
    *, position: Position, conditions: Iterable[Condition] | None = None, **changes
) -> Position:
    """Change some fields of ``position`` (and its conditions, when given)."""
    if "status" in changes and (error := status_move_error(position.status, changes["status"])):
        raise InvalidInput({"status": [error]})
    for name, value in changes.items():
        setattr(position, name, value)
    _clean(position)
    position.save()
    if conditions is not None:
        position.conditions.set(conditions)
    return position
