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
from operator import attrgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from actors.models import Actor, Role
from config.routers import reading

from .evidence import evidenced_by_ids, evidenced_rows
from .models import Attribution, CellStatement, Position, Topic
from .shown import CellPosition, Named, ShownQuote, shown_sql, to_date

# Lower wins (ranks are written by ``positions.cells``): the actor's own words
# (0) beat any office (Role.Rank, 1-4), and an outlet's report without direct
# words ranks below all direct words, keeping the order of offices among them.
# Far enough ahead that a cell's whole record, later statements included, loads.
END_OF_RECORD = dt.date(9999, 12, 31)


# The value itself: an enum member's lookup doubled the cost of the test that
# pages make tens of thousands of times.
CLAIM = Attribution.CLAIM.value


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
        return self.position.attribution == CLAIM

    @property
    def sort_key(self) -> tuple:
        # Latest date, highest rank, latest entered first: WINNER_ORDER in SQL.
        return (-self.position.as_of.toordinal(), self.rank, -self.position.pk)


WINNER_ORDER = "s.as_of DESC, s.rank ASC, s.position_id DESC"  # sort_key, over CellStatement s


@dataclass
class CellStance:
    """The stance of one actor on one topic as of a date."""

    subject_id: int
    topic_id: int
    current: Statement | None = None
    same_day: list[Statement] = field(default_factory=list)  # its other own words that day
    conflicts: list[Statement] = field(default_factory=list)
    claims: list[Statement] = field(default_factory=list)
    # The claims (by position id) that the actor's current words answer.
    answers: dict[int, Statement] = field(default_factory=dict)

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
    def claims_answered(self) -> list[tuple[Statement, Statement | None]]:
        """Each claim shown, with the actor's words that answer it, if any."""
        return [(claim, self.answers.get(claim.position.pk)) for claim in self.claims]

    @property
    def has_conflict(self) -> bool:
        """Equal-weight statements disagree, or a claim the actor has not
        answered contradicts it (a denied claim is explained, not a conflict)."""
        return bool(self.conflicts) or (
            self.current is not None
            and any(
                claim.position.stance != self.stance and claim.position.pk not in self.answers
                for claim in self.claims
            )
        )


def among(column: str, ids, params: list) -> str:
    if ids is None:
        return ""
    ids = list(ids) or [0]
    params.extend(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})"


def listed_cells(pairs: list[tuple[int, int]], params: list) -> str:
    """SQL: the cells ``pairs`` as rows (``subject_id``, ``topic_id``), a
    ``VALUES`` list (at least one row); their ids are added to ``params``."""
    pairs = pairs or [(0, 0)]
    params.extend(value for pair in pairs for value in pair)
    # VALUES names its columns column1, column2 in PostgreSQL and SQLite alike.
    return (
        "SELECT column1 AS subject_id, column2 AS topic_id FROM (VALUES "
        + ", ".join(["(%s, %s)"] * len(pairs))
        + ") AS v"
    )


def first_own(selected: str, *, on: str | None = None) -> str:
    """SQL: a subquery, ``selected`` (over statement ``s``) of cell ``c``'s
    first own statement in :data:`WINNER_ORDER`, up to ``on`` (an SQL
    expression) when given: one probe of ``cellstatement_cell_order``."""
    up_to = f" AND s.as_of <= {on}" if on else ""
    return (
        f"(SELECT {selected} FROM {CellStatement._meta.db_table} s "
        f"WHERE s.subject_id = c.subject_id AND s.topic_id = c.topic_id "
        f"AND s.is_claim = FALSE{up_to} ORDER BY {WINNER_ORDER} LIMIT 1)"
    )


def per_cell(condition: str, table: str) -> str:
    """A join of ``since b`` to the rows ``s`` of ``table`` that meet
    ``condition``, made one cell at a time. For thousands of cells,
    PostgreSQL otherwise sorts every claim in the record and merges (a
    whole-table read, 95 ms of 170 at 1M); a LATERAL subquery fenced by
    OFFSET 0 cannot be flattened back into that plan. SQLite has no LATERAL,
    and joins one cell at a time by index anyway."""
    if connection.vendor == "postgresql":
        return f"CROSS JOIN LATERAL (SELECT * FROM {table} s WHERE {condition} OFFSET 0) s"
    return f"JOIN {table} s ON {condition}"


