"""From an article's text to candidate statements: direct quotations with
their speakers, reported speech, third-party claims and denials, each with
a said date, an attribution, a topic, a stance and conditions proposed."""

from __future__ import annotations

import datetime as dt
import re

from positions.models import Attribution

from .candidates import Candidate, Mention, Reading
from .classify import classify
from .direct import direct_quotations
from .lexicon import Lexicon
from .mentions import scan
from .reported import reported_speech
from .spans import sentences

_ANSWER_RE = re.compile(
    r"declined to confirm|denied|denies|dismissed|rejected the|nothing to add|responding to|"
    r"in response to|in reaction to|reacted to|commented on|following comments|refuted|"
    r"contradict|when asked about",
    re.IGNORECASE,
)

__all__ = ["Candidate", "Mention", "extract"]


def extract(text: str, *, lexicon: Lexicon, published_on: dt.date | None = None) -> list[Candidate]:
    found = scan(text, lexicon)
    reading = Reading(text, lexicon, published_on, found, [f.start for f in found], sentences(text))
    direct = direct_quotations(reading)
    reported = reported_speech(reading, [(c.start, c.end) for c in direct])
    candidates = sorted(direct + reported, key=lambda c: (c.start, c.actor.name if c.actor else ""))
    claims = []
    for candidate in candidates:
        classify(reading, candidate)
        if candidate.attribution == Attribution.CLAIM:
            claims.append(candidate)
            continue
        if claims:
            # An answer to a claim made earlier in the text: "declined to confirm", "denied".
            sentence = reading.sentence_at(candidate.start)
            window = text[max(0, sentence.start - 300) : sentence.end]
            candidate.responds_to_claim = bool(_ANSWER_RE.search(window))
    return candidates
