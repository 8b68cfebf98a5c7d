"""The one rule: an actor's stance on a topic as of a date.

DESIGN.md, "Semantics": the most recent published position on or before D by
the state (or organisation) itself or by an official whose office spoke for it
on the date the words were said; on the same date the higher-ranked office
wins (the actor's own words first, then head > minister > spokesperson >
other official, and an outlet's report below any direct words); third-party
claims never override the actor's own words but are returned beside them;
disagreeing statements of equal weight are reported as a conflict. Pages,
API and exports all call :func:`stances_as_of`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from operator import attrgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Subquery, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber

from actors.models import Actor, Role
from sources.models import Quote

from .cells import OWN_RANK  # noqa: F401  (pages build Statements at this rank)
from .models import Attribution, CellStatement, Position, PositionCondition, Stance, Topic

# Lower wins (ranks are written by ``positions.cells``): the actor's own words
# (0) beat any office (Role.Rank, 1-4), and an outlet's report without direct
# words ranks below all direct words, keeping the order of offices among them.
# Far enough ahead that a cell's whole record, later statements included, loads.
END_OF_RECORD = dt.date(9999, 12, 31)


class Statement(NamedTuple):
    """A published position, as it counts for one row of the matrix. A
    tuple, as cheap to make as a value can be: a page makes hundreds."""

    subject_id: int
    position: Position
    rank: int
    role: Role | None = None  # the office through which an official's words count
    role_id: int | None = None  # set even when the office itself was not loaded
    row_id: int | None = None  # its CellStatement, to load it again with its evidence

    @property
    def is_claim(self) -> bool:
        return self.position.attribution == Attribution.CLAIM

    @property
    def sort_key(self) -> tuple:
        # Latest date first, then highest rank, then the most recently entered.
        return (-self.position.as_of.toordinal(), self.rank, -self.position.pk)


@dataclass
class CellStance:
    """The stance of one actor on one topic as of a date."""

    subject_id: int
    topic_id: int
    current: Statement | None = None
    same_day: list[Statement] = field(default_factory=list)  # its other own words that day
    conflicts: list[Statement] = field(default_factory=list)
    claims: list[Statement] = field(default_factory=list)

    @property
    def position(self) -> Position | None:
        return self.current.position if self.current else None

    @property
    def stance(self) -> str | None:
        """The actor's own stance; a claim alone never sets it."""
        return self.current.position.stance if self.current else None

    @property
    def statements(self) -> list[Statement]:
        """Every statement the cell shows."""
        return [
            *([self.current] if self.current else []),
            *self.same_day,
            *self.conflicts,
            *self.claims,
        ]

    @property
    def has_conflict(self) -> bool:
        """Equal-weight statements disagree, or a claim contradicts the actor."""
        return bool(self.conflicts) or (
            self.current is not None
            and any(claim.position.stance != self.stance for claim in self.claims)
        )


def _among(column: str, ids, params: list) -> str:
    if ids is None:
        return ""
    ids = list(ids) or [0]
    params.extend(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})"