def latest_candidates(
    on: dt.date,
    subject_ids: set[int] | None,
    topic_ids: list[int] | None,
    *,
    rows_from: str | None = None,
    cells: Iterable[tuple[int, int]] | None = None,
) -> RawSQL:
    """The only rows that can decide a cell as of ``on`` (their id,
    position_id, subject_id, rank and role_id): per (state or organisation,
    topic), the statements of its latest date (the stance, and what it
    conflicts with) and the claims made since (the claims still current
    beside it). Older claims that those words answer come from
    :func:`answered_claims`; anything else, ``resolve`` would drop. Per cell
    that is an index probe and two short range scans, whatever the size of
    the record; only a cell with no words of its own reads all its claims.
    With ``rows_from``, the rows are the ids of that table (a CTE of the
    enclosing query) instead; with ``cells``, just those (subject, topic)
    cells, not every pairing of their subjects and topics."""
    table = CellStatement._meta.db_table
    cell_params: list = []
    if rows_from is None:
        rows_from = Actor._meta.db_table
        kinds = f"r.kind IN ('{Actor.Kind.STATE}', '{Actor.Kind.ORGANISATION}')"
    else:
        kinds = "1 = 1"
    if cells is not None:
        cell_sql = listed_cells(list(cells), cell_params)
    else:
        cell_sql = (
            f"SELECT r.id AS subject_id, t.id AS topic_id "
            f"FROM {rows_from} r CROSS JOIN {Topic._meta.db_table} t WHERE {kinds}"
            + among("r.id", subject_ids, cell_params)
            + among("t.id", topic_ids, cell_params)
        )
    columns = "s.id, s.position_id, s.subject_id, s.rank, s.role_id"
    # Own words of the latest date and claims made since: per cell one index
    # range of each kind, in one arm. (Two arms of a UNION read the CTE
    # twice, and SQLite then built a Bloom filter over the whole table for
    # the second, 40 ms at 1M. A column, not a COALESCE, for the start, or
    # the planner prices the claims as a scan of them all.)
    wanted = (
        "s.subject_id = b.subject_id AND s.topic_id = b.topic_id AND s.is_claim IN (%s, %s) "
        "AND s.as_of >= b.claims_from AND s.as_of <= %s AND (s.is_claim = %s OR s.as_of = b.last)"
    )
    # MATERIALIZED: computed once per cell. Inlined into the join below, the
    # planner ran the probe once per joined row instead (6 s at 1M).
    sql = (
        f"WITH cell AS MATERIALIZED ({cell_sql}), "
        f"latest AS MATERIALIZED (SELECT c.subject_id, c.topic_id, "
        f"(SELECT MAX(x.as_of) FROM {table} x WHERE x.subject_id = c.subject_id "
        f"AND x.topic_id = c.topic_id AND x.is_claim = %s AND x.as_of <= %s) AS last "
        f"FROM cell c), "
        f"since AS MATERIALIZED (SELECT subject_id, topic_id, last, "
        f"COALESCE(last, %s) AS claims_from FROM latest) "
        f"SELECT {columns} FROM since b {per_cell(wanted, table)}"
    )
    params = [*cell_params, False, on, dt.date.min, False, True, on, True]
    return RawSQL(sql, params)


def answered_claims(found: list[Statement], *, on: dt.date, evidence: bool) -> list[Statement]:
    """The claims that the actors' own words among ``found`` answer and that
    ``found`` lacks, however old: a denial is shown with the claim it
    denies. One query; none when no words answer an older claim."""
    have = {s.position.pk for s in found}
    answering = [s for s in found if not s.is_claim and s.position.responds_to_id]
    wanted = {s.position.responds_to_id for s in answering} - have
    if not wanted:
        return []
    cells = {(s.subject_id, s.position.topic_id) for s in answering}
    which = Q(position_id__any_of=wanted, is_claim=True, as_of__lte=on)
    extra = _evidenced(which) if evidence else shown_where(which)
    return [s for s in extra if (s.subject_id, s.position.topic_id) in cells]


CHOSEN = ("id", "position_id", "subject_id", "rank", "role_id")  # a CellStatement, chosen


def shown_statement(row) -> Statement:
    """A statement from its row, read as ``positions.shown.SHOWN_COLUMNS``."""
    row_id, subject_id, rank, role_id = row[:4]
    claimant_id, actor_name, claimant_name, speaker_name, text, said_on, precision = row[9:16]
    actor_slug, claimant_slug, source_id = row[18:21]
    # By position, in CellPosition's field order: pages make hundreds of these.
    position = CellPosition(
        *row[4:10],  # pk, topic_id, stance, as_of, attribution, claimant_id
        Named(actor_name, actor_slug),
        Named(claimant_name, claimant_slug) if claimant_id else None,
        ShownQuote(speaker_name, text, to_date(said_on), precision),
        *row[16:18],  # responds_to_id, response_kind
        source_id,
    )
    return Statement(subject_id, position, rank, None, role_id, row_id)


def shown_statements(chosen_sql: str, params: list) -> list[Statement]:
    """The statements ``chosen_sql`` selects, as :func:`positions.shown.shown_sql` reads them."""
    with reading().cursor() as cursor:
        cursor.execute(shown_sql(chosen_sql), params)
        return [shown_statement(row) for row in cursor.fetchall()]


def shown_where(which: Q) -> list[Statement]:
    """The CellStatements ``which`` selects, as :func:`shown_statements` reads them."""
    sql, params = CellStatement.objects.filter(which).values(*CHOSEN).query.sql_with_params()
    return shown_statements(sql, params)


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
        return _deciding(latest_candidates(on, subject_ids, topic_ids), on=on, evidence=evidence)
    which = made_within(on=on, after=after, subject_ids=subject_ids, topic_ids=topic_ids)
    if not evidence:
        return shown_where(which)
    return _evidenced(which)


