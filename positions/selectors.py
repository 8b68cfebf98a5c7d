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
from dataclasses import dataclass, field

from django.db.models import Max, Min, Q
from django.db.models.expressions import RawSQL

from actors.models import Actor, Role

from .models import Attribution, Position

# Lower wins. Offices use Role.Rank (1-4) and the actor's own words (0) beat
# any office. An outlet's report without direct words ranks below all direct
# words, keeping the order of offices among reports.
OWN_RANK = 0
REPORT_PENALTY = 10
# Far enough ahead that a cell's whole record, later statements included, loads.
END_OF_RECORD = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Statement:
    """A published position, as it counts for one row of the matrix."""

    subject_id: int
    position: Position
    rank: int
    role: Role | None = None  # the office through which an official's words count

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
    def has_conflict(self) -> bool:
        """Equal-weight statements disagree, or a claim contradicts the actor."""
        return bool(self.conflicts) or (
            self.current is not None
            and any(claim.position.stance != self.stance for claim in self.claims)
        )


def _speaking_roles(subject_ids: set[int] | None) -> dict[int, list[Role]]:
    roles = Role.objects.speaking_for()
    if subject_ids is not None:
        roles = roles.filter(organisation_id__in=subject_ids)
    by_holder: dict[int, list[Role]] = defaultdict(list)
    for role in roles:
        by_holder[role.holder_id].append(role)
    return by_holder


def _latest_candidates(
    on: dt.date, subject_ids: set[int] | None, topic_ids: list[int] | None
) -> RawSQL:
    """The ids of the only published positions that can decide a cell as of
    ``on``: per (state or organisation, topic), the statements of its latest
    two dates (the latest sets the stance and its conflicts, the one before
    decides which claims are still current), and each claimant's latest claims.
    Any other statement is older than all of these, so ``resolve`` gives the
    same answer with or without it; the database drops it instead of Python."""
    position = Position._meta.db_table
    actor = Actor._meta.db_table
    role = Role._meta.db_table
    params: list = []

    def among(column: str, ids) -> str:
        if ids is None:
            return ""
        ids = list(ids) or [0]
        params.extend(ids)
        return f" AND {column} IN ({', '.join(['%s'] * len(ids))})"

    params.append(on)
    own = (
        f"SELECT p.id AS position_id, p.actor_id AS subject_id, p.topic_id, p.as_of, "
        f"p.attribution = 'claim' AS is_claim, p.claimant_id "
        f"FROM {position} p JOIN {actor} a ON a.id = p.actor_id "
        f"WHERE p.status = 'published' AND p.as_of <= %s "
        f"AND a.kind IN ('state', 'organisation')"
        + among("p.topic_id", topic_ids)
        + among("p.actor_id", subject_ids)
    )
    params.append(on)
    spoken = (
        f"SELECT p.id, r.organisation_id, p.topic_id, p.as_of, "
        f"p.attribution = 'claim', p.claimant_id "
        f"FROM {position} p JOIN {role} r ON r.holder_id = p.actor_id "
        f"WHERE p.status = 'published' AND p.as_of <= %s "
        f"AND r.kind = 'office' AND r.speaks_for_rank IS NOT NULL "
        f"AND (r.start_date IS NULL OR r.start_date <= p.as_of) "
        f"AND (r.end_date IS NULL OR r.end_date >= p.as_of)"
        + among("p.topic_id", topic_ids)
        + among("r.organisation_id", subject_ids)
    )
    sql = (
        f"SELECT position_id FROM ("
        f"SELECT position_id, is_claim, DENSE_RANK() OVER ("
        f"PARTITION BY subject_id, topic_id, is_claim, "
        f"CASE WHEN is_claim THEN claimant_id END ORDER BY as_of DESC) AS recency "
        f"FROM ({own} UNION ALL {spoken}) counted"
        f") ranked WHERE recency <= CASE WHEN is_claim THEN 1 ELSE 2 END"
    )
    return RawSQL(sql, params)


