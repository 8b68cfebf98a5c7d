"""How many countries stand where: per topic as of a date (above the
matrix and the map), and month by month (a topic's trend). Counted from
the one as-of rule, over every country shown, not a page of them."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from actors.models import Actor, Role
from config.routers import reading

from . import cache
from .history import as_date
from .latest import CellLatest
from .models import PositionCondition, Stance, Topic
from .rule import among, first_own, listed_cells
from .shown import STANCE_LABELS


@dataclass(frozen=True)
class TopicTotals:
    topic_id: int
    counts: tuple[tuple[str, int], ...]  # (stance, countries), in the scale's order
    silent: int  # countries in view with no statement on the topic
    countries: int

    @property
    def spoken(self) -> int:
        return self.countries - self.silent


def _winning(expression: str, on: str) -> str:
    """SQL: ``expression`` (over a statement ``{t}``) of cell ``c``'s winning
    own statement as of ``on`` (SQL, written twice: a parameter there is
    passed twice), in :data:`rule.WINNER_ORDER`. Read from ``k``, the cell's
    latest statement (joined by :func:`_latest`), when that is dated on or
    before ``on`` (nearly every cell, as of today), else from one index-only
    probe of the cell's statements (cellstatement_cell_order holds the
    stance and the position). None for a cell with no words of its own."""
    probe = first_own(expression.format(t="s"), on=on)
    return (
        f"(CASE WHEN k.as_of IS NULL THEN NULL WHEN k.as_of <= {on} "
        f"THEN {expression.format(t='k')} ELSE {probe} END)"
    )


def _latest() -> str:
    """SQL: the join of cell ``c`` to its latest statement ``k``, if any."""
    latest = CellLatest._meta.db_table
    return f"LEFT JOIN {latest} k ON k.subject_id = c.subject_id AND k.topic_id = c.topic_id"


def _pairings(subject_ids: list[int], topic_ids: list[int], params: list) -> str:
    """SQL: every cell (``subject_id``, ``topic_id``) of ``subject_ids`` by
    ``topic_ids``; their ids are added to ``params``."""
    return (
        f"SELECT r.id AS subject_id, t.id AS topic_id "
        f"FROM {Actor._meta.db_table} r CROSS JOIN {Topic._meta.db_table} t WHERE 1 = 1"
        + among("r.id", subject_ids, params)
        + among("t.id", topic_ids, params)
    )


def _dated_stance(connection) -> str:
    """SQL: cell ``c``'s winning own statement as of its one parameter, as
    its date and stance in one value ("2025-03-01supports"): one probe of the
    index for both, not one for each (2 ms of the standing at 1M). Read back
    by :func:`_since_and_stance`."""
    day = "to_char({t}.as_of, 'YYYY-MM-DD')" if connection.vendor == "postgresql" else "{t}.as_of"
    return _winning(f"{day} || {{t}}.stance", "%s")


def _since_and_stance(value: str) -> tuple[dt.date, str]:
    return dt.date.fromisoformat(value[:10]), value[10:]


def stance_counts(on: dt.date, subject_ids: list[int], topic_ids: list[int]) -> dict:
    """``{topic_id: Counter(stance -> cells)}``: each cell's stance as of
    ``on`` is its winning own statement (claims never set one, rule 3),
    taken in :data:`rule.WINNER_ORDER`, the order of ``Statement.sort_key``;
    counted in the database, one index probe per cell. One query."""
    counted = stance_counts_on([on], subject_ids, topic_ids)
    return {topic_id: counted.get((on, topic_id), Counter()) for topic_id in topic_ids}


def stance_counts_on(days: list[dt.date], subject_ids: list[int], topic_ids: list[int]) -> dict:
    """``{(day, topic_id): Counter(stance -> cells)}`` for each of ``days``,
    as :func:`stance_counts` counts one: one index probe per cell and day,
    one query for them all (a trend's two years of month ends included)."""
    if not days or not subject_ids or not topic_ids:
        return {}
    params: list = []
    cells = _pairings(subject_ids, topic_ids, params)
    on_days = " UNION ALL ".join(["SELECT %s AS day"] * len(days))
    sql = (
        f"SELECT w.day, w.topic_id, w.stance, COUNT(*) FROM (SELECT d.day, c.topic_id, "
        f"{_winning('{t}.stance', 'd.day')} AS stance "
        f"FROM ({on_days}) d CROSS JOIN ({cells}) c {_latest()}) w "
        f"GROUP BY w.day, w.topic_id, w.stance"
    )
    found: dict[tuple[dt.date, int], Counter] = {}
    with reading().cursor() as cursor:
        cursor.execute(sql, [*days, *params])
        for day, topic_id, stance, count in cursor.fetchall():
            # Silent cells group under no stance (filtering them in SQL made
            # the planner probe every cell twice).
            if stance is not None:
                found.setdefault((as_date(day), topic_id), Counter())[stance] += count
    return found


def winning_stances(on: dt.date, subject_ids: list[int], topic_ids: list[int]) -> dict:
    """``{(subject_id, topic_id): stance}`` as of ``on`` for the cells of
    ``subject_ids`` by ``topic_ids`` that have one: each cell's winning own
    statement, as :func:`stance_counts` counts it (what ``rule.resolve`` gives
    as ``CellStance.stance``). One query, one index-only probe per cell: the
    earlier side of a comparison needs no more (resolving it whole, with its
    claims and what each statement shows, was a third of the map's compare)."""
    if not subject_ids or not topic_ids:
        return {}
    params: list = []
    cells = _pairings(subject_ids, topic_ids, params)
    stance = _winning("{t}.stance", "%s")
    sql = f"SELECT c.subject_id, c.topic_id, {stance} FROM ({cells}) c {_latest()}"
    with reading().cursor() as cursor:
        cursor.execute(sql, [on, on, *params])
        return {
            (subject_id, topic_id): stance
            for subject_id, topic_id, stance in cursor.fetchall()
            if stance is not None
        }


def deciding_on(on: dt.date, cells) -> dict[tuple[int, int], tuple[str, dt.date]]:
    """``{(subject_id, topic_id): (stance, since)}`` for those of ``cells``
    with a stance as of ``on``: its winning own statement's stance and date,
    as :func:`standing` reads them (one probe of the index per cell for
    both). One query: a page that lists cells by stance and date needs no
    more than this of the rule."""
    pairs = list(cells)
    if not pairs:
        return {}
    connection = reading()
    params: list = []
    listed = listed_cells(pairs, params)
    dated = _dated_stance(connection)
    sql = f"SELECT c.subject_id, c.topic_id, {dated} FROM ({listed}) c {_latest()}"
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on, *params])
        for subject_id, topic_id, dated in cursor.fetchall():
            if dated is not None:
                since, stance = _since_and_stance(dated)
                found[subject_id, topic_id] = (stance, since)
    return found


