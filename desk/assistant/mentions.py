"""Who the text names, and where: actors of the record by name, alias or
last name, people the record does not know yet, and title-only references
("the Kremlin spokesman", "the prime minister") resolved through the offices
held on the date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from actors.names import name_key

from .language import (
    COUNTRY_NAMES,
    NOT_NAMES,
    SPEECH_VERBS,
    TITLE_FAMILIES,
    WORD,
)
from .lexicon import Lexicon, title_family

TITLE_WORDS = frozenset(
    word for wordings in TITLE_FAMILIES.values() for w in wordings for word in w.split()
) | {"armed", "forces", "deputy", "chief", "former", "head", "general", "staff", "state"}
# Words inside a title: "Minister of National Defense of the Republic".
TITLE_LINKS = frozenset(
    [  # fmt: skip
        "of",
        "the",
        "for",
        "and",
        "national",
        "foreign",
        "internal",
        "affairs",
        "republic",
        "federation",
        "kingdom",
        "government",
        "ministry",
        "european",
        "commission",
        "union",
        "council",
    ]
)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


@dataclass
class Found:
    """One mention. ``actors`` are the record's actors it may name (more
    than one when ambiguous); a person the record lacks has none and a
    ``name``; a title-only mention has a ``family`` and maybe a ``country``."""

    start: int
    end: int
    actors: list[int] = field(default_factory=list)
    name: str = ""
    title: str = ""
    family: str | None = None
    country: int | None = None
    how: str = "name"  # name | surname | new | title

    @property
    def is_title(self) -> bool:
        return self.how == "title"


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _title_before(text: str, start: int, lexicon: Lexicon) -> tuple[str, int | None]:
    """The office title and country written just before a name: "British
    Prime Minister Keir Starmer" -> ("Prime Minister", United Kingdom)."""
    before = text[max(0, start - 90) : start]
    taken: list[str] = []
    country = None
    edge = len(before)
    for match in reversed(list(WORD.finditer(before))):
        if before[match.end() : edge].strip(" "):
            break  # punctuation or a line between: another phrase
        plain = _POSSESSIVE.sub("", match.group())
        bare = plain.rstrip(".")
        if bare.casefold() in TITLE_WORDS:
            taken.append(bare)
        elif bare.casefold() in TITLE_LINKS:
            taken.append(bare)  # "Minister of National Defense of the Republic"
        elif plain in lexicon.demonyms or bare in lexicon.demonyms:
            country = lexicon.demonyms.get(plain, lexicon.demonyms.get(bare))
        elif bare in COUNTRY_NAMES:
            pass  # a state the record lacks: the title is still a title
        elif (ids := lexicon.names.get(name_key(bare))) and len(ids) == 1:
            (only,) = ids
            if lexicon.actors[only].is_person:
                break
            country = only
        else:
            break
        edge = match.start()
    # A title starts and ends with a title word, not with "of the"; links
    # alone ("a member of the") are no title.
    while taken and taken[-1].casefold() in TITLE_LINKS:
        taken.pop()
    while taken and taken[0].casefold() in TITLE_LINKS:
        taken.pop(0)
    return " ".join(reversed(taken)), country


def scan(text: str, lexicon: Lexicon) -> list[Found]:
    """Every mention in ``text``, in order, none overlapping."""
    found = _scan(text, lexicon)
    for item in found:
        item.end = _end(text, item.end)
    return found


