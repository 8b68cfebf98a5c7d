"""Coverage: for every state of the record, the date of its newest statement
on each topic, with "never" and "stale" marked, so that editors see whom to
look for next. A statement counts as the matrix counts it (the state's own
words, an official's through an office, an outlet's report); a third
party's claim is not the state speaking."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from actors.models import Actor, Role
from config.routers import reading

from .dating import stale_before
from .forms import CoverageForm
from .history import as_date
from .models import CellStatement, Topic
from .rule import among

# The orders a reader can ask for; a topic's slug orders by that topic.
SORTS = {
    "name": "Name",
    "oldest": "Longest silent first",
    "newest": "Most recently heard first",
}


@dataclass(frozen=True)
class CoverageCell:
    topic: Topic
    newest: dt.date | None  # None: never
    stale: bool


@dataclass(frozen=True)
class CoverageRow:
    actor: Actor
    groups: list[Actor]
    cells: list[CoverageCell]

    @property
    def newest(self) -> dt.date | None:
        return max((c.newest for c in self.cells if c.newest), default=None)

    @property
    def silent_topics(self) -> int:
        """Topics with no statement, or only a stale one."""
        return sum(1 for c in self.cells if c.newest is None or c.stale)


@dataclass(frozen=True)
class Coverage:
    on: dt.date
    stale_from: dt.date
    topics: list[Topic]
    rows: list[CoverageRow]

    @property
    def spoken(self) -> int:
        return sum(1 for row in self.rows if row.newest)

    @property
    def never(self) -> int:
        return len(self.rows) - self.spoken

    @property
    def current(self) -> int:
        """States with at least one statement that is not stale."""
        return sum(1 for row in self.rows if any(c.newest and not c.stale for c in row.cells))


def coverage(*, on: dt.date, group: Actor | None = None, sort: str = "name") -> Coverage:
    """Every state (or every member of ``group`` on ``on``) with its groups
    and its newest statement per topic up to ``on``. Three queries: the
    states, their memberships, and one index probe per state and topic."""
    topics = list(Topic.objects.all())
    states = Actor.objects.states()
    if group is not None:
        members = Role.objects.memberships().current(on=on).filter(organisation=group)
        states = states.filter(pk__in=members.values("holder"))
    states = list(states.order_by("name"))
    memberships = (
        Role.objects.memberships()
        .current(on=on)
        .filter(holder__in=states)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    groups: dict[int, list[Actor]] = defaultdict(list)
    for role in memberships:
        if role.organisation not in groups[role.holder_id]:
            groups[role.holder_id].append(role.organisation)
    newest = _newest(on, [s.pk for s in states], [t.pk for t in topics])
    stale_from = stale_before(on)
    rows = [
        CoverageRow(
            actor=state,
            groups=groups[state.pk],
            cells=[
                CoverageCell(
                    topic=topic,
                    newest=(found := newest.get((state.pk, topic.pk))),
                    stale=found is not None and found < stale_from,
                )
                for topic in topics
            ],
        )
        for state in states
    ]
    return Coverage(on=on, stale_from=stale_from, topics=topics, rows=_sorted(rows, sort))


def _newest(on: dt.date, state_ids: list[int], topic_ids: list[int]) -> dict:
    """(state id, topic id) -> the date of its newest counted statement."""
    if not state_ids or not topic_ids:
        return {}
    table = CellStatement._meta.db_table
    # In the order of the text: the probe's, then the cells'.
    params: list = [False, on]
    sql = (
        f"SELECT r.id, t.id, (SELECT MAX(x.as_of) FROM {table} x "
        f"WHERE x.subject_id = r.id AND x.topic_id = t.id AND x.is_claim = %s AND x.as_of <= %s) "
        f"FROM {Actor._meta.db_table} r CROSS JOIN {Topic._meta.db_table} t WHERE 1 = 1"
        + among("r.id", state_ids, params)
        + among("t.id", topic_ids, params)
    )
    with reading().cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (subject_id, topic_id): as_date(found)
            for subject_id, topic_id, found in cursor.fetchall()
            if found is not None
        }


def _sorted(rows: list[CoverageRow], sort: str) -> list[CoverageRow]:
    """Rows by name (already so), by their newest statement, or by one
    topic's, the silent first: the order editors work through."""
    never = dt.date.min
    if sort == "newest":
        return sorted(rows, key=lambda r: r.newest or never, reverse=True)
    if sort == "oldest":
        return sorted(rows, key=lambda r: r.newest or never)
    for index, topic in enumerate(rows[0].cells if rows else ()):
        if topic.topic.slug == sort:
            return sorted(rows, key=lambda r: r.cells[index].newest or never)
    return rows


def _groups() -> list[Actor]:
    return list(Actor.objects.groups().order_by("name"))


def coverage_query(request) -> tuple[CoverageForm, Coverage | None]:
    """The page's and the API's reading of ``?as_of=…&group=…&sort=…``."""
    topics = list(Topic.objects.all())
    form = CoverageForm(request.GET, groups=_groups(), topics=topics, sorts=SORTS)
    if not form.is_valid():
        return form, None
    found = coverage(
        on=form.cleaned_data["as_of"],
        group=form.selected_group,
        sort=form.cleaned_data["sort"] or "name",
    )
    return form, found


@require_safe
def coverage_page(request: HttpRequest) -> HttpResponse:
    form, found = coverage_query(request)
    if found is None:
        return render(request, "positions/coverage.html", {"form": form}, status=400)
    chosen = {
        "as_of": request.GET.get("as_of") and found.on.isoformat(),
        "group": form.selected_group and form.selected_group.slug,
    }
    base = urlencode({k: v for k, v in chosen.items() if v})
    context = {
        "form": form,
        "coverage": found,
        "sort": form.cleaned_data["sort"] or "name",
        "sort_query": f"{base}&" if base else "",
        "query": urlencode(
            {k: v for k, v in {**chosen, "sort": form.cleaned_data["sort"]}.items() if v}
        ),
        "stale_months": settings.STALE_AFTER_MONTHS,
    }
    return render(request, "positions/coverage.html", context)
