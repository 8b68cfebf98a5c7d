"""Topics, conditions and positions, and the shared semantics (matrix,
timeline, changes, a cell's history) computed by ``rule``, ``history`` and
``matrix`` exactly as the pages compute them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import IntegrityError, connection
from django.db.models import Case, Exists, F, OuterRef, Q, StringAgg, Subquery, Value, When
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from actors.models import Actor, Role
from config.api import violated_constraint, without_nul
from config.concurrency import (
    PreconditionFailed,
    PreconditionRequired,
    Seen,
    Stale,
    VersionedUpdates,
    VersionRequired,
    etag_of,
)
from config.pagination import CursorPagination
from config.paging import PageOutOfRange, page_count, page_of
from config.serializers import (
    CharField,
    DateField,
    PrimaryKeyRelatedField,
    SlugRelatedField,
    StrictModelSerializer,
    URLField,
)
from sources.models import Quote, Source

from . import cache, services
from .forms import window
from .history import HistoryEntry, history_of, window_histories
from .matrix import MATRIX_PAGE_ROWS, Matrix, speaking_rows, stance_matrix
from .models import (
    Attribution,
    CellStatement,
    Condition,
    Position,
    PositionCondition,
    Revision,
    Stance,
    Status,
    Topic,
)
from .rule import END_OF_RECORD, CellStance, Statement, statements
from .search import full_text

WRITABLE = ["get", "post", "put", "patch", "head", "options"]  # positions are never deleted
CSV_RESPONSE = {
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.STR, description="CSV with a header row, UTF-8, streamed."
    )
}


# ------------------------------------------------------------------ briefs


class ActorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "iso_code"]


class TopicBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "short_name", "question"]


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "publisher", "title", "url", "published_on"]


class QuoteNestedSerializer(serializers.ModelSerializer):
    speaker = ActorBriefSerializer(allow_null=True)
    source = SourceBriefSerializer()
    is_verified = serializers.BooleanField(
        help_text="The source's stored text contains these words."
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "speaker",
            "speaker_label",
            "said_on",
            "said_on_precision",
            "original_language",
            "is_verified",
            "source",
        ]


# ------------------------------------------------------------ topics, conditions


class TopicSerializer(serializers.ModelSerializer):
    wordings = serializers.SlugRelatedField(slug_field="text", many=True, read_only=True)

    class Meta:
        model = Topic
        fields = ["slug", "short_name", "question", "description", "sort_order", "wordings"]


@extend_schema_view(
    list=extend_schema(summary="Topics, the columns of the matrix"),
    retrieve=extend_schema(summary="One topic and the wordings it covers"),
)
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = TopicSerializer
    lookup_field = "slug"
    queryset = Topic.objects.prefetch_related("wordings").order_by("sort_order", "short_name")


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Condition
        fields = ["slug", "name", "description"]


@extend_schema_view(
    list=extend_schema(summary="Conditions that positions name"),
    retrieve=extend_schema(summary="One condition"),
)
class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = ConditionSerializer
    lookup_field = "slug"
    queryset = Condition.objects.order_by("name")


# ------------------------------------------------------------------ positions


class PositionSerializer(serializers.ModelSerializer):
    """A position with everything needed to cite it: quote, speaker, source."""

    actor = ActorBriefSerializer()
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    claimant = ActorBriefSerializer(allow_null=True)
    conditions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    quote = QuoteNestedSerializer()

    class Meta:
        model = Position
        fields = [
            "id",
            "actor",
            "topic",
            "stance",
            "attribution",
            "claimant",
            "as_of",
            "status",
            "summary",
            "conditions",
            "correction_note",
            "quote",
            "created_at",
            "updated_at",
        ]


class NewSourceSerializer(serializers.Serializer):
    publisher = CharField(max_length=200)
    title = CharField(max_length=500)
    url = URLField(max_length=2000, required=False, allow_blank=True)
    published_on = DateField()
    author = CharField(max_length=300, required=False, allow_blank=True)
    accessed_on = DateField(required=False, allow_null=True)
    archive_url = URLField(max_length=2000, required=False, allow_blank=True)
    language = CharField(max_length=8, required=False, default="en")
    text = CharField(required=False, allow_blank=True)
    editor_note = CharField(required=False, allow_blank=True)


class NewQuoteSerializer(serializers.Serializer):
    source = PrimaryKeyRelatedField(
        queryset=Source.objects.all(), required=False, help_text="An existing source's id."
    )
    new_source = NewSourceSerializer(required=False, help_text="Or a source to record.")
    text = CharField(help_text="The exact words, as in the source.")
    speaker = SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True
    )
    speaker_label = CharField(max_length=300, required=False, allow_blank=True)
    said_on = DateField(required=False, allow_null=True)
    said_on_precision = serializers.ChoiceField(choices=Quote.Precision.choices, required=False)
    original_language = CharField(max_length=8, required=False, allow_blank=True)


class PositionWriteSerializer(StrictModelSerializer):
    actor = SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    topic = SlugRelatedField(slug_field="slug", queryset=Topic.objects.all())
    claimant = SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), required=False, allow_null=True
    )
    conditions = serializers.ListField(
        child=SlugRelatedField(slug_field="slug", queryset=Condition.objects.all()),
        required=False,
        help_text="Slugs of the conditions the actor names.",
    )
    quote = PrimaryKeyRelatedField(
        queryset=Quote.objects.select_related("source"),
        required=False,
        help_text="An existing quote's id; or give new_quote.",
    )
    new_quote = NewQuoteSerializer(
        required=False, write_only=True, help_text="A quote to record with the position."
    )
    as_of = DateField(required=False, help_text="Defaults to the quote's date, else its source's.")

    class Meta:
        model = Position
        fields = [
            "actor",
            "topic",
            "stance",
            "attribution",
            "claimant",
            "as_of",
            "status",
            "summary",
            "conditions",
            "correction_note",
            "quote",
            "new_quote",
        ]
        validators = []  # the model validates, through the service

    def create(self, validated_data):
        try:
            return services.record_position(user=self.context["request"].user, **validated_data)
        except IntegrityError as error:
            # A new source's URL recorded by another writer since validation:
            # answered where validation would have put it.
            found = violated_constraint(error)
            if found is None or found[0] is not Source:
                raise
            _, field, message = found
            raise serializers.ValidationError(
                {"new_quote": {"new_source": {field: [message]}}}
            ) from error
        except services.InvalidInput as error:
            raise serializers.ValidationError(error.errors) from error
        except services.Refused as error:
            raise refusal(error) from error

    def update(self, instance, validated_data):
        """Through the write service, on the live row; ``self.outcome`` says
        whether the change was applied or awaits review."""
        if "new_quote" in validated_data:
            raise serializers.ValidationError(
                {"new_quote": ["A new quote can only be given when creating a position."]}
            )
        request = self.context["request"]
        conditions = validated_data.pop("conditions", None)
        try:
            self.outcome = services.change_position(
                position_id=instance.pk,
                user=request.user,
                values=validated_data,
                conditions=conditions,
                seen=Seen.from_request(request),
            )
        except services.InvalidInput as error:
            raise serializers.ValidationError(error.errors) from error
        except services.Refused as error:
            raise refusal(error) from error
        except VersionRequired as error:
            raise PreconditionRequired() from error
        except Stale as error:
            raise PreconditionFailed() from error
        return self.outcome.position


def refusal(error: services.Refused) -> Exception:
    if error.forbidden:
        return PermissionDenied(error.message)
    return serializers.ValidationError({error.field or "non_field_errors": [error.message]})


class RevisionSerializer(serializers.ModelSerializer):
    """An editor's change to a published position, held for a senior editor."""

    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    changes = serializers.DictField(
        child=serializers.DictField(),
        help_text="Each changed column (``actor_id``, ``stance`` …) with its value "
        'before and after: ``{"before": …, "after": …}``.',
    )
    conditions = serializers.DictField(
        allow_null=True,
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Condition ids before and after, when the change names other conditions.",
    )

    class Meta:
        model = Revision
        fields = ["id", "position", "state", "changes", "conditions", "proposed_by", "proposed_at"]
        read_only_fields = fields


