"""What the record teaches the assistant, read in a few queries and kept
per process until the record or the stance lexicon changes."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max

from actors.models import Actor, ActorAlias, Role
from actors.names import name_key
from positions import cache as record_cache
from positions.models import Condition, Topic, TopicWording

from ..models import StanceCue
from .language import DEMONYMS, TITLE_FAMILIES


@dataclass(frozen=True)
class ActorRef:
    id: int
    slug: str
    name: str
    kind: str
    iso: str = ""

    @property
    def is_person(self) -> bool:
        return self.kind in (Actor.Kind.OFFICIAL, Actor.Kind.EXPERT)


@dataclass(frozen=True)
class Office:
    holder: int
    organisation: int
    title: str
    family: str
    rank: int | None
    start: dt.date | None
    end: dt.date | None

    def held_on(self, on: dt.date | None) -> bool:
        if on is None:
            return self.end is None
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)


def title_family(title: str) -> str | None:
    """The family of an office title ("Kremlin spokesman" -> spokes); the
    longest matching wording decides."""
    text = f" {title.casefold().replace('-', ' ')} "
    best = None
    for family, wordings in TITLE_FAMILIES.items():
        for wording in wordings:
            if f" {wording.replace('-', ' ')} " in text and (
                best is None or len(wording) > best[1]
            ):
                best = (family, len(wording))
    return best[0] if best else None


def phrase_pattern(phrases: list[str]) -> re.Pattern | None:
    """One regex matching any of ``phrases`` as whole words, longest first."""
    if not phrases:
        return None
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(r"\s+".join(_inflected(w) for w in p.split()) for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)


def _inflected(word: str) -> str:
    """A word of a phrase and its regular inflections: "send" also matches
    "sending" and "sends", "provide" "providing"."""
    if not word.isalpha() or len(word) < 3:
        return re.escape(word)
    if word.endswith("e"):
        return re.escape(word[:-1]) + "(?:e|es|ed|ing)"
    return re.escape(word) + "(?:s|es|ed|ing)?"


def stem_key(phrase: str) -> str:
    """Where a phrase and its inflected forms meet: "sending troops" and
    "send troops" have one key."""
    words = re.sub(r"\s+", " ", phrase).casefold().split()
    return " ".join(re.sub(r"(?:ing|ed|es|s|e)$", "", w) if len(w) > 3 else w for w in words)


@dataclass
class Lexicon:
    actors: dict[int, ActorRef] = field(default_factory=dict)
    # name_key of a name or alias -> the actors it names
    names: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    # name_key of a person's last name -> the people it may name
    surnames: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    offices: list[Office] = field(default_factory=list)
    by_iso: dict[str, int] = field(default_factory=dict)
    # demonym ("French") -> state id, for states in the record
    demonyms: dict[str, int] = field(default_factory=dict)
    wordings: list[tuple[str, str]] = field(default_factory=list)  # (phrase, topic slug)
    stance_cues: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    condition_cues: dict[str, str] = field(default_factory=dict)  # phrase -> condition slug
    max_name_words: int = 1

    def __post_init__(self):
        self._compile()

    def _compile(self):
        self.wording_re = phrase_pattern([p for p, _ in self.wordings])
        self.wording_topic = {stem_key(p): slug for p, slug in self.wordings}
        self.stance_by_key = {stem_key(p): value for p, value in self.stance_cues.items()}
        self.condition_by_key = {stem_key(p): slug for p, slug in self.condition_cues.items()}
        self.stance_re = phrase_pattern(list(self.stance_cues))
        self.condition_re = phrase_pattern(list(self.condition_cues))

    def add_name(self, name: str, actor_id: int):
        key = name_key(name)
        if key:
            self.names[key].add(actor_id)
            self.max_name_words = max(self.max_name_words, len(key.split()))

    def offices_of(self, holder: int, on: dt.date | None) -> list[Office]:
        return [o for o in self.offices if o.holder == holder and o.held_on(on)]

    def speaking_office(self, holder: int, on: dt.date | None) -> Office | None:
        """The highest-ranked office through which the holder speaks for a
        state or organisation on the date."""
        held = [o for o in self.offices_of(holder, on) if o.rank is not None]
        return min(held, key=lambda o: o.rank) if held else None

    def holders(self, family: str, organisation: int | None, on: dt.date | None) -> list[int]:
        found = [
            o
            for o in self.offices
            if o.family == family
            and (organisation is None or o.organisation == organisation)
            and o.held_on(on)
        ]
        found.sort(key=lambda o: o.rank or 9)
        return list(dict.fromkeys(o.holder for o in found))


def build_lexicon() -> Lexicon:
    lexicon = Lexicon()
    for pk, slug, name, kind, iso in Actor.objects.values_list(
        "pk", "slug", "name", "kind", "iso_code"
    ):
        actor = ActorRef(pk, slug, name, kind, iso)
        lexicon.actors[pk] = actor
        lexicon.add_name(name, pk)
        if actor.is_person and len(words := name_key(name).split()) > 1:
            lexicon.surnames[words[-1]].add(pk)
        if iso:
            lexicon.by_iso[iso] = pk
    for actor_id, name in ActorAlias.objects.values_list("actor_id", "name"):
        lexicon.add_name(name, actor_id)
    for iso, words in DEMONYMS.items():
        if iso in lexicon.by_iso:
            for word in words:
                lexicon.demonyms[word] = lexicon.by_iso[iso]
    for holder, organisation, title, rank, start, end in Role.objects.offices().values_list(
        "holder_id", "organisation_id", "title", "speaks_for_rank", "start_date", "end_date"
    ):
        family = title_family(title) or "official"
        lexicon.offices.append(Office(holder, organisation, title, family, rank, start, end))
    slugs = dict(Topic.objects.values_list("pk", "slug"))
    lexicon.wordings = [(s, slugs[pk]) for pk, s in Topic.objects.values_list("pk", "short_name")]
    lexicon.wordings += [
        (text, slugs[topic]) for topic, text in TopicWording.objects.values_list("topic", "text")
    ]
    lexicon.stance_cues = {
        phrase.casefold(): (stance, topic)
        for phrase, stance, topic in StanceCue.objects.values_list(
            "phrase", "stance", "topic__slug"
        )
    }
    for slug, keywords in Condition.objects.values_list("slug", "keywords"):
        for phrase in keywords.splitlines():
            if phrase.strip():
                lexicon.condition_cues[phrase.strip().casefold()] = slug
    lexicon._compile()
    return lexicon


_memo: dict[str, tuple[tuple, Lexicon]] = {}
_lock = threading.Lock()


def current_lexicon() -> Lexicon:
    """The lexicon for the record as it is now: rebuilt only when the
    record's version or the stance lexicon moved."""
    cues = StanceCue.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    # The version and when it moved: a database restored or reloaded (as
    # between tests) may repeat a number, never the moment with it.
    stamp = (*record_cache.stamp(), cues["n"], cues["last"])
    with _lock:
        held = _memo.get("lexicon")
        if held and held[0] == stamp:
            return held[1]
    lexicon = build_lexicon()
    with _lock:
        _memo["lexicon"] = (stamp, lexicon)
    return lexicon
