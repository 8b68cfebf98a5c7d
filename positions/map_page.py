"""The stance map: each country of the record coloured by its stance on one
topic as of a date, a link to its cell; the same parameters as the matrix,
one topic at a time, in the address. Shapes come from ``geography``; each
stance from the one rule (``rule.stances_as_of``), as on every page."""

from __future__ import annotations

from typing import NamedTuple

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from actors.models import Actor

from . import cache, geography
from .dating import stale_before
from .forms import MapForm
from .history import neighbouring_dates
from .matrix import stance_matrix
from .matrix_page import HtmxHttpRequest, cell_view, wants_partial
from .models import Stance, Topic
from .totals import ALL_ROWS, counted, totals_rows


class Country(NamedTuple):
    """One shape as drawn: its class, and for the record's states a link
    and the name a screen reader says."""

    path: str
    css: str  # a stance, "silent" (no statement), "outside" (not in the record or group)
    url: str
    label: str
    changed: bool


@require_safe
@vary_on_headers("HX-Request")
def stance_map(request: HtmxHttpRequest) -> HttpResponse:
    svg_only = request.GET.get("format") == "svg"
    partial = wants_partial(request)
    key = (sorted(request.GET.lists()), partial, svg_only, timezone.localdate())
    status, body = cache.cached(
        "map-page", key, lambda: _page(request, partial, svg_only), keep=lambda got: got[0] == 200
    )
    if svg_only and status == 200:
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="stance-map.svg"'
        return response
    return HttpResponse(body, status=status)


def _page(request, partial: bool, svg_only: bool) -> tuple[int, str]:
    topics = list(Topic.objects.all())
    groups = list(Actor.objects.groups())
    form = MapForm(request.GET, groups=groups, topics=topics)
    if not form.is_valid() or form.selected_topic is None:
        context = {"form": form, "stances": Stance.choices}
        html = render_to_string("positions/map.html#map", context, request)
        if not partial:
            html = render_to_string("positions/map.html", {"map_html": html}, request)
        return 400, html
    context = _context(request, form)
    if svg_only:
        return 200, render_to_string("positions/_map_svg.svg", context | {"standalone": True})
    html = render_to_string("positions/map.html#map", context, request)
    if partial:
        return 200, html
    return 200, render_to_string(
        "positions/map.html", {"map_html": html, "on": context["on"]}, request
    )


def _context(request, form: MapForm) -> dict:
    data = form.cleaned_data
    on, since, group, topic = data["as_of"], data["since"], form.selected_group, form.selected_topic
    view = geography.world() if data["view"] == "world" else geography.europe()
    # Every country at once (of the group's, with one), in the matrix's own
    # one-query page: its cells, their changes since, and the dates to step to.
    grid = stance_matrix(
        on=on,
        since=since,
        group=group,
        kind=Actor.Kind.STATE,
        topics=[topic],
        everyone=True,
        per_page=ALL_ROWS,
        evidence=False,
    )
    states = {actor.iso_code: actor for actor in grid.rows}
    cell_url = reverse("positions:cell", args=["ACTOR", topic.slug])
    stale_from = stale_before(on)
    countries = []
    for shape in view.shapes:
        actor = states.get(shape.iso)
        if actor is None:
            countries.append(Country(shape.path, "outside", "", "", False))
            continue
        cell, change = grid.cell(actor, topic), grid.change(actor, topic)
        url = cell_url.replace("ACTOR", actor.slug) + f"?as_of={on:%Y-%m-%d}"
        shown = cell_view(
            topic, cell if cell and cell.current else None, change, url, on, stale_from
        )
        countries.append(
            Country(
                shape.path,
                f"stance-{shown.css}" if shown.label else "silent",
                url,
                _label(actor, shown),
                change is not None,
            )
        )
    query = _query(request, form)
    previous, following = (
        grid.steps if grid.steps is not None else neighbouring_dates(on=on, topics=[topic])
    )
    totals = counted([topic], grid.cell, grid.rows)
    matrix = reverse("positions:matrix")
    table_query = {k: v for k, v in query.items() if k not in ("topic", "view")} | {
        "topics": topic.slug
    }
    return {
        "form": form,
        "on": on,
        "since": since,
        "group": group,
        "topic": topic,
        "view": view,
        "countries": countries,
        "stances": Stance.choices,
        "totals": totals_rows([topic], totals),
        "previous": previous,
        "following": following,
        "step_query": urlencode({k: v for k, v in query.items() if k != "as_of"}),
        "table_url": f"{matrix}?{urlencode(table_query)}",
        "svg_url": f"{reverse('positions:map')}?{urlencode(query | {'format': 'svg'})}",
        "permalink": f"{reverse('positions:map')}?{urlencode(query | {'as_of': on.isoformat()})}",
        "export_query": urlencode(
            {"as_of": on.isoformat(), "topics": topic.slug}
            | ({"group": group.slug} if group else {})
        ),
    }


def _label(actor: Actor, shown) -> str:
    if not shown.label:
        return f"{actor.name}: no statement"
    parts = [f"{actor.name}: {shown.label}, {shown.date}"]
    if shown.via:
        parts.append(shown.via)
    if shown.stale:
        parts.append("stale")
    if shown.was:
        parts.append(f"changed; was {shown.was}")
    return ", ".join(parts)


def _query(request, form: MapForm) -> dict:
    data = form.cleaned_data
    query = {
        "as_of": data["as_of"].isoformat() if request.GET.get("as_of") else "",
        "since": data["since"].isoformat() if data["since"] else "",
        "group": data["group"],
        "topic": form.selected_topic.slug,
        "view": data["view"],
    }
    return {name: value for name, value in query.items() if value}