def _per_cell(condition: str, table: str) -> str:
    """A join of ``since b`` to the rows ``s`` of ``table`` that meet
    ``condition``, made one cell at a time. For thousands of cells,
    PostgreSQL otherwise sorts every claim in the record and merges (a
    whole-table read, 95 ms of 170 at 1M); a LATERAL subquery fenced by
    OFFSET 0 cannot be flattened back into that plan. SQLite has no LATERAL,
    and joins one cell at a time by index anyway."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL (SELECT * FROM {table} s WHERE {condition} OFFSET 0) s"
    return f"JOIN {table} s ON {condition}"


def _latest_candidates(
    on: dt.date,
    subject_ids: set[int] | None,
    topic_ids: list[int] | None,
    *,
    rows_from: str | None = None,
) -> RawSQL:
    """The only rows that can decide a cell as of ``on`` (their id,
    position_id, subject_id, rank and role_id): per (state or organisation,
    topic), the statements of its latest date (the stance, and what it
    conflicts with) and the claims made since the date before that (the
    claims still current beside it). Anything else,
    ``resolve`` would drop. Per cell that is two index probes and two short
    range scans, whatever the size of the record; only a cell with fewer
    than two dates of its own reads all its claims. With ``rows_from``, the
    rows are the ids of that table (a CTE of the enclosing query) instead."""
    table = CellStatement._meta.db_table
    cell_params: list = []
    if rows_from is None:
        rows_from = Actor._meta.db_table
        kinds = f"r.kind IN ('{Actor.Kind.STATE}', '{Actor.Kind.ORGANISATION}')"
    else:
        kinds = "1 = 1"
    cells = (
        f"SELECT r.id AS subject_id, t.id AS topic_id "
        f"FROM {rows_from} r CROSS JOIN {Topic._meta.db_table} t WHERE {kinds}"
        + _among("r.id", subject_ids, cell_params)
        + _among("t.id", topic_ids, cell_params)
    )
    columns = "s.id, s.position_id, s.subject_id, s.rank, s.role_id"
    # Own words of the latest date and claims made since the one before: per
    # cell one index range of each kind (own words from the date before the
    # latest, the only earlier ones the range holds), in one arm. (Two arms
    # of a UNION read the CTE twice, and SQLite then built a Bloom filter over
    # the whole table for the second, 40 ms at 1M. A column, not a COALESCE,
    # for the start, or the planner prices the claims as a scan of them all.)
    wanted = (
        "s.subject_id = b.subject_id AND s.topic_id = b.topic_id AND s.is_claim IN (%s, %s) "
        "AND s.as_of >= b.claims_from AND s.as_of <= %s AND (s.is_claim = %s OR s.as_of = b.last)"
    )
    # MATERIALIZED: computed once per cell. Inlined into the join below, the
    # planner ran both probes once per joined row instead (6 s at 1M).
    sql = (
        f"WITH cell AS MATERIALIZED ({cells}), "
        f"latest AS MATERIALIZED (SELECT c.subject_id, c.topic_id, "
        f"(SELECT MAX(x.as_of) FROM {table} x WHERE x.subject_id = c.subject_id "
        f"AND x.topic_id = c.topic_id AND x.is_claim = %s AND x.as_of <= %s) AS last "
        f"FROM cell c), "
        f"bounds AS MATERIALIZED (SELECT l.subject_id, l.topic_id, l.last, "
        f"(SELECT MAX(x.as_of) FROM {table} x WHERE x.subject_id = l.subject_id "
        f"AND x.topic_id = l.topic_id AND x.is_claim = %s AND x.as_of < l.last) AS before_last "
        f"FROM latest l), "
        f"since AS MATERIALIZED (SELECT subject_id, topic_id, last, "
        f"COALESCE(before_last, %s) AS claims_from FROM bounds) "
        f"SELECT {columns} FROM since b {_per_cell(wanted, table)}"
    )
    params = [*cell_params, False, on, False, dt.date.min, False, True, on, True]
    return RawSQL(sql, params)


class Named(NamedTuple):
    name: str


class ShownQuote(NamedTuple):
    speaker_name: str
    text: str


class CellPosition(NamedTuple):
    """A published position as a matrix cell or a timeline marker shows it,
    read as plain values: its stance and date, who it is about, who spoke
    and said what, and who claimed. It answers the attributes of
    :class:`Position` that ``resolve``, a cell and a marker use; a page has
    hundreds or thousands, and making model instances of them (five per
    statement, with the joined rows) was a third of the page's time. The
    few statements a page lists in full get their evidence from
    :func:`with_evidence`."""

    pk: int
    topic_id: int
    stance: str
    as_of: dt.date
    attribution: str
    claimant_id: int | None
    actor: Named
    claimant: Named | None
    quote: ShownQuote

    def get_stance_display(self) -> str:
        return Stance(self.stance).label


# What a cell shows of a statement chosen as ``cs`` (columns id, position_id,
# subject_id, rank and role_id of ``CellStatement``), read by _shown_statement.
_SHOWN_COLUMNS = (
    "cs.id, cs.subject_id, cs.rank, cs.role_id, p.id, p.topic_id, p.stance, p.as_of, "
    "p.attribution, p.claimant_id, a.name, cl.name, "
    "CASE WHEN q.speaker_id IS NULL THEN q.speaker_label ELSE sp.name END, q.text"
)


def _shown_joins(join: str = "JOIN") -> str:
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


def _shown_sql(chosen_sql: str) -> str:
    """The statements that ``chosen_sql`` selects (as the columns id,
    position_id, subject_id, rank and role_id of ``CellStatement``), with what
    a cell shows of them, in one query."""
    return (
        f"WITH chosen AS MATERIALIZED ({chosen_sql}) "
        f"SELECT {_SHOWN_COLUMNS} FROM chosen cs {_shown_joins()}"
    )


def _shown_statement(row) -> Statement:
    (
        row_id,
        subject_id,
        rank,
        role_id,
        pk,
        topic_id,
        stance,
        as_of,
        attribution,
        claimant_id,
        actor_name,
        claimant_name,
        speaker_name,
        text,
    ) = row
    position = CellPosition(
        pk=pk,
        topic_id=topic_id,
        stance=stance,
        as_of=as_of,
        attribution=attribution,
        claimant_id=claimant_id,
        actor=Named(actor_name),
        claimant=Named(claimant_name) if claimant_id else None,
        quote=ShownQuote(speaker_name, text),
    )
    return Statement(subject_id, position, rank, role_id=role_id, row_id=row_id)


def _shown_statements(chosen_sql: str, params: list) -> list[Statement]:
    """The statements ``chosen_sql`` selects, as :func:`_shown_sql` reads them."""
    with connection.cursor() as cursor:
        cursor.execute(_shown_sql(chosen_sql), params)
        return [_shown_statement(row) for row in cursor.fetchall()]


def statements(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
    latest_only: bool = False,
    after: dt.date | None = None,
    evidence: bool = True,
) -> list[Statement]:
    """Every published statement on or before ``on`` (and, with ``after``,
    later than that) that counts for a state or organisation, with the rank
    it counts at; with ``latest_only``, just those that can decide a cell as
    of ``on`` (enough for ``resolve``, not for a history). Without
    ``evidence``, only what a matrix cell shows (as :class:`CellPosition`),
    in one query; with it, positions with their source and conditions, in
    two or three."""
    subject_ids = None if subjects is None else {getattr(s, "pk", s) for s in subjects}
    topic_ids = None if topics is None else [getattr(t, "pk", t) for t in topics]
    if subject_ids == set() or topic_ids == []:
        return []
    if latest_only:
        candidates = _latest_candidates(on, subject_ids, topic_ids)
        if not evidence:
            return _shown_statements(candidates.sql, candidates.params)
        # The ids first, in a query of their own: as a subquery the planner
        # cannot see how few they are and joins by scanning (1 to 4 s at 1M).
        with connection.cursor() as cursor:
            cursor.execute(candidates.sql, candidates.params)
            rows = CellStatement.objects.filter(pk__in=[row[0] for row in cursor.fetchall()])
    else:
        rows = CellStatement.objects.filter(as_of__lte=on)
        if after is not None:
            rows = rows.filter(as_of__gt=after)
        if subject_ids is not None:
            rows = rows.filter(subject_id__in=subject_ids)
        if topic_ids is not None:
            rows = rows.filter(topic_id__in=topic_ids)
        if not evidence:
            chosen = rows.values("id", "position_id", "subject_id", "rank", "role_id")
            sql, params = chosen.query.sql_with_params()
            return _shown_statements(sql, params)
    return _evidenced(rows)


def _evidenced(rows) -> list[Statement]:
    rows = rows.select_related(
        "role",
        "position__actor",
        "position__topic",
        "position__claimant",
        "position__quote__source",
        "position__quote__speaker",
    ).prefetch_related("position__conditions")
    return [
        Statement(row.subject_id, row.position, row.rank, row.role, row.role_id, row.pk)
        for row in rows
    ]


def with_evidence(found: Iterable[Statement]) -> dict[int, Statement]:
    """The same statements, keyed by ``row_id``, with their positions loaded
    whole (source, speaker, conditions) and their offices: for the few that a
    page lists in full among the many it draws. Two queries; none for none
    (and no query built: a page without changes pays nothing)."""
    ids = {s.row_id for s in found}
    if not ids:
        return {}
    return {s.row_id: s for s in _evidenced(CellStatement.objects.filter(pk__in=ids))}


def evidenced(cell: CellStance, whole: dict[int, Statement]) -> CellStance:
    """``cell`` with its statements as ``whole`` (from :func:`with_evidence`
    on :meth:`CellStance.statements`) holds them."""

    def swap(found: list[Statement]) -> list[Statement]:
        return [whole[s.row_id] for s in found]

    return replace(
        cell,
        current=whole[cell.current.row_id] if cell.current else None,
        same_day=swap(cell.same_day),
        conflicts=swap(cell.conflicts),
        claims=swap(cell.claims),
    )


def resolve(cell_statements: Iterable[Statement], *, subject_id: int, topic_id: int) -> CellStance:
    """Apply the precedence rules to the statements of one cell."""
    cell = CellStance(subject_id=subject_id, topic_id=topic_id)
    own, claims = [], []
    for statement in cell_statements:
        (claims if statement.is_claim else own).append(statement)
    if own:
        own.sort(key=attrgetter("sort_key"))
        cell.current = best = own[0]
        cell.same_day = [s for s in own[1:] if s.position.as_of == best.position.as_of]
        cell.conflicts = [
            s
            for s in cell.same_day
            if s.rank == best.rank and s.position.stance != best.position.stance
        ]
    if not claims:
        return cell
    # A claim stays beside the stance while it is current: made no earlier
    # than the actor's statement before the current one. So an answer to a
    # claim (Peskov's to Trump's) is shown with the claim it answers, and a
    # claim the actor has since spoken past twice drops away.
    cutoff = None
    if cell.current is not None:
        current_date = cell.current.position.as_of
        cutoff = max(
            (s.position.as_of for s in own if s.position.as_of < current_date), default=None
        )
    latest_claims: dict[int, Statement] = {}
    for claim in sorted(claims, key=attrgetter("sort_key")):
        latest_claims.setdefault(claim.position.claimant_id, claim)
    cell.claims = [
        claim
        for claim in latest_claims.values()
        if cell.current is None or cutoff is None or claim.position.as_of >= cutoff
    ]
    return cell


def statements_by_cell(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
    latest_only: bool = False,
    evidence: bool = True,
) -> dict[tuple[int, int], list[Statement]]:
    """:func:`statements`, grouped by ``(actor_id, topic_id)`` cell."""
    return _by_cell(
        statements(
            on=on, subjects=subjects, topics=topics, latest_only=latest_only, evidence=evidence
        )
    )


def _by_cell(found: Iterable[Statement]) -> dict[tuple[int, int], list[Statement]]:
    grouped: dict[tuple[int, int], list[Statement]] = defaultdict(list)
    for statement in found:
        grouped[(statement.subject_id, statement.position.topic_id)].append(statement)
    return grouped


def stances_as_of(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
    evidence: bool = True,
) -> dict[tuple[int, int], CellStance]:
    """The stance of every (state or organisation, topic) cell as of ``on``,
    keyed by ``(actor_id, topic_id)``; cells with no statement are absent."""
    return _resolve_cells(
        statements(on=on, subjects=subjects, topics=topics, latest_only=True, evidence=evidence)
    )


def _resolve_cells(found: Iterable[Statement]) -> dict[tuple[int, int], CellStance]:
    return {
        key: resolve(cell_statements, subject_id=key[0], topic_id=key[1])
        for key, cell_statements in _by_cell(found).items()
    }


def stance_of(*, actor: Actor, topic: object, on: dt.date) -> CellStance:
    """One cell; the same rule as the matrix."""
    topic_id = getattr(topic, "pk", topic)
    cells = stances_as_of(on=on, subjects=[actor], topics=[topic_id])
    return cells.get((actor.pk, topic_id), CellStance(subject_id=actor.pk, topic_id=topic_id))


def depending_on_conditions(*, on: dt.date) -> dict[int, list[CellStance]]:
    """The cells whose stance as of ``on`` names each condition, keyed by the
    condition's id (a stance with two conditions is under both). Every cell
    of the record is resolved from plain values; then one query finds the
    conditions of the statements that decide them."""
    deciding: dict[int, list[CellStance]] = defaultdict(list)
    for cell in stances_as_of(on=on, evidence=False).values():
        if cell.current is not None:
            # One position can decide several cells: an official's words
            # count for each body they speak for.
            deciding[cell.position.pk].append(cell)
    named = PositionCondition.objects.filter(position_id__in=deciding).values_list(
        "condition_id", "position_id"
    )
    depending: dict[int, list[CellStance]] = defaultdict(list)
    for condition_id, position_id in named.order_by("condition_id", "position_id"):
        depending[condition_id].extend(deciding[position_id])
    return dict(depending)


# Histories and changes. Every statement counts at the rank it had on the day
# it was made, so the statements up to D of a list loaded for a later date are
# exactly the statements as of D: one load serves every date in between.


def as_of_from(
    cell_statements: Iterable[Statement], *, on: dt.date, subject_id: int, topic_id: int
) -> CellStance:
    """The cell as of ``on``, from statements loaded for ``on`` or any later date."""
    return resolve(
        [s for s in cell_statements if s.position.as_of <= on],
        subject_id=subject_id,
        topic_id=topic_id,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """A date on which statements were made in a cell, and the cell after them."""

    on: dt.date
    made: list[Statement]  # the statements made that day, highest weight first
    cell: CellStance  # the cell as of that day

    @property
    def stance(self) -> str | None:
        return self.cell.stance


def history(cell_statements: Iterable[Statement], *, subject_id: int, topic_id: int):
    """Every dated step of one cell, oldest first.

    Walked forward once: the cell after each date depends only on the own
    words of its latest date, one own statement of the date before (where
    claims start to count) and each claimant's latest claim, the same
    statements ``_latest_candidates`` narrows the matrix to. Resolving the
    whole record up to every date was quadratic in the length of the record
    (a lane of a timeline has hundreds of dates)."""
    by_date: dict[dt.date, list[Statement]] = defaultdict(list)
    for statement in cell_statements:
        by_date[statement.position.as_of].append(statement)
    steps = []
    latest_own: list[Statement] = []
    before_latest: list[Statement] = []
    claims: dict[int, Statement] = {}
    for day in sorted(by_date):
        made = by_date[day]
        own = [s for s in made if not s.is_claim]
        if own:
            before_latest, latest_own = latest_own[:1], own
        for claim in (s for s in made if s.is_claim):
            kept = claims.get(claim.position.claimant_id)
            if kept is None or claim.sort_key < kept.sort_key:
                claims[claim.position.claimant_id] = claim
        deciding = [*latest_own, *before_latest, *claims.values()]
        steps.append(
            HistoryEntry(
                on=day,
                made=sorted(made, key=lambda s: (s.is_claim, s.sort_key)),
                cell=resolve(deciding, subject_id=subject_id, topic_id=topic_id),
            )
        )
    return steps


def window_histories(
    *,
    subjects: Iterable[Actor | int],
    topics: Iterable[object],
    start: dt.date,
    end: dt.date,
) -> dict[tuple[int, int], list[HistoryEntry]]:
    """Each cell's steps from ``start`` to ``end``, oldest first: first the cell
    as it stood on ``start`` (with no statements of its own, when it had a
    stance or claims then), then a step per date with statements after it.
    Bounded by the window, not by the length of the record: the state on
    ``start`` needs only the statements that decide it then. The statements
    are plain values (:class:`CellPosition`); the few a page lists in full
    get their evidence from :func:`with_evidence`."""
    subjects, topics = list(subjects), list(topics)
    grouped = _by_cell(
        [
            *statements(
                on=start, subjects=subjects, topics=topics, latest_only=True, evidence=False
            ),
            *statements(on=end, after=start, subjects=subjects, topics=topics, evidence=False),
        ]
    )
    result = {}
    for (subject_id, topic_id), found in grouped.items():
        steps = [
            e for e in history(found, subject_id=subject_id, topic_id=topic_id) if e.on > start
        ]
        then = as_of_from(found, on=start, subject_id=subject_id, topic_id=topic_id)
        if then.current or then.claims:
            steps.insert(0, HistoryEntry(on=start, made=[], cell=then))
        result[subject_id, topic_id] = steps
    return result


@dataclass(frozen=True)
class CellChange:
    """A cell whose stance differs between two dates, and what moved it."""

    subject_id: int
    topic_id: int
    before: CellStance
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


def _steps_sql(on: dt.date, topic_ids: list[int] | None) -> RawSQL:
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
        f"FROM {Topic._meta.db_table} t WHERE 1 = 1" + _among("t.id", topic_ids, params)
    )
    return RawSQL(f"SELECT MAX(previous), MIN(following) FROM ({per_topic}) per_topic", params)


def _date(value) -> dt.date | None:
    # SQLite hands back a computed date (MAX of a date column) as its text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def neighbouring_dates(
    *, on: dt.date, topics: Iterable[object] | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The nearest dates before and after ``on`` on which a statement that
    counts in the matrix was made, for stepping through the record. One
    query (the matrix page has them from its own)."""
    steps = _steps_sql(on, None if topics is None else [getattr(t, "pk", t) for t in topics])
    with connection.cursor() as cursor:
        cursor.execute(steps.sql, steps.params)
        previous, following = cursor.fetchone()
    return _date(previous), _date(following)


