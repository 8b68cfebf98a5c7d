"""Statements without quotation marks: "Poland said it would not", "X ruled
out …", and third-party claims ("Trump said Putin would accept …"). The
outlet's sentence is the quote; the outlet is its speaker."""

from __future__ import annotations

import re

from positions.models import Attribution

from .candidates import Candidate, Mention, Reading
from .dates import find_dates
from .direct import mention, mention_of
from .language import REPORT_VERBS
from .mentions import Found, people_first, resolve_title

_REPORT_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(
        re.escape(v).replace(r"\ ", r"\s+") for v in sorted(REPORT_VERBS, key=len, reverse=True)
    )
    + r")(?![\w-])"
)
_ENDED = re.compile(r"[.!?][\"”’)]*\s*$|[\"”]\s*$")
_RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b[^,]*,")
# Words that make a sentence about troop deployment even without a topic wording.
_RELEVANT = re.compile(
    r"troop|soldier|peacekeep|boots on the ground|deploy|contingent|military presence|"
    r"reassurance|security guarantee",
    re.IGNORECASE,
)


def reported_speech(reading: Reading, covered: list[tuple[int, int]]) -> list[Candidate]:
    out: list[Candidate] = []
    text = reading.text
    lexicon = reading.lexicon
    before = dict(zip(reading.sentences[1:], reading.sentences, strict=False))
    for span in reading.sentences:
        if any(start < span.end and span.start < end for start, end in covered):
            continue
        sentence = text[span.start : span.end]
        if not _ENDED.search(sentence):
            continue  # a headline or a caption, not a sentence of the copy
        # A short sentence ("But Poland … said it would not.") reads on from the one before.
        previous = text[earlier.start : earlier.end] if (earlier := before.get(span)) else ""
        if not any(
            _RELEVANT.search(part) or (lexicon.wording_re and lexicon.wording_re.search(part))
            for part in (sentence, previous)
        ):
            continue
        found = _subject_and_verb(reading, span, sentence)
        if found is None:
            continue
        verb, actors = found
        date = next(iter(find_dates(sentence, reading.published)), None)
        claimed = _claimed(reading, span.start + verb.end(), span.end, actors)
        base = {
            "quote": sentence,
            "start": span.start,
            "end": span.end,
            "form": "reported",
            "speaker": None,
            "said_on": date.on if date else None,
            "said_on_precision": date.precision if date else None,
        }
        if claimed and len(actors) == 1:
            out.append(
                Candidate(
                    **base,
                    actor=claimed,
                    claimant=actors[0],
                    attribution=Attribution.CLAIM,
                    confidence=0.5,
                )
            )
            continue
        for actor in actors:
            out.append(
                Candidate(**base, actor=actor, attribution=Attribution.REPORT, confidence=0.6)
            )
    return out


def _subject_and_verb(reading: Reading, span, sentence: str):
    """The first reporting verb with an actor as its subject, and the actors."""
    text = reading.text
    for verb in _REPORT_RE.finditer(sentence):
        if re.search(r"\b(?:been|be|being|was|were|is)\s+$", sentence[: verb.start()]):
            continue  # passive: "what has been called"
        subject_end = span.start + verb.start()
        skipped = [
            (span.start + m.start(), span.start + m.end())
            for m in _RELATIVE.finditer(sentence[: verb.start()])
        ]
        subjects = [
            m
            for m in people_first(reading.mentions_in(span.start, subject_end), reading.lexicon)
            if not any(s <= m.start < e for s, e in skipped)
            and not text[max(span.start, m.start - 4) : m.start].endswith(("by ", "of "))
        ]
        subjects = _last_clause(reading, subjects, span.start, subject_end, skipped)
        actors = _subjects(reading, subjects, span.start)
        if not actors:
            pronoun = re.search(r"\b(he|she)\s+(?:has\s+|had\s+)?$", sentence[: verb.start()], re.I)
            person = _last_person(reading, span.start) if pronoun else None
            actors = [person] if person else []
        if actors:
            return verb, actors
    return None


def _last_clause(reading: Reading, subjects: list[Found], start: int, end: int, skipped) -> list:
    """The subject is the clause just before the verb ("…, Defense Secretary
    Ben Wallace told"), with a list that runs into it ("Finland, Latvia, …
    and Sweden issued"); relative clauses and appositions do not count."""
    text = reading.text
    commas = [
        i for i in range(start, end) if text[i] == "," and not any(s <= i < e for s, e in skipped)
    ]
    bounds = [start, *[c + 1 for c in commas], end]
    clauses = [
        [m for m in subjects if lo <= m.start < hi]
        for lo, hi in zip(bounds, bounds[1:], strict=False)
    ]
    spans = list(zip(bounds, bounds[1:], strict=False))
    for index in range(len(clauses) - 1, -1, -1):
        if not clauses[index]:
            continue
        chosen = list(clauses[index])
        # Earlier clauses that are each one name alone are items of the same list.
        while index > 0 and len(clauses[index - 1]) == 1:
            lo, hi = spans[index - 1]
            item = clauses[index - 1][0]
            if text[lo:hi].strip(" ,").removeprefix("and ").strip() != text[item.start : item.end]:
                break
            chosen.insert(0, item)
            index -= 1
        # "Both Chancellor Olaf Scholz and his likely successor, election winner
        # Friedrich Merz, have been …": a pair joined by "and" before an apposition.
        if index > 0 and " and " in text[spans[index - 1][0] : spans[index - 1][1]]:
            person = _is_person(reading, chosen[-1])
            chosen[:0] = [m for m in clauses[index - 1] if _is_person(reading, m) == person]
        return chosen
    return []


def _is_person(reading: Reading, found: Found) -> bool:
    return not found.actors or any(reading.lexicon.actors[a].is_person for a in found.actors)


def _last_person(reading: Reading, before: int) -> Mention | None:
    for item in reversed(reading.before(before)):
        if item.is_title:
            continue
        if not item.actors or any(reading.lexicon.actors[a].is_person for a in item.actors):
            return mention(reading, item, before)
    return None


def _subjects(reading: Reading, subjects: list[Found], at: int) -> list[Mention]:
    found: list[Mention] = []
    for item in subjects:
        if item.is_title:
            holders, earlier = resolve_title(
                item, reading.lexicon, reading.published, reading.before(item.start)
            )
            if holders:
                found.append(mention_of(reading, holders, at))
            elif earlier:
                found.append(mention(reading, earlier, at))
            continue
        found.append(mention(reading, item, at))
    unique: dict[tuple, Mention] = {}
    for item in found:
        unique.setdefault((item.actor_id, item.name), item)
    return list(unique.values())


def _claimed(reading: Reading, start: int, end: int, subjects: list[Mention]) -> Mention | None:
    """The other actor whose stance the subject reports: "Trump said Putin
    would accept" -> Putin; none when the complement is the subject's own
    state ("Starmer has said Britain would …")."""
    window = reading.text[start : min(end, start + 60)]
    lead = re.match(r"\s*(?:that\s+|,\s*)?", window)
    items = reading.mentions_in(start + lead.end(), start + len(window))
    if not items or items[0].start != start + lead.end():
        return None
    item = items[0]
    if item.is_title:
        return None
    claimed = mention(reading, item, start)
    own = {s.actor_id for s in subjects} | {s.country_id for s in subjects}
    if claimed.actor_id in own or (
        claimed.actor_id is None and claimed.name in {s.name for s in subjects}
    ):
        return None
    return claimed
