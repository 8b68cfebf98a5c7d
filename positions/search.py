"""Search across actors (names and aliases), topics (names, questions and
wordings), quotes and sources.

Quotes and sources use PostgreSQL's full-text search when the database is
PostgreSQL, so "legitimate target" finds "legitimate targets"; elsewhere
(SQLite) every word must occur, case-insensitively. Names are matched as
substrings on both, because stemming a proper name helps no one.

Quotes and sources come newest first (by their source's publication). A
ranking by relevance must score every match, and a common word matches
tens of thousands of quotes in a large record (README, "Performance"); the
newest matches are found among the newest sources without reading the rest.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import F, Q, QuerySet, StringAgg, Value

from actors.models import Actor
from actors.names import name_key
from config.routers import reading
from sources.models import Quote, Source

from .models import Position, Topic
from .visibility import public_quotes, public_sources

LIMIT = 20
CANDIDATES = 200  # actors read to choose the whole-word matches among
# Sources searched first (with their quotes): the newest. Only when they hold
# fewer than LIMIT matches is the whole record searched.
RECENT_SOURCES = 100


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


def _vector_and_terms(query: str, fields: tuple[str, ...]):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    # The same expression as the GIN indexes (quote_search, source_search).
    vector = SearchVector(*fields, config="english")
    return vector, SearchQuery(query, search_type="websearch", config="english")


def matching(queryset: QuerySet, query: str, *fields: str) -> QuerySet:
    """The rows of ``queryset`` that ``query`` finds in ``fields``."""
    if connection.vendor == "postgresql":
        vector, terms = _vector_and_terms(query, fields)
        return queryset.annotate(search=vector).filter(search=terms)
    return queryset.filter(all_words(query, *fields))


# Matches a full-text query is estimated to have (PostgreSQL's statistics of
# the index) from which its words count as common; see ``positions_matching``.
COMMON = 10_000


def positions_matching(positions: QuerySet, query: str) -> QuerySet:
    """The ``positions`` whose quote's words or summary ``query`` finds, in
    their own order (the API's ``q``).

    Each field is searched through its own index (quote_search,
    position_summary_search): one vector over the two tables could use
    neither, and every position was read to find a word (6 s at 1M for a
    word found nowhere). How the matches are best found depends on how many
    there are, which PostgreSQL misjudges for a word it has no statistics
    for (a word found nowhere, a number): it walked the whole list looking
    for one. So the choice is made here, from its estimate: a word it knows
    to be common is checked row by row along the list, whose first page is
    then found within a few hundred rows (4 ms at 1M for a word in every
    quote, where reading every match took 6 s); any other is looked up in
    the indexes and only its matches are read."""
    quotes = matching(Quote.objects.all(), query, "text")
    summaries = matching(Position.objects.all(), query, "summary").values("pk")
    if _common(quotes, summaries):
        # Each row's own words, through the join: a subquery here was
        # planned as a hash of every match (130 ms for a word in a fifth).
        quote_vector, terms = _vector_and_terms(query, ("quote__text",))
        summary_vector, _ = _vector_and_terms(query, ("summary",))
        return positions.annotate(_quote_words=quote_vector, _summary_words=summary_vector).filter(
            Q(_quote_words=terms) | Q(_summary_words=terms)
        )
    by_quote = Position.objects.filter(quote__in=quotes.values("pk")).values("pk")
    return positions.filter(pk__in=by_quote.union(summaries, all=True))


# Matches of the API's ``q`` on quotes and sources that a list counts and
# pages through (as a code host's search API stops at a thousand): counting
# every match of a word found in every quote took 10 s at 1M.
MOST_MATCHES = 1000


def in_list_order(rows: QuerySet, query: str, *fields: str) -> QuerySet:
    """The ``rows`` that ``query`` finds in ``fields``, in the list's own
    order (the API's ``q`` on quotes and sources, which lists the first
    ``MOST_MATCHES``). As ``positions_matching``: a word PostgreSQL knows to
    be common is checked row by row along the list, which meets its first
    thousand matches early; any other is looked up in the index first."""
    found = matching(rows.model.objects.all(), query, *fields)
    # SQLite has no index of words: along the list a common word's first
    # thousand matches come early, and any other word reads every row either
    # way (at 1M: a word in every quote 1.66 s → 6 ms, through a subquery of
    # every match before; a word found nowhere 135 → 243 ms).
    if connection.vendor != "postgresql" or _common(found):
        return matching(rows, query, *fields)
    return rows.filter(pk__in=found.values("pk"))


def _common(*matches: QuerySet) -> bool:
    """Whether PostgreSQL expects ``matches`` to hold ``COMMON`` rows or more."""
    return connection.vendor == "postgresql" and sum(map(_estimated, matches)) >= COMMON


def _estimated(queryset: QuerySet) -> float:
    """The rows PostgreSQL's planner expects ``queryset`` to have."""
    sql, params = queryset.query.sql_with_params()
    with reading().cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]  # psycopg reads a json column as Python values
    return plan[0]["Plan"]["Plan Rows"]


NEWEST_SOURCES = (F("published_on").desc(nulls_last=True), F("pk").desc())


def newest_first(
    rows: QuerySet, query: str, *fields: str, recent: list[int], source: str = ""
) -> list:
    """Up to ``LIMIT`` of ``rows`` that ``query`` finds in ``fields``, newest
    first by their source's publication (``source`` is the path to it, empty
    for sources); undated sources last.

    The ``recent`` sources (the newest ``RECENT_SOURCES``, by
    ``NEWEST_SOURCES``) are searched first: their rows are few and the index
    finds the matches among them however common the words, and when they
    hold ``LIMIT`` no match elsewhere is newer. Otherwise every match's key
    is read and sorted here: asked for the newest few in SQL, the planner
    walks every source newest first looking for a word it wrongly takes to
    be common (8 s at 1M for a word common only in old sources). That costs
    in proportion to the matches, as ranking them all did."""
    prefix = f"{source}__" if source else ""
    date, source_pk = f"{prefix}published_on", f"{prefix}pk"
    newest = [F(date).desc(nulls_last=True), F(source_pk).desc()]
    if source:
        newest.append(F("pk").desc())
    nearby = rows.filter(**{f"{source_pk}__any_of": recent})
    found = list(matching(nearby, query, *fields).order_by(*newest)[:LIMIT])
    if len(found) == LIMIT:
        return found
    keys = matching(rows, query, *fields).values_list(date, source_pk, "pk")
    ids = [pk for *_, pk in sorted(keys, key=_newest_key)[:LIMIT]]
    if not ids:
        return []
    found = rows.in_bulk(ids)
    return [found[pk] for pk in ids]


def _newest_key(key: tuple) -> tuple:
    day, source_pk, pk = key
    return (day is None, -(day.toordinal() if day else 0), -source_pk, -pk)


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
    """Up to ``LIMIT`` matches of each kind: actors, topics, the newest
    sources, then quotes and sources (one query each, or two more each)."""
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
    recent = list(
        Source.objects.order_by(*NEWEST_SOURCES).values_list("pk", flat=True)[:RECENT_SOURCES]
    )
    quotes = public_quotes(Quote.objects.with_source_and_speaker()).defer("source__text")
    sources = public_sources(Source.objects.defer("text"))
    return Results(
        actors=actors[:LIMIT],
        topics=list(topics[:LIMIT]),
        quotes=newest_first(quotes, query, "text", recent=recent, source="source"),
        sources=newest_first(sources, query, "title", "publisher", "author", recent=recent),
    )
