"""CSV exports, streamed: every position with its quote and source, and the
stance matrix one row per cell. Spreadsheet-safe, errors in JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db import connections, transaction
from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework.decorators import api_view, permission_classes
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from ..matrix import Matrix
from ..models import (
    PositionCondition,
)
from .semantics import MatrixQuerySerializer, matrix_for, query_params
from .statements import speaker_name

CSV_RESPONSE = {
    (200, "text/csv"): OpenApiResponse(
        OpenApiTypes.STR, description="CSV with a header row, UTF-8, streamed."
    )
}


class JSONForErrors(BaseContentNegotiation):
    """For the CSV exports: the data is always CSV, and any error is JSON,
    whatever the client's Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return JSONRenderer(), JSONRenderer.media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


FORMULA_STARTS = frozenset("=+-@\t\r")


def spreadsheet_safe(value):
    """Text a spreadsheet will show, never run: a leading =, +, -, @, tab or
    carriage return would make it a formula (CSV injection). Numbers stay
    numbers (the CSV writer spells them); a third of an export's time went
    on turning each one into text to look at its first character."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if value[:1] in FORMULA_STARTS else value
    return value


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


def position_rows(positions) -> Iterator[list]:
    """The rows of a positions CSV, read as the response streams. Which
    database they come from is fixed now, in the view: the stream is read
    after the view has returned, outside the request's choice of database
    (config.routers), and would otherwise read the primary."""
    return _position_rows(positions.using(positions.db))


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
                if connections[positions.db].features.supports_aggregate_order_by_clause
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
    # Inside a transaction: outside one, PostgreSQL's cursor is declared WITH
    # HOLD, which computes the whole answer before it hands over the first
    # row (1.3 s for a topic at 1M positions). The transaction only reads,
    # and ends with the stream, or when the reader goes away.
    with transaction.atomic(using=rows.db):
        for row in rows.iterator(chunk_size=CSV_ROWS_PER_CHUNK):
            row = list(row)
            for n in dates:
                row[n] = row[n].isoformat() if row[n] is not None else ""
            yield row


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
    params = query_params(MatrixQuerySerializer, request)
    return stream_csv(
        _matrix_rows(matrix_for(params, paged=False, evidence=True)), filename="matrix.csv"
    )


matrix_export.cls.content_negotiation_class = JSONForErrors