def conditioned_cells(on: dt.date) -> dict[int, list[tuple[int, int]]]:
    """``{condition_id: [(subject_id, topic_id), ...]}``: the cells whose
    deciding statement as of ``on`` (the winner the totals count) names each
    condition; a stance with two conditions is under both. One query, one
    index-only probe per cell of the states and organisations."""
    actors, named = Actor._meta.db_table, PositionCondition._meta.db_table
    sql = (
        f"SELECT pc.condition_id, w.subject_id, w.topic_id FROM (SELECT c.subject_id, "
        f"c.topic_id, {_winning('{t}.position_id', '%s')} AS winner FROM (SELECT r.id AS "
        f"subject_id, t.id AS topic_id FROM {actors} r CROSS JOIN {Topic._meta.db_table} t "
        f"WHERE r.kind IN (%s, %s)) c {_latest()}) w "
        f"JOIN {named} pc ON pc.position_id = w.winner "
        f"ORDER BY pc.condition_id, w.subject_id, w.topic_id"
    )
    found: dict[int, list[tuple[int, int]]] = {}
    with reading().cursor() as cursor:
        cursor.execute(sql, [on, on, Actor.Kind.STATE, Actor.Kind.ORGANISATION])
        for condition_id, subject_id, topic_id in cursor.fetchall():
            found.setdefault(condition_id, []).append((subject_id, topic_id))
    return found


class Standing(NamedTuple):
    name: str
    slug: str
    since: dt.date  # the date of the words that decide the stance


def standing(*, topic_id: int, on: dt.date) -> dict[str, list[Standing]]:
    """``{stance: [Standing, ...]}``: every country (then organisation), by
    name, under its stance on the topic as of ``on``, its winning own
    statement, as the totals count it. One query, two index-only probes per
    country; the as-of rule in Python for thousands of countries was most of
    a topic page's time."""
    connection = reading()
    sql = (
        f"SELECT c.name, c.slug, {_dated_stance(connection)} "
        f"FROM (SELECT r.id AS subject_id, %s AS topic_id, r.name, r.slug, r.kind "
        f"FROM {Actor._meta.db_table} r WHERE r.kind IN (%s, %s)) c {_latest()} "
        f"ORDER BY CASE WHEN c.kind = %s THEN 0 ELSE 1 END, c.name"
    )
    found: dict[str, list[Standing]] = {value: [] for value in Stance.values}
    kinds = [Actor.Kind.STATE, Actor.Kind.ORGANISATION]
    with connection.cursor() as cursor:
        cursor.execute(sql, [on, on, topic_id, *kinds, Actor.Kind.STATE])
        for name, slug, dated in cursor.fetchall():
            if dated is not None:
                since, stance = _since_and_stance(dated)
                found[stance].append(Standing(name, slug, since))
    return found


# More than the states any record holds: "every row" for the matrix's one-query page.
ALL_ROWS = 5_000


