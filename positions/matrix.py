"""The stance matrix: a page of rows (states, then organisations) as of a
date, each cell resolved by the one rule (``positions.rule``), with the
cells that changed since an earlier date. Pages, API and exports share it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from actors.models import Actor, Role
from config.paging import page_count, page_of, past_the_end
from config.routers import reading

from .history import CellChange, Stood, as_date, steps_sql, window_histories
from .models import CellStatement
from .rule import (
    CellStance,
    Statement,
    answered_claims,
    latest_candidates,
    resolve_cells,
    shown_statement,
    stances_as_of,
)
from .shown import SHOWN_COLUMNS, shown_joins
from .totals import winning_stances

MATRIX_PAGE_ROWS = 25
# A timeline's lane draws every statement of its window (dozens a year for a
# talkative state): fewer lanes to a page than the matrix has rows.
TIMELINE_PAGE_LANES = 10


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
    candidates = latest_candidates(on, None, topic_ids, rows_from="shown")
    steps = steps_sql(on, topic_ids)
    sql = (
        f"WITH shown (id, name, slug, kind, iso_code, total_rows, row_number) "
        f"AS MATERIALIZED ({page_sql}), "
        f"chosen AS MATERIALIZED ({candidates.sql}), "
        f"steps (previous, following) AS MATERIALIZED ({steps.sql}) "
        f"SELECT shown.id, shown.name, shown.slug, shown.kind, shown.iso_code, "
        f"shown.total_rows, shown.row_number, steps.previous, steps.following, "
        f"{SHOWN_COLUMNS} "
        f"FROM shown CROSS JOIN steps LEFT JOIN chosen cs ON cs.subject_id = shown.id "
        f"{shown_joins('LEFT JOIN')}"
    )
    return RawSQL(sql, [*page_params, *candidates.params, *steps.params])


def _matrix_page(*, rows, on: dt.date, topics: list, page: int, per_page: int):
    """A page of ``rows``, how many rows there are in all, the statements
    that decide the page's cells (as :class:`CellPosition`) and the dates to
    step to (None when no row is found): one query."""
    query = matrix_page_sql(
        rows=rows, on=on, topic_ids=[t.pk for t in topics], page=page, per_page=per_page
    )
    with reading().cursor() as cursor:
        cursor.execute(query.sql, query.params)
        found = cursor.fetchall()
    if not found:
        if page > 1:
            raise past_the_end(page, rows.count(), "matrix", "rows")
        return [], 0, [], None
    actors: dict[int, tuple[int, Actor]] = {}
    shown = []
    for row in found:
        pk, name, slug, kind, iso_code, _, row_number = row[:7]
        if pk not in actors:
            # By position, in the model's field order (id, name, slug, kind,
            # iso_code): half the cost of keywords, for hundreds of rows.
            actor = Actor(pk, name, slug, kind, iso_code)
            actors[pk] = (row_number, actor)
        if row[9] is not None:
            shown.append(shown_statement(row[9:]))
    shown += answered_claims(shown, on=on, evidence=False)
    ordered = [actor for _, actor in sorted(actors.values(), key=lambda item: item[0])]
    steps = (as_date(found[0][7]), as_date(found[0][8]))
    return ordered, found[0][5], shown, steps


def speaking_rows(*, on: dt.date, topics: Iterable[object]):
    """The matrix's rows (countries, then organisations) with a statement on
    ``topics`` up to ``on``: one index probe per actor."""
    spoken = CellStatement.objects.filter(
        subject=OuterRef("pk"), as_of__lte=on, topic__in=[getattr(t, "pk", t) for t in topics]
    )
    return Actor.objects.matrix_rows().filter(Exists(spoken))


def stance_matrix(
    *,
    on: dt.date,
    topics: list,
    since: dt.date | None = None,
    group: Actor | None = None,
    kind: str = "",
    page: int = 1,
    per_page: int | None = MATRIX_PAGE_ROWS,
    evidence: bool = True,
    everyone: bool = False,
) -> Matrix:
    """Rows are the states and organisations with a statement on ``topics`` up
    to ``on`` (or, with ``group``, its members on ``on`` and the group itself),
    countries first; ``kind`` keeps one of the two. ``per_page`` rows from
    ``page`` (all with None): the work is per row shown, whatever the size of
    the record. ``everyone``: every state and organisation, whether it has
    spoken or not. ``evidence`` as for :func:`statements`. Without evidence, a
    page of rows and their cells is one query (:func:`matrix_page_sql`); with
    it, four. One more with a group; with ``since``, one more (the earlier
    date's stances alone, one index probe per cell)."""
    if group is not None:
        members = Role.objects.memberships().current(on=on).filter(organisation=group)
        rows = Actor.objects.matrix_rows().filter(
            pk__in={*members.values_list("holder_id", flat=True), group.pk}
        )
    elif everyone:
        # Silence shows too: every country and organisation, "No statement" where so.
        rows = Actor.objects.matrix_rows()
    else:
        rows = speaking_rows(on=on, topics=topics)
    if kind:
        rows = rows.filter(kind=kind)
    if per_page is not None and not evidence:
        # What the page shows, and no more: rows and cells in one query.
        rows, row_count, found, steps = _matrix_page(
            rows=rows, on=on, topics=topics, page=page, per_page=per_page
        )
        cells = resolve_cells(found)
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
        # The earlier side is its stances alone: one probe per cell.
        before = winning_stances(since, shown, [topic.pk for topic in topics])
        order = {pk: n for n, pk in enumerate(shown)}
        topic_order = {topic.pk: n for n, topic in enumerate(topics)}
        for subject_id, topic_id in sorted(
            cells.keys() | before.keys(), key=lambda key: (order[key[0]], topic_order[key[1]])
        ):
            then = before.get((subject_id, topic_id))
            now = cells.get((subject_id, topic_id)) or CellStance(subject_id, topic_id)
            if then != now.stance:
                changes.append(
                    CellChange(subject_id, topic_id, Stood(then), now, _moved_by(now, since))
                )
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


def timeline_lanes(
    *, topic, start: dt.date, end: dt.date, page: int, per_page: int, words: bool = True
) -> tuple[list[Actor], int, dict]:
    """A topic's timeline, a page of lanes at a time, for the page and the
    API alike: the rows (states, then organisations) that spoke on it up to
    ``end``, how many there are in all, and each lane's steps in the window
    (without ``words``, as :func:`window_histories` reads them without).
    Raises PageOutOfRange past the last page."""
    rows, count = page_of(
        speaking_rows(on=end, topics=[topic]),
        page=page,
        per_page=per_page,
        what="timeline",
        noun="lanes",
    )
    steps = window_histories(subjects=rows, topics=[topic], start=start, end=end, words=words)
    return rows, count, steps
