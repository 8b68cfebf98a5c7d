"""The coverage table as data: every state's newest statement per topic."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from actors.models import Actor
from config.serializers import DateField

from ..coverage import SORTS, coverage
from ..models import Topic
from .semantics import query_params
from .serializers import ActorBriefSerializer, TopicBriefSerializer


class CoverageQuerySerializer(serializers.Serializer):
    as_of = DateField(required=False, help_text="Defaults to today.")
    group = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.organisations(),
        required=False,
        help_text="Only the members of this group on the date.",
    )
    # Taken as sent, spaces and all: a value that names no order (a blank, a
    # space) is the same unknown order as any other, a 404.
    sort = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"{', '.join(SORTS)}, or a topic's slug (longest silent on it first). "
        "Default: name.",
    )

    def validate_sort(self, value: str) -> str:
        if value not in SORTS and not Topic.objects.filter(slug=value).exists():
            # Names no order and no topic: a 404, as for an unknown group.
            raise serializers.ValidationError(
                f"Order by {', '.join(SORTS)} or a topic's slug; “{value}” is neither.",
                code="does_not_exist",
            )
        return value

    def validate(self, attrs):
        attrs.setdefault("as_of", timezone.localdate())
        return attrs


class CoverageCellSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="The topic's slug.")
    newest = DateField(allow_null=True, help_text="Null: never, up to as_of.")
    stale = serializers.BooleanField(help_text="The newest statement is older than stale_from.")


class CoverageRowSerializer(serializers.Serializer):
    actor = ActorBriefSerializer()
    groups = serializers.ListField(
        child=serializers.CharField(), help_text="Slugs of its groups on the date."
    )
    newest = DateField(allow_null=True, help_text="Its newest statement on any topic.")
    cells = CoverageCellSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    as_of = DateField()
    # Worked out from as_of (STALE_AFTER_MONTHS before it), so it can fall
    # before the range of dates the record holds: a plain date, without it.
    stale_from = serializers.DateField(help_text="Statements before this date are stale.")
    group = serializers.CharField(allow_null=True)
    sort = serializers.CharField()
    states = serializers.IntegerField()
    spoken = serializers.IntegerField(help_text="States with a statement on some topic.")
    current = serializers.IntegerField(help_text="States with a statement that is not stale.")
    never = serializers.IntegerField(help_text="States with no statement at all.")
    topics = TopicBriefSerializer(many=True)
    rows = CoverageRowSerializer(many=True)


@extend_schema(
    summary="Coverage: every state's newest statement per topic",
    parameters=[CoverageQuerySerializer],
    responses=CoverageSerializer,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def coverage_view(request):
    """Every state of the record (or of a group, on the date) with the date of
    its newest statement on each topic up to `as_of`, as the matrix counts
    statements (a third party's claim is not the state speaking), and
    whether it is stale. For editors: who has never spoken, who not lately."""
    params = query_params(CoverageQuerySerializer, request)
    sort = params.get("sort", "name")
    found = coverage(on=params["as_of"], group=params.get("group"), sort=sort)
    briefs = ActorBriefSerializer([row.actor for row in found.rows], many=True).data
    return Response(
        {
            "as_of": found.on,
            "stale_from": found.stale_from,
            "group": params["group"].slug if params.get("group") else None,
            "sort": sort,
            "states": len(found.rows),
            "spoken": found.spoken,
            "current": found.current,
            "never": found.never,
            "topics": TopicBriefSerializer(found.topics, many=True).data,
            "rows": [
                {
                    "actor": brief,
                    "groups": [group.slug for group in row.groups],
                    "newest": row.newest,
                    "cells": [
                        {"topic": c.topic.slug, "newest": c.newest, "stale": c.stale}
                        for c in row.cells
                    ],
                }
                for row, brief in zip(found.rows, briefs, strict=True)
            ],
        }
    )
