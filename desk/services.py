"""One article in one write: its source and stored text, the quotes, any
people the record lacked (with their offices), and the positions, through
the same write service as the admin and the API. A refused statement
leaves nothing of the article behind."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from actors.models import Actor, Role
from actors.names import name_key, unique_slug
from config.validation import errors_by_field
from positions import services
from positions.models import Condition, Position, Status, Topic
from sources.models import Quote, Source


@dataclass
class NewActor:
    """Someone the record lacks, created with the article: a person, and
    the office they hold in a state or organisation when one is given."""

    name: str
    kind: str = Actor.Kind.OFFICIAL
    title: str = ""
    organisation: Actor | None = None
    rank: int | None = None


@dataclass
class Statement:
    quote: str
    actor: Actor | NewActor
    topic: Topic
    stance: str
    attribution: str
    speaker: Actor | NewActor | None = None  # None: the outlet's own sentence
    speaker_label: str = ""
    claimant: Actor | NewActor | None = None
    said_on: dt.date | None = None
    precision: str = Quote.Precision.DAY
    conditions: list[Condition] = field(default_factory=list)
    summary: str = ""
    publish: bool = False
    # An office the article gives a speaker the record already has: (title, in, rank).
    speaker_office: tuple[str, Actor, int | None] | None = None


@dataclass
class Entered:
    source: Source
    quotes: list[Quote]
    positions: list[Position]
    actors: list[Actor]


class Rejected(Exception):
    """What stopped the article, by part: ``source`` field errors, and each
    statement's errors under its index."""

    def __init__(self, source: dict | None = None, statements: dict | None = None):
        super().__init__(source, statements)
        self.source = source or {}
        self.statements = statements or {}


def stance_date(said_on: dt.date | None, precision: str, published: dt.date | None):
    """When a stance counts from: a month- or year-precise quote's from the
    end of that month or year (only then is it certain the words were said),
    never after the source's publication."""
    if said_on is None:
        return published
    if precision == Quote.Precision.MONTH:
        end = said_on.replace(day=calendar.monthrange(said_on.year, said_on.month)[1])
    elif precision == Quote.Precision.YEAR:
        end = dt.date(said_on.year, 12, 31)
    else:
        return said_on
    return min(end, published) if published else end


@transaction.atomic
def enter_article(
    *,
    user,
    statements: list[Statement],
    source: Source | None = None,
    new_source: dict | None = None,
) -> Entered:
    if (source is None) == (new_source is None):
        raise Rejected({"__all__": ["Give the article's source."]})
    if source is None:
        source = Source(**new_source)
        try:
            source.full_clean()
        except ValidationError as error:
            raise Rejected(source=errors_by_field(error)) from error
        source.save()
    made: dict[str, Actor] = {}
    quotes: dict[str, Quote] = {}
    positions: list[Position] = []
    errors: dict[int, dict] = {}
    for index, statement in enumerate(statements):
        try:
            with transaction.atomic():
                positions.append(_enter(user, source, statement, made, quotes))
        except (services.InvalidInput, services.Refused, ValidationError) as error:
            errors[index] = _errors(error)
    if errors:
        # Every statement is checked before anything is kept: the editor sees all at once.
        transaction.set_rollback(True)
        raise Rejected(statements=errors)
    return Entered(source, list(quotes.values()), positions, list(made.values()))


def _enter(user, source, statement: Statement, made, quotes) -> Position:
    speaker = _actor(statement.speaker, made, statement.said_on or source.published_on)
    if isinstance(statement.speaker, Actor) and statement.speaker_office:
        _office(statement.speaker, *statement.speaker_office)
    actor = _actor(statement.actor, made, statement.said_on or source.published_on)
    claimant = _actor(statement.claimant, made, statement.said_on or source.published_on)
    quote = quotes.get(statement.quote)
    if quote is None:
        quote = Quote(
            source=source,
            text=statement.quote,
            speaker=speaker,
            speaker_label="" if speaker else (statement.speaker_label or source.publisher),
            said_on=statement.said_on,
            said_on_precision=statement.precision,
        )
        quote.full_clean()
        quote.save()
        quotes[statement.quote] = quote
    return services.record_position(
        user=user,
        actor=actor,
        topic=statement.topic,
        stance=statement.stance,
        quote=quote,
        attribution=statement.attribution,
        claimant=claimant,
        as_of=stance_date(quote.said_on, quote.said_on_precision, source.published_on),
        status=Status.PUBLISHED if statement.publish else Status.DRAFT,
        summary=statement.summary,
        conditions=statement.conditions,
    )


def _actor(value, made: dict[str, Actor], on: dt.date | None) -> Actor | None:
    if value is None or isinstance(value, Actor):
        return value
    key = name_key(value.name)
    if key in made:
        return made[key]
    actor = Actor(name=value.name.strip(), kind=value.kind, slug=unique_slug(value.name, Actor))
    actor.full_clean()
    actor.save()
    if value.title and value.organisation is not None:
        role = Role(
            holder=actor,
            organisation=value.organisation,
            kind=Role.Kind.OFFICE,
            title=value.title,
            speaks_for_rank=value.rank,
            # The article shows the office held on this date; when it began is not known.
            start_date=None,
        )
        role.full_clean()
        role.save()
    made[key] = actor
    return actor


def _office(holder: Actor, title: str, organisation: Actor, rank: int | None):
    """The office the article names, recorded when the record has no office
    of this person in that state or organisation at all (dates unknown)."""
    held = Role.objects.filter(holder=holder, organisation=organisation, kind=Role.Kind.OFFICE)
    if held.exists():
        return
    role = Role(
        holder=holder,
        organisation=organisation,
        kind=Role.Kind.OFFICE,
        title=title,
        speaks_for_rank=rank,
    )
    role.full_clean()
    role.save()


def _errors(error) -> dict:
    if isinstance(error, services.InvalidInput):
        return error.errors
    if isinstance(error, services.Refused):
        return {error.field or "__all__": [error.message]}
    return errors_by_field(error)
