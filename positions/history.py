"""A cell's history and what changed between two dates, replayed from the
one rule (``positions.rule``) at every date on which statements were made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.db.models.expressions import RawSQL

from actors.models import Actor
from config.routers import reading

from .models import CellStatement, Topic
from .rule import (
    CLAIM,
    CellStance,
    Statement,
    among,
    as_of_from,
    by_cell,
    made_within,
    resolve,
    shown_where,
    statements,
    statements_by_cell,
)
from .shown import CellPosition, to_date


class HistoryEntry(NamedTuple):
    """A date on which statements were made in a cell, and the cell after them."""

    on: dt.date
    made: list[Statement]  # the statements made that day, highest weight first
    cell: CellStance  # the cell as of that day

    @property
    def stance(self) -> str | None:
        return self.cell.stance


def history_of(cell_statements: Iterable[Statement], *, subject_id: int, topic_id: int):
    """Every dated step of one cell, oldest first.

    Walked forward once: the cell after each date depends only on the own
    words of its latest date, each claimant's latest claim and the claims
    those words answer, the statements ``latest_candidates`` and
    ``answered_claims`` narrow the matrix to. Resolving the
    whole record up to every date was quadratic in the length of the record
    (a lane of a timeline has hundreds of dates)."""
    by_date: dict[dt.date, list[Statement]] = defaultdict(list)
    for statement in cell_statements:
        by_date[statement.position.as_of].append(statement)
    steps = []
    latest_own: list[Statement] = []
    since = dt.date.min  # the date of the latest own words: claims before it are spoken past
    claims: dict[int, Statement] = {}  # each claimant's latest claim
    every_claim: dict[int, Statement] = {}
    for day in sorted(by_date):
        made = by_date[day]
        own = [s for s in made if not s.is_claim]
        if own:
            latest_own, since = own, day
        if len(own) < len(made):
            for claim in made:
                if not claim.is_claim:
                    continue
                every_claim[claim.position.pk] = claim
                kept = claims.get(claim.position.claimant_id)
                if kept is None or claim.sort_key < kept.sort_key:
                    claims[claim.position.claimant_id] = claim
        # As latest_candidates narrows the matrix: the claims made since the
        # latest own words, and those the words answer, however old.
        current = [c for c in claims.values() if c.position.as_of >= since]
        answered = [
            every_claim[s.position.responds_to_id]
            for s in latest_own
            if s.position.responds_to_id in every_claim
        ]
        if answered:
            current = list({id(s): s for s in [*current, *answered]}.values())
        if len(made) > 1:
            made = sorted(made, key=lambda s: (s.is_claim, s.sort_key))
        cell = resolve([*latest_own, *current], subject_id=subject_id, topic_id=topic_id)
        steps.append(HistoryEntry(day, made, cell))
    return steps


def window_histories(
    *,
    subjects: Iterable[Actor | int],
    topics: Iterable[object],
    start: dt.date,
    end: dt.date,
    words: bool = True,
) -> dict[tuple[int, int], list[HistoryEntry]]:
    """Each cell's steps from ``start`` to ``end``, oldest first: first the cell
    as it stood on ``start`` (with no statements of its own, when it had a
    stance or claims then), then a step per date with statements after it.
    Bounded by the window, not by the length of the record: the state on
    ``start`` needs only the statements that decide it then. The statements
    are plain values (:class:`CellPosition`); the few a page lists in full
    get their evidence from :func:`with_evidence`. Without ``words``, the
    window's statements are read from the index alone (:func:`_unworded`):
    what the rule and a timeline's spans need, not what anybody said, which
    :func:`with_words` loads for the markers a timeline draws."""
    subject_ids = {getattr(s, "pk", s) for s in subjects}
    topic_ids = [getattr(t, "pk", t) for t in topics]
    in_window = (
        statements(on=end, after=start, subjects=subject_ids, topics=topic_ids, evidence=False)
        if words
        else _unworded(on=end, after=start, subject_ids=subject_ids, topic_ids=topic_ids)
    )
    grouped = by_cell(
        [
            *statements(
                on=start, subjects=subject_ids, topics=topic_ids, latest_only=True, evidence=False
            ),
            *in_window,
        ]
    )
    result = {}
    for (subject_id, topic_id), found in grouped.items():
        steps = [
            e for e in history_of(found, subject_id=subject_id, topic_id=topic_id) if e.on > start
        ]
        then = as_of_from(found, on=start, subject_id=subject_id, topic_id=topic_id)
        if then.current or then.claims:
            steps.insert(0, HistoryEntry(on=start, made=[], cell=then))
        result[subject_id, topic_id] = steps
    return result


# What the rule needs of a statement, all of it in the index: CellStatement's
# columns, in the order _unworded reads them.
UNWORDED = (
    "id", "subject_id", "rank", "role_id", "position_id", "topic_id", "stance", "as_of",
    "is_claim", "claimant_id", "responds_to_id",
)  # fmt: skip


def _unworded(
    *, on: dt.date, after: dt.date, subject_ids: set[int], topic_ids: list[int]
) -> list[Statement]:
    """The statements made after ``after`` up to ``on`` in these cells, from
    ``CellStatement`` alone, without a probe of their positions and quotes
    (two thirds of a dense timeline's query at 1M positions). Their
    positions carry no words, names or source, and an ``attribution`` that
    tells a claim from the rest and no more: what the rule reads of them."""
    if not subject_ids or not topic_ids:
        return []
    which = made_within(on=on, after=after, subject_ids=subject_ids, topic_ids=topic_ids)
    rows = CellStatement.objects.filter(which).values_list(*UNWORDED)
    # Read by the cursor, as shown_statements reads: the ORM's row-by-row
    # conversion took longer than the query.
    sql, params = rows.query.sql_with_params()
    with reading().cursor() as cursor:
        cursor.execute(sql, params)
        return [_unworded_statement(*row) for row in cursor.fetchall()]


def _unworded_statement(
    row_id, subject_id, rank, role_id, pk, topic_id, stance, as_of, claim, claimant_id, answers
) -> Statement:
    kind = CLAIM if claim else ""
    as_of = to_date(as_of)
    position = CellPosition(pk, topic_id, stance, as_of, kind, claimant_id, *NO_WORDS, answers)
    return Statement(subject_id, position, rank, None, role_id, row_id)


NO_WORDS = (None, None, None)  # a CellPosition's actor, claimant and quote


def with_words(found: Iterable[Statement]) -> dict[int, Statement]:
    """The same statements, keyed by ``row_id``, with what a cell shows of
    them (their words, speaker and names): one query, none for none."""
    ids = {s.row_id for s in found}
    if not ids:
        return {}
    return {s.row_id: s for s in shown_where(Q(pk__any_of=ids))}


class Stood(NamedTuple):
    """A cell's stance alone as of a date (None: no words of its own), what
    ``CellStance.stance`` gives: all the earlier side of a matrix comparison
    shows (``positions.totals.winning_stances`` reads it)."""

    stance: str | None


@dataclass(frozen=True)
class CellChange:
    """A cell whose stance differs between two dates, and what moved it. Its
    ``before`` is read for its ``stance`` alone."""

    subject_id: int
    topic_id: int
    before: CellStance | Stood
    after: CellStance
    moved_by: list[Statement]  # statements made in the period that set the new stance


def changes_in(
    grouped: dict[tuple[int, int], list[Statement]], *, start: dt.date, end: dt.date
) -> list[CellChange]:
    """The cells of ``grouped`` (statements loaded for ``end`` or later) whose
    stance as of ``end`` differs from their stance as of ``start``."""
    changes = []
    for (subject_id, topic_id), cell_statements in grouped.items():
        before = as_of_from(cell_statements, on=start, subject_id=subject_id, topic_id=topic_id)
        after = as_of_from(cell_statements, on=end, subject_id=subject_id, topic_id=topic_id)
        if before.stance != after.stance:
            moved_by = sorted(
                (s for s in cell_statements if start < s.position.as_of <= end),
                key=lambda s: (s.position.as_of, s.is_claim, s.rank),
            )
            changes.append(CellChange(subject_id, topic_id, before, after, moved_by))
    return changes


def changes_between(
    *,
    start: dt.date,
    end: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
) -> list[CellChange]:
    """The cells whose stance changed from ``start`` to ``end`` (``start`` first)."""
    grouped = statements_by_cell(on=end, subjects=subjects, topics=topics)
    return changes_in(grouped, start=start, end=end)


def steps_sql(on: dt.date, topic_ids: list[int] | None) -> RawSQL:
    """One row, (previous, following): the nearest dates before and after
    ``on`` on which a statement that counts in the matrix was made on
    ``topic_ids`` (every topic with None). Two index probes per topic."""
    table = CellStatement._meta.db_table
    params: list = [on, on]
    per_topic = (
        f"SELECT (SELECT x.as_of FROM {table} x WHERE x.topic_id = t.id AND x.as_of < %s "
        f"ORDER BY x.as_of DESC LIMIT 1) AS previous, "
        f"(SELECT x.as_of FROM {table} x WHERE x.topic_id = t.id AND x.as_of > %s "
        f"ORDER BY x.as_of LIMIT 1) AS following "
        f"FROM {Topic._meta.db_table} t WHERE 1 = 1" + among("t.id", topic_ids, params)
    )
    return RawSQL(f"SELECT MAX(previous), MIN(following) FROM ({per_topic}) per_topic", params)


def as_date(value) -> dt.date | None:
    # SQLite hands back a computed date (MAX of a date column) as its text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def neighbouring_dates(
    *, on: dt.date, topics: Iterable[object] | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The nearest dates before and after ``on`` on which a statement that
    counts in the matrix was made, for stepping through the record. One
    query (the matrix page has them from its own)."""
    steps = steps_sql(on, None if topics is None else [getattr(t, "pk", t) for t in topics])
    with reading().cursor() as cursor:
        cursor.execute(steps.sql, steps.params)
        previous, following = cursor.fetchone()
    return as_date(previous), as_date(following)
