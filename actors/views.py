"""Actor pages: who they are, the offices and memberships they hold over
time, how their stance on each topic moved, and every quote."""

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from positions import timeline
from positions.models import Position, Stance, Topic
from positions.selectors import END_OF_RECORD, OWN_RANK, Statement, history, statements_by_cell
from sources.models import Quote

from .models import Actor, Role


@require_safe
def actor_list(request: HttpRequest) -> HttpResponse:
    actors = Actor.objects.annotate(
        position_total=Count("positions", distinct=True), quote_total=Count("quotes", distinct=True)
    ).order_by("kind", "name")
    sections = {kind: [] for kind in Actor.Kind.values}
    for actor in actors:
        sections[actor.kind].append(actor)
    return render(
        request,
        "actors/actor_list.html",
        {"sections": [(label, sections[value]) for value, label in Actor.Kind.choices]},
    )


@require_safe
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = get_object_or_404(Actor.objects.prefetch_related("aliases"), slug=slug)
    today = timezone.localdate()
    roles = actor.roles.select_related("organisation").order_by("start_date", "pk")
    held_in = actor.member_roles.select_related("holder").order_by(
        "kind", "speaks_for_rank", "start_date", "holder__name"
    )
    quotes = (
        Quote.objects.filter(speaker=actor)
        .select_related("source")
        .defer("source__text")
        .prefetch_related(
            Prefetch("positions", Position.objects.published().select_related("actor", "topic"))
        )
        .order_by("said_on", "pk")
    )
    context = {
        "actor": actor,
        "today": today,
        "roles": roles,
        "offices_held_in": [r for r in held_in if r.kind == Role.Kind.OFFICE],
        "members": [r for r in held_in if r.kind == Role.Kind.MEMBERSHIP],
        "quotes": quotes,
        "stances": Stance.choices,
    }
    if actor.kind in (Actor.Kind.STATE, Actor.Kind.ORGANISATION):
        grouped = statements_by_cell(on=END_OF_RECORD, subjects=[actor])
        lanes, record = [], []
        for topic in Topic.objects.all():
            found = grouped.get((actor.pk, topic.pk))
            if not found:
                continue
            entries = history(found, subject_id=actor.pk, topic_id=topic.pk)
            url = reverse("positions:cell", args=[actor.slug, topic.slug])
            lanes.append(timeline.Lane(topic.short_name, url, entries, key=topic.slug))
            record.extend(
                (
                    entry,
                    topic.short_name,
                    actor,
                    [(s, timeline.anchor_for(topic.slug, s)) for s in entry.made],
                )
                for entry in entries
            )
        record.sort(key=lambda item: item[0].on, reverse=True)
        context |= {"timeline": timeline.build(lanes, until=today), "record": record}
    else:
        # An official's or expert's own positions count for no state; they are
        # shown as statements of their own.
        context["own_statements"] = [
            Statement(actor.pk, position, OWN_RANK)
            for position in Position.objects.published()
            .filter(actor=actor)
            .with_evidence()
            .order_by("-as_of", "topic__sort_order")
        ]
    return render(request, "actors/actor_detail.html", context)
