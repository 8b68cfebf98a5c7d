"""The review queue's reads: drafts awaiting a senior editor, drafts
returned to their editor, and a quote shown where it stands in its source."""

from __future__ import annotations

from dataclasses import dataclass

from positions.models import Position, Status
from sources.models import Quote

CONTEXT_CHARS = 320


def awaiting(*, entered_by=None):
    drafts = Position.objects.filter(status=Status.DRAFT, review_note="").order_by(
        "created_at", "pk"
    )
    return drafts.filter(entered_by=entered_by) if entered_by is not None else drafts


def returned_to(user):
    return (
        Position.objects.filter(status=Status.DRAFT, entered_by=user)
        .exclude(review_note="")
        .select_related("actor", "topic", "quote__source")
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class InContext:
    """A quote with the source's words around it; ``found`` False when the
    words do not occur exactly (typography differs): then only the quote."""

    before: str
    quote: str
    after: str
    found: bool
    stored: bool = True


def in_context(quote: Quote) -> InContext:
    text = quote.source.text
    at = text.find(quote.text) if text else -1
    if at < 0:
        return InContext("", quote.text, "", False, bool(text))
    start = max(0, at - CONTEXT_CHARS)
    end = min(len(text), at + len(quote.text) + CONTEXT_CHARS)
    return InContext(
        ("…" if start else "") + text[start:at],
        quote.text,
        text[at + len(quote.text) : end] + ("…" if end < len(text) else ""),
        True,
    )
