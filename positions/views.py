"""The analysts' pages. Every stance comes from ``rule`` (the one as-of
rule), through ``history`` and ``matrix``; views only pick the rows and
columns and lay them out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from actors.models import Actor, Role
from config.paging import PageOutOfRange, page_count, pager, slice_of

from . import cache, timeline, totals
from . import search as search_backend
from .cells import OWN_RANK
from .dating import is_stale
from .forms import (
    AsOfPageForm,
    ConditionsForm,
    SearchForm,
    WindowForm,
)
from .history import history_of
from .matrix import TIMELINE_PAGE_LANES, timeline_lanes
from .matrix_page import HtmxHttpRequest, wants_partial
from .models import Condition, Position, Stance, Status, Topic
from .rule import (
    END_OF_RECORD,
    Statement,
    as_of_from,
    evidenced,
    statements,
    with_evidence,
)
from .shown import STANCE_LABELS
from .totals import conditioned_cells, deciding_on, monthly_totals, trend_columns


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
        if wants_partial(request)
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
    # Its own, and its officials': one list of ids, each looked up in the
    # (actor, topic, status) index. A join of roles scanned every retraction
    # on the topic and needed a DISTINCT; "its own OR its officials'" read
    # them all too, with a parallel worker for a handful of rows (10 ms at 1M).
    speakers = Role.objects.filter(organisation=actor, speaks_for_rank__isnull=False)
    voices = Actor.objects.filter(pk=actor.pk).values("pk").union(speakers.values("holder"))
    retracted = (
        Position.objects.filter(status=Status.RETRACTED, topic=topic, actor__in=voices)
        .with_evidence()
        .order_by("-as_of", "-pk")
    )
    context |= {
        "retracted": [Statement(actor.pk, position, OWN_RANK) for position in retracted],
        "on": on,
        "cell": evidenced(now, whole),
        "stale": now.current is not None and is_stale(now.current.position.as_of, on),
        "entries": [e._replace(made=[whole[s.row_id] for s in e.made]) for e in entries],
        # The list counts down from the newest date of all, page after page.
        "first_number": len(steps) - (page - 1) * HISTORY_DATES_PER_PAGE,
        "path": reverse("positions:cell", args=[actor.slug, topic.slug]),
        "permalink": f"{reverse('positions:cell', args=[actor.slug, topic.slug])}?as_of={on}",
        "json_url": f"/api/v1/history/?{urlencode({'actor': actor.slug, 'topic': topic.slug})}",
        "csv_url": "/api/v1/positions/export/?"
        + urlencode({"country": actor.iso_code} if actor.iso_code else {"actor": actor.slug})
        + f"&topic={topic.slug}",
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
@vary_on_headers("HX-Request")
def topic_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The question, its wordings, who stands where now, and a timeline of
    how that came about: a window of time (two years by default), a page of
    countries at a time, and the statements under it a page of dates at a
    time (htmx asks for the older ones alone)."""
    topic = get_object_or_404(Topic.objects.prefetch_related("wordings"), slug=slug)
    today = timezone.localdate()
    form = WindowForm(request.GET)
    context = {"topic": topic, "today": today, "form": form, "stances": Stance.choices}
    if not form.is_valid():
        return render(request, "positions/topic_detail.html", context, status=400)
    start, end, page, record_page = (
        form.cleaned_data[name] for name in ("start", "end", "page", "record")
    )
    per_page = TIMELINE_PAGE_LANES
    try:
        rows, row_count, steps = timeline_lanes(
            topic=topic, start=start, end=end, page=page, per_page=per_page, words=False
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return render(request, "positions/topic_detail.html", context, status=404)
    try:
        lanes, record = timeline.lanes_and_record(
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
            record_page=record_page,
        )
    except PageOutOfRange as error:
        form.add_error("record", str(error))
        return render(request, "positions/topic_detail.html", context, status=404)
    query = {"start": start.isoformat(), "end": end.isoformat()}
    record_query = urlencode(query | {"page": page}) + "&"
    if wants_partial(request):
        return render(
            request,
            "positions/_record.html#entries",
            {"record": record, "record_query": record_query},
        )
    chart = timeline.build(lanes, until=end, listed=record.listed)
    if request.GET.get("format") == "svg":
        title = f"Stances on {topic.short_name}"
        body = render_to_string(
            "positions/_timeline_svg.svg", {"timeline": chart, "title": title}, request
        )
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="timeline-{topic.slug}.svg"'
        return response
    stood = totals.standing(topic_id=topic.pk, on=today)
    standing = [(value, label, stood[value]) for value, label in Stance.choices]
    here = reverse("positions:topic_detail", args=[topic.slug])
    context |= {
        "trend_url": reverse("positions:topic_trend", args=[topic.slug]) + f"?{urlencode(query)}",
        "standing_markup": engines["jinja2"]
        .get_template("positions/_standing.html")
        .render(
            {
                "standing": standing,
                "cell_url": reverse("positions:cell", args=["ACTOR", topic.slug]),
            }
        ),
        "standing": standing,
        "timeline": chart,
        "record": record,
        "record_query": record_query,
        "start": start,
        "end": end,
        "page": page,
        "pages": page_count(row_count, per_page),
        "row_count": row_count,
        "rows_shown": ((page - 1) * per_page + 1, (page - 1) * per_page + len(rows)),
        "page_query": urlencode(query) + "&",
        "permalink": f"{here}?{urlencode(query)}",
        "svg_url": f"{here}?{urlencode(query | {'page': page, 'format': 'svg'})}",
        "csv_url": f"/api/v1/positions/export/?{urlencode({'topic': topic.slug})}",
        "json_url": f"/api/v1/timeline/?{urlencode(query | {'topic': topic.slug})}",
    }
    return render(request, "positions/topic_detail.html", context)


@require_safe
@vary_on_headers("HX-Request")
def topic_trend(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Countries per stance on a topic at each month's end of a window. The
    topic page loads it beside its timeline: it counts every country at
    every month's end, the page's heaviest query. Without JavaScript, a page
    of its own."""
    topic = get_object_or_404(Topic, slug=slug)
    form = WindowForm(request.GET)
    context = {"topic": topic, "form": form, "stances": Stance.choices}
    if not form.is_valid():
        return render(request, "positions/trend.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    trend = trend_columns(
        monthly_totals(topic=topic, start=start, end=end),
        topic_slug=topic.slug,
        matrix_url=reverse("positions:matrix"),
    )
    context |= {"trend": trend, "trend_width": len(trend) * 24 + 40, "start": start, "end": end}
    partial = wants_partial(request)
    return render(request, "positions/_trend.html" if partial else "positions/trend.html", context)


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
    depending = conditioned_cells(on)
    subjects = Actor.objects.only("name", "slug", "kind").in_bulk(
        {subject_id for cells in depending.values() for subject_id, _ in cells}
    )
    topics = Topic.objects.in_bulk()

    def order(cell: tuple[int, int]):
        subject = subjects[cell[0]]
        return (subject.kind != Actor.Kind.STATE, subject.name, topics[cell[1]].sort_order)

    rows = [
        (condition, cell)
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
    # The page's cells by their deciding statement's stance and date: all
    # the rows show of the rule.
    decided = deciding_on(on, {cell for _, cell in shown})
    # A hundred rows of three links each: plain values, written by the Jinja2
    # engine (reverse() and Django's engine per row were a third of the page).
    actor_url = reverse("actors:detail", args=["ACTOR"])
    cell_url = reverse("positions:cell", args=["ACTOR", "TOPIC"]) + f"?as_of={on.isoformat()}"
    topic_urls = {pk: reverse("positions:topic_detail", args=[t.slug]) for pk, t in topics.items()}
    grouped: list[tuple[Condition, list]] = []
    for condition, (subject_id, topic_id) in shown:
        if not grouped or grouped[-1][0] != condition:
            grouped.append((condition, []))
        grouped[-1][1].append(
            (subjects[subject_id], topics[topic_id], *decided[subject_id, topic_id])
        )
    rows_template = engines["jinja2"].get_template("positions/_condition_rows.html")

    def markup(cells) -> str:
        rows = [
            {
                "actor": actor.name,
                "actor_url": actor_url.replace("ACTOR", actor.slug),
                "topic": topic.short_name,
                "topic_url": topic_urls[topic.pk],
                "cell_url": cell_url.replace("ACTOR", actor.slug).replace("TOPIC", topic.slug),
                "stance": stance,
                "stance_label": STANCE_LABELS[stance],
                "since": since,
            }
            for actor, topic, stance, since in cells
        ]
        return rows_template.render({"rows": rows})

    # Each condition with its (actor, topic, stance, since) rows and their markup.
    sections = [(condition, cells, markup(cells)) for condition, cells in grouped]
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
        "positions/search.html#results" if wants_partial(request) else "positions/search.html"
    )
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    query = form.cleaned_data["q"]
    results = search_backend.search(query) if query else None
    return render(request, template, {"form": form, "query": query, "results": results})
