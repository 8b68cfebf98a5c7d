"""Search across actors (names and aliases), topics (names, questions and
wordings), quotes and sources.

Quotes and sources use PostgreSQL's full-text search when the database is
PostgreSQL, so "legitimate target" finds "legitimate targets"; elsewhere
(SQLite) every word must occur, case-insensitively. Names are matched as
substrings on both, because stemming a proper name helps no one.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Q, QuerySet, StringAgg, Value

from actors.models import Actor
from actors.names import name_key
from sources.models import Quote, Source

from .models import Topic
from .visibility import public_quotes, public_sources

LIMIT = 20
CANDIDATES = 200  # actors read to choose the whole-word matches among


@dataclass(frozen=True)
class Results:
    actors: list[Actor]
    topics: list[Topic]
    quotes: list[Quote]
    sources: list[Source]

    @property
    def total(self) -> int:
        return len(self.actors) + len(self.topics) + len(self.quotes) + len(self.sources)


def all_words(query: str, *fields: str) -> Q:
    """Every word in at least one of ``fields``."""
    words = query.split()
    return reduce(
        operator.and_,
        (reduce(operator.or_, (Q(**{f"{name}__icontains": w}) for name in fields)) for w in words),
        Q(),
    )


def full_text(queryset: QuerySet, query: str, *fields: str) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields, config="english")
        terms = SearchQuery(query, search_type="websearch", config="english")
        return (
            queryset.annotate(search=vector, rank=SearchRank(vector, terms))
            .filter(search=terms)
            .order_by("-rank", "pk")
        )
    return queryset.filter(all_words(query, *fields)).order_by("pk")


def _actors(query: str) -> list[Actor]:
    """Actors whose name or an alias holds every word of ``query``, whole
    words first: "UK" is the United Kingdom's alias, and only a part of
    "Ukraine". Parts of words still find someone when nothing else does
    ("Pesk"). A name or alias that is the query itself comes first."""
    candidates = list(
        Actor.objects.filter(all_words(query, "name") | all_words(query, "aliases__name"))
        .annotate(alias_names=StringAgg("aliases__name", delimiter=Value("\n")))
        .order_by("name")[:CANDIDATES]
    )
    names = {a.pk: [a.name, *(a.alias_names or "").split("\n")] for a in candidates}
    words = [
        re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE) for word in query.split()
    ]

    def whole(actor) -> bool:
        return all(any(word.search(name) for name in names[actor.pk]) for word in words)

    found = [actor for actor in candidates if whole(actor)] or candidates
    key = name_key(query)
    return sorted(found, key=lambda a: key not in {name_key(n) for n in names[a.pk]})


def search(query: str) -> Results:
    """Up to ``LIMIT`` matches of each kind; four queries."""
    actors = _actors(query)
    topics = (
        Topic.objects.filter(
            all_words(query, "short_name", "question")
            | all_words(query, "wordings__text")
            | all_words(query, "description")
        )
        .distinct()
        .order_by("sort_order", "short_name")
    )
    quotes = full_text(public_quotes(Quote.objects.with_source_and_speaker()), query, "text").defer(
        "source__text"
    )
    sources = full_text(
        public_sources(Source.objects.defer("text")), query, "title", "publisher", "author"
    )
    return Results(
        actors=actors[:LIMIT],
        topics=list(topics[:LIMIT]),
        quotes=list(quotes[:LIMIT]),
        sources=list(sources[:LIMIT]),
    )
