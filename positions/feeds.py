"""The Atom feed of changed positions, for all or one topic or actor: what
analysts subscribe to."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from actors.models import Actor
from sources.text import quoted

from .forms import FeedForm
from .models import Position, Status, Topic


class PositionFeed(Feed):
    """Newly published, changed or retracted positions, newest change first."""

    feed_type = Atom1Feed
    limit = 50

    def get_object(self, request, *args, **kwargs):
        form = FeedForm(request.GET)
        if not form.is_valid():
            raise Http404("Unknown filter.")
        topic_slug, actor_slug = form.cleaned_data["topic"], form.cleaned_data["actor"]
        return {
            "topic": get_object_or_404(Topic, slug=topic_slug) if topic_slug else None,
            "actor": get_object_or_404(Actor, slug=actor_slug) if actor_slug else None,
        }

    def title(self, obj):
        parts = [f"on {obj['topic'].short_name}" if obj["topic"] else ""]
        parts.append(f"by {obj['actor'].name}" if obj["actor"] else "")
        scope = " ".join(p for p in parts if p)
        return f"Ceasefire Positions: changed positions {scope}".strip()

    def link(self, obj):
        return reverse("positions:matrix")

    def subtitle(self, obj):
        return "Stances on troop deployment, each tied to a verbatim quote in a dated source."

    def items(self, obj):
        positions = Position.objects.exclude(status=Status.DRAFT).with_evidence()
        if obj["topic"]:
            positions = positions.filter(topic=obj["topic"])
        if obj["actor"]:
            positions = positions.filter(actor=obj["actor"])
        return positions.order_by("-updated_at", "-pk")[: self.limit]

    def item_title(self, item: Position):
        prefix = "Retracted: " if item.status == Status.RETRACTED else ""
        claim = f" (as claimed by {item.claimant.name})" if item.claimant_id else ""
        return f"{prefix}{item.actor.name} on {item.topic.short_name}: " + (
            f"{item.get_stance_display()}{claim}, as of {item.as_of:%-d %B %Y}"
        )

    def item_description(self, item: Position):
        quote = item.quote
        lines = [f"{quoted(quote.text)} — {quote.speaker_name}, {quote.said_on_display}."]
        if item.summary:
            lines.append(item.summary)
        lines.append(f"Source: {quote.source}.")
        if item.status == Status.RETRACTED:
            lines.append(f"Correction: {item.correction_note}")
        return "\n".join(lines)

    def item_link(self, item: Position):
        if item.actor.kind in (Actor.Kind.STATE, Actor.Kind.ORGANISATION):
            url = reverse("positions:cell", args=[item.actor.slug, item.topic.slug])
            return f"{url}?{urlencode({'as_of': item.as_of.isoformat()})}#position-{item.pk}"
        return reverse("actors:detail", args=[item.actor.slug]) + f"#position-{item.pk}"

    def item_guid(self, item: Position):
        return f"ceasefire-positions:position:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Position):
        return item.created_at

    def item_updateddate(self, item: Position):
        return item.updated_at

    def item_categories(self, item: Position):
        return [item.topic.short_name, item.get_stance_display()]


position_feed = PositionFeed()


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    """The Atom feed; a malformed filter is a 400 with a message, not a 404."""
    form = FeedForm(request.GET)
    if not form.is_valid():
        return render(request, "positions/feed_error.html", {"form": form}, status=400)
    return position_feed(request)