def made_within(*, on: dt.date, after: dt.date | None, subject_ids, topic_ids) -> Q:
    """CellStatements dated after ``after`` up to ``on``, in these subjects'
    and topics' cells (None: any)."""
    which = Q(as_of__lte=on)
    if after is not None:
        which &= Q(as_of__gt=after)
    if subject_ids is not None:
        which &= Q(subject_id__any_of=subject_ids)
    if topic_ids is not None:
        which &= Q(topic_id__in=topic_ids)
    return which


def _deciding(candidates: RawSQL, *, on: dt.date, evidence: bool) -> list[Statement]:
    """The statements :func:`latest_candidates` chose, and the claims they answer."""
    if not evidence:
        found = shown_statements(candidates.sql, candidates.params)
        return found + answered_claims(found, on=on, evidence=False)
    # The ids first, in a query of their own: as a subquery the planner
    # cannot see how few they are and joins by scanning (1 to 4 s at 1M).
    with reading().cursor() as cursor:
        cursor.execute(candidates.sql, candidates.params)
        ids = [row[0] for row in cursor.fetchall()]
    found = _evidenced_by_ids(ids)
    return found + answered_claims(found, on=on, evidence=True)


def _evidenced(which: Q) -> list[Statement]:
    """The CellStatements ``which`` selects, their positions loaded whole."""
    return _as_statements(evidenced_rows(which))


def _evidenced_by_ids(ids) -> list[Statement]:
    """The CellStatements with these ids, their positions loaded whole."""
    return _as_statements(evidenced_by_ids(ids))


def _as_statements(rows) -> list[Statement]:
    return [
        Statement(subject_id, position, rank, role, role and role.pk, row_id)
        for row_id, subject_id, rank, role, position in rows
    ]


def with_evidence(found: Iterable[Statement]) -> dict[int, Statement]:
    """The same statements, keyed by ``row_id``, with their positions loaded
    whole (source, speaker, conditions) and their offices: for the few that a
    page lists in full among the many it draws. Three queries, a fourth when
    some answer other words (``positions.evidence``); none for none (and no
    query built: a page without changes pays nothing)."""
    ids = {s.row_id for s in found}
    if not ids:
        return {}
    return {s.row_id: s for s in _evidenced_by_ids(ids)}


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
        answers={pk: whole[s.row_id] for pk, s in cell.answers.items()},
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
    # A claim stays beside the stance while it is no older than the actor's
    # current words, or while those words answer it (a denial beside the
    # claim it denies). An older claim left unanswered has been spoken past:
    # it drops out of the cell and stays in its history.
    since = None
    if cell.current is not None:
        since = cell.current.position.as_of
        for answer in (cell.current, *cell.same_day):
            if answer.position.responds_to_id:
                cell.answers.setdefault(answer.position.responds_to_id, answer)
    latest_claims: dict[int, Statement] = {}
    answered = []
    for claim in sorted(claims, key=attrgetter("sort_key")):
        current = since is None or claim.position.as_of >= since
        if current and latest_claims.setdefault(claim.position.claimant_id, claim) is claim:
            continue
        if claim.position.pk in cell.answers:
            answered.append(claim)
    cell.claims = [*latest_claims.values(), *answered]
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
    return by_cell(
        statements(
            on=on, subjects=subjects, topics=topics, latest_only=latest_only, evidence=evidence
        )
    )


def by_cell(found: Iterable[Statement]) -> dict[tuple[int, int], list[Statement]]:
    grouped: dict[tuple[int, int], list[Statement]] = defaultdict(list)
    for statement in found:
        grouped[(statement.subject_id, statement.position.topic_id)].append(statement)
    return grouped


def stances_as_of(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
    cells: Iterable[tuple[int, int]] | None = None,
    evidence: bool = True,
) -> dict[tuple[int, int], CellStance]:
    """The stance of every (state or organisation, topic) cell as of ``on``,
    keyed by ``(actor_id, topic_id)``; cells with no statement are absent.
    With ``cells``, of those ``(actor_id, topic_id)`` cells alone (not of
    every pairing of their actors and topics)."""
    if cells is not None:
        chosen = latest_candidates(on, None, None, cells=cells)
        return resolve_cells(_deciding(chosen, on=on, evidence=evidence))
    return resolve_cells(
        statements(on=on, subjects=subjects, topics=topics, latest_only=True, evidence=evidence)
    )


def resolve_cells(found: Iterable[Statement]) -> dict[tuple[int, int], CellStance]:
    return {
        key: resolve(cell_statements, subject_id=key[0], topic_id=key[1])
        for key, cell_statements in by_cell(found).items()
    }


def stance_of(*, actor: Actor, topic: object, on: dt.date) -> CellStance:
    """One cell; the same rule as the matrix."""
    topic_id = getattr(topic, "pk", topic)
    cells = stances_as_of(on=on, subjects=[actor], topics=[topic_id])
    return cells.get((actor.pk, topic_id), CellStance(subject_id=actor.pk, topic_id=topic_id))


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
