"""The viewsets of topics, conditions and positions: reads for everyone,
writes for editors through the write service (``positions.services``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.api import WRITABLE
from config.concurrency import (
    VersionedUpdates,
    etag_of,
)
from config.pagination import CursorPagination

from ..models import (
    Condition,
    Position,
    Topic,
)
from .exports import CSV_RESPONSE, JSONForErrors, position_rows, stream_csv
from .filters import PositionFilter
from .reading import positions_data
from .serializers import (
    ConditionSerializer,
    ConditionWriteSerializer,
    PositionSerializer,
    PositionWriteSerializer,
    RevisionSerializer,
    TopicSerializer,
    WrittenPositionSerializer,
)

# ------------------------------------------------------------ topics, conditions


@extend_schema_view(
    list=extend_schema(summary="Topics, the columns of the matrix"),
    retrieve=extend_schema(summary="One topic and the wordings it covers"),
)
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    serializer_class = TopicSerializer
    lookup_field = "slug"
    queryset = Topic.objects.prefetch_related("wordings").order_by("sort_order", "short_name")


@extend_schema_view(
    list=extend_schema(summary="Conditions that positions name"),
    retrieve=extend_schema(summary="One condition"),
    create=extend_schema(summary="Record a condition (editors)"),
    update=extend_schema(summary="Replace a condition's fields (editors)"),
    partial_update=extend_schema(summary="Correct some of a condition's fields (editors)"),
)
class ConditionViewSet(VersionedUpdates, viewsets.ModelViewSet):
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    lookup_field = "slug"
    queryset = Condition.objects.order_by("name")
    http_method_names = WRITABLE  # a condition positions name is PROTECTed anyway

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ConditionWriteSerializer
        return ConditionSerializer


UPDATE_DESCRIPTION = (
    "Only the fields sent are written, on the position as saved now (its row is locked "
    "for the change). A published or retracted position needs `If-Match` with the ETag "
    "of the version read (428 without it, 412 when it changed since). A change to a "
    "published position by an editor who may not publish is held as a revision for a "
    "senior editor (202, with the revision); the public record changes only when it is "
    "published."
)
UPDATE_RESPONSES = {
    200: WrittenPositionSerializer,
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
        responses={201: WrittenPositionSerializer},
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

    def visible(self):
        # Drafts and retractions are for those who may see the editors' work.
        positions = Position.objects.all()
        if not self.request.user.has_perm("positions.view_position"):
            positions = positions.published()
        return positions.order_by("-id")

    def get_queryset(self):
        return (
            self.visible()
            .select_related("actor", "topic", "claimant", "quote__source", "quote__speaker")
            .prefetch_related("conditions")
        )

    # Reads are written from plain values (positions.api.reading); the
    # serializer stays the schema's and the writes' word.

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.visible()).values("id"))
        return self.get_paginated_response(positions_data(row["id"] for row in page))

    def retrieve(self, request, *args, **kwargs):
        found = get_object_or_404(
            self.visible().only("id", "updated_at"), pk=kwargs[self.lookup_field]
        )
        return Response(positions_data([found.pk])[0], headers={"ETag": etag_of(found)})

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
        return Response(WrittenPositionSerializer(position).data, status=status.HTTP_201_CREATED)

    def updated_response(self, serializer):
        # Answer with the read representation, as a GET would.
        position = self.get_queryset().get(pk=serializer.instance.pk)
        return Response(
            WrittenPositionSerializer(position).data, headers={"ETag": etag_of(position)}
        )

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
        return stream_csv(position_rows(positions), filename="positions.csv")
