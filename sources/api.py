"""Sources and quotes: read by everyone, written by editors' tools with a token."""

from collections.abc import Callable

from django.db.models import F
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from actors.models import Actor
from config.api import WRITABLE, IdFilter
from config.concurrency import VersionedUpdates
from config.pagination import PageNumberPagination
from config.reading import Computed, PlainRows
from config.serializers import (
    CharField,
    CleanModelSerializer,
    PrimaryKeyRelatedField,
    SlugRelatedField,
)
from positions import search
from positions.cache import CountedOncePerVersion
from positions.visibility import can_see_drafts, public_quotes, public_sources, quote_counts

from .models import Quote, Source


class SourceSerializer(CleanModelSerializer):
    text = CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        style={"base_template": "textarea.html"},
        help_text="The full text as read. Quotes from this source are checked against it; "
        "read it back from the source's own address.",
    )
    has_text = serializers.SerializerMethodField()

    class Meta(CleanModelSerializer.Meta):
        model = Source
        fields = [
            "id",
            "publisher",
            "title",
            "url",
            "published_on",
            "author",
            "accessed_on",
            "archive_url",
            "language",
            "text",
            "has_text",
            "text_sha256",
            "editor_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["text_sha256", "created_at", "updated_at"]

    def get_has_text(self, source) -> bool:
        return bool(source.text_sha256)


class SourceDetailSerializer(SourceSerializer):
    text = CharField(
        required=False,
        allow_blank=True,
        help_text="The full text as read; quotes from this source are checked against it.",
    )


# Lists are written from plain rows (config.reading), as the serializers say.
SOURCE_ROWS = PlainRows(
    SourceSerializer,
    computed={"has_text": Computed(("text_sha256",), lambda row: bool(row["text_sha256"]))},
)


PAGING = {"page", "page_size", "format"}  # what does not filter a list


class CountedPages(PageNumberPagination):
    kept_count: Callable[[], int | None] | None = None  # the list's count, when kept

    def django_paginator_class(self, object_list, per_page):
        return CountedOncePerVersion(object_list, per_page, kept=self.kept_count)


def long_list(view, request, rows: PlainRows):
    """A page of ``view``'s list, found by ids, then read whole: the ids
    come in order from the list's index alone, where skipping to page
    19,000 of the quotes read and joined every row before it (550 ms at 1M
    positions; ~70 ms by ids). A search lists its first ``MOST_MATCHES``
    matches (``positions.search.in_list_order``)."""
    found = view.filter_queryset(view.get_queryset())
    ids = found.values_list("pk", flat=True)
    if request.query_params.get("q"):
        ids = ids[: search.MOST_MATCHES]
    page = found.filter(pk__in=view.paginate_queryset(ids)).values(*rows.columns)
    return view.get_paginated_response(rows(page))


class SourceFilter(filters.FilterSet):
    publisher = filters.CharFilter(lookup_expr="icontains")
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")
    q = filters.CharFilter(
        method="filter_q",
        help_text="Every word in the title, publisher or author (full-text search on "
        "PostgreSQL: stemmed, websearch syntax). The list keeps its order and holds "
        "the first 1000 matches.",
    )

    class Meta:
        model = Source
        fields = ["publisher", "published_after", "published_before", "q"]

    def filter_q(self, queryset, name, value):
        return search.in_list_order(queryset, value, "title", "publisher", "author")


@extend_schema_view(
    list=extend_schema(summary="Sources, newest first"),
    retrieve=extend_schema(summary="One source, with its stored text"),
    create=extend_schema(summary="Record a source (editors)"),
    update=extend_schema(summary="Replace a source's fields (editors)"),
    partial_update=extend_schema(summary="Correct some of a source's fields (editors)"),
)
class SourceViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    pagination_class = CountedPages
    filterset_class = SourceFilter
    http_method_names = WRITABLE

    def get_queryset(self):
        sources = Source.objects.order_by(F("published_on").desc(nulls_last=True), "-pk")
        if not can_see_drafts(self.request.user):
            sources = public_sources(sources)
        if self.action == "list":
            return sources.defer("text")
        return sources

    def get_serializer_class(self):
        return SourceSerializer if self.action == "list" else SourceDetailSerializer

    def list(self, request, *args, **kwargs):
        return long_list(self, request, SOURCE_ROWS)


class QuoteSerializer(CleanModelSerializer):
    source = PrimaryKeyRelatedField(queryset=Source.objects.all())
    speaker = SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        allow_null=True,
        required=False,
        help_text="The speaker's slug, when identified; otherwise give speaker_label.",
    )
    is_verified = serializers.BooleanField(
        read_only=True, help_text="The source's stored text contains these words."
    )

    class Meta(CleanModelSerializer.Meta):
        model = Quote
        fields = [
            "id",
            "source",
            "text",
            "speaker",
            "speaker_label",
            "said_on",
            "said_on_precision",
            "original_language",
            "is_verified",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


QUOTE_ROWS = PlainRows(QuoteSerializer)


class QuoteFilter(filters.FilterSet):
    source = IdFilter(field_name="source_id", help_text="The source's id.")
    speaker = filters.CharFilter(field_name="speaker__slug", help_text="The speaker's slug.")
    said_after = filters.DateFilter(field_name="said_on", lookup_expr="gte")
    said_before = filters.DateFilter(field_name="said_on", lookup_expr="lte")
    q = filters.CharFilter(
        method="filter_q",
        help_text="Words all in the quote (full-text search on PostgreSQL: stemmed, "
        "websearch syntax). The list keeps its order and holds the first 1000 matches.",
    )

    class Meta:
        model = Quote
        fields = ["source", "speaker", "said_after", "said_before", "q"]

    def filter_q(self, queryset, name, value):
        return search.in_list_order(queryset, value, "text")


@extend_schema_view(
    list=extend_schema(summary="Verbatim quotes"),
    retrieve=extend_schema(summary="One quote"),
    create=extend_schema(summary="Record a quote of a source (editors)"),
    update=extend_schema(summary="Replace a quote's fields (editors)"),
    partial_update=extend_schema(summary="Correct some of a quote's fields (editors)"),
)
class QuoteViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    pagination_class = CountedPages
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    http_method_names = WRITABLE

    def get_queryset(self):
        quotes = Quote.objects.select_related("source", "speaker").order_by("source_id", "pk")
        if not can_see_drafts(self.request.user):
            quotes = public_quotes(quotes)
        return quotes

    def list(self, request, *args, **kwargs):
        # The whole list's counts are kept (QuoteTally); a filtered one is counted.
        if not set(request.query_params) - PAGING:
            drafts = can_see_drafts(request.user)

            def kept() -> int | None:
                counts = quote_counts()  # (all quotes, public ones)
                return None if counts is None else counts[0] if drafts else counts[1]

            self.paginator.kept_count = kept
        return long_list(self, request, QUOTE_ROWS)