class PositionFilter(filters.FilterSet):
    actor = filters.CharFilter(field_name="actor__slug", help_text="The actor's slug.")
    country = filters.CharFilter(
        method="filter_country",
        help_text="ISO code of a state: its own positions and those of officials whose "
        "office spoke for it on the position's date.",
    )
    actor_kind = filters.ChoiceFilter(field_name="actor__kind", choices=Actor.Kind.choices)
    group = filters.CharFilter(
        method="filter_group",
        help_text="A bloc's slug: positions of the bloc and of its members on the "
        "position's date, and of officials speaking for them.",
    )
    topic = filters.CharFilter(field_name="topic__slug", help_text="The topic's slug.")
    stance = filters.ChoiceFilter(choices=Stance.choices)
    condition = filters.CharFilter(
        field_name="conditions__slug", distinct=True, help_text="A condition's slug."
    )
    attribution = filters.ChoiceFilter(choices=Attribution.choices)
    status = filters.ChoiceFilter(
        choices=Status.choices, help_text="Only users who may view drafts see other statuses."
    )
    as_of_after = filters.DateFilter(field_name="as_of", lookup_expr="gte")
    as_of_before = filters.DateFilter(field_name="as_of", lookup_expr="lte")
    said_after = filters.DateFilter(field_name="quote__said_on", lookup_expr="gte")
    said_before = filters.DateFilter(field_name="quote__said_on", lookup_expr="lte")
    published_after = filters.DateFilter(
        field_name="quote__source__published_on", lookup_expr="gte"
    )
    published_before = filters.DateFilter(
        field_name="quote__source__published_on", lookup_expr="lte"
    )
    q = filters.CharFilter(method="filter_q", help_text="Words of the quote or the summary.")

    class Meta:
        model = Position
        fields = []

    def filter_country(self, queryset, name, value):
        offices = (
            Role.objects.speaking_for()
            .current(on=OuterRef("as_of"))
            .filter(holder=OuterRef("actor"), organisation__iso_code=value.upper())
        )
        return queryset.filter(Q(actor__iso_code=value.upper()) | Exists(offices))

    def filter_group(self, queryset, name, value):
        member_on_the_date = (
            Role.objects.memberships()
            .current(on=OuterRef("as_of"))
            .filter(organisation__slug=value, holder=OuterRef("actor"))
        )
        speaking_for_a_member = (
            Role.objects.speaking_for()
            .current(on=OuterRef("as_of"))
            .filter(
                holder=OuterRef("actor"),
                organisation__member_roles__kind=Role.Kind.MEMBERSHIP,
                organisation__member_roles__organisation__slug=value,
            )
        )
        return queryset.filter(
            Q(actor__slug=value) | Exists(member_on_the_date) | Exists(speaking_for_a_member)
        )

    def filter_q(self, queryset, name, value):
        return full_text(queryset, value, "quote__text", "summary")


