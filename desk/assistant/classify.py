"""Whose stance a statement gives and how (the attribution), on which
topic, which stance, on which conditions."""

from __future__ import annotations

import re

from positions.models import Attribution, Stance

from .candidates import Candidate, Reading
from .direct import mention
from .lexicon import stem_key, title_family
from .mentions import Found

# Offices whose holders speak for their state.
SPEAKING = {"head", "foreign", "defence", "spokes", "minister"}

_CLAIM_VERB = re.compile(
    r"\s*\]?\s*(?:['’]s\s+)?(?:is|are|was|were|would|will|has|had|does|did|opposes|opposed|"
    r"supports|accepts|advocat\w*|wants|backs|rejects|plans|agrees|refuses)\b",
    re.IGNORECASE,
)
_PRONOUN_CLAIM = re.compile(
    r"\b(?:he|she)\s+(?:will|would|has|is|does|did|won't|wouldn't|accepts|agrees|wants)\b",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(r"(?:^|[.;:(?!]|\band|\bthat|\bbut|\bas)\s*(?:the\s+)?$", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:not|never|no|n't|neither|nor|without)\b(?:\W+\w+){0,3}\W*$", re.I)


def classify(reading: Reading, candidate: Candidate):
    if candidate.form == "direct":
        _attribute_direct(reading, candidate)
    region = reading.text[candidate.start : candidate.end]
    sentence = reading.sentence_at(candidate.start)
    around = reading.text[min(sentence.start, candidate.start) : max(sentence.end, candidate.end)]
    earlier = [s for s in reading.sentences if s.end <= sentence.start][-2:]
    lead_in = reading.text[earlier[0].start : sentence.start] if earlier else ""
    candidate.topic = _topic(reading, region) or _topic(reading, around) or _topic(reading, lead_in)
    candidate.conditions = _conditions(reading, around)
    candidate.stance = _stance(reading, region, candidate.topic)
    if candidate.stance is None and candidate.form == "direct":
        candidate.stance = _stance(reading, around, candidate.topic)
    if candidate.stance == Stance.SUPPORTS and candidate.conditions:
        candidate.stance = Stance.CONDITIONAL
    if candidate.topic is None:
        candidate.confidence *= 0.9
    if candidate.speaker and candidate.speaker.alternatives:
        candidate.confidence *= 0.8
    candidate.confidence = round(min(candidate.confidence, 1.0), 2)


def _attribute_direct(reading: Reading, candidate: Candidate):
    speaker = candidate.speaker
    if speaker is None:
        return
    claimed = _claimed_in_quote(reading, candidate) if speaker else None
    if claimed is not None:
        candidate.attribution = Attribution.CLAIM
        candidate.actor = claimed
        candidate.claimant = speaker
        return
    lexicon = reading.lexicon
    candidate.actor = speaker
    if speaker.actor_id is not None and not lexicon.actors[speaker.actor_id].is_person:
        return  # a state or organisation in its own words
    office = None
    if speaker.actor_id is not None:
        office = lexicon.speaking_office(speaker.actor_id, candidate.said_on or reading.published)
    state_id = office.organisation if office else None
    if state_id is None and speaker.country_id and title_family(speaker.role) in SPEAKING:
        # An office the text names and the desk can record with the statement.
        state_id = speaker.country_id
    if state_id is not None:
        state = lexicon.actors[state_id]
        candidate.attribution = Attribution.SPEAKING_FOR
        candidate.actor = type(speaker)(state.id, state.name, kind=state.kind)


def _claimed_in_quote(reading: Reading, candidate: Candidate):
    speaker = candidate.speaker
    own = {speaker.actor_id, speaker.country_id}
    lexicon = reading.lexicon
    if speaker.actor_id:
        own |= {o.organisation for o in lexicon.offices_of(speaker.actor_id, reading.published)}
    for item in reading.mentions_in(candidate.start, candidate.end):
        if item.is_title or not _subject_of_claim(reading, item, candidate.start):
            continue
        if item.actors and (set(item.actors) & own):
            continue
        # An official of the speaker's own state speaks for it, not about it.
        if any(o.organisation in own for a in item.actors for o in lexicon.offices_of(a, None)):
            continue
        if not item.actors and item.name == speaker.name:
            continue
        return mention(reading, item, candidate.start)
    return _pronoun_claim(reading, candidate, own)


def _pronoun_claim(reading: Reading, candidate: Candidate, own: set):
    """ "Yes, he will accept it": a quote opening on someone else as its
    subject is a claim about the last other person named before it."""
    words = reading.text[candidate.start : candidate.end].split()[:4]
    opening = " ".join(words)
    if not _PRONOUN_CLAIM.search(opening):
        return None
    speaker = candidate.speaker
    for item in reversed(reading.before(candidate.start)):
        if item.is_title or (item.actors and set(item.actors) & own):
            continue
        if not item.actors and item.name == speaker.name:
            continue
        person = not item.actors or any(reading.lexicon.actors[a].is_person for a in item.actors)
        if person:
            return mention(reading, item, candidate.start)
    return None


def _subject_of_claim(reading: Reading, item: Found, start: int) -> bool:
    text = reading.text
    bracketed = text[max(start, item.start - 1) : item.start] == "[" or (
        text[max(start, item.start - 40) : item.start].rfind("[")
        > text[max(start, item.start - 40) : item.start].rfind("]")
    )
    if bracketed:
        return True
    before = text[max(start, item.start - 12) : item.start]
    return bool(_CLAUSE_START.search(before)) and bool(_CLAIM_VERB.match(text, item.end))


def _phrases(pattern, text: str):
    """Each lexicon phrase found in ``text``, with its match and its key."""
    if pattern is None:
        return
    for match in pattern.finditer(text):
        yield match, stem_key(match.group())


def _topic(reading: Reading, text: str) -> str | None:
    keys = [key for _, key in _phrases(reading.lexicon.wording_re, text)]
    return reading.lexicon.wording_topic[max(keys, key=len)] if keys else None


def _conditions(reading: Reading, text: str) -> list[str]:
    cues = reading.lexicon.condition_by_key
    return list(dict.fromkeys(cues[key] for _, key in _phrases(reading.lexicon.condition_re, text)))


def _stance(reading: Reading, text: str, topic: str | None) -> str | None:
    best = None
    for match, phrase in _phrases(reading.lexicon.stance_re, text):
        stance, only = reading.lexicon.stance_by_key[phrase]
        if only and only != topic:
            continue
        if stance == Stance.SUPPORTS and _NEGATED.search(
            text[max(0, match.start() - 40) : match.start()]
        ):
            stance = Stance.OPPOSES
        if best is None or len(phrase) > best[1]:
            best = (stance, len(phrase))
    return best[0] if best else None
