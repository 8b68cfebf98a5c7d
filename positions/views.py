"""The analysts' pages. Every stance comes from ``rule`` (the one as-of
rule), through ``history`` and ``matrix``; views only pick the rows and
columns and lay them out."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from actors.models import Actor, Role
from config.paging import PageOutOfRange, page_count, pager, slice_of

from . import cache, timeline
from . import search as search_backend
from .cells import OWN_RANK
from .dating import is_stale, stance_date
from .totals import stance_totals, totals_rows
from .forms import (
    AsOfPageForm,
    ConditionsForm,
    MatrixForm,
    SearchForm,
    WindowForm,
)
from .history import CellChange, history_of, neighbouring_dates
from .matrix import MATRIX_PAGE_ROWS, stance_matrix, timeline_lanes
from .models import Attribution, Condition, Position, Stance, Status, Topic
from .rule import (
    END_OF_RECORD,
    CellStance,
    Statement,
    as_of_from,
    depending_on_conditions,
    evidenced,
    stances_as_of,
    statements,
    with_evidence,
)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _wants_partial(request: HtmxHttpRequest) -> bool:
    # A history restore after a cache miss needs the whole page back.
    return bool(request.htmx) and not request.htmx.history_restore_request


class MatrixCell(NamedTuple):
    """One cell: the stance the rule gave it (and its change since the
    earlier date), and the plain values the template writes of it."""

    topic: Topic
    stance: CellStance | None
    change: CellChange | None
    url: str
    css: str  # the stance's class, or "none"
    empty: bool  # no statement at all in the cell
    label: str  # the counted stance's label; "" when none of the actor's own
    iso: str  # its date, as YYYY-MM-DD
    date: str
    via: str
    claims: list[tuple[str, str]]  # (claimant's name, claimed stance)
    conflict: bool
    was: str  # with a change since the earlier date: the stance before it
    stale: bool  # older than STALE_AFTER_MONTHS on the date shown


class MatrixColumn(NamedTuple):
    topic: Topic
    url: str  # the topic's page


class MatrixRow(NamedTuple):
    actor: Actor
    cells: list[MatrixCell]
    url: str  # the actor's page


def _row_sections(actors, cells_for):
    """Countries, then organisations: ``(heading, rows, the rows' markup)``."""
    sections = {Actor.Kind.STATE: [], Actor.Kind.ORGANISATION: []}
    # One reverse() for every row's link, as for the cells'.
    actor_url = reverse("actors:detail", args=["ACTOR"])
    for actor in actors:
        row = MatrixRow(actor, cells_for(actor), actor_url.replace("ACTOR", actor.slug))
        sections[actor.kind].append(row)
    rows_template = engines["jinja2"].get_template("positions/_matrix_rows.html")
    return [
        (heading, rows, rows_template.render({"rows": rows}) if rows else "")
        for heading, rows in (
            ("Countries", sections[Actor.Kind.STATE]),
            ("Organisations", sections[Actor.Kind.ORGANISATION]),
        )
    ]


STANCE_LABELS = dict(Stance.choices)


def _cell_view(
    topic: Topic, cell: CellStance | None, change: CellChange | None, url: str, on
) -> MatrixCell:
    """One matrix cell as plain values, for the template's cell markup."""
    was = ""
    if change is not None:
        before = change.before.position
        was = STANCE_LABELS[before.stance].lower() if before else "no statement"
    current = cell.current if cell is not None else None
    position = current.position if current is not None else None
    label = via = date = iso = ""
    if position is not None:
        quote = position.quote
        label = STANCE_LABELS[position.stance]
        date = stance_date(position.as_of, quote.said_on, quote.said_on_precision)
        iso = position.as_of.isoformat()
        if position.attribution == Attribution.SPEAKING_FOR:
            via = f"via {position.quote.speaker_name}"
        elif current.role_id:
            via = f"via {position.actor.name}"
        elif position.attribution == Attribution.REPORT:
            via = f"reported by {position.quote.speaker_name}"
    return MatrixCell(
        topic=topic,
        stance=cell,
        change=change,
        url=url,
        css=position.stance if position is not None else "none",
        empty=cell is None,
        label=label,
        iso=iso,
        date=date,
        via=via,
        claims=[
            (claim.position.claimant.name, STANCE_LABELS[claim.position.stance].lower())
            for claim in (cell.claims if cell is not None else ())
        ],
        conflict=cell is not None and cell.has_conflict,
        was=was,
        stale=position is not None and is_stale(position.as_of, on),
    )


@require_safe
@vary_on_headers("HX-Request")
def matrix(request: HtmxHttpRequest) -> HttpResponse:
    """Who stands where as of a date; optionally what changed since another."""
    partial = _wants_partial(request)
    # The whole answer is the same for every reader until the next write (or,
    # for "today", the next day): cached on the query as sent. Only answers
    # that show a matrix are kept; a bad query is worked out each time.
    key = (sorted(request.GET.lists()), partial, timezone.localdate())
    status, html = cache.cached(
        "matrix-page", key, lambda: _matrix_page(request, partial), keep=lambda got: got[0] == 200
    )
    return HttpResponse(html, status=status)


def _matrix_page(request: HtmxHttpRequest, partial: bool) -> tuple[int, str]:
    topics = list(Topic.objects.all())
    groups = list(
        Actor.objects.organisations().filter(
            pk__in=Role.objects.memberships().values("organisation")
        )
    )
    form = MatrixForm(request.GET, groups=groups, topics=topics)
    status = 200
    if form.is_valid():
        try:
            grid_html = _matrix_html(request, form)
        except PageOutOfRange as error:
            form.add_error("page", str(error))
            # A page past the end is well-formed but names nothing, as a paginator's 404.
            status = 404
    if not form.is_valid():
        context = {"form": form, "stances": Stance.choices}
        grid_html = render_to_string("positions/matrix.html#matrix", context, request)
        status = status if status == 404 else 400
    if partial:
        return status, grid_html
    page = {"matrix_html": grid_html, "on": form.cleaned_data["as_of"] if status == 200 else None}
    return status, render_to_string("positions/matrix.html", page, request)


def _matrix_html(request: HtmxHttpRequest, form: MatrixForm) -> str:
    grid = stance_matrix(
        on=form.cleaned_data["as_of"],
        since=form.cleaned_data["since"],
        group=form.selected_group,
        kind=form.cleaned_data["kind"],
        topics=form.selected_topics,
        page=form.cleaned_data["page"],
        evidence=False,
        everyone=form.cleaned_data["everyone"],
    )
    actors = {actor.pk: actor for actor in grid.rows}
    # The cells show plain values; the statements listed under changes are
    # shown whole, with their sources and conditions.
    whole = with_evidence(s for change in grid.changes for s in change.moved_by)
    changes = [
        replace(change, moved_by=[whole[s.row_id] for s in change.moved_by])
        for change in grid.changes
    ]
    topics_by_id = {topic.pk: topic for topic in grid.topics}

    # One reverse() for all the cells' links, one for the columns': per cell,
    # it was a tenth of the page's time.
    cell_url = reverse("positions:cell", args=["ACTOR", "TOPIC"])
    topic_url = reverse("positions:topic_detail", args=["TOPIC"])
    as_of = f"?as_of={grid.on:%Y-%m-%d}"

    def cells_for(actor):
        row = []
        prefix = cell_url.replace("ACTOR", actor.slug)
        for topic in grid.topics:
            cell, change = grid.cell(actor, topic), grid.change(actor, topic)
            url = prefix.replace("TOPIC", topic.slug) + as_of
            row.append(_cell_view(topic, cell, change, url, grid.on))
        return row

    previous, following = (
        grid.steps if grid.steps is not None else neighbouring_dates(on=grid.on, topics=grid.topics)
    )
    totals = stance_totals(on=grid.on, topics=grid.topics, group=grid.group)
    query = _matrix_query(request, form)
    page_query = urlencode(query, doseq=True)
    first = (grid.page - 1) * (grid.per_page or 0) + 1
    context = {
        "form": form,
        "stances": Stance.choices,
        "on": grid.on,
        "since": grid.since,
        "group": grid.group,
        "columns": [
            MatrixColumn(topic, topic_url.replace("TOPIC", topic.slug)) for topic in grid.topics
        ],
        "sections": _row_sections(grid.rows, cells_for),
        "row_count": grid.row_count,
        "rows_shown": (first, first + len(grid.rows) - 1),
        "page": grid.page,
        "pages": grid.pages,
        "page_query": page_query + "&" if page_query else "",
        "changes": [(actors[c.subject_id], topics_by_id[c.topic_id], c) for c in changes],
        "previous": previous,
        "following": following,
        "step_query": urlencode({k: v for k, v in query.items() if k != "as_of"}, doseq=True),
        "totals": totals_rows(grid.topics, totals),
    }
    return render_to_string("positions/matrix.html#matrix", context, request)


def _matrix_query(request: HttpRequest, form: MatrixForm) -> dict:
    """The matrix's parameters, cleaned and in one order; ``as_of`` only when
    asked for, so that a link to "today" stays today tomorrow."""
    params = form.cleaned_data
    query = {
        "as_of": params["as_of"].isoformat() if request.GET.get("as_of") else "",
        "since": params["since"].isoformat() if params["since"] else "",
        "group": params["group"],
        "kind": params["kind"],
        "topics": sorted(params["topics"] or []),
        "everyone": "1" if params["everyone"] else "",
    }
    return {name: value for name, value in query.items() if value}


@require_safe
@vary_on_headers("HX-Request")
def cell(request: HtmxHttpRequest, actor_slug: str, topic_slug: str) -> HttpResponse:
    """One actor on one topic: the statement that counts as of a date, the
    claims and conflicts beside it, and the cell's history, newest date
    first, a page at a time."""
    actor = get_object_or_404(
        Actor.objects.filter(kind__in=[Actor.Kind.STATE, Actor.Kind.ORGANISATION]),
        slug=actor_slug,
    )
    topic = get_object_or_404(Topic, slug=topic_slug)
    form = AsOfPageForm(request.GET)
    template = (
        "positions/cell_detail.html#detail"
        if _wants_partial(request)
        else "positions/cell_detail.html"
    )
    context = {"actor": actor, "topic": topic, "form": form, "stances": Stance.choices}
    if not form.is_valid():
        return render(request, template, context, status=400)
    on, page = form.cleaned_data["as_of"], form.cleaned_data["page"]
    # The whole history as plain values (it decides every step); the
    # statements shown get their sources and conditions.
    found = statements(on=END_OF_RECORD, subjects=[actor], topics=[topic], evidence=False)
    steps = history_of(found, subject_id=actor.pk, topic_id=topic.pk)[::-1]
    try:
        entries = slice_of(
            steps, page=page, per_page=HISTORY_DATES_PER_PAGE, what="history", noun="dates"
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return render(request, template, context, status=404)
    now = as_of_from(found, on=on, subject_id=actor.pk, topic_id=topic.pk)
    whole = with_evidence([*now.statements, *(s for e in entries for s in e.made)])
    # Retractions never count, but their public correction notes stay in view.
    retracted = (
        Position.objects.filter(status=Status.RETRACTED, topic=topic)
        .filter(
            Q(actor=actor)
            | Q(actor__roles__organisation=actor, actor__roles__speaks_for_rank__isnull=False)
        )
        .distinct()
        .with_evidence()
        .order_by("-as_of", "-pk")
    )
    context |= {
        "retracted": [Statement(actor.pk, position, OWN_RANK) for position in retracted],
        "on": on,
        "cell": evidenced(now, whole),
        "stale": now.current is not None and is_stale(now.current.position.as_of, on),
        "entries": [replace(e, made=[whole[s.row_id] for s in e.made]) for e in entries],
        # The list counts down from the newest date of all, page after page.
        "first_number": len(steps) - (page - 1) * HISTORY_DATES_PER_PAGE,
        "path": reverse("positions:cell", args=[actor.slug, topic.slug]),
        "query": urlencode({"as_of": on.isoformat()}) if request.GET.get("as_of") else "",
    }
    context |= pager(
        page=page, per_page=HISTORY_DATES_PER_PAGE, total=len(steps), count=len(entries)
    )
    return render(request, template, context)


HISTORY_DATES_PER_PAGE = 50


@require_safe
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = Topic.objects.prefetch_related("wordings")
    return render(request, "positions/topic_list.html", {"topics": topics})


@require_safe
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The question, its wordings, who stands where now, and a timeline of
    how that came about: a window of time (two years by default), a page of
    countries at a time."""
    topic = get_object_or_404(Topic.objects.prefetch_related("wordings"), slug=slug)
    today = timezone.localdate()
    form = WindowForm(request.GET)
    context = {"topic": topic, "today": today, "form": form, "stances": Stance.choices}
    if not form.is_valid():
        return render(request, "positions/topic_detail.html", context, status=400)
    start, end, page = (form.cleaned_data[name] for name in ("start", "end", "page"))

    now = stances_as_of(on=today, topics=[topic], evidence=False)
    standing = {value: [] for value in Stance.values}
    named = Actor.objects.matrix_rows().filter(pk__in={key[0] for key in now})
    for actor in named:
        cell = now[actor.pk, topic.pk]
        if cell.stance:
            standing[cell.stance].append((actor, cell))

    per_page = MATRIX_PAGE_ROWS
    try:
        rows, row_count, steps = timeline_lanes(
            topic=topic, start=start, end=end, page=page, per_page=per_page
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return render(request, "positions/topic_detail.html", context, status=404)
    chart, record, recorded = timeline.lanes_and_record(
        (
            (
                actor.slug,
                actor.name,
                actor,
                reverse("positions:cell", args=[actor.slug, topic.slug]),
                steps.get((actor.pk, topic.pk), []),
            )
            for actor in rows
        ),
        until=end,
    )
    query = {"start": start.isoformat(), "end": end.isoformat()}
    context |= {
        "standing": [(value, label, standing[value]) for value, label in Stance.choices],
        "timeline": chart,
        "record": record,
        "recorded": recorded,
        "start": start,
        "end": end,
        "page": page,
        "pages": page_count(row_count, per_page),
        "row_count": row_count,
        "rows_shown": ((page - 1) * per_page + 1, (page - 1) * per_page + len(rows)),
        "page_query": urlencode(query) + "&",
    }
    return render(request, "positions/topic_detail.html", context)


@require_safe
def conditions(request: HttpRequest) -> HttpResponse:
    """Who depends on each condition as of a date: how many stances name
    each, then those stances (of one condition, when asked) a page at a
    time. Cached as the matrix is: it resolves every cell of the record."""
    key = (sorted(request.GET.lists()), timezone.localdate())
    status, html = cache.cached(
        "conditions-page", key, lambda: _conditions_page(request), keep=lambda got: got[0] == 200
    )
    return HttpResponse(html, status=status)


CONDITION_ROWS_PER_PAGE = 100


def _conditions_page(request: HttpRequest) -> tuple[int, str]:
    template = "positions/conditions.html"
    every = list(Condition.objects.all())
    form = ConditionsForm(request.GET, conditions=every)
    if not form.is_valid():
        return 400, render_to_string(template, {"form": form}, request)
    on, page, chosen = (
        form.cleaned_data["as_of"],
        form.cleaned_data["page"],
        form.selected_condition,
    )
    depending = depending_on_conditions(on=on)
    subjects = Actor.objects.only("name", "slug", "kind").in_bulk(
        {cell.subject_id for cells in depending.values() for cell in cells}
    )
    topics = Topic.objects.in_bulk()

    def order(cell: CellStance):
        subject = subjects[cell.subject_id]
        return (subject.kind != Actor.Kind.STATE, subject.name, topics[cell.topic_id].sort_order)

    rows = [
        (condition, subjects[cell.subject_id], topics[cell.topic_id], cell)
        for condition in every
        if chosen in (None, condition)
        for cell in sorted(depending.get(condition.pk, []), key=order)
    ]
    try:
        shown = slice_of(
            rows, page=page, per_page=CONDITION_ROWS_PER_PAGE, what="list", noun="stances"
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return 404, render_to_string(template, {"form": form}, request)
    sections: list[tuple[Condition, list]] = []
    for condition, subject, topic, cell in shown:
        if not sections or sections[-1][0] != condition:
            sections.append((condition, []))
        sections[-1][1].append((subject, topic, cell))
    query = {
        "as_of": request.GET.get("as_of") and on.isoformat(),
        "condition": chosen and chosen.slug,
    }
    context = {
        "form": form,
        "on": on,
        "chosen": chosen,
        "summary": [(c, len(depending.get(c.pk, []))) for c in every],
        "sections": sections,
        # A section that goes on from the page before says so.
        "continued": page > 1 and rows[(page - 1) * CONDITION_ROWS_PER_PAGE - 1][0] == shown[0][0],
        "as_of_query": urlencode({"as_of": query["as_of"]}) + "&" if query["as_of"] else "",
        "query": urlencode({k: v for k, v in query.items() if v}),
    }
    context |= pager(page=page, per_page=CONDITION_ROWS_PER_PAGE, total=len(rows), count=len(shown))
    return 200, render_to_string(template, context, request)


@require_safe
@vary_on_headers("HX-Request")
def search(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    template = (
        "positions/search.html#results" if _wants_partial(request) else "positions/search.html"
    )
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    query = form.cleaned_data["q"]
    results = search_backend.search(query) if query else None
    return render(request, template, {"form": form, "query": query, "results": results})
