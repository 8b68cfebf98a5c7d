"""The stance matrix page: who stands where as of a date, what changed
since another, how many stand where; every stance from ``rule`` through
``matrix``, the page only lays it out (and caches it whole)."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from actors.models import Actor
from config.paging import PageOutOfRange, pager, slice_of

from . import cache
from .dating import stale_before, stance_date
from .forms import MatrixForm
from .history import CellChange, neighbouring_dates
from .matrix import stance_matrix
from .models import ANSWER_VERBS, Attribution, Stance, Topic
from .rule import CellStance, with_evidence
from .shown import STANCE_LABELS
from .totals import stance_totals, totals_rows


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_partial(request: HtmxHttpRequest) -> bool:
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
    claims: list[tuple[str, str, str]]  # (claimant's name, claimed stance, "denied" or "")
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


def cell_view(
    topic: Topic, cell: CellStance | None, change: CellChange | None, url: str, on, stale_from=None
) -> MatrixCell:
    """One matrix cell as plain values, for the template's cell markup.
    ``stale_from``: statements before it are stale (worked out once a page)."""
    stale_from = stale_from or stale_before(on)
    was = ""
    if change is not None:
        before = change.before.stance
        was = STANCE_LABELS[before].lower() if before else "no statement"
    current = cell.current if cell is not None else None
    position = current.position if current is not None else None
    label = via = date = iso = ""
    if position is not None:
        quote = position.quote
        label = STANCE_LABELS[position.stance]
        date = stance_date(position.as_of, quote.said_on, quote.said_on_precision)
        iso = position.as_of.isoformat()
        # An outlet's report reads the same whether it reports a state or one
        # of its officials: the outlet first, since its words are the evidence.
        if position.attribution == Attribution.REPORT:
            via = f"reported by {position.quote.speaker_name}"
            if current.role_id:
                via = f"{via} ({position.actor.name})"
        elif position.attribution == Attribution.SPEAKING_FOR:
            via = f"via {position.quote.speaker_name}"
        elif current.role_id:
            via = f"via {position.actor.name}"
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
            (
                claim.position.claimant.name,
                STANCE_LABELS[claim.position.stance].lower(),
                ANSWER_VERBS[answer.position.response_kind][1] if answer else "",
            )
            for claim, answer in (cell.claims_answered if cell is not None else ())
        ],
        conflict=cell is not None and cell.has_conflict,
        was=was,
        stale=position is not None and position.as_of < stale_from,
    )


@require_safe
@vary_on_headers("HX-Request")
def matrix(request: HtmxHttpRequest) -> HttpResponse:
    """Who stands where as of a date; optionally what changed since another."""
    partial = wants_partial(request)
    # htmx asking for a further page of the changes listed under the matrix.
    if partial and "changes" in request.GET:
        partial = "changes"
    svg = request.GET.get("format") == "svg"
    # The whole answer is the same for every reader until the next write (or,
    # for "today", the next day): cached on the query as sent. Only answers
    # that show a matrix are kept; a bad query is worked out each time.
    key = (sorted(request.GET.lists()), partial, timezone.localdate())
    status, html = cache.cached(
        "matrix-page",
        key,
        lambda: _matrix_page(request, partial, svg),
        keep=lambda got: got[0] == 200,
    )
    if svg and status == 200:
        response = HttpResponse(html, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="stance-matrix.svg"'
        return response
    return HttpResponse(html, status=status)


class ChangesOutOfRange(PageOutOfRange):
    """A page of the changes past the last."""


CHANGES_PER_PAGE = 50  # changed cells listed at a time, each with its statements


def _matrix_page(
    request: HtmxHttpRequest, partial: bool | str, svg: bool = False
) -> tuple[int, str]:
    topics = list(Topic.objects.all())
    groups = list(Actor.objects.groups())
    form = MatrixForm(request.GET, groups=groups, topics=topics)
    status = 200
    if form.is_valid():
        try:
            grid_html = _matrix_html(request, form, svg=svg, only_changes=partial == "changes")
            if svg or partial == "changes":
                return 200, grid_html
        except PageOutOfRange as error:
            form.add_error(
                "changes" if isinstance(error, ChangesOutOfRange) else "page", str(error)
            )
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


def _matrix_html(
    request: HtmxHttpRequest, form: MatrixForm, *, svg: bool = False, only_changes: bool = False
) -> str:
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
    query = _matrix_query(request, form)
    # The cells show plain values; the statements listed under changes (a
    # page of them) are shown whole, with their sources and conditions.
    changed, changes_markup = (
        _listed_changes(
            grid, actors, query, page=form.cleaned_data["changes"], fragment=only_changes
        )
        if grid.since and not svg
        else ([], "")
    )
    if only_changes:
        return changes_markup

    # One reverse() for all the cells' links, one for the columns': per cell,
    # it was a tenth of the page's time.
    cell_url = reverse("positions:cell", args=["ACTOR", "TOPIC"])
    topic_url = reverse("positions:topic_detail", args=["TOPIC"])
    as_of = f"?as_of={grid.on:%Y-%m-%d}"

    stale_from = stale_before(grid.on)

    def cells_for(actor):
        row = []
        prefix = cell_url.replace("ACTOR", actor.slug)
        for topic in grid.topics:
            cell, change = grid.cell(actor, topic), grid.change(actor, topic)
            url = prefix.replace("TOPIC", topic.slug) + as_of
            row.append(cell_view(topic, cell, change, url, grid.on, stale_from))
        return row

    if svg:
        return _matrix_svg(grid, cells_for)
    previous, following = (
        grid.steps if grid.steps is not None else neighbouring_dates(on=grid.on, topics=grid.topics)
    )
    page_query = urlencode(query, doseq=True)
    with_date = query | {"as_of": grid.on.isoformat()}
    here = reverse("positions:matrix")
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
        "changes": changed,
        "changes_markup": changes_markup,
        "previous": previous,
        "following": following,
        "step_query": urlencode({k: v for k, v in query.items() if k != "as_of"}, doseq=True),
        "switch_query": urlencode(
            {k: v for k, v in query.items() if k != "topics"} | {"as_of": grid.on.isoformat()},
            doseq=True,
        ),
        "totals_query": urlencode(
            {k: v for k, v in with_date.items() if k in ("as_of", "group", "topics")},
            doseq=True,
        ),
        "permalink": f"{here}?{urlencode(with_date, doseq=True)}",
        "svg_url": f"{here}?{urlencode(query | {'format': 'svg'}, doseq=True)}",
        "api_query": urlencode(with_date, doseq=True),
    }
    return render_to_string("positions/matrix.html#matrix", context, request)


def _listed_changes(
    grid, actors: dict, query: dict, *, page: int, fragment: bool
) -> tuple[list, str]:
    """Page ``page`` of the grid's changed cells, each with the statements
    that moved it shown whole, and their markup (_changes.html): with the
    addresses of the pages beside it (the matrix's own query, its page of
    rows included), and, as a ``fragment`` appended by htmx, no heading."""
    try:
        listed = slice_of(
            grid.changes,
            page=page,
            per_page=CHANGES_PER_PAGE,
            what="list of changes",
            noun="changed cells",
        )
    except PageOutOfRange as error:
        raise ChangesOutOfRange(str(error)) from error
    whole = with_evidence(s for change in listed for s in change.moved_by)
    topics = {topic.pk: topic for topic in grid.topics}
    changed = [
        (
            actors[change.subject_id],
            topics[change.topic_id],
            replace(change, moved_by=[whole[s.row_id] for s in change.moved_by]),
        )
        for change in listed
    ]
    here = reverse("positions:matrix")
    query = query | ({"page": grid.page} if grid.page > 1 else {})

    def page_url(number: int) -> str:
        return f"{here}?{urlencode(query | {'changes': number}, doseq=True)}"

    paged = pager(page=page, per_page=CHANGES_PER_PAGE, total=len(grid.changes), count=len(listed))
    markup = (
        engines["jinja2"]
        .get_template("positions/_changes.html")
        .render(
            {
                "changes": changed,
                "labels": STANCE_LABELS,
                "fragment": fragment,
                **paged,
                "older_url": page_url(page + 1) if page < paged["pages"] else "",
                "newer_url": page_url(page - 1) if page > 1 else "",
            }
        )
    )
    return changed, markup


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


MATRIX_SVG_NAME, MATRIX_SVG_CELL = 190, 150


def _matrix_svg(grid, cells_for) -> str:
    """The page of the matrix shown, as a standalone SVG image: names, and a
    coloured cell with its stance and date per topic."""
    columns = [
        {"topic": topic, "x": MATRIX_SVG_NAME + n * (MATRIX_SVG_CELL + 6)}
        for n, topic in enumerate(grid.topics)
    ]
    rows = []
    for n, actor in enumerate(grid.rows):
        cells = [
            {
                "x": column["x"],
                "css": cell.css if cell.label else "none",
                "text": f"{cell.label} · {cell.date}" if cell.label else "No statement",
            }
            for column, cell in zip(columns, cells_for(actor), strict=True)
        ]
        rows.append({"name": actor.name, "y": 56 + n * 24, "cells": cells})
    context = {
        "on": grid.on,
        "group": grid.group,
        "columns": columns,
        "rows": rows,
        "cell_width": MATRIX_SVG_CELL,
        "width": MATRIX_SVG_NAME + len(columns) * (MATRIX_SVG_CELL + 6) + 8,
        "height": 64 + len(rows) * 24,
    }
    return render_to_string("positions/_matrix_svg.svg", context)


@require_safe
@vary_on_headers("HX-Request")
def totals(request: HtmxHttpRequest) -> HttpResponse:
    """Countries per stance on each topic as of a date (of a group's members,
    or all): shown above the matrix, loaded beside it, since it counts every
    country rather than a page of them. Cached whole, as the matrix is."""
    partial = wants_partial(request)
    key = (sorted(request.GET.lists()), partial, timezone.localdate())
    status, html = cache.cached(
        "totals-page", key, lambda: _totals(request, partial), keep=lambda got: got[0] == 200
    )
    return HttpResponse(html, status=status)


def _totals(request: HtmxHttpRequest, partial: bool) -> tuple[int, str]:
    topics = list(Topic.objects.all())
    groups = list(Actor.objects.groups())
    form = MatrixForm(request.GET, groups=groups, topics=topics)
    if not form.is_valid():
        return 400, render_to_string("positions/totals.html", {"form": form}, request)
    on, chosen = form.cleaned_data["as_of"], form.selected_topics
    counts = stance_totals(on=on, topics=chosen, group=form.selected_group)
    context = {
        "form": form,
        "on": on,
        "group": form.selected_group,
        "stances": Stance.choices,
        "totals": totals_rows(chosen, counts),
    }
    template = "positions/_totals.html" if partial else "positions/totals.html"
    return 200, render_to_string(template, context, request)