def _scan(text: str, lexicon: Lexicon) -> list[Found]:
    words = list(WORD.finditer(text))
    found: list[Found] = []
    local: dict[str, Found] = {}  # last name's key -> a person new to the record
    i = 0
    while i < len(words):
        match = _known(text, words, i, lexicon)
        if match:
            found.append(match[0])
            i = match[1]
            continue
        word = _POSSESSIVE.sub("", words[i].group()).rstrip(".")
        key = name_key(word)
        if _capitalised(word) and word not in NOT_NAMES and key in lexicon.surnames:
            found.append(
                Found(
                    words[i].start(), words[i].end(), sorted(lexicon.surnames[key]), how="surname"
                )
            )
            i += 1
            continue
        if _capitalised(word) and word not in NOT_NAMES and key in local:
            first = local[key]
            found.append(
                Found(words[i].start(), words[i].end(), name=first.name, title=first.title,
                      country=first.country, family=first.family, how="new")
            )  # fmt: skip
            i += 1
            continue
        run = _person_run(text, words, i, lexicon)
        if run:
            end_index, name = run
            start = words[i].start()
            title, country = _title_before(text, start, lexicon)
            person = Found(start, words[end_index - 1].end(), name=name, title=title,
                           country=country, family=title_family(title) if title else None,
                           how="new")  # fmt: skip
            known = local.get(surname_key(name))
            if known and known.name == name:
                # Named again, perhaps without the title: what the first mention said holds.
                person.title = person.title or known.title
                person.country = person.country or known.country
                person.family = person.family or known.family
            found.append(person)
            if not known or person.country or not known.country:
                local[surname_key(name)] = person
            i = end_index
            continue
        if _speaks_next(words, i) and _capitalised(word) and word not in NOT_NAMES:
            # One name before a speech verb ("Kosiniak-Kamysz told reporters"): a person.
            person = Found(words[i].start(), words[i].end(), name=word, how="new")
            found.append(person)
            local[surname_key(word)] = person
        i += 1
    found.extend(_titles(text, lexicon, found))
    found.sort(key=lambda f: f.start)
    _country_from_the_sentence(text, found, lexicon)
    return found


def _country_from_the_sentence(text: str, found: list[Found], lexicon: Lexicon):
    """A person new to the record, introduced with a title but no country,
    whose sentence opens on a state ("Poland will not send troops …, the
    Minister of National Defense … said"): the office is in that state."""
    for index, person in enumerate(found):
        if person.how != "new" or not person.title or person.country:
            continue
        start = max(text.rfind(". ", 0, person.start), text.rfind("\n", 0, person.start)) + 1
        opening = [f for f in found[:index] if f.start >= start and not f.is_title]
        if opening and len(opening[0].actors) == 1:
            actor = lexicon.actors[opening[0].actors[0]]
            if actor.kind == "state":
                person.country = actor.id
                for later in found[index + 1 :]:  # the same person named again
                    if later.how == "new" and later.name == person.name and not later.country:
                        later.country = actor.id


def _end(text: str, end: int) -> int:
    """A mention's end without the full stop of its sentence ("Lukashenko.")
    but with an abbreviation's own ("U.S.")."""
    if text[end - 1 : end] == ".":
        start = end - 1
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        if text[start : end - 1].count(".") == 0:
            return end - 1
    return end


def surname_key(name: str) -> str:
    """The key of a name's last word, hyphens kept within it: "Kosiniak-Kamysz"."""
    return name_key(name.split()[-1]) if name.split() else ""


def _speaks_next(words, i: int) -> bool:
    return i + 1 < len(words) and words[i + 1].group().rstrip(".").casefold() in SPEECH_VERBS


def _known(text: str, words, i: int, lexicon: Lexicon):
    """The longest name of the record starting at word ``i``."""
    for k in range(min(lexicon.max_name_words + 1, len(words) - i), 0, -1):
        first, last = words[i], words[i + k - 1]
        span = text[first.start() : last.end()]
        if "\n" in span or any(mark in span for mark in '"“”,;:'):
            continue
        phrase = _POSSESSIVE.sub("", span)
        ids = lexicon.names.get(name_key(phrase))
        if not ids:
            continue
        lead = first.group()
        if not (_capitalised(lead) or (k > 1 and lead.casefold() == "the")):
            continue
        if k == 1 and lead in NOT_NAMES and lead not in ("NATO", "EU", "UN"):
            continue
        found = Found(first.start(), last.end(), sorted(ids), name=phrase)
        if any(lexicon.actors[a].is_person for a in ids):
            found.title, found.country = _title_before(text, first.start(), lexicon)
            found.family = title_family(found.title) if found.title else None
        return found, i + k
    return None


