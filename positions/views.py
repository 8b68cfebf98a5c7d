from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from actors.models import Actor
from sources.models import Source

from .models import Stance, Topic
from .selectors import stances_as_of


def home(request):
    """Who stands where today, by the one as-of rule, and the sources behind it."""
    today = timezone.localdate()
    topics = list(Topic.objects.all())
    cells = stances_as_of(on=today, topics=topics)
    row_ids = {actor_id for actor_id, _ in cells}
    rows = [
        (actor, [cells.get((actor.pk, topic.pk)) for topic in topics])
        for actor in Actor.objects.matrix_rows().filter(pk__in=row_ids)
    ]
    sources = Source.objects.annotate(quote_total=Count("quotes", distinct=True))
    return render(
        request,
        "positions/home.html",
        {
            "today": today,
            "topics": topics,
            "rows": rows,
            "sources": sources,
            "stances": Stance.choices,
        },
    )