class JSONForErrors(BaseContentNegotiation):
    """For the CSV exports: the data is always CSV, and any error is JSON,
    whatever the client's Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


def spreadsheet_safe(value) -> str:
    """Text a spreadsheet will show, never run: a leading =, +, -, @, tab or
    carriage return would make it a formula (CSV injection)."""
    if value is None:
        return ""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# Rows a piece of the streamed response holds. Sent a row at a time, the
# response's own work per piece (encoding it, handing it to the server) cost
# as much as writing the row; a few hundred rows are still a small piece.
CSV_ROWS_PER_CHUNK = 500


def csv_chunks(rows: Iterable[Iterable]) -> Iterator[str]:
    """``rows`` as CSV text, ``CSV_ROWS_PER_CHUNK`` rows a piece."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, 1):
        writer.writerow([spreadsheet_safe(v) for v in row])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def stream_csv(rows: Iterable[Iterable], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


POSITION_COLUMNS = [
    "id",
    "actor",
    "actor_name",
    "actor_kind",
    "iso_code",
    "topic",
    "stance",
    "attribution",
    "claimant",
    "as_of",
    "status",
    "summary",
    "conditions",
    "correction_note",
    "quote_id",
    "quote",
    "speaker",
    "said_on",
    "said_on_precision",
    "source_id",
    "publisher",
    "source_title",
    "source_url",
    "published_on",
    "entered",
]


def _position_rows(positions) -> Iterator[list]:
    # One query, streamed from a server-side cursor where the database has one:
    # the conditions come joined into a string, not prefetched chunk by chunk.
    slugs = (
        PositionCondition.objects.filter(position=OuterRef("pk"))
        .values("position")
        .annotate(
            slugs=StringAgg(
                "condition__slug",
                delimiter=Value("; "),
                # Sorted where the database can (SQLite from 3.44 on).
                order_by="condition__slug"
                if connection.features.supports_aggregate_order_by_clause
                else None,
            )
        )
        .values("slugs")
    )
    speaker = speaker_name("quote")
    # Plain values, not six model instances a row: most of the time per row.
    rows = (
        positions.prefetch_related(None)
        .annotate(condition_slugs=Subquery(slugs), speaker=speaker)
        .values_list(
            "pk",
            "actor__slug",
            "actor__name",
            "actor__kind",
            "actor__iso_code",
            "topic__slug",
            "stance",
            "attribution",
            "claimant__slug",
            "as_of",
            "status",
            "summary",
            "condition_slugs",
            "correction_note",
            "quote_id",
            "quote__text",
            "speaker",
            "quote__said_on",
            "quote__said_on_precision",
            "quote__source_id",
            "quote__source__publisher",
            "quote__source__title",
            "quote__source__url",
            "quote__source__published_on",
            "created_at",
        )
    )
    dates = [
        POSITION_COLUMNS.index(name) for name in ("as_of", "said_on", "published_on", "entered")
    ]
    yield POSITION_COLUMNS
    for row in rows.iterator(chunk_size=2000):
        row = list(row)
        for n in dates:
            row[n] = row[n].isoformat() if row[n] is not None else ""
        yield row


UPDATE_DESCRIPTION = (
    "Only the fields sent are written, on the position as saved now (its row is locked "
    "for the change). A published or retracted position needs `If-Match` with the ETag "
    "of the version read (428 without it, 412 when it changed since). A change to a "
    "published position by an editor who may not publish is held as a revision for a "
    "senior editor (202, with the revision); the public record changes only when it is "
    "published."
)
UPDATE_RESPONSES = {
    200: PositionSerializer,
    202: OpenApiResponse(RevisionSerializer, description="Held for review."),
    412: OpenApiResponse(description="The position changed since the ETag in If-Match."),
    428: OpenApiResponse(description="If-Match is needed for a published position."),
}


@extend_schema_view(
    list=extend_schema(summary="Positions, newest entered first (cursor-paginated)"),
    retrieve=extend_schema(summary="One position with its quote, speaker and source"),
    create=extend_schema(
        summary="Record a position, optionally with a new quote and source, atomically (editors)",
        request=PositionWriteSerializer,
        responses={201: PositionSerializer},
        examples=[
            OpenApiExample(
                "With a new quote and source",
                request_only=True,
                value={
                    "actor": "poland",
                    "topic": "own-troops",
                    "stance": "opposes",
                    "attribution": "report",
                    "status": "draft",
                    "new_quote": {
                        "text": "Poland will not send troops.",
                        "speaker_label": "Example Wire",
                        "new_source": {
                            "publisher": "Example Wire",
                            "title": "Warsaw rules out troops",
                            "url": "https://news.example.org/warsaw-troops",
                            "published_on": "2025-03-01",
                            "text": "Poland will not send troops. Other words.",
                        },
                    },
                },
            )
        ],
    ),
    update=extend_schema(
        summary="Replace a position's fields (editors)",
        description=UPDATE_DESCRIPTION,
        request=PositionWriteSerializer,
        responses=UPDATE_RESPONSES,
    ),
    partial_update=extend_schema(
        summary="Correct some of a position's fields (editors)",
        description=UPDATE_DESCRIPTION,
        request=PositionWriteSerializer,
        responses=UPDATE_RESPONSES,
    ),
)
class PositionViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[0-9]+"
    filterset_class = PositionFilter
    pagination_class = CursorPagination
    http_method_names = WRITABLE

    def get_queryset(self):
        positions = Position.objects.select_related(
            "actor", "topic", "claimant", "quote__source", "quote__speaker"
        ).prefetch_related("conditions")
        # Drafts and retractions are for those who may see the editors' work.
        if not self.request.user.has_perm("positions.view_position"):
            positions = positions.published()
        return positions.order_by("-id")

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return PositionWriteSerializer
        return PositionSerializer

    def update(self, request, *args, **kwargs):
        # The service locks the live row, checks If-Match and the workflow on
        # it, and writes only what changed; the instance read here is only for
        # the 404 and the input's validation.
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        if serializer.outcome.pending:
            return Response(
                RevisionSerializer(serializer.outcome.revision).data,
                status=status.HTTP_202_ACCEPTED,
            )
        return self.updated_response(serializer)

    def perform_create(self, serializer):
        new_quote = serializer.validated_data.get("new_quote")
        needed = []
        if new_quote is not None:
            needed.append("sources.add_quote")
            if new_quote.get("new_source") is not None:
                needed.append("sources.add_source")
        if not self.request.user.has_perms(needed):
            raise PermissionDenied("Recording a new quote or source needs those permissions too.")
        serializer.save()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        position = self.get_queryset().get(pk=serializer.instance.pk)
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    def updated_response(self, serializer):
        # Answer with the read representation, as a GET would.
        position = self.get_queryset().get(pk=serializer.instance.pk)
        return Response(PositionSerializer(position).data, headers={"ETag": etag_of(position)})

    @extend_schema(
        summary="Export positions as CSV (same filters as the list)", responses=CSV_RESPONSE
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        pagination_class=None,
        content_negotiation_class=JSONForErrors,
    )
    def export(self, request):
        positions = self.filter_queryset(self.get_queryset())
        return stream_csv(_position_rows(positions), filename="positions.csv")


# ------------------------------------------------------------ shared semantics


class StatementSerializer(serializers.Serializer):
    """A published position as it counts for a row: with the rank it counts at
    (0 the actor's own words, 1-4 an office, +10 an outlet's report)."""

    position = serializers.IntegerField(help_text="The position's id.")
    stance = serializers.ChoiceField(choices=Stance.choices)
    as_of = DateField()
    attribution = serializers.ChoiceField(choices=Attribution.choices)
    rank = serializers.IntegerField()
    actor = serializers.CharField(help_text="Slug of the position's own actor.")
    office = serializers.CharField(
        allow_null=True, help_text="The office through which an official's words count."
    )
    claimant = serializers.CharField(allow_null=True, help_text="Slug of a claim's claimant.")
    conditions = serializers.ListField(child=serializers.CharField())
    quote = serializers.CharField()
    speaker = serializers.CharField()
    source = SourceBriefSerializer()


def speaker_name(quote: str) -> Case:
    """``Quote.speaker_name`` in SQL, for the quote at the path ``quote``: the
    speaker's name, else the label written for an unnamed speaker."""
    return Case(
        When(**{f"{quote}__speaker__isnull": True}, then=F(f"{quote}__speaker_label")),
        default=F(f"{quote}__speaker__name"),
    )


# The columns statement_records reads, in the order it reads them.
_STATEMENT_COLUMNS = [
    "pk",
    "position_id",
    "position__stance",
    "position__as_of",
    "position__attribution",
    "rank",
    "position__actor__slug",
    "role__title",
    "position__claimant__slug",
    "position__quote__text",
    "speaker",
    "position__quote__source__id",
    "position__quote__source__publisher",
    "position__quote__source__title",
    "position__quote__source__url",
    "position__quote__source__published_on",
]


def statement_records(found: Iterable[Statement]) -> dict[int, dict]:
    """What the API says of each statement of ``found`` (the fields of
    :class:`StatementSerializer`, as it would write them), keyed by
    ``row_id``: read as plain values in two queries, none for none. Loading
    positions whole and serializing them field by field was most of the
    time of a timeline, which shows about 1,500 statements a page."""
    found = list(found)
    if not found:
        return {}
    conditions: dict[int, list[str]] = defaultdict(list)
    named = (
        PositionCondition.objects.filter(position_id__in={s.position.pk for s in found})
        .order_by("position_id", "condition__name")
        .values_list("position_id", "condition__slug")
    )
    for position_id, slug in named:
        conditions[position_id].append(slug)
    rows = CellStatement.objects.filter(pk__in={s.row_id for s in found})
    return {
        pk: {
            "position": position_id,
            "stance": stance,
            "as_of": as_of,
            "attribution": attribution,
            "rank": rank,
            "actor": actor,
            "office": office,
            "claimant": claimant,
            "conditions": conditions[position_id],
            "quote": text,
            "speaker": speaker,
            "source": {
                "id": source_id,
                "publisher": publisher,
                "title": title,
                "url": url,
                "published_on": published_on,
            },
        }
        for (
            pk,
            position_id,
            stance,
            as_of,
            attribution,
            rank,
            actor,
            office,
            claimant,
            text,
            speaker,
            source_id,
            publisher,
            title,
            url,
            published_on,
        ) in rows.annotate(speaker=speaker_name("position__quote")).values_list(*_STATEMENT_COLUMNS)
    }


class CellSerializer(serializers.Serializer):
    topic = serializers.CharField()
    stance = serializers.ChoiceField(
        choices=Stance.choices, allow_null=True, help_text="Null when no words of its own."
    )
    statement = StatementSerializer(allow_null=True, help_text="The statement that counts.")
    claims = StatementSerializer(many=True, help_text="Third-party claims shown beside it.")
    conflicts = StatementSerializer(many=True, help_text="Disagreeing statements of equal weight.")
    has_conflict = serializers.BooleanField()


def cell_data(topic: Topic, cell: CellStance | None, records: dict[int, dict]) -> dict:
    """A :class:`CellSerializer`'s answer, its statements from ``records``."""
    return {
        "topic": topic.slug,
        "stance": cell.stance if cell else None,
        "statement": records[cell.current.row_id] if cell and cell.current else None,
        "claims": [records[s.row_id] for s in cell.claims] if cell else [],
        "conflicts": [records[s.row_id] for s in cell.conflicts] if cell else [],
        "has_conflict": cell.has_conflict if cell else False,
    }


class RowSerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    cells = CellSerializer(many=True)


class ChangeSerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    topic = serializers.CharField()
    before = serializers.ChoiceField(choices=Stance.choices, allow_null=True)
    after = serializers.ChoiceField(choices=Stance.choices, allow_null=True)
    moved_by = StatementSerializer(many=True)


class MatrixSerializer(serializers.Serializer):
    as_of = DateField()
    since = DateField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(help_text="Rows on all pages.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    topics = TopicBriefSerializer(many=True)
    rows = RowSerializer(many=True, help_text="Countries first, then organisations.")
    changes = ChangeSerializer(many=True, help_text="With `since`: the cells that changed.")


MAX_MATRIX_ROWS = 200


class PagedQuerySerializer(serializers.Serializer):
    """A page of the matrix's rows, or of a timeline's lanes."""

    page = serializers.IntegerField(
        required=False, min_value=1, max_value=100_000, help_text="Page of rows, from 1."
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_MATRIX_ROWS,
        help_text=f"Rows per page (default {MATRIX_PAGE_ROWS}, at most {MAX_MATRIX_ROWS}).",
    )


class MatrixQuerySerializer(PagedQuerySerializer):
    as_of = DateField(required=False, help_text="Defaults to today.")
    since = DateField(
        required=False,
        help_text="Also list the cells whose stance changed after this date, up to as_of "
        "(none when it is not earlier).",
    )
    group = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.organisations(),
        required=False,
        help_text="Only the members of this bloc on the date, and the bloc.",
    )
    kind = serializers.ChoiceField(
        choices=[Actor.Kind.STATE, Actor.Kind.ORGANISATION], required=False
    )
    topics = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text="Topic slugs (repeat the parameter); all topics when absent.",
    )

    def validate_topics(self, slugs):
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in topics]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown topic: {', '.join(unknown)}.", code="does_not_exist"
            )
        return [topics[slug] for slug in dict.fromkeys(slugs)]

    def validate(self, attrs):
        # A `since` on or after `as_of` is an empty period: no changes, not an error.
        attrs.setdefault("as_of", timezone.localdate())
        return attrs


