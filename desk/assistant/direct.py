"""Direct quotations, their speakers and the dates they were said."""

from __future__ import annotations

import re

from positions.models import Attribution

from .candidates import Candidate, Mention, Reading
from .dates import find_dates
from .language import PERSON_NOUNS, SPEECH_VERBS, WORD
from .mentions import TITLE_WORDS, Found, people_first, resolve_title
from .spans import quotations

# A quotation this short is a phrase the outlet quotes ("so run down"):
# the outlet's sentence around it is the statement.
MIN_QUOTE_WORDS = 5
_PRONOUNS = {"he", "she", "they"}
# A date line dates the page, not the words: "2025-03-04", "MOSCOW, April 11".
_DATE_LINE = re.compile(r"(?:^\s*\W*\s*date\s+\d{4}-\d{2}-\d{2}$|\b[A-Z]{3,},\s+\w+\s+\d{1,2}$)")
_RELATIVE = re.compile(r",\s*(?:who|which|whose)\b")
_ABBREVIATED = re.compile(r"\b(?:[A-Z]|U\.S|U\.K|Feb|Jan|Mr|Dr|Gen)$")
# Where a name written after its verb has ended: "said Leo Peria Peigne from …".
_AFTER_NAME = frozenset({"from", "of", "at", "in", "on", "who", "to", "when", "after"})


def direct_quotations(reading: Reading) -> list[Candidate]:
    out: list[Candidate] = []
    previous: Candidate | None = None
    for quoted in quotations(reading.text):
        words = reading.text[quoted.start : quoted.end].split()
        if len(words) < MIN_QUOTE_WORDS:
            continue
        who, how, context = _speaker_clause(reading, quoted)
        speaker, confidence = _speaker(reading, who, how, quoted)
        if speaker is None and previous and quoted.open - previous.end < 400:
            # A quotation with no attribution of its own continues the last speaker's.
            speaker, confidence = previous.speaker, 0.5
        date = said_date(reading, context, speaker, quoted.open)
        candidate = Candidate(
            quote=reading.text[quoted.start : quoted.end],
            start=quoted.start,
            end=quoted.end,
            form="direct",
            speaker=speaker,
            actor=None,
            attribution=Attribution.OWN,
            confidence=confidence,
        )
        if date:
            candidate.said_on, candidate.said_on_precision = date.on, date.precision
        out.append(candidate)
        previous = candidate
    return out


def _clause_end(text: str, start: int, limit: int = 220) -> int:
    stop = start + limit
    for i in range(start, min(len(text), stop)):
        char = text[i]
        if char in '\n"“”':
            return i
        ends = char in ".!?" and (i + 1 >= len(text) or text[i + 1] in " \n")
        if ends and not _ABBREVIATED.search(text[start:i]):
            return i
    return min(len(text), stop)


def _speaker_clause(
    reading: Reading, quoted
) -> tuple[tuple[int, int] | None, str, tuple[int, int]]:
    """Where the speaker is named for a quotation: after it ("…," Peskov
    said), or before it (Pollard said: "…"). Returns the span naming the
    speaker, how it was found, and the clause to read a date from."""
    text = reading.text
    after_start = quoted.close
    while after_start < len(text) and text[after_start] in " ,;:—–-":
        after_start += 1
    after_end = _clause_end(text, after_start)
    words = list(WORD.finditer(text, after_start, after_end))[:16]
    for index, word in enumerate(words):
        if word.group().rstrip(".").casefold() in SPEECH_VERBS:
            if index == 0:
                rest = words[1:]
                end = rest[0].start() if rest else word.end()
                # "said the head of the Italian government": a description runs on.
                described = bool(rest) and rest[0].group().casefold() == "the"
                for w in rest[:8]:
                    gap = text[end : w.start()].strip()
                    stop = not described and w.group().casefold() in _AFTER_NAME
                    if gap or (w is not rest[0] and stop):
                        break
                    end = w.end()
                return (word.end(), end), "after", (after_start, after_end)
            who_end = word.start()
            segment = text[after_start:who_end]
            if _RELATIVE.search(segment):  # "Popescu, who was …, told": the name comes first
                comma = segment.find(",")
                return (after_start, after_start + comma), "after", (after_start, after_end)
            # Otherwise the subject is what follows the last comma: "… to Ukraine, he said".
            last = segment.rfind(",")
            begin = after_start + last + 1 if last >= 0 else after_start
            return (begin, who_end), "after", (after_start, after_end)
        if word.group().casefold() in ("according",):
            break
    sentence = reading.sentence_at(quoted.open)
    prefix_start = max(sentence.start, quoted.open - 400)
    words = list(WORD.finditer(text, prefix_start, quoted.open))
    for index in range(len(words) - 1, -1, -1):
        if words[index].group().casefold() in SPEECH_VERBS:
            end = words[index].start()
            begin = end
            for w in reversed(words[:index]):
                gap = text[w.end() : begin]
                if gap.strip():
                    break
                plain = w.group()
                if not (plain[:1].isupper() or plain.casefold() in ("the",) or _title_word(plain)):
                    break
                begin = w.start()
            if begin < end:
                return (begin, end), "before", (prefix_start, quoted.open)
            break
    return None, "none", (sentence.start, quoted.open)


