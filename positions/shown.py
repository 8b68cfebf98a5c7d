"""What a cell shows of a statement, read as plain values in one query.

A page draws hundreds or thousands of statements; making model instances of
them was a third of its time. ``positions.rule`` decides with these values;
the few statements a page lists in full get their evidence from
``rule.with_evidence``."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from actors.models import Actor
from sources.models import Quote

from .models import Position, Stance

# A stance's label by its value ("Supports"), for pages that write hundreds.
STANCE_LABELS = dict(Stance.choices)


class Named(NamedTuple):
    name: str
    slug: str = ""


class ShownQuote(NamedTuple):
    speaker_name: str
    text: str
    said_on: dt.date | None = None
    said_on_precision: str = "day"


class CellPosition(NamedTuple):
    """A published position as a matrix cell or a timeline marker shows it,
    read as plain values: its stance and date, who it is about, who spoke
    and said what, and who claimed. It answers the attributes of
    :class:`Position` that ``resolve``, a cell and a marker use; a page has
    hundreds or thousands, and making model instances of them (five per
    statement, with the joined rows) was a third of the page's time. The
    few statements a page lists in full get their evidence from
    ``rule.with_evidence``."""

    pk: int
    topic_id: int
    stance: str
    as_of: dt.date
    attribution: str
    claimant_id: int | None
    actor: Named
    claimant: Named | None
    quote: ShownQuote
    responds_to_id: int | None = None
    response_kind: str = ""
    source_id: int | None = None  # the quote's source, for the API's records

    def get_stance_display(self) -> str:
        return Stance(self.stance).label


# What a cell shows of a statement chosen as ``cs`` (columns id, position_id,
# subject_id, rank and role_id of ``CellStatement``), read by shown_statement.
SHOWN_COLUMNS = (
    "cs.id, cs.subject_id, cs.rank, cs.role_id, p.id, p.topic_id, p.stance, p.as_of, "
    "p.attribution, p.claimant_id, a.name, cl.name, "
    "CASE WHEN q.speaker_id IS NULL THEN q.speaker_label ELSE sp.name END, q.text, "
    "q.said_on, q.said_on_precision, p.responds_to_id, p.response_kind, "
    # For the API's records (positions.api.statements): read from rows joined
    # anyway, they spare it joining every statement's position and quote again.
    "a.slug, cl.slug, q.source_id"
)


def shown_joins(join: str = "JOIN") -> str:
    """From a chosen statement ``cs`` to what its cell shows: each an index
    probe by id, whatever the size of the record."""
    position, actor, quote = Position._meta.db_table, Actor._meta.db_table, Quote._meta.db_table
    return (
        f"{join} {position} p ON p.id = cs.position_id "
        f"{join} {actor} a ON a.id = p.actor_id "
        f"LEFT JOIN {actor} cl ON cl.id = p.claimant_id "
        f"{join} {quote} q ON q.id = p.quote_id "
        f"LEFT JOIN {actor} sp ON sp.id = q.speaker_id"
    )


def shown_sql(chosen_sql: str) -> str:
    """The statements that ``chosen_sql`` selects (as the columns id,
    position_id, subject_id, rank and role_id of ``CellStatement``), with what
    a cell shows of them, in one query."""
    return (
        f"WITH chosen AS MATERIALIZED ({chosen_sql}) "
        f"SELECT {SHOWN_COLUMNS} FROM chosen cs {shown_joins()}"
    )


def to_date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text
