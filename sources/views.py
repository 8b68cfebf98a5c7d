"""Source pages: what was published, where and when, the quotes taken from
it and the positions drawn from those quotes."""

from django.db.models import F, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.paging import PageOutOfRange, count_per_row, ids_of_page, pager
from positions.forms import PageForm
from positions.models import Position, Status
from positions.visibility import public_quotes, public_sources

from .models import Quote, Source

SOURCES_PER_PAGE = 100


@require_safe
def source_list(request: HttpRequest) -> HttpResponse:
    """Every source, newest first, a page at a time, with how many quotes and
    positions (published or retracted, not drafts) rest on it."""
    form = PageForm(request.GET)
    if not form.is_valid():
        return render(request, "sources/source_list.html", {"form": form}, status=400)
    page = form.cleaned_data["page"]
    ordered = public_sources(Source.objects.defer("text")).order_by(
        F("published_on").desc(nulls_last=True), "title", "pk"
    )
    try:
        ids, total = ids_of_page(
            ordered, page=page, per_page=SOURCES_PER_PAGE, what="list", noun="sources"
        )
    except PageOutOfRange as error:
        form.add_error("page", str(error))
        return render(request, "sources/source_list.html", {"form": form}, status=404)
    shown = list(
        ordered.filter(pk__in=ids).annotate(
            quote_total=count_per_row(
                public_quotes(Quote.objects.filter(source=OuterRef("pk"))), "source"
            ),
            position_total=count_per_row(
                Position.objects.filter(quote__source=OuterRef("pk")).exclude(status=Status.DRAFT),
                "quote__source",
            ),
        )
    )
    context = {"form": form, "sources": shown}
    context |= pager(page=page, per_page=SOURCES_PER_PAGE, total=total, count=len(shown))
    return render(request, "sources/source_list.html", context)


@require_safe
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(public_sources(Source.objects.all()), pk=pk)
    positions = (
        Position.objects.exclude(status=Status.DRAFT)
        .select_related("actor", "topic", "claimant")
        .prefetch_related("conditions")
        .order_by("as_of", "actor__name")
    )
    # Through the related manager each quote knows its source without a query,
    # which checking it against the stored text needs.
    quotes = (
        public_quotes(source.quotes.select_related("speaker"))
        .prefetch_related(Prefetch("positions", positions))
        .order_by("said_on", "pk")
    )
    return render(request, "sources/source_detail.html", {"source": source, "quotes": quotes})