MATRIX_PAGE_ROWS = 25


@dataclass
class Matrix:
    """One page of rows of the stance matrix as of a date, with its columns and
    cells, and the cells of those rows that changed since an earlier date.
    Pages, API and exports share it."""

    on: dt.date
    topics: list
    rows: list[Actor]
    cells: dict[tuple[int, int], CellStance]
    since: dt.date | None = None
    group: Actor | None = None
    changes: list[CellChange] = field(default_factory=list)
    row_count: int = 0  # on every page
    page: int = 1
    per_page: int | None = None
    # (previous, following) when the page's own query found them.
    steps: tuple[dt.date | None, dt.date | None] | None = None

    def cell(self, actor: Actor, topic) -> CellStance | None:
        return self.cells.get((actor.pk, topic.pk))

    def change(self, actor: Actor, topic) -> CellChange | None:
        return self._changed.get((actor.pk, topic.pk))

    @cached_property
    def _changed(self) -> dict[tuple[int, int], CellChange]:
        return {(c.subject_id, c.topic_id): c for c in self.changes}

    @property
    def pages(self) -> int:
        return page_count(self.row_count, self.per_page)


class PageOutOfRange(ValueError):
    pass


def page_count(total: int, per_page: int | None) -> int:
    return max(1, -(-total // per_page)) if per_page else 1


def _past_the_end(page: int, total: int, what: str, noun: str) -> PageOutOfRange:
    return PageOutOfRange(f"There is no page {page}: the {what} has {total} {noun}.")


def page_of(rows, *, page: int, per_page: int, what: str, noun: str = "rows") -> tuple[list, int]:
    """Rows ``page`` of ``rows`` (``per_page`` to a page) and how many rows
    there are in all; a page past the last raises PageOutOfRange. One query,
    the total counted beside the rows (a second only for an empty page)."""
    found = list(
        rows.annotate(total_rows=Window(Count("pk")))[(page - 1) * per_page : page * per_page]
    )
    total = found[0].total_rows if found else rows.count() if page > 1 else 0
    if page > 1 and not found:
        raise _past_the_end(page, total, what, noun)
    return found, total


def _start_of(page: int, per_page: int, total: int, what: str, noun: str) -> int:
    """Where page ``page`` of ``total`` rows starts; past the last, PageOutOfRange."""
    start = (page - 1) * per_page
    if page > 1 and start >= total:
        raise _past_the_end(page, total, what, noun)
    return start


def slice_of(items: list, *, page: int, per_page: int, what: str, noun: str) -> list:
    """Page ``page`` of a list already in hand, as :func:`page_of` pages a
    query."""
    start = _start_of(page, per_page, len(items), what, noun)
    return items[start : start + per_page]


def ids_of_page(rows, *, page: int, per_page: int, what: str, noun: str) -> tuple[list, int]:
    """The ids of rows ``page`` of ``rows`` and how many rows there are in
    all, as :func:`page_of`: for rows with costly columns (counts), which are
    then worked out for the page's rows only. (Counted beside the rows, they
    were worked out for every row up to the page.) Two queries."""
    total = rows.count()
    start = _start_of(page, per_page, total, what, noun)
    return list(rows.values_list("pk", flat=True)[start : start + per_page]), total


def count_per_row(rows, by: str) -> Coalesce:
    """How many of ``rows`` (filtered on an ``OuterRef`` by the caller) there
    are for each outer row, grouped by their field ``by``; 0 for none. For
    the rows of a page, one at a time: two joined counts multiply each
    other's rows. COUNT(*), not of the key, so that an index answers it
    alone (counting the key read every row from the table)."""
    counted = rows.order_by().values(by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def pager(*, page: int, per_page: int, total: int, count: int) -> dict:
    """What ``templates/_pager.html`` shows under page ``page`` of a list of
    ``total``, ``count`` of them on this page."""
    first = (page - 1) * per_page + 1
    return {
        "page": page,
        "pages": page_count(total, per_page),
        "total": total,
        "shown": (first, first + count - 1),
    }


ROW_FIELDS = ["pk", "name", "slug", "kind", "iso_code"]


def matrix_page_sql(*, rows, on: dt.date, topic_ids: list[int], page: int, per_page: int) -> RawSQL:
    """The one SQL query that computes a page of the matrix: ``per_page``
    rows of ``rows`` from ``page`` (their :data:`ROW_FIELDS`, the count of
    all rows and their place, and the dates to step to from ``on``), each
    joined to the statements that decide its cells as of ``on``, with what
    the cells show of them. A row with no statement comes back once, with
    nulls."""
    numbered = rows.annotate(
        total_rows=Window(Count("pk")),
        row_number=Window(RowNumber(), order_by=list(rows.query.order_by)),
    ).values_list(*ROW_FIELDS, "total_rows", "row_number")
    page_sql, page_params = numbered[
        (page - 1) * per_page : page * per_page
    ].query.sql_with_params()
    candidates = _latest_candidates(on, None, topic_ids, rows_from="shown")
    steps = _steps_sql(on, topic_ids)
    sql = (
        f"WITH shown (id, name, slug, kind, iso_code, total_rows, row_number) "
        f"AS MATERIALIZED ({page_sql}), "
        f"chosen AS MATERIALIZED ({candidates.sql}), "
        f"steps (previous, following) AS MATERIALIZED ({steps.sql}) "
        f"SELECT shown.id, shown.name, shown.slug, shown.kind, shown.iso_code, "
        f"shown.total_rows, shown.row_number, steps.previous, steps.following, "
        f"{_SHOWN_COLUMNS} "
        f"FROM shown CROSS JOIN steps LEFT JOIN chosen cs ON cs.subject_id = shown.id "
        f"{_shown_joins('LEFT JOIN')}"
    )
    return RawSQL(sql, [*page_params, *candidates.params, *steps.params])


def _matrix_page(*, rows, on: dt.date, topics: list, page: int, per_page: int):
    """A page of ``rows``, how many rows there are in all, the statements
    that decide the page's cells (as :class:`CellPosition`) and the dates to
    step to (None when no row is found): one query."""
    query = matrix_page_sql(
        rows=rows, on=on, topic_ids=[t.pk for t in topics], page=page, per_page=per_page
    )
    with connection.cursor() as cursor:
        cursor.execute(query.sql, query.params)
        found = cursor.fetchall()
    if not found:
        if page > 1:
            raise _past_the_end(page, rows.count(), "matrix", "rows")
        return [], 0, [], None
    actors: dict[int, tuple[int, Actor]] = {}
    shown = []
    for row in found:
        pk, name, slug, kind, iso_code, _, row_number = row[:7]
        if pk not in actors:
            actor = Actor(pk=pk, name=name, slug=slug, kind=kind, iso_code=iso_code)
            actors[pk] = (row_number, actor)
        if row[9] is not None:
            shown.append(_shown_statement(row[9:]))
    ordered = [actor for _, actor in sorted(actors.values(), key=lambda item: item[0])]
    steps = (_date(found[0][7]), _date(found[0][8]))
    return ordered, found[0][5], shown, steps


def speaking_rows(*, on: dt.date, topics: Iterable[object]):
    """The matrix's rows (countries, then organisations) with a statement on
    ``topics`` up to ``on``: one index probe per actor."""
    spoken = CellStatement.objects.filter(
        subject=OuterRef("pk"), as_of__lte=on, topic__in=[getattr(t, "pk", t) for t in topics]
    )
    return Actor.objects.matrix_rows().filter(Exists(spoken))


def matrix(
    *,
    on: dt.date,
    topics: list,
    since: dt.date | None = None,
    group: Actor | None = None,
    kind: str = "",
    page: int = 1,
    per_page: int | None = MATRIX_PAGE_ROWS,
    evidence: bool = True,
) -> Matrix:
    """Rows are the states and organisations with a statement on ``topics`` up
    to ``on`` (or, with ``group``, its members on ``on`` and the group itself),
    countries first; ``kind`` keeps one of the two. ``per_page`` rows from
    ``page`` (all with None): the work is per row shown, whatever the size of
    the record. ``evidence`` as for :func:`statements`. Without evidence, a
    page of rows and their cells is one query (:func:`matrix_page_sql`); with
    it, four. One more with a group; with ``since``, one more (three with
    evidence)."""
    if group is not None:
        members = Role.objects.memberships().current(on=on).filter(organisation=group)
        rows = Actor.objects.matrix_rows().filter(
            pk__in={*members.values_list("holder_id", flat=True), group.pk}
        )
    else:
        rows = speaking_rows(on=on, topics=topics)
    if kind:
        rows = rows.filter(kind=kind)
    if per_page is not None and not evidence:
        # What the page shows, and no more: rows and cells in one query.
        rows, row_count, found, steps = _matrix_page(
            rows=rows, on=on, topics=topics, page=page, per_page=per_page
        )
        cells = _resolve_cells(found)
    else:
        steps = None
        if per_page is None:
            rows = list(rows)
            row_count = len(rows)
        else:
            rows, row_count = page_of(rows, page=page, per_page=per_page, what="matrix")
        cells = stances_as_of(
            on=on, subjects=[actor.pk for actor in rows], topics=topics, evidence=evidence
        )
    shown = [actor.pk for actor in rows]
    changes = []
    if since is not None and since < on:
        before = stances_as_of(on=since, subjects=shown, topics=topics, evidence=evidence)
        order = {pk: n for n, pk in enumerate(shown)}
        topic_order = {topic.pk: n for n, topic in enumerate(topics)}
        for subject_id, topic_id in sorted(
            cells.keys() | before.keys(), key=lambda key: (order[key[0]], topic_order[key[1]])
        ):
            empty = CellStance(subject_id=subject_id, topic_id=topic_id)
            then = before.get((subject_id, topic_id), empty)
            now = cells.get((subject_id, topic_id), empty)
            if then.stance != now.stance:
                changes.append(CellChange(subject_id, topic_id, then, now, _moved_by(now, since)))
    return Matrix(
        on=on,
        topics=topics,
        rows=rows,
        cells=cells,
        since=since,
        group=group,
        changes=changes,
        row_count=row_count,
        page=page,
        per_page=per_page,
        steps=steps,
    )


def _moved_by(now: CellStance, since: dt.date) -> list[Statement]:
    """The statements made after ``since`` that set the cell as it is now: the
    one that counts, the others made that day, and the claims beside it.
    Earlier steps in between are in the cell's history."""
    made = [now.current, *now.same_day, *now.claims] if now.current else list(now.claims)
    return sorted(
        (s for s in made if s.position.as_of > since),
        key=lambda s: (s.position.as_of, s.is_claim, s.rank),
    )