def _query(serializer_class, request):
    """Validated query parameters: malformed is a 400; naming a topic, actor or
    group that does not exist is a 404, with the same message per field."""
    params = without_nul(request.query_params)
    data = {key: params.getlist(key) if key == "topics" else value for key, value in params.items()}
    query = serializer_class(data=data)
    if not query.is_valid():
        codes = {detail.code for details in query.errors.values() for detail in _flatten(details)}
        if codes == {"does_not_exist"}:
            raise NotFound(query.errors)
        raise serializers.ValidationError(query.errors)
    return query.validated_data


def _flatten(details):
    if isinstance(details, dict):
        for value in details.values():
            yield from _flatten(value)
    elif isinstance(details, list):
        for value in details:
            yield from _flatten(value)
    else:
        yield details


def _matrix(params: dict, *, paged: bool = True, evidence: bool = False) -> Matrix:
    try:
        return stance_matrix(
            on=params["as_of"],
            since=params.get("since"),
            group=params.get("group"),
            kind=params.get("kind", ""),
            topics=params.get("topics") or list(Topic.objects.all()),
            page=params.get("page", 1) if paged else 1,
            per_page=params.get("page_size", MATRIX_PAGE_ROWS) if paged else None,
            evidence=evidence,
        )
    except PageOutOfRange as error:
        # Well-formed, but names nothing: a 404, as for an unknown slug.
        raise NotFound({"page": [str(error)]}) from error


