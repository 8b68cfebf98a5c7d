"""The shared semantics, computed exactly as the pages compute them: the
matrix as of a date, what changed between two dates, a topic's timeline
and a cell's history."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from actors.models import Actor
from config.api import without_nul
from config.paging import PageOutOfRange, page_count
from config.renderers import JSONRenderer
from config.serializers import (
    DateField,
)

from .. import cache
from ..forms import window
from ..history import HistoryEntry, history_of
from ..matrix import MATRIX_PAGE_ROWS, TIMELINE_PAGE_LANES, Matrix, stance_matrix, timeline_lanes
from ..models import (
    Stance,
    Topic,
)
from ..rule import END_OF_RECORD, statements
from .serializers import ActorBriefSerializer, TopicBriefSerializer
from .statements import CellSerializer, StatementSerializer, cell_data, statement_records


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


def query_params(serializer_class, request):
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


def matrix_for(params: dict, *, paged: bool = True, evidence: bool = False) -> Matrix:
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
    params = query_params(query_class, request)
    key = tuple(
        (field, getattr(value, "slug", value))
        for field, value in sorted(params.items())
        if field != "topics"
    ) + tuple(t.slug for t in params.get("topics") or ())

    def render() -> bytes:
        grid = matrix_for(params)
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


class StepSerializer(serializers.Serializer):
    # A window's first step is on its first day, worked out two years before
    # `end` by default: it can fall before the record's range of dates.
    on = serializers.DateField()
    stance = serializers.ChoiceField(
        choices=Stance.choices, allow_null=True, help_text="The cell's stance after that day."
    )
    made = StatementSerializer(many=True, help_text="The statements made that day.")


class LaneSerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    steps = StepSerializer(many=True)


class TimelineSerializer(serializers.Serializer):
    topic = TopicBriefSerializer()
    start = serializers.DateField(  # worked out, as a step's `on` is
        help_text="The window's first day: steps start with the stance then."
    )
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
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_MATRIX_ROWS,
        help_text=f"Lanes per page (default {TIMELINE_PAGE_LANES}, at most {MAX_MATRIX_ROWS}).",
    )
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
    params = query_params(TimelineQuerySerializer, request)
    topic, start, end = params["topic"], params["start"], params["end"]
    page, per_page = params.get("page", 1), params.get("page_size", TIMELINE_PAGE_LANES)
    try:
        rows, count, steps = timeline_lanes(
            topic=topic, start=start, end=end, page=page, per_page=per_page
        )
    except PageOutOfRange as error:
        raise NotFound({"page": [str(error)]}) from error
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
    params = query_params(CellQuerySerializer, request)
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
