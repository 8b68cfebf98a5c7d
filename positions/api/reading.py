"""The API's answers for positions, read as plain values: a page of fifty
is four queries and a loop over tuples, where serializing model instances
field by field was most of the request (the matrix endpoint reads the same
way). The shape is ``PositionSerializer``'s, which stays the schema's word:
``tests/test_api_reading.py`` compares the two on the seed and on synthetic
data."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from config.prepared import ByIds

from ..cells import counted_in
from ..models import Position, PositionCondition, Status
from .serializers import (
    ActorBriefSerializer,
    QuoteNestedSerializer,
    SourceBriefSerializer,
    counted_data,
)


def _datetime(value, zone) -> str:
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone,
    "Z" for UTC (its own call was a tenth of a page's time). Read as the
    driver reads it: SQLite's datetimes come naive, in UTC (making each
    aware first, as the ORM does, was a third of the rows' conversion)."""
    if value.tzinfo is None:
        if zone is UTC:
            return value.isoformat() + "Z"
        value = value.replace(tzinfo=dt.UTC)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


UTC = zoneinfo.ZoneInfo("UTC")


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


# Where each column is in a row: rows are read by position, not turned into
# dicts (half of the loop's time was spent making and reading those).
AT = {name: index for index, name in enumerate(COLUMNS)}


def _brief_of(prefix: str):
    """Reads the brief actor whose columns start with ``prefix``; None for none."""
    slug = AT[f"{prefix}slug"]
    fields = [(name, AT[f"{prefix}{name}"]) for name in ACTOR]

    def brief(row: tuple) -> dict | None:
        if row[slug] is None:
            return None
        return {name: row[index] for name, index in fields}

    return brief


_actor, _claimant, _speaker = map(_brief_of, ("actor__", "claimant__", "quote__speaker__"))


# Compiled once per page length (config.prepared): building these joins
# took longer than running them.
def _columns():
    # In no order: rows are taken by id (sorting them was a temporary B-tree).
    return Position.objects.order_by().values_list(*COLUMNS)


def _condition_slugs():
    return PositionCondition.objects.order_by("condition__name", "condition_id").values_list(
        "position_id", "condition__slug"
    )


# Dates and datetimes stay as the driver reads them (the ORM's converters
# only check their type again and make SQLite's datetimes aware): they are
# only written out again, as text (``_date``, ``_datetime``).
_rows = ByIds(
    _columns,
    as_read=[
        AT[name]
        for name in (
            "as_of",
            "created_at",
            "updated_at",
            "quote__said_on",
            "quote__source__published_on",
        )
    ],
)
_conditions = ByIds(_condition_slugs, field="position_id", lookup="any_of")


def condition_slugs(position_ids: Iterable[int]) -> dict[int, list[str]]:
    """The slugs of each position's conditions, by their names: one query,
    none for none (a timeline's statements ask for a thousand positions'
    at once: the ids go as one array on PostgreSQL)."""
    found: dict[int, list[str]] = defaultdict(list)
    for position_id, slug in _conditions(position_ids):
        found[position_id].append(slug)
    return found


def positions_data(ids: Iterable[int]) -> list[dict]:
    """The API's representation of these positions, in the order given.
    Three queries (the positions with their quote, source and actors; their
    conditions; the cells they count in), none for none; four when drafts
    or retractions are among them (where those would count is worked out)."""
    ids = list(ids)
    if not ids:
        return []
    rows = {row[0]: row for row in _rows(ids)}
    conditions = condition_slugs(ids)
    status = AT["status"]
    counted = counted_in(
        ids, published={pk for pk, row in rows.items() if row[status] == Status.PUBLISHED}
    )
    zone = timezone.get_current_timezone()
    return [_position(rows[pk], conditions[pk], counted[pk], zone) for pk in ids if pk in rows]


def _position(row: tuple, conditions: list[str], counted, zone) -> dict:
    (
        pk,
        stance,
        attribution,
        responds_to,
        response_kind,
        as_of,
        status,
        summary,
        correction_note,
        created_at,
        updated_at,
        topic,
    ) = row[: len(POSITION) + 1]
    return {
        "id": pk,
        "actor": _actor(row),
        "topic": topic,
        "stance": stance,
        "attribution": attribution,
        "claimant": _claimant(row),
        "responds_to": responds_to,
        "response_kind": response_kind,
        "as_of": _date(as_of),
        "status": status,
        "summary": summary,
        "conditions": conditions,
        "correction_note": correction_note,
        "quote": {
            "id": row[AT["quote__id"]],
            "text": row[AT["quote__text"]],
            "speaker": _speaker(row),
            "speaker_label": row[AT["quote__speaker_label"]],
            "said_on": _date(row[AT["quote__said_on"]]),
            "said_on_precision": row[AT["quote__said_on_precision"]],
            "language": row[AT["quote__language"]],
            "original_language": row[AT["quote__original_language"]],
            "original_text": row[AT["quote__original_text"]],
            "translated_by": row[AT["quote__translated_by"]],
            "is_verified": row[AT["quote__is_verified"]],
            "source": {
                "id": row[AT["quote__source__id"]],
                "publisher": row[AT["quote__source__publisher"]],
                "title": row[AT["quote__source__title"]],
                "url": row[AT["quote__source__url"]],
                "published_on": _date(row[AT["quote__source__published_on"]]),
            },
        },
        "counts_for": counted_data(attribution, counted),
        "created_at": _datetime(created_at, zone),
        "updated_at": _datetime(updated_at, zone),
    }