def _cached_matrix_json(request, name: str, query_class, payload) -> HttpResponse:
    """``payload(matrix, records)`` for the request's parameters as JSON,
    rendered once and served from the cache until the next write: a hit is
    the record's version and the stored bytes (rendering a page of cells to
    JSON on every hit was most of a hit's time)."""
    params = _query(query_class, request)
    key = tuple(
        (field, getattr(value, "slug", value))
        for field, value in sorted(params.items())
        if field != "topics"
    ) + tuple(t.slug for t in params.get("topics") or ())

    def render() -> bytes:
        grid = _matrix(params)
        shown = [s for cell in grid.cells.values() for s in cell.statements]
        moved = [s for change in grid.changes for s in change.moved_by]
        return JSONRenderer().render(payload(grid, statement_records([*shown, *moved])))

    return HttpResponse(cache.cached(name, key, render), content_type=JSONRenderer.media_type)


def _changes_data(grid: Matrix, records: dict[int, dict], briefs: dict[int, dict]) -> list[dict]:
    """:class:`ChangeSerializer`'s answers for the changes of ``grid``, its
    rows' actors as ``briefs`` (from :func:`_briefs`)."""
    topics = {topic.pk: topic.slug for topic in grid.topics}
    return [
        {
            "actor": briefs[change.subject_id],
            "topic": topics[change.topic_id],
            "before": change.before.stance,
            "after": change.after.stance,
            "moved_by": [records[s.row_id] for s in change.moved_by],
        }
        for change in grid.changes
    ]


