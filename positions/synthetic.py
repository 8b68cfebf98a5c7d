"""A deterministic, realistic synthetic data set for benchmarks: countries
whose officials change over the years, blocs with changing members, topics,
conditions, sources whose stored text contains their quotes, and positions
of every attribution, with claims, conflicts, drafts and retractions.

Written with bulk inserts (so without history rows: this is load, not
editorial work), valid by construction; the tests check a small set with
``full_clean`` and the database constraints.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from dataclasses import dataclass, field

from django.db import connection, transaction

from actors.models import Actor, Role
from sources.models import Quote, Source
from sources.text import occurs_in, sha256_hex

from . import cache, cells, visibility
from .models import (
    Attribution,
    CellLatest,
    CellStatement,
    Condition,
    Position,
    PositionCondition,
    Stance,
    Status,
    Topic,
)

PREFIX = "syn-"  # every synthetic slug starts with it, so the set can be removed
SOURCE_URL = "https://synthetic.example.org/"
START = dt.date(2019, 1, 1)
END = dt.date(2026, 6, 30)
QUOTES_PER_SOURCE = 10
BATCH = 5000
OFFICES = [
    ("President", Role.Rank.HEAD),
    ("Foreign Minister", Role.Rank.MINISTER),
    ("Government Spokesperson", Role.Rank.SPOKESPERSON),
]


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int):
        self.counts[name] = self.counts.get(name, 0) + number


def _iso_codes(taken: set[str]):
    for first, second in itertools.product(string.ascii_uppercase, repeat=2):
        if first + second not in taken:
            yield first + second


def _day(rng: random.Random, start: dt.date = START, end: dt.date = END) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def remove() -> int:
    """Delete a previous synthetic set; returns how many positions went.

    Raw deletes, in the order PROTECT allows: the set never had history rows,
    and a million deletions must not write a million of them either."""
    with transaction.atomic():
        positions = Position.objects.filter(topic__slug__startswith=PREFIX)
        CellStatement.objects.filter(topic__slug__startswith=PREFIX)._raw_delete("default")
        CellLatest.objects.filter(topic__slug__startswith=PREFIX)._raw_delete("default")
        PositionCondition.objects.filter(position__in=positions)._raw_delete("default")
        deleted = positions._raw_delete("default")
        sources = Source.objects.filter(url__startswith=SOURCE_URL)
        Quote.objects.filter(source__in=sources)._raw_delete("default")
        sources._raw_delete("default")
        Role.objects.filter(holder__slug__startswith=PREFIX)._raw_delete("default")
        Topic.objects.filter(slug__startswith=PREFIX)._raw_delete("default")
        Condition.objects.filter(slug__startswith=PREFIX)._raw_delete("default")
        Actor.objects.filter(slug__startswith=PREFIX)._raw_delete("default")
        visibility.recount()
        cache.bump()
    return deleted


def exists() -> bool:
    return Topic.objects.filter(slug__startswith=PREFIX).exists()


@transaction.atomic
def generate(*, positions: int, seed: int = 1, countries: int | None = None) -> Report:
    """``positions`` positions over seven and a half years; the same ``seed``
    gives the same data."""
    rng = random.Random(seed)
    report = Report()
    countries = countries or max(20, min(400, positions // 2500))

    topics = Topic.objects.bulk_create(
        Topic(
            short_name=f"Synthetic topic {n}",
            slug=f"{PREFIX}topic-{n}",
            question=f"Synthetic question {n}?",
            sort_order=500 + n,
        )
        for n in range(1, 9)
    )
    conditions = Condition.objects.bulk_create(
        Condition(name=f"Synthetic condition {n}", slug=f"{PREFIX}condition-{n}")
        for n in range(1, 11)
    )
    report.add("topics", len(topics))
    report.add("conditions", len(conditions))

    codes = _iso_codes(set(Actor.objects.exclude(iso_code="").values_list("iso_code", flat=True)))
    states = Actor.objects.bulk_create(
        Actor(
            name=f"Synthetic state {n}",
            slug=f"{PREFIX}state-{n}",
            kind=Actor.Kind.STATE,
            iso_code=next(codes),
        )
        for n in range(1, countries + 1)
    )
    blocs = Actor.objects.bulk_create(
        Actor(name=f"Synthetic bloc {n}", slug=f"{PREFIX}bloc-{n}", kind=Actor.Kind.ORGANISATION)
        for n in range(1, 7)
    )

    # Offices change hands every two to four years; memberships start and end.
    officials, roles, tenures = [], [], {}
    for state in states:
        for title, rank in OFFICES:
            day = START - dt.timedelta(days=rng.randrange(400))
            while day <= END:
                end = day + dt.timedelta(days=rng.randrange(730, 1461))
                holder = Actor(
                    name=f"{title} {len(officials) + 1} of {state.name}",
                    slug=f"{PREFIX}official-{len(officials) + 1}",
                    kind=Actor.Kind.OFFICIAL,
                )
                officials.append(holder)
                ending = end - dt.timedelta(days=1) if end <= END else None
                roles.append((holder, state, title, rank, day, ending))
                tenures.setdefault(state.pk, []).append((day, end, holder, rank))
                day = end
    Actor.objects.bulk_create(officials, batch_size=BATCH)
    role_rows = [
        Role(
            holder=holder,
            organisation=state,
            kind=Role.Kind.OFFICE,
            title=title,
            speaks_for_rank=rank,
            start_date=start,
            end_date=ending,
        )
        for holder, state, title, rank, start, ending in roles
    ]
    for state in states:
        for bloc in rng.sample(blocs, rng.randrange(1, 4)):
            joined = _day(rng, START - dt.timedelta(days=3650), END)
            left = _day(rng, joined, END + dt.timedelta(days=2000))
            role_rows.append(
                Role(
                    holder=state,
                    organisation=bloc,
                    kind=Role.Kind.MEMBERSHIP,
                    start_date=joined,
                    end_date=left if left <= END else None,
                )
            )
    Role.objects.bulk_create(role_rows, batch_size=BATCH)
    report.add("actors", len(states) + len(blocs) + len(officials))
    report.add("roles", len(role_rows))

    # Positions, in chunks of one source each, so every quote is in its text.
    stances = Stance.values
    made = 0
    sources_made = quotes_made = 0
    pending_sources, pending = [], []
    while made < positions:
        published = _day(rng, START + dt.timedelta(days=30), END)
        source = Source(
            publisher=f"Synthetic Wire {rng.randrange(1, 40)}",
            title=f"Synthetic report {sources_made + 1}",
            url=f"{SOURCE_URL}report/{seed}/{sources_made + 1}",
            published_on=published,
            language="en",
        )
        sources_made += 1
        items = []
        while len(items) < QUOTES_PER_SOURCE and made < positions:
            item = _one_position(rng, states, tenures, topics, stances, published, made)
            items.append(item)
            made += 1
            if (
                made < positions
                and item["attribution"] != Attribution.CLAIM
                and rng.random() < 0.05
            ):
                # The same voice on the same day saying something else: a conflict.
                other = rng.choice([stance for stance in stances if stance != item["stance"]])
                items.append(
                    item | {"text": f"Statement {made}: rather, {other}.", "stance": other}
                )
                made += 1
        source.text = " ".join(item["text"] for item in items)
        source.text_sha256 = sha256_hex(source.text)
        pending_sources.append(source)
        pending.append(items)
        if len(pending_sources) * QUOTES_PER_SOURCE >= BATCH or made >= positions:
            quotes_made += _flush(pending_sources, pending, conditions, rng)
            pending_sources, pending = [], []
    report.add("sources", sources_made)
    report.add("quotes", quotes_made)
    report.add("positions", made)
    # Bulk inserts send no signals: the matrix's index, and which sources a
    # reader may see, are written in one go.
    report.add("cell statements", cells.rebuild())
    visibility.refresh_all()
    # After a bulk load the planner's statistics are stale until autovacuum
    # comes by; measured then, PostgreSQL chose nested loops over 100k rows.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return report


def _one_position(rng, states, tenures, topics, stances, published, n) -> dict:
    state = rng.choice(states)
    topic = rng.choice(topics)
    said = published - dt.timedelta(days=rng.randrange(0, 20))
    stance = rng.choice(stances)
    roll = rng.random()
    status = Status.PUBLISHED if roll < 0.97 else Status.DRAFT if roll < 0.99 else Status.RETRACTED
    item = {
        "text": f"Statement {n} on {topic.short_name}: we say {stance} as of {said:%Y-%m-%d}.",
        "said_on": said,
        "topic": topic,
        "stance": stance,
        "status": status,
        "as_of": said,
    }
    kind = rng.random()
    holders = [t for t in tenures[state.pk] if t[0] <= said < t[1]]
    if kind < 0.5 and holders:
        # An official in office: their words count for the state.
        _, _, holder, _ = rng.choice(holders)
        item |= {"actor": holder, "speaker": holder, "attribution": Attribution.OWN}
    elif kind < 0.7:
        item |= {"actor": state, "speaker": state, "attribution": Attribution.OWN}
    elif kind < 0.9:
        item |= {
            "actor": state,
            "speaker": None,
            "speaker_label": "Synthetic Wire",
            "attribution": Attribution.REPORT,
        }
    else:
        # A claim about the state by an official of another one.
        other = rng.choice(states)
        others = [t for t in tenures[other.pk] if t[0] <= said < t[1]] or tenures[other.pk]
        claimant = rng.choice(others)[2]
        item |= {
            "actor": state,
            "speaker": claimant,
            "attribution": Attribution.CLAIM,
            "claimant": claimant,
        }
    return item


def _flush(sources, groups, conditions, rng) -> int:
    Source.objects.bulk_create(sources, batch_size=BATCH)
    quotes = [
        Quote(
            source=source,
            text=item["text"],
            speaker=item.get("speaker"),
            speaker_label=item.get("speaker_label", ""),
            said_on=item["said_on"],
            # bulk_create does not call save(), which works this out.
            is_verified=occurs_in(item["text"], source.text),
        )
        for source, items in zip(sources, groups, strict=True)
        for item in items
    ]
    Quote.objects.bulk_create(quotes, batch_size=BATCH)
    items = [item for items in groups for item in items]
    rows = Position.objects.bulk_create(
        (
            Position(
                actor=item["actor"],
                topic=item["topic"],
                quote=quote,
                stance=item["stance"],
                attribution=item["attribution"],
                claimant=item.get("claimant"),
                as_of=item["as_of"],
                status=item["status"],
                correction_note="Synthetic retraction."
                if item["status"] == Status.RETRACTED
                else "",
                summary="",
            )
            for item, quote in zip(items, quotes, strict=True)
        ),
        batch_size=BATCH,
    )
    PositionCondition.objects.bulk_create(
        (
            PositionCondition(position=position, condition=condition)
            for position in rows
            if rng.random() < 0.3
            for condition in rng.sample(conditions, rng.randrange(1, 3))
        ),
        batch_size=BATCH,
    )
    return len(quotes)
