"""Source pages: what was published, where and when, the quotes taken from
it and the positions drawn from those quotes."""

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from positions.models import Position, Status

from .models import Source


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    sources = Source.objects.defer("text").annotate(
        quote_total=Count("quotes", distinct=True),
        position_total=Count("quotes__positions", distinct=True),
    )
    return render(request, "sources/source_list.html", {"sources": sources})


@require_safe
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source, pk=pk)
    positions = (
        Position.objects.exclude(status=Status.DRAFT)
        .select_related("actor", "topic", "claimant")
        .prefetch_related("conditions")
        .order_by("as_of", "actor__name")
    )
    # Through the related manager each quote knows its source without a query,
    # which checking it against the stored text needs.
    quotes = (
        source.quotes.select_related("speaker")
        .prefetch_related(Prefetch("positions", positions))
        .order_by("said_on", "pk")
    )
    return render(request, "sources/source_detail.html", {"source": source, "quotes": quotes})
