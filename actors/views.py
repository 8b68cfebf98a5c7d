"""Actor pages: who they are, the offices and memberships they hold over
time, how their stance on each topic moved, and every quote."""

from django.db.models import OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from config.paging import PageOutOfRange, count_per_row, ids_of_page, pager
from positions import timeline
from positions.cells import OWN_RANK, counted_in
from positions.forms import ActorWindowForm, PageForm
from positions.history import window_histories
from positions.matrix_page import HtmxHttpRequest, wants_partial
from positions.models import CellStatement, Position, Stance, Status, Topic
from positions.rule import Statement
from sources.models import Quote

from .models import Actor, Role

ACTORS_PER_PAGE = 200


@require_safe
def actor_list(request: HttpRequest) -> HttpResponse:
    """Every actor, by kind and name, a page at a time, with how many of their
    positions and quotes are on record (positions that reach analysts:
    published or retracted, not drafts)."""
    form = PageForm(request.GET)
    if not form.is_valid():
        return render(request, "actors/actor_list.html", {"form": form}, status=400)
    page = form.cleaned_data["page"]
    ordered = Actor.objects.order_by("kind", "name", "pk")
    try:
        ids, total = ids_of_page(
            ordered, page=page, per_page=ACTORS_PER_PAGE, what="list", noun="actors"
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return render(request, "actors/actor_list.html", {"form": form}, status=404)
    shown = ordered.filter(pk__in=ids).annotate(
        position_total=count_per_row(
            Position.objects.filter(actor=OuterRef("pk")).exclude(status=Status.DRAFT), "actor"
        ),
        # A state's or organisation's stances rest on its officials' words too.
        counted_total=count_per_row(
            CellStatement.objects.filter(subject=OuterRef("pk"), is_claim=False), "subject"
        ),
        quote_total=count_per_row(Quote.objects.filter(speaker=OuterRef("pk")), "speaker"),
    )
    sections = {kind: [] for kind in Actor.Kind.values}
    for actor in shown:
        sections[actor.kind].append(actor)
    context = {
        "form": form,
        "sections": [(label, sections[value]) for value, label in Actor.Kind.choices],
    }
    context |= pager(page=page, per_page=ACTORS_PER_PAGE, total=total, count=len(shown))
    return render(request, "actors/actor_list.html", context)


QUOTES_PER_PAGE = 25  # the newest first; older ones load on demand
OWN_LIMIT = 100  # an official's own positions in the window; the API has them all


@require_safe
@vary_on_headers("HX-Request")
def actor_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Who an actor is, their offices and memberships over time, and, over a
    window of time (two years by default), how their stances moved and what
    they said. htmx asks for the older statements under the timeline, or the
    older quotes, alone."""
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    today = timezone.localdate()
    roles = actor.roles.select_related("organisation").order_by("start_date", "pk")
    held_in = actor.member_roles.select_related("holder").order_by(
        "kind", "speaks_for_rank", "start_date", "holder__name"
    )
    form = ActorWindowForm(request.GET)
    context = {
        "actor": actor,
        "today": today,
        "roles": roles,
        "offices_held_in": [r for r in held_in if r.kind == Role.Kind.OFFICE],
        "members": [r for r in held_in if r.kind == Role.Kind.MEMBERSHIP],
        "stances": Stance.choices,
        "form": form,
    }
    if not form.is_valid():
        return render(request, "actors/actor_detail.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    window = urlencode({"start": start.isoformat(), "end": end.isoformat()}) + "&"
    quotes_wanted = wants_partial(request) and "quotes" in request.GET
    if actor.kind in (Actor.Kind.STATE, Actor.Kind.ORGANISATION) and not quotes_wanted:
        topics = list(Topic.objects.all())
        steps = window_histories(subjects=[actor], topics=topics, start=start, end=end, words=False)
        try:
            lanes, record = timeline.lanes_and_record(
                (
                    (
                        topic.slug,
                        topic.short_name,
                        actor,
                        reverse("positions:cell", args=[actor.slug, topic.slug]),
                        steps[actor.pk, topic.pk],
                    )
                    for topic in topics
                    if steps.get((actor.pk, topic.pk))
                ),
                record_page=form.cleaned_data["record"],
            )
        except PageOutOfRange as error:
            form.add_error("record", str(error))
            return render(request, "actors/actor_detail.html", context, status=404)
        if wants_partial(request):
            return render(
                request,
                "positions/_record.html#entries",
                {"record": record, "record_query": window},
            )
        chart = timeline.build(lanes, until=end, listed=record.listed)
        context |= {"timeline": chart, "record": record, "record_query": window}
    elif not quotes_wanted:
        # An official's or expert's own positions count for no state; they are
        # shown as statements of their own.
        own = list(
            Position.objects.published()
            .filter(actor=actor, as_of__gte=start, as_of__lte=end)
            .with_evidence()
            .order_by("-as_of", "topic__sort_order")[:OWN_LIMIT]
        )
        shown = {p.pk for p in own}
        counted = counted_in(shown, published=shown)
        names = dict(
            Actor.objects.filter(
                slug__in={c.actor for found in counted.values() for c in found}
            ).values_list("slug", "name")
        )
        context["own_statements"] = [
            (
                Statement(actor.pk, position, OWN_RANK),
                [(names[c.actor], c.office) for c in counted[position.pk] if not c.is_claim],
            )
            for position in own
        ]
    said = Q(said_on__gte=start, said_on__lte=end) | Q(
        said_on__isnull=True, source__published_on__gte=start, source__published_on__lte=end
    )
    page = form.cleaned_data["quotes"]
    first = (page - 1) * QUOTES_PER_PAGE
    # One more than a page: whether older ones follow, without counting them all.
    quotes = list(
        Quote.objects.filter(said, speaker=actor)
        .select_related("source")
        .defer("source__text")
        .prefetch_related(
            Prefetch("positions", Position.objects.published().select_related("actor", "topic"))
        )
        .order_by("-said_on", "-pk")[first : first + QUOTES_PER_PAGE + 1]
    )
    if page > 1 and not quotes:
        form.add_error("quotes", f"There is no page {page} of quotes in this period.")
        return render(request, "actors/actor_detail.html", context, status=404)
    page_quotes = quotes[:QUOTES_PER_PAGE]
    context |= {
        # Twenty-five quotes, each with the positions it counts as: written
        # by the Jinja2 engine (Django's took a tenth of the page at 1M).
        "quotes_markup": engines["jinja2"]
        .get_template("actors/_quotes.html")
        .render({"quotes": page_quotes, "actor": actor}),
        "quotes": page_quotes,
        "quotes_page": page,
        "older_quotes": len(quotes) > QUOTES_PER_PAGE,
        "window_query": window,
        "start": start,
        "end": end,
    }
    if quotes_wanted:
        return render(request, "actors/actor_detail.html#quotes", context)
    return render(request, "actors/actor_detail.html", context)
