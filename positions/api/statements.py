"""A statement as it counts in a cell, written as the API says it: read as
plain values in a few queries for a whole page, not serialized one by one."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, F, When
from rest_framework import serializers

from actors.models import Role
from config.prepared import ByIds
from config.serializers import (
    DateField,
)
from sources.models import Source

from ..models import (
    Attribution,
    Response,
    Stance,
    Topic,
)
from ..rule import CellStance, Statement
from .reading import condition_slugs
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


# What statement_records reads beyond what a shown statement carries (its
# stance, date, words, speaker, slugs and source id): the sources and the
# offices, by id, each row once however many statements share it.
_sources = ByIds(
    lambda: Source.objects.values_list("pk", "publisher", "title", "url", "published_on"),
    lookup="any_of",
)
_offices = ByIds(lambda: Role.objects.order_by().values_list("pk", "title"), lookup="any_of")


def statement_records(found: Iterable[Statement]) -> dict[int, dict]:
    """What the API says of each statement of ``found`` (the fields of
    :class:`StatementSerializer`, as it would write them), keyed by
    ``row_id``: what the statements carry (``positions.shown``), and their
    conditions and sources read as plain values in two queries (a third for
    the offices, where an official spoke; none for none); statements of one
    source share its (read-only) answer. Loading positions whole and
    serializing them field by field was most of the time of a timeline,
    which shows hundreds of statements a page; joining each statement's
    position and quote again for its source, most of what was left."""
    by_row = {s.row_id: s for s in found}
    if not by_row:
        return {}
    positions = [s.position for s in by_row.values()]
    conditions = condition_slugs({p.pk for p in positions})
    sources = {
        pk: {"id": pk, "publisher": publisher, "title": title, "url": url, "published_on": on}
        for pk, publisher, title, url, on in _sources({p.source_id for p in positions})
    }
    roles = {s.role_id for s in by_row.values() if s.role_id}
    offices = dict(_offices(roles)) if roles else {}
    records = {}
    for pk, statement in by_row.items():
        position = statement.position
        claimant = position.claimant
        records[pk] = {
            "position": position.pk,
            "stance": position.stance,
            "as_of": position.as_of,
            "attribution": position.attribution,
            "rank": statement.rank,
            "actor": position.actor.slug,
            "office": offices.get(statement.role_id),
            "claimant": claimant.slug if claimant else None,
            "responds_to": position.responds_to_id,
            "response_kind": position.response_kind,
            "conditions": conditions[position.pk],
            "quote": position.quote.text,
            "speaker": position.quote.speaker_name,
            "source": sources[position.source_id],
        }
    return records


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