def _briefs(actors: list[Actor]) -> dict[int, dict]:
    return {
        actor.pk: data
        for actor, data in zip(actors, ActorBriefSerializer(actors, many=True).data, strict=True)
    }


# The payloads below are the serializers' answers written as plain data:
# run through them field by field, the statements (their most part) took
# longer than reading them. The schema test checks every answer against them.


def _matrix_payload(grid: Matrix, records: dict[int, dict]) -> dict:
    """A :class:`MatrixSerializer`'s answer."""
    briefs = _briefs(grid.rows)
    return {
        "as_of": grid.on,
        "since": grid.since,
        "group": grid.group.slug if grid.group else None,
        "count": grid.row_count,
        "page": grid.page,
        "pages": grid.pages,
        "topics": TopicBriefSerializer(grid.topics, many=True).data,
        "rows": [
            {
                "actor": briefs[actor.pk],
                "cells": [cell_data(t, grid.cell(actor, t), records) for t in grid.topics],
            }
            for actor in grid.rows
        ],
        "changes": _changes_data(grid, records, briefs),
    }


def _changes_payload(grid: Matrix, records: dict[int, dict]) -> dict:
    """A :class:`ChangesSerializer`'s answer."""
    return {
        "since": grid.since,
        "as_of": grid.on,
        "count": grid.row_count,
        "page": grid.page,
        "pages": grid.pages,
        "changes": _changes_data(grid, records, _briefs(grid.rows)),
    }


