"""What the assistant proposes, and the reading of one text it works on."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from .lexicon import Lexicon
from .mentions import Found
from .spans import Span


@dataclass
class Mention:
    """An actor proposed for a role in a statement; ``actor_id`` None for
    someone the record does not know yet (proposed as a new actor)."""

    actor_id: int | None
    name: str
    role: str = ""
    country_id: int | None = None
    alternatives: list[int] = field(default_factory=list)
    kind: str = ""  # the record's kind, or "official"/"expert" proposed
    # The role and country come from the text: the record has no such office yet.
    office_from_text: bool = False
    # The record's actors behind ``alternatives``, for the desk to show.
    others: list = field(default_factory=list)


@dataclass
class Candidate:
    quote: str
    start: int
    end: int
    form: str  # direct | reported
    speaker: Mention | None  # None: the outlet's own sentence
    actor: Mention | None
    attribution: str
    claimant: Mention | None = None
    said_on: dt.date | None = None
    said_on_precision: str | None = None
    responds_to_claim: bool = False
    topic: str | None = None
    stance: str | None = None
    conditions: list[str] = field(default_factory=list)
    confidence: float = 0.5


@dataclass
class Reading:
    text: str
    lexicon: Lexicon
    published: dt.date | None
    found: list[Found]
    starts: list[int]
    sentences: list[Span]

    def mentions_in(self, start: int, end: int) -> list[Found]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.found) and self.found[i].start < end:
            if self.found[i].end <= end:
                out.append(self.found[i])
            i += 1
        return out

    def before(self, position: int) -> list[Found]:
        return self.found[: bisect.bisect_left(self.starts, position)]

    def sentence_at(self, position: int) -> Span:
        for span in self.sentences:
            if span.start <= position < span.end:
                return span
        return Span(position, position)