def statements(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
    latest_only: bool = False,
) -> list[Statement]:
    """Every published statement on or before ``on`` that counts for a state or
    organisation, with the rank it counts at; with ``latest_only``, just those
    that can decide a cell as of ``on`` (enough for ``resolve``, not for a
    history). Three queries whatever the data."""
    subject_ids = None if subjects is None else {getattr(s, "pk", s) for s in subjects}
    roles_by_holder = _speaking_roles(subject_ids)

    if subject_ids is None:
        whose = Q(actor__kind__in=[Actor.Kind.STATE, Actor.Kind.ORGANISATION])
    else:
        whose = Q(actor_id__in=subject_ids)
    positions = (
        Position.objects.published()
        .on_or_before(on)
        .filter(whose | Q(actor_id__in=list(roles_by_holder)))
        .with_evidence()
    )
    topic_ids = None if topics is None else [getattr(t, "pk", t) for t in topics]
    if topic_ids is not None:
        positions = positions.filter(topic_id__in=topic_ids)
    if latest_only:
        positions = positions.filter(pk__in=_latest_candidates(on, subject_ids, topic_ids))

    result = []
    for position in positions:
        if position.actor.kind in (Actor.Kind.STATE, Actor.Kind.ORGANISATION):
            rank, role = _rank_of_own(position, roles_by_holder)
            result.append(Statement(position.actor_id, position, rank, role))
        # An official's words count for each body their office spoke for on that date.
        penalty = REPORT_PENALTY if position.attribution == Attribution.REPORT else 0
        for role in roles_by_holder.get(position.actor_id, ()):
            if role.is_held_on(position.as_of):
                rank = role.speaks_for_rank + penalty
                result.append(Statement(role.organisation_id, position, rank, role))
    return result


def _rank_of_own(
    position: Position, roles_by_holder: dict[int, list[Role]]
) -> tuple[int, Role | None]:
    """The rank of a position on the actor's own row, and the office through
    which a spokesperson's words count."""
    if position.attribution == Attribution.SPEAKING_FOR:
        speaker_id = position.quote.speaker_id
        offices = sorted(
            (
                role
                for role in roles_by_holder.get(speaker_id, ())
                if role.organisation_id == position.actor_id and role.is_held_on(position.as_of)
            ),
            key=lambda role: role.speaks_for_rank,
        )
        if offices:
            return offices[0].speaks_for_rank, offices[0]
        return Role.Rank.OFFICIAL, None
    if position.attribution == Attribution.REPORT:
        return OWN_RANK + REPORT_PENALTY, None
    return OWN_RANK, None


def resolve(cell_statements: Iterable[Statement], *, subject_id: int, topic_id: int) -> CellStance:
    """Apply the precedence rules to the statements of one cell."""
    cell = CellStance(subject_id=subject_id, topic_id=topic_id)
    own = sorted((s for s in cell_statements if not s.is_claim), key=lambda s: s.sort_key)
    claims = [s for s in cell_statements if s.is_claim]
    if own:
        cell.current = best = own[0]
        cell.conflicts = [
            s
            for s in own[1:]
            if s.position.as_of == best.position.as_of
            and s.rank == best.rank
            and s.position.stance != best.position.stance
        ]
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
    for claim in sorted(claims, key=lambda s: s.sort_key):
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
) -> dict[tuple[int, int], list[Statement]]:
    """:func:`statements`, grouped by ``(actor_id, topic_id)`` cell."""
    grouped: dict[tuple[int, int], list[Statement]] = defaultdict(list)
    found = statements(on=on, subjects=subjects, topics=topics, latest_only=latest_only)
    for statement in found:
        grouped[(statement.subject_id, statement.position.topic_id)].append(statement)
    return grouped


