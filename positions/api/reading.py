"""The API's answers for positions, read as plain values: a page of fifty
is four queries and a loop over tuples, where serializing model instances
field by field was most of the request (the matrix endpoint reads the same
way). The shape is ``PositionSerializer``'s, which stays the schema's word:
``tests/test_api_reading.py`` compares the two on the seed and on synthetic
data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from config.prepared import ByIds

from ..cells import counted_in
from ..models import Position, PositionCondition
from .serializers import (
    ActorBriefSerializer,
    QuoteNestedSerializer,
    SourceBriefSerializer,
    counted_data,
)


def _datetime(value, zone) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone,
    "Z" for UTC (its own call was a tenth of a page's time)."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The nested shapes are the serializers' own field lists, so the two cannot drift.
ACTOR = tuple(ActorBriefSerializer.Meta.fields)
SOURCE = tuple(SourceBriefSerializer.Meta.fields)
# The quote's own columns: its speaker and source are nested.
QUOTE = tuple(
    name for name in QuoteNestedSerializer.Meta.fields if name not in ("speaker", "source")
)
POSITION = (
    "id",
    "stance",
    "attribution",
    "responds_to_id",
    "response_kind",
    "as_of",
    "status",
    "summary",
    "correction_note",
    "created_at",
    "updated_at",
)
COLUMNS = (
    *POSITION,
    "topic__slug",
    *(f"actor__{name}" for name in ACTOR),
    *(f"claimant__{name}" for name in ACTOR),
    *(f"quote__{name}" for name in QUOTE),
    *(f"quote__speaker__{name}" for name in ACTOR),
    *(f"quote__source__{name}" for name in SOURCE),
)


def _date(value):
    return value.isoformat() if value is not None else None


def _brief(row: dict, prefix: str) -> dict | None:
    if row[f"{prefix}slug"] is None:
        return None
    return {name: row[f"{prefix}{name}"] for name in ACTOR}


# Compiled once per page length (config.prepared): building these joins
# took longer than running them.
def _columns():
    return Position.objects.values_list(*COLUMNS)


def _condition_slugs():
    return PositionCondition.objects.order_by("condition__name", "condition_id").values_list(
        "position_id", "condition__slug"
    )


_rows = ByIds(_columns)
_conditions = ByIds(_condition_slugs, field="position_id")


def positions_data(ids: Iterable[int]) -> list[dict]:
    """The API's representation of these positions, in the order given.
    Three queries (the positions with their quote, source and actors; their
    conditions; the cells they count in), none for none."""
    ids = list(ids)
    if not ids:
        return []
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in _rows(ids)}
    conditions = defaultdict(list)
    for position_id, slug in _conditions(ids):
        conditions[position_id].append(slug)
    counted = counted_in(ids)
    zone = timezone.get_current_timezone()
    return [_position(rows[pk], conditions[pk], counted[pk], zone) for pk in ids if pk in rows]


def _position(row: dict, conditions: list[str], counted, zone) -> dict:
    return {
        "id": row["id"],
        "actor": _brief(row, "actor__"),
        "topic": row["topic__slug"],
        "stance": row["stance"],
        "attribution": row["attribution"],
        "claimant": _brief(row, "claimant__"),
        "responds_to": row["responds_to_id"],
        "response_kind": row["response_kind"],
        "as_of": _date(row["as_of"]),
        "status": row["status"],
        "summary": row["summary"],
        "conditions": conditions,
        "correction_note": row["correction_note"],
        "quote": {
            "id": row["quote__id"],
            "text": row["quote__text"],
            "speaker": _brief(row, "quote__speaker__"),
            "speaker_label": row["quote__speaker_label"],
            "said_on": _date(row["quote__said_on"]),
            "said_on_precision": row["quote__said_on_precision"],
            "language": row["quote__language"],
            "original_language": row["quote__original_language"],
            "original_text": row["quote__original_text"],
            "translated_by": row["quote__translated_by"],
            "is_verified": row["quote__is_verified"],
            "source": {
                "id": row["quote__source__id"],
                "publisher": row["quote__source__publisher"],
                "title": row["quote__source__title"],
                "url": row["quote__source__url"],
                "published_on": _date(row["quote__source__published_on"]),
            },
        },
        "counts_for": counted_data(row["attribution"], counted),
        "created_at": _datetime(row["created_at"], zone),
        "updated_at": _datetime(row["updated_at"], zone),
    }