def counted(topics, cells_of, countries) -> list[TopicTotals]:
    """Totals of ``countries`` from their cells (``cells_of(actor, topic)``)."""
    result = []
    for topic in topics:
        tally = Counter()
        for country in countries:
            cell = cells_of(country, topic)
            if cell is not None and cell.current is not None and cell.stance:
                tally[cell.stance] += 1
        spoken = sum(tally.values())
        result.append(
            TopicTotals(
                topic.pk,
                tuple((stance, tally[stance]) for stance in Stance.values),
                len(countries) - spoken,
                len(countries),
            )
        )
    return result


def stance_totals(*, on: dt.date, topics: list, group: Actor | None = None) -> list[TopicTotals]:
    """For each topic, how many countries (of ``group``'s members, or all)
    hold each stance as of ``on``, and how many have said nothing: each
    cell's winning own statement, counted in the database. Two queries."""

    def compute():
        countries = Actor.objects.states()
        if group is not None:
            members = Role.objects.memberships().current(on=on).filter(organisation=group)
            countries = countries.filter(pk__in=members.values("holder_id"))
        ids = list(countries.values_list("pk", flat=True))
        counts = stance_counts(on, ids, [t.pk for t in topics])
        return [
            TopicTotals(
                topic.pk,
                tuple((stance, counts[topic.pk][stance]) for stance in Stance.values),
                len(ids) - sum(counts[topic.pk].values()),
                len(ids),
            )
            for topic in topics
        ]

    key = (on, tuple(t.pk for t in topics), group.pk if group else None)
    return cache.cached("stance-totals", key, compute)


@dataclass(frozen=True)
class Month:
    end: dt.date  # the month's last day (or the window's end)
    counts: tuple[tuple[str, int], ...]


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    ends, day = [], start
    while True:
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        if last >= end:
            ends.append(end)
            return ends
        ends.append(last)
        day = following


def monthly_totals(*, topic, start: dt.date, end: dt.date) -> list[Month]:
    """The countries per stance on the topic at each month's end of the window."""

    def compute():
        ends = month_ends(start, end)
        countries = list(Actor.objects.states().values_list("pk", flat=True))
        counted = stance_counts_on(ends, countries, [topic.pk])
        return [
            Month(
                last, tuple((s, counted.get((last, topic.pk), Counter())[s]) for s in Stance.values)
            )
            for last in ends
        ]

    return cache.cached("monthly-totals", (topic.pk, start, end), compute)


def bar(counts, silent: int = 0) -> list[tuple[str, float, float]]:
    """A stacked bar of 100 units: ``(stance or "none", x, width)``."""
    total = sum(n for _, n in counts) + silent
    if not total:
        return []
    parts, x = [], 0.0
    for stance, n in [*counts, ("none", silent)]:
        if n:
            width = round(100 * n / total, 2)
            parts.append((stance, round(x, 2), width))
            x += width
    return parts


def totals_rows(topics, totals: list[TopicTotals]):
    """``(topic, totals, bar)`` per topic, for ``positions/_totals.html``."""
    return [(topic, t, bar(t.counts, t.silent)) for topic, t in zip(topics, totals, strict=True)]


@dataclass(frozen=True)
class TrendColumn:
    month: Month
    x: int
    label: str  # "Mar 2025", shown every few months
    description: str  # what a screen reader hears for the column
    url: str  # the matrix on that date, this topic only
    rects: tuple[tuple[str, int, int], ...]  # (stance, y, height)


TREND_HEIGHT, TREND_BAR, TREND_GAP = 160, 18, 6
# The room a month's label takes ("Sep 2025" at the chart's 12 px, with a
# space after): labels sit at least this far apart, or they run together.
TREND_LABEL_WIDTH = 64


def trend_columns(months: list[Month], *, topic_slug: str, matrix_url: str) -> list[TrendColumn]:
    """Stacked bars, one per month: countries per stance at the month's end."""
    from .dating import MONTHS

    tallest = max((sum(n for _, n in m.counts) for m in months), default=0) or 1
    labels = STANCE_LABELS
    columns = []
    # About eight labels whatever the window, never closer than a label is wide.
    pitch = TREND_BAR + TREND_GAP
    every = max(-(-TREND_LABEL_WIDTH // pitch), -(-len(months) // 8))
    for index, month in enumerate(months):
        y, rects = TREND_HEIGHT, []
        for stance, n in month.counts:
            if n:
                height = round(TREND_HEIGHT * n / tallest)
                y -= height
                rects.append((stance, y, height))
        said = ", ".join(f"{n} {labels[s].lower()}" for s, n in month.counts if n) or "none"
        day = month.end
        short = f"{MONTHS[day.month - 1]} {day.year}"
        columns.append(
            TrendColumn(
                month,
                index * (TREND_BAR + TREND_GAP),
                short if index % every == 0 else "",
                # It opens with the label the column may show, as a spoken name must.
                f"{short}, on {day.day} {day:%B %Y}: {said}",
                f"{matrix_url}?as_of={day.isoformat()}&topics={topic_slug}",
                tuple(rects),
            )
        )
    return columns