def stances_as_of(
    *,
    on: dt.date,
    subjects: Iterable[Actor | int] | None = None,
    topics: Iterable[object] | None = None,
) -> dict[tuple[int, int], CellStance]:
    """The stance of every (state or organisation, topic) cell as of ``on``,
    keyed by ``(actor_id, topic_id)``; cells with no statement are absent."""
    return {
        key: resolve(cell_statements, subject_id=key[0], topic_id=key[1])
        for key, cell_statements in statements_by_cell(
            on=on, subjects=subjects, topics=topics, latest_only=True
        ).items()
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
    """Every dated step of one cell, oldest first."""
    cell_statements = list(cell_statements)
    by_date: dict[dt.date, list[Statement]] = defaultdict(list)
    for statement in cell_statements:
        by_date[statement.position.as_of].append(statement)
    return [
        HistoryEntry(
            on=day,
            made=sorted(by_date[day], key=lambda s: (s.is_claim, s.sort_key)),
            cell=as_of_from(cell_statements, on=day, subject_id=subject_id, topic_id=topic_id),
        )
        for day in sorted(by_date)
    ]


@dataclass(frozen=True)
class CellChange:
    """A cell whose stance differs between two dates, and what moved it."""

    subject_id: int
    topic_id: int
    before: CellStance
    after: CellStance
    moved_by: list[Statement]  # statements made after the first date, up to the second


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


def neighbouring_dates(
    *, on: dt.date, topics: Iterable[object] | None = None
) -> tuple[dt.date | None, dt.date | None]:
    """The nearest dates before and after ``on`` on which a published statement
    was made, for stepping through the record. One query."""
    positions = Position.objects.published()
    if topics is not None:
        positions = positions.filter(topic__in=list(topics))
    dates = positions.aggregate(
        previous=Max("as_of", filter=Q(as_of__lt=on)),
        next=Min("as_of", filter=Q(as_of__gt=on)),
    )
    return dates["previous"], dates["next"]


@dataclass
class Matrix:
    """The rows, columns and cells of the stance matrix as of a date, and the
    cells that changed since an earlier date. Pages, API and exports share it."""

    on: dt.date
    topics: list
    rows: list[Actor]
    cells: dict[tuple[int, int], CellStance]
    since: dt.date | None = None
    group: Actor | None = None
    changes: list[CellChange] = field(default_factory=list)

    def cell(self, actor: Actor, topic) -> CellStance | None:
        return self.cells.get((actor.pk, topic.pk))

    def change(self, actor: Actor, topic) -> CellChange | None:
        return self._changed.get((actor.pk, topic.pk))

    @property
    def _changed(self) -> dict[tuple[int, int], CellChange]:
        return {(c.subject_id, c.topic_id): c for c in self.changes}


def matrix(
    *,
    on: dt.date,
    topics: list,
    since: dt.date | None = None,
    group: Actor | None = None,
    kind: str = "",
) -> Matrix:
    """Rows are the states and organisations with a statement up to ``on`` (or,
    with ``group``, its members on ``on`` and the group itself), countries
    first; ``kind`` keeps one of the two. Five queries, six with a group."""
    rows = Actor.objects.matrix_rows()
    if kind:
        rows = rows.filter(kind=kind)
    subjects = None
    if group is not None:
        members = Role.objects.memberships().current(on=on).filter(organisation=group)
        subjects = {*members.values_list("holder_id", flat=True), group.pk}
        rows = rows.filter(pk__in=subjects)
    # Comparing needs each cell's whole record since `since`; the stance alone
    # needs only the statements that can still decide it.
    grouped = statements_by_cell(on=on, subjects=subjects, topics=topics, latest_only=since is None)
    cells = {
        key: resolve(found, subject_id=key[0], topic_id=key[1]) for key, found in grouped.items()
    }
    if group is None:
        rows = rows.filter(pk__in={subject_id for subject_id, _ in cells})
    rows = list(rows)
    shown = {actor.pk for actor in rows}
    changes = []
    if since is not None:
        changes = [c for c in changes_in(grouped, start=since, end=on) if c.subject_id in shown]
    return Matrix(
        on=on, topics=topics, rows=rows, cells=cells, since=since, group=group, changes=changes
    )