def _title_word(word: str) -> bool:
    return word.casefold() in TITLE_WORDS


def _speaker(reading: Reading, who, how, quoted) -> tuple[Mention | None, float]:
    if who is None:
        return None, 0.3
    start, end = who
    phrase = reading.text[start:end].strip()
    found = people_first(reading.mentions_in(start, end), reading.lexicon)
    mentions = [m for m in found if not m.is_title]
    titles = [m for m in found if m.is_title]
    if mentions:
        chosen = max(mentions, key=lambda m: _person_score(reading, m))
        return mention(reading, chosen, quoted.open), (
            0.9 if chosen.how == "name" else 0.75 if chosen.how in ("new",) else 0.7
        )
    first = phrase.split()[0].casefold() if phrase.split() else ""
    if titles:
        holders, earlier = resolve_title(
            titles[0], reading.lexicon, reading.published, reading.before(start)
        )
        if holders:
            proposed = mention_of(reading, holders, quoted.open)
            proposed.role = proposed.role or titles[0].title
            return proposed, 0.6 if len(holders) == 1 else 0.45
        if earlier:
            proposed = mention(reading, earlier, quoted.open)
            if titles[0].country and not proposed.country_id:
                # "the Polish minister": the title says whose minister the person named is.
                proposed.role = proposed.role or titles[0].title
                proposed.country_id = titles[0].country
                proposed.office_from_text = proposed.actor_id is not None
            return proposed, 0.55
    described = first == "the" and any(w.casefold() in PERSON_NOUNS for w in phrase.split())
    if first in _PRONOUNS or described:
        for earlier in reversed(reading.before(quoted.open)):
            if earlier.is_title:
                continue
            if earlier.how in ("new", "surname") or any(
                reading.lexicon.actors[a].is_person for a in earlier.actors
            ):
                return mention(reading, earlier, quoted.open), 0.6
    if first in ("the", "a", "an") and len(phrase.split()) <= 8:
        # An unnamed speaker the text describes: "the press service", "a senior EU diplomat".
        return Mention(None, phrase, kind="label"), 0.4
    return None, 0.3


def _person_score(reading: Reading, found: Found) -> int:
    if found.how == "new":
        return 2
    return 3 if any(reading.lexicon.actors[a].is_person for a in found.actors) else 1


def mention(reading: Reading, found: Found, at: int) -> Mention:
    """The proposal for a mention: the record's actor, or a new person."""
    if not found.actors:
        return Mention(
            None,
            found.name,
            role=found.title,
            country_id=found.country,
            kind="official" if found.title else "expert",
        )
    proposed = mention_of(reading, found.actors, at)
    if not proposed.role and found.title and found.country:
        # An office the text gives ("Polish Prime Minister Donald Tusk") and the record lacks.
        proposed.role, proposed.country_id = found.title, found.country
        proposed.office_from_text = True
    return proposed


def mention_of(reading: Reading, ids: list[int], at: int) -> Mention:
    lexicon = reading.lexicon
    actor = lexicon.actors[ids[0]]
    mention = Mention(actor.id, actor.name, alternatives=list(ids[1:]), kind=actor.kind)
    on = reading.published
    offices = lexicon.offices_of(actor.id, on) if actor.is_person else []
    if offices:
        office = min(offices, key=lambda o: o.rank or 9)
        mention.role, mention.country_id = office.title, office.organisation
    return mention


def said_date(reading: Reading, context, speaker: Mention | None, position: int):
    start, end = context
    dates = find_dates(reading.text[start:end], reading.published)
    if dates:
        return dates[0]
    sentence = reading.sentence_at(max(0, position - 1))
    dates = find_dates(reading.text[sentence.start : position], reading.published)
    if dates:
        return dates[-1]
    if speaker is None:
        return None
    # A date given with the speaker's name earlier ("a briefing held by
    # Kremlin spokesman Dmitry Peskov … on February 25").
    for span in reversed([s for s in reading.sentences if s.end <= position][-4:]):
        named = [
            m
            for m in reading.mentions_in(span.start, span.end)
            if (speaker.actor_id and speaker.actor_id in m.actors)
            or (not speaker.actor_id and m.name == speaker.name)
            # or the state they speak for: "The Kremlin on Wednesday said …"
            or (speaker.country_id and m.actors == [speaker.country_id])
        ]
        if named:
            # A date line ("2025-03-04") dates the page, not the words.
            sentence = reading.text[span.start : span.end]
            dates = [
                d
                for d in find_dates(sentence, reading.published)
                if not _DATE_LINE.search(sentence[: d.end])
            ]
            if dates:
                return dates[-1]
    return None