@extend_schema(
    summary="The stance matrix as of a date",
    parameters=[MatrixQuerySerializer],
    responses=MatrixSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def matrix(request):
    """Every country's (then organisation's) stance on each topic as of a date,
    by the one as-of rule, a page of rows at a time; with `since`, the cells of
    those rows that changed."""
    return _cached_matrix_json(request, "api-matrix", MatrixQuerySerializer, _matrix_payload)


MATRIX_COLUMNS = [
    "actor",
    "actor_name",
    "actor_kind",
    "iso_code",
    "topic",
    "stance",
    "as_of",
    "attribution",
    "speaker",
    "office",
    "quote",
    "publisher",
    "source_title",
    "source_url",
    "claims",
    "has_conflict",
]


def _matrix_rows(grid: Matrix) -> Iterator[list]:
    yield MATRIX_COLUMNS
    for actor in grid.rows:
        for topic in grid.topics:
            cell = grid.cell(actor, topic)
            current = cell.current if cell else None
            p = current.position if current else None
            claims = "; ".join(
                f"{c.position.claimant.name}: {c.position.stance} ({c.position.as_of:%Y-%m-%d})"
                for c in (cell.claims if cell else [])
            )
            yield [
                actor.slug,
                actor.name,
                actor.kind,
                actor.iso_code,
                topic.slug,
                p.stance if p else "",
                p.as_of.isoformat() if p else "",
                p.attribution if p else "",
                p.quote.speaker_name if p else "",
                current.role.title if current and current.role else "",
                p.quote.text if p else "",
                p.quote.source.publisher if p else "",
                p.quote.source.title if p else "",
                p.quote.source.url if p else "",
                claims,
                "yes" if cell and cell.has_conflict else "no",
            ]


@extend_schema(
    summary="The stance matrix as CSV, one row per cell",
    parameters=[MatrixQuerySerializer],
    responses=CSV_RESPONSE,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def matrix_export(request):
    params = _query(MatrixQuerySerializer, request)
    return stream_csv(
        _matrix_rows(_matrix(params, paged=False, evidence=True)), filename="matrix.csv"
    )


matrix_export.cls.content_negotiation_class = JSONForErrors


class StepSerializer(serializers.Serializer):
    on = DateField()
    stance = serializers.ChoiceField(
        choices=Stance.choices, allow_null=True, help_text="The cell's stance after that day."
    )
    made = StatementSerializer(many=True, help_text="The statements made that day.")


class LaneSerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    steps = StepSerializer(many=True)


class TimelineSerializer(serializers.Serializer):
    topic = TopicBriefSerializer()
    start = DateField(help_text="The window's first day: steps start with the stance then.")
    end = DateField()
    count = serializers.IntegerField(help_text="Lanes on all pages.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    lanes = LaneSerializer(many=True)


class TopicQuerySerializer(serializers.Serializer):
    topic = serializers.SlugRelatedField(
        slug_field="slug", queryset=Topic.objects.all(), help_text="The topic's slug."
    )


class TimelineQuerySerializer(TopicQuerySerializer, PagedQuerySerializer):
    start = DateField(
        required=False,
        help_text="First day of the window, before `end` (400 otherwise); two years before "
        "`end` by default.",
    )
    end = DateField(required=False, help_text="Last day of the window; today by default.")

    def validate(self, attrs):
        attrs["start"], attrs["end"] = window(attrs.get("start"), attrs.get("end"))
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"start": ["Must be a date before `end`."]})
        return attrs


class CellQuerySerializer(TopicQuerySerializer):
    actor = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.filter(kind__in=[Actor.Kind.STATE, Actor.Kind.ORGANISATION]),
        help_text="A state's or organisation's slug.",
    )


