"""Load the founding data (``positions/seed/``) idempotently.

Every record is matched on its natural key and written only when it differs,
through ``full_clean()``, so a second run writes nothing and adds no history.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction

from actors.models import Actor, ActorAlias, Role
from sources.models import Quote, Source
from sources.text import normalize_url

from . import cache, services
from .models import CellStatement, Condition, Position, Status, Topic, TopicWording

SEED_DIR = Path(__file__).resolve().parent / "seed"


@dataclass(frozen=True)
class RecordSize:
    """How much the record holds: the figures ``load_seed`` prints."""

    states: int
    states_heard: int
    organisations_heard: int
    positions: int
    sources: int
    first: dt.date | None
    last: dt.date | None

    def line(self) -> str:
        span = f", {self.first:%-d %B %Y} to {self.last:%-d %B %Y}" if self.first else ""
        return (
            f"The record: {self.states_heard} of {self.states} states and "
            f"{self.organisations_heard} organisations with a statement; "
            f"{self.positions} published positions from {self.sources} sources{span}."
        )


def record_size() -> RecordSize:
    published = Position.objects.published()
    heard = CellStatement.objects.filter(is_claim=False).values("subject")
    dates = published.aggregate(first=models.Min("as_of"), last=models.Max("as_of"))
    return RecordSize(
        states=Actor.objects.states().count(),
        states_heard=Actor.objects.states().filter(pk__in=heard).count(),
        organisations_heard=Actor.objects.organisations().filter(pk__in=heard).count(),
        positions=published.count(),
        sources=Source.objects.filter(quotes__positions__in=published).distinct().count(),
        first=dates["first"],
        last=dates["last"],
    )


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        names = sorted({*self.created, *self.updated, *self.unchanged})
        return [
            f"{name}: {self.created[name]} created, {self.updated[name]} updated, "
            f"{self.unchanged[name]} unchanged"
            for name in names
        ]


class SeedError(ValueError):
    """The seed files contradict themselves."""


def _upsert[M: models.Model](
    model: type[M], report: SeedReport, lookup: dict, values: dict | None = None
) -> M:
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    changed = created
    for name, value in (values or {}).items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    label = model._meta.verbose_name_plural
    if changed:
        # The database checks the constraints as the row is written, and its
        # error names the one broken; asking first, a query per constraint per
        # row, was most of the loader's time.
        instance.full_clean(validate_unique=False, validate_constraints=False)
        instance.save()
        (report.created if created else report.updated)[label] += 1
    else:
        report.unchanged[label] += 1
    return instance


SECTIONS = ("actors", "roles", "memberships", "topics", "conditions", "sources", "quotes")


def read_seed(seed_dir: Path = SEED_DIR, *, record: bool = True) -> dict:
    """The founding data (``seed.toml``: the two founding articles, the
    topics and conditions) and, with ``record``, the record built on it
    (``record/*.toml``, in the order of their names), as one document."""
    files = [seed_dir / "seed.toml"]
    if record:
        files += sorted((seed_dir / "record").glob("*.toml"))
    data: dict[str, list] = {name: [] for name in (*SECTIONS, "positions")}
    # Where each name was first given: a second entry under the same name
    # would silently rewrite the first (the record's files are written apart).
    named: dict[tuple[str, str], Path] = {}
    for path in files:
        with path.open("rb") as handle:
            for name, items in tomllib.load(handle).items():
                for item in items:
                    if (given := item.get("key") or item.get("slug")) is None:
                        continue
                    if first := named.get((name, given)):
                        raise SeedError(
                            f"{name}: {given!r} is given twice, in {first.name} and {path.name}"
                        )
                    named[name, given] = path
                data[name].extend(items)
    return data


@transaction.atomic
def load_seed(*, seed_dir: Path = SEED_DIR, record: bool = True) -> SeedReport:
    """Write the seed; without ``record``, only the founding articles' data
    (the fixed story the tests read)."""
    with cache.one_bump():
        return _load(read_seed(seed_dir, record=record), seed_dir)


def _load(data: dict, seed_dir: Path) -> SeedReport:
    report = SeedReport()

    actors: dict[str, Actor] = {}
    for item in data["actors"]:
        actor = _upsert(
            Actor,
            report,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "kind": item["kind"],
                "iso_code": item.get("iso_code", ""),
                "wikidata_id": item.get("wikidata_id", ""),
                "description": item.get("description", ""),
            },
        )
        actors[actor.slug] = actor
        for alias in item.get("aliases", []):
            _upsert(ActorAlias, report, {"actor": actor, "name": alias})

    for item in data["roles"]:
        rank = item.get("rank")
        _upsert(
            Role,
            report,
            {
                "holder": actors[item["holder"]],
                "organisation": actors[item["organisation"]],
                "kind": Role.Kind.OFFICE,
                "title": item["title"],
                "start_date": item.get("start_date"),
            },
            {
                "end_date": item.get("end_date"),
                "speaks_for_rank": Role.Rank[rank].value if rank else None,
            },
        )
    for group in data["memberships"]:
        for member in group["members"]:
            _upsert(
                Role,
                report,
                {
                    "holder": actors[member],
                    "organisation": actors[group["organisation"]],
                    "kind": Role.Kind.MEMBERSHIP,
                    "title": "",
                    "start_date": group.get("start_date"),
                },
                {"end_date": group.get("end_date")},
            )

    topics: dict[str, Topic] = {}
    for item in data["topics"]:
        topic = _upsert(
            Topic,
            report,
            {"slug": item["slug"]},
            {
                "short_name": item["short_name"],
                "question": item["question"],
                "description": item.get("description", ""),
                "sort_order": item["sort_order"],
                "supports_means": item.get("supports_means", ""),
                "opposes_means": item.get("opposes_means", ""),
            },
        )
        topics[topic.slug] = topic
        for wording in item.get("wordings", []):
            _upsert(TopicWording, report, {"topic": topic, "text": wording})

    conditions = {
        item["slug"]: _upsert(
            Condition,
            report,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "description": item.get("description", ""),
                "keywords": "\n".join(item.get("keywords", [])),
            },
        )
        for item in data["conditions"]
    }

    sources: dict[str, Source] = {}
    for item in data["sources"]:
        # A founding article is a file; a news page's excerpt, as the editor
        # saw it, is written in the seed itself.
        text = item.get("text") or (seed_dir / "articles" / item["text_file"]).read_text(
            encoding="utf-8"
        )
        sources[item["key"]] = _upsert(
            Source,
            report,
            {
                "publisher": item["publisher"],
                "title": item["title"],
                "published_on": item.get("published_on"),
            },
            {
                # As the model stores it, or every run would write it again.
                "url": normalize_url(item.get("url", "")),
                "accessed_on": item.get("accessed_on"),
                "author": item.get("author", ""),
                "language": item.get("language", "en"),
                "editor_note": item.get("editor_note", ""),
                "text": text,
            },
        )

    quotes: dict[str, Quote] = {}
    for item in data["quotes"]:
        speaker = item.get("speaker")
        quotes[item["key"]] = _upsert(
            Quote,
            report,
            {"source": sources[item["source"]], "text": item["text"]},
            {
                "speaker": actors[speaker] if speaker else None,
                "speaker_label": item.get("speaker_label", ""),
                "said_on": item.get("said_on"),
                "said_on_precision": item.get("precision", Quote.Precision.DAY),
                "language": item.get("language", ""),
                "original_language": item.get("original_language", ""),
                "original_text": item.get("original_text", ""),
                "translated_by": item.get("translated_by", ""),
            },
        )

    # Positions through the write service, as every other writer's; an
    # answer names the key of a position written before it.
    positions: dict[str, Position] = {}
    for item in data["positions"]:
        quote = quotes[item["quote"]]
        claimant = item.get("claimant")
        key = {"actor": actors[item["actor"]], "topic": topics[item["topic"]], "quote": quote}
        values = {
            "stance": item["stance"],
            "attribution": item["attribution"],
            "claimant": actors[claimant] if claimant else None,
            "summary": item.get("summary", ""),
            "as_of": item.get("as_of") or quote.said_on or quote.source.published_on,
            "status": Status.PUBLISHED,
            "responds_to": positions[item["responds_to"]] if "responds_to" in item else None,
            "response_kind": item.get("response_kind", ""),
        }
        wanted = [conditions[slug] for slug in item.get("conditions", [])]
        existing = Position.objects.filter(**key).values_list("pk", flat=True).first()
        label = Position._meta.verbose_name_plural
        if existing is None:
            written = services.record_position(**key, **values, conditions=wanted, trusted=True)
            report.created[label] += 1
            if "key" in item:
                positions[item["key"]] = written
            continue
        outcome = services.change_position(
            position_id=existing,
            user=None,
            values=values,
            conditions=wanted,
            seen=None,
            trusted=True,
        )
        (report.updated if outcome.changed else report.unchanged)[label] += 1
        if "key" in item:
            positions[item["key"]] = outcome.position

    return report
