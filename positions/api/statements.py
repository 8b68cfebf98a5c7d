"""A statement as it counts in a cell, written as the API says it: read as
plain values in two queries for a whole page, not serialized one by one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Case, F, When
from rest_framework import serializers

from config.serializers import (
    DateField,
)

from ..models import (
    Attribution,
    CellStatement,
    PositionCondition,
    Response,
    Stance,
    Topic,
)
from ..rule import CellStance, Statement
from .serializers import SourceBriefSerializer

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
    responds_to = serializers.IntegerField(
        allow_null=True, help_text="The id of the position these words answer."
    )
    response_kind = serializers.ChoiceField(
        choices=[("", "Not an answer"), *Response.choices],
        help_text="How they answer it; empty when they answer none.",
    )
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
    "position__responds_to_id",
    "position__response_kind",
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
        PositionCondition.objects.filter(position_id__any_of={s.position.pk for s in found})
        .order_by("position_id", "condition__name")
        .values_list("position_id", "condition__slug")
    )
    for position_id, slug in named:
        conditions[position_id].append(slug)
    rows = CellStatement.objects.filter(pk__any_of={s.row_id for s in found})
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
            "responds_to": responds_to,
            "response_kind": response_kind,
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
            responds_to,
            response_kind,
            text,
            speaker,
            source_id,
            publisher,
            title,
            url,
            published_on,
        ) in rows.annotate(speaker=speaker_name("position__quote")).values_list(*_STATEMENT_COLUMNS)
    }


class AnsweredSerializer(serializers.Serializer):
    claim = serializers.IntegerField(help_text="The claim's position id.")
    by = serializers.IntegerField(help_text="The id of the position that answers it.")
    response_kind = serializers.ChoiceField(choices=Response.choices)


class CellSerializer(serializers.Serializer):
    topic = serializers.CharField()
    stance = serializers.ChoiceField(
        choices=Stance.choices, allow_null=True, help_text="Null when no words of its own."
    )
    statement = StatementSerializer(allow_null=True, help_text="The statement that counts.")
    claims = StatementSerializer(many=True, help_text="Third-party claims shown beside it.")
    conflicts = StatementSerializer(many=True, help_text="Disagreeing statements of equal weight.")
    answered = AnsweredSerializer(
        many=True, help_text="The claims shown that the statement that counts answers."
    )
    has_conflict = serializers.BooleanField(
        help_text="Equal-weight statements disagree, or an unanswered claim contradicts the "
        "actor's own words."
    )


def cell_data(topic: Topic, cell: CellStance | None, records: dict[int, dict]) -> dict:
    """A :class:`CellSerializer`'s answer, its statements from ``records``."""
    return {
        "topic": topic.slug,
        "stance": cell.stance if cell else None,
        "statement": records[cell.current.row_id] if cell and cell.current else None,
        "claims": [records[s.row_id] for s in cell.claims] if cell else [],
        "conflicts": [records[s.row_id] for s in cell.conflicts] if cell else [],
        "answered": [
            {"claim": pk, "by": answer.position.pk, "response_kind": answer.position.response_kind}
            for pk, answer in cell.answers.items()
            if any(claim.position.pk == pk for claim in cell.claims)
        ]
        if cell
        else [],
        "has_conflict": cell.has_conflict if cell else False,
    }