def _steps(entries: list[HistoryEntry], records: dict[int, dict]) -> list[dict]:
    """:class:`StepSerializer`'s answers, the statements from ``records``."""
    return [
        {"on": e.on, "stance": e.stance, "made": [records[s.row_id] for s in e.made]}
        for e in entries
    ]


@extend_schema(
    summary="A topic's timeline: every country's stance over a window of time",
    parameters=[TimelineQuerySerializer],
    responses=TimelineSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def timeline(request):
    """One lane per state (then organisation) with a statement on the topic up
    to `end`, a page at a time. Each lane starts with its stance on `start`
    (a step with no statements, when it had one), then a step per date on
    which statements were made, with the stance after it."""
    params = _query(TimelineQuerySerializer, request)
    topic, start, end = params["topic"], params["start"], params["end"]
    page, per_page = params.get("page", 1), params.get("page_size", MATRIX_PAGE_ROWS)
    try:
        rows, count = page_of(
            speaking_rows(on=end, topics=[topic]),
            page=page,
            per_page=per_page,
            what="timeline",
            noun="lanes",
        )
    except PageOutOfRange as error:
        raise NotFound({"page": [str(error)]}) from error
    steps = window_histories(subjects=rows, topics=[topic], start=start, end=end)
    records = statement_records(s for lane in steps.values() for e in lane for s in e.made)
    briefs = _briefs(rows)
    # A TimelineSerializer's answer, written as the matrix's is (see _matrix_payload).
    return Response(
        {
            "topic": TopicBriefSerializer(topic).data,
            "start": start,
            "end": end,
            "count": count,
            "page": page,
            "pages": page_count(count, per_page),
            "lanes": [
                {
                    "actor": briefs[actor.pk],
                    "steps": _steps(steps.get((actor.pk, topic.pk), []), records),
                }
                for actor in rows
            ],
        }
    )


class HistorySerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    topic = TopicBriefSerializer()
    steps = StepSerializer(many=True)


@extend_schema(
    summary="One actor's history on one topic",
    parameters=[CellQuerySerializer],
    responses=HistorySerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def history(request):
    params = _query(CellQuerySerializer, request)
    actor, topic = params["actor"], params["topic"]
    found = statements(on=END_OF_RECORD, subjects=[actor], topics=[topic], evidence=False)
    entries = history_of(found, subject_id=actor.pk, topic_id=topic.pk)
    # A HistorySerializer's answer, written as the matrix's is (see _matrix_payload).
    return Response(
        {
            "actor": ActorBriefSerializer(actor).data,
            "topic": TopicBriefSerializer(topic).data,
            "steps": _steps(entries, statement_records(found)),
        }
    )


class ChangesQuerySerializer(MatrixQuerySerializer):
    since = DateField(help_text="The earlier date.")
    as_of = DateField(required=False, help_text="The later date; today by default.")


class ChangesSerializer(serializers.Serializer):
    since = DateField()
    as_of = DateField()
    count = serializers.IntegerField(help_text="Rows of the matrix on all pages.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    changes = ChangeSerializer(many=True, help_text="The changed cells of this page's rows.")


@extend_schema(
    summary="What changed between two dates",
    parameters=[ChangesQuerySerializer],
    responses=ChangesSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def changes(request):
    """The cells whose stance differs between `since` and `as_of`, with the
    statements made in between that moved them; for one page of the matrix's
    rows at a time (`page`, `page_size`, as for the matrix)."""
    return _cached_matrix_json(request, "api-changes", ChangesQuerySerializer, _changes_payload)