def _person_run(text: str, words, i: int, lexicon: Lexicon):
    """Two to four capitalised words that look like a person's name the
    record does not know: "Jamie Shea", "Leo Peria Peigne"."""
    names = []
    j = i
    while j < len(words) and len(names) < 4:
        word = words[j].group()
        plain = _POSSESSIVE.sub("", word)
        if (
            not _capitalised(plain)
            or plain in NOT_NAMES
            or plain.casefold() in TITLE_WORDS
            or plain in lexicon.demonyms
            or plain in COUNTRY_NAMES
            or name_key(plain) in lexicon.names
            or not plain.replace("-", "").isalpha()
            or (names and text[words[j - 1].end() : words[j].start()] != " ")
        ):
            break
        names.append(plain)
        j += 1
        if plain != word:  # a possessive ends the name
            break
    if len(names) < 2:
        return None
    # A name that runs into an organisation ("Institute", "Council") is not a person's.
    if names[-1] in {"Institute", "Council", "Union", "Radio", "Forces", "Party", "Agency"}:
        return None
    return j, " ".join(names)


_TITLE_RE = re.compile(
    r"(?:\b[Tt]he\s+)?(?:(?P<country>[A-Z][\w.]*(?:['’]s)?)\s+)?(?P<title>"
    + "|".join(
        sorted((w for ws in TITLE_FAMILIES.values() for w in ws), key=len, reverse=True)
    ).replace(" ", r"\s+")
    + r")\b",
    re.IGNORECASE,
)


def _titles(text: str, lexicon: Lexicon, names: list[Found]) -> list[Found]:
    """Title-only mentions: a title not followed by a name. A state's name
    inside one ("the Kremlin spokesman") is the title's country."""
    taken = [
        (f.start, f.end)
        for f in names
        if f.how != "name" or any(lexicon.actors[a].is_person for a in f.actors)
    ]
    found = []
    for match in _TITLE_RE.finditer(text):
        after = text[match.end() : match.end() + 40]
        next_word = WORD.match(after.lstrip(" "))
        if next_word and _capitalised(next_word.group()) and after[:1] == " ":
            continue  # "Prime Minister Keir Starmer": the name is the mention
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        country_word = match.group("country")
        country = None
        if country_word:
            plain = _POSSESSIVE.sub("", country_word)
            country = lexicon.demonyms.get(plain)
            if country is None and (ids := lexicon.names.get(name_key(plain))):
                country = next(iter(ids)) if len(ids) == 1 else None
            if country is None and plain.casefold() not in ("the", *TITLE_WORDS):
                continue  # "Foreign Minister" inside some other proper name
        family = title_family(match.group("title"))
        found.append(
            Found(match.start(), match.end(), title=match.group("title"), family=family,
                  country=country, how="title")
        )  # fmt: skip
    return found


def people_first(items: list[Found], lexicon: Lexicon) -> list[Found]:
    """Mentions with a state named inside a title dropped: in "the Kremlin
    spokesman" the spokesman is meant, not the Kremlin."""
    titles = [f for f in items if f.is_title]
    return [
        f
        for f in items
        if f.is_title
        or f.how != "name"
        or any(lexicon.actors[a].is_person for a in f.actors)
        or not any(t.start <= f.start and f.end <= t.end for t in titles)
    ]


def resolve_title(found: Found, lexicon: Lexicon, on: dt.date | None, before: list[Found]):
    """The people a title-only mention may mean: the holders of such an
    office on the date, else the last person named with that title."""
    if found.family:
        holders = lexicon.holders(found.family, found.country, on)
        if holders:
            return holders, None
    for earlier in reversed(before):
        if earlier.is_title:
            continue
        person = earlier.how == "new" or any(lexicon.actors[a].is_person for a in earlier.actors)
        if person and (found.family is None or earlier.family in (found.family, None)):
            return earlier.actors, earlier
    return [], None


__all__ = ["Found", "resolve_title", "scan"]
