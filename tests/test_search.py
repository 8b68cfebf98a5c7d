import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from positions import search as search_module

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def search(client, q, **kwargs):
    return client.get(reverse("positions:search"), {"q": q}, **kwargs)


@pytest.mark.usefixtures("seeded_class")
class TestOnTheSeed:
    """Read-only tests sharing one load of the seed data."""

    def test_a_phrase_from_a_quote_reaches_the_quote(self, client):
        response = search(client, "legitimate targets")
        assert response.status_code == 200
        quotes = response.context["results"].quotes
        assert len(quotes) == 1
        assert "“legitimate targets.”" in quotes[0].text
        page = response.content.decode()
        assert f'href="/sources/{quotes[0].source_id}/#quote-{quotes[0].pk}"' in page

    def test_names_aliases_and_wordings(self, client):
        # "the Kremlin" is an alias of Russia, and Peskov's name says "Kremlin spokesman".
        kremlin = search(client, "kremlin").context["results"].actors
        assert [a.slug for a in kremlin] == ["dmitry-peskov", "russia"]
        assert [a.slug for a in search(client, "Peskov").context["results"].actors] == [
            "dmitry-peskov"
        ]
        topics = search(client, "peacekeepers").context["results"].topics
        assert [t.slug for t in topics] == ["reassurance-force", "un-peacekeeping"]
        sources = search(client, "Atlantic Council").context["results"].sources
        assert [s.publisher for s in sources] == ["Atlantic Council (UkraineAlert)"]

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming needs PostgreSQL")
    def test_full_text_search_stems_on_postgresql(self, client):
        # "target" finds "targets", "deploying" finds "deploy".
        assert search(client, "legitimate target").context["results"].quotes
        assert search(client, "deploying troops Putin permission").context["results"].sources

    def test_every_word_must_match(self, client):
        assert search(client, "legitimate unicorns").context["results"].quotes == []
        response = search(client, "zzzz-nothing")
        assert response.context["results"].total == 0
        assert "Nothing matches “zzzz-nothing”." in response.content.decode()

    def test_live_results_are_a_fragment(self, client):
        response = search(client, "legitimate targets", headers=HTMX)
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]
        fragment = response.content.decode().strip()
        assert fragment.startswith('<div id="search-results"')
        assert "<html" not in fragment

    def test_query_budget(self, client, django_assert_num_queries):
        # Actors, topics, the newest sources, quotes, sources; for each of the
        # two, a second look over the whole record when the newest sources
        # hold fewer than 20 matches: the matches' keys, then the newest.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(10):
            search(client, "Russia troops")


def test_empty_and_overlong_queries(db, client):
    empty = search(client, "  ")
    assert empty.status_code == 200
    assert empty.context["results"] is None
    overlong = search(client, "x" * 201)
    assert overlong.status_code == 400
    assert "Search for at most 200 characters." in overlong.content.decode()


def test_hostile_text_is_shown_as_text(make, client):
    make.state("<script>alert(1)</script>Land", "ZZ")
    page = search(client, "script").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Land" in page
    assert "<script>alert(1)" not in page


def test_whole_words_and_aliases_first(make, client):
    """ "UK" is the United Kingdom's alias, and only a part of "Ukraine"."""
    uk = make.state("United Kingdom", "GB", slug="united-kingdom")
    uk.aliases.create(name="UK")
    make.state("Ukraine", "UA", slug="ukraine")
    make.official("Dmitry Peskov", slug="dmitry-peskov")
    found = client.get("/search/", {"q": "UK"}).context["results"].actors
    assert [a.slug for a in found] == ["united-kingdom"]
    # A part of a word still finds someone when no whole word does.
    found = client.get("/search/", {"q": "Pesk"}).context["results"].actors
    assert [a.slug for a in found] == ["dmitry-peskov"]


def test_quotes_and_sources_newest_first(make, client):
    """By their source's publication; undated sources last."""
    day = dt.date(2025, 3, 1)
    old = make.quote(text="Troops words, old", source=make.source(published_on=day))
    new = make.quote(text="Troops words, new", source=make.source(published_on=day.replace(day=9)))
    undated = make.source(published_on=None, editor_note="Undated page.")
    first = make.quote(text="Troops words, first", source=undated, said_on=day.replace(day=5))
    second = make.quote(text="Troops words, second", source=undated)
    results = client.get("/search/", {"q": "troops words"}).context["results"]
    assert results.quotes == [new, old, second, first]
    assert results.sources == []
    sources = client.get("/search/", {"q": "Article"}).context["results"].sources
    assert sources == [new.source, old.source, undated]


@pytest.mark.parametrize("window", [1, 2, 3, 100])
def test_the_newest_sources_first_then_the_rest(make, client, monkeypatch, window):
    """Whatever the newest sources searched first hold, the answer is the
    newest ``LIMIT`` matches of the whole record."""
    monkeypatch.setattr(search_module, "LIMIT", 3)
    monkeypatch.setattr(search_module, "RECENT_SOURCES", window)
    start = dt.date(2025, 1, 1)
    matches = []
    for day in range(8):
        source = make.source(published_on=start + dt.timedelta(days=day))
        make.quote(text=f"Other words {day}", source=source)
        if day in (0, 2, 3, 6):
            matches.append(make.quote(text=f"Deployment now {day}", source=source))
    make.quote(text="Deployment now, undated", source=make.source(published_on=None))
    found = client.get("/search/", {"q": "deployment now"}).context["results"].quotes
    assert found == [matches[3], matches[2], matches[1]]
    sources = client.get("/search/", {"q": "Article"}).context["results"].sources
    assert [s.published_on for s in sources] == [start + dt.timedelta(days=d) for d in (7, 6, 5)]


class TestTheAPIsPositionSearch:
    """``?q=`` on the API's positions finds the positions whose quote holds
    every word, or whose summary does, in the list's own order, by whichever
    road the estimate chooses (PostgreSQL: walking the list for a common
    word, the indexes for any other; SQLite: word matching)."""

    @pytest.fixture
    def positions(self, make):
        topic = make.topic()
        state = make.state("Testland", "TL")
        made = {}
        for key, words, summary in [
            ("quote", "We will send peacekeepers to the border.", ""),
            ("summary", "Nothing to add today.", "Ready to send peacekeepers."),
            ("split", "We will send nobody.", "Peacekeepers are welcome."),
            ("neither", "No comment on that.", ""),
        ]:
            quote = make.quote(text=words)
            made[key] = make.position(
                actor=state, topic=topic, quote=quote, summary=summary, as_of=dt.date(2025, 1, 1)
            )
        return made

    @pytest.mark.parametrize("common", [0, 10**12], ids=["walking the list", "through indexes"])
    def test_words_all_in_the_quote_or_all_in_the_summary(
        self, client, positions, monkeypatch, common
    ):
        monkeypatch.setattr(search_module, "COMMON", common)
        found = client.get("/api/v1/positions/", {"q": "send peacekeepers"}).json()["results"]
        expected = [positions["summary"].pk, positions["quote"].pk]  # newest entered first
        assert [p["id"] for p in found] == expected
        only_topic = client.get(
            "/api/v1/positions/", {"q": "peacekeepers", "stance": "supports"}
        ).json()["results"]
        assert [p["id"] for p in only_topic] == [
            positions[key].pk for key in ("split", "summary", "quote")
        ]
        assert client.get("/api/v1/positions/", {"q": "zeppelin"}).json()["results"] == []


class TestTheAPIsQuoteAndSourceSearch:
    """``?q=`` on the API's quotes and sources lists the matches in the
    list's own order, by either road the estimate chooses, and counts and
    pages through the first ``MOST_MATCHES`` of them only."""

    @pytest.fixture
    def quotes(self, make):
        sources = [
            make.source(title=title, published_on=dt.date(2025, 3, day))
            for title, day in [("Border talks", 1), ("Border patrols", 2), ("Harbour fees", 3)]
        ]
        return [
            make.quote(source=source, text=text)
            for source, text in [
                (sources[1], "Peacekeepers will stay at the border."),
                (sources[0], "We send peacekeepers, not an army."),
                (sources[0], "No comment on that."),
                (sources[2], "The peacekeepers' harbour fees are settled."),
                (sources[1], "Peacekeepers leave in May."),
            ]
        ]

    @pytest.mark.parametrize("common", [0, 10**12], ids=["walking the list", "through the index"])
    def test_matches_in_the_lists_order_and_at_most_the_first_few(
        self, client, quotes, monkeypatch, common
    ):
        monkeypatch.setattr(search_module, "COMMON", common)
        listed = client.get("/api/v1/quotes/", {"page_size": 100}).json()["results"]
        expected = [q["id"] for q in listed if "peacekeepers" in q["text"].lower()]
        assert len(expected) == 4
        found = client.get("/api/v1/quotes/", {"q": "peacekeepers"}).json()
        assert (found["count"], [q["id"] for q in found["results"]]) == (4, expected)
        sources = client.get("/api/v1/sources/", {"q": "border"}).json()
        assert [s["title"] for s in sources["results"]] == ["Border patrols", "Border talks"]
        assert client.get("/api/v1/quotes/", {"q": "zeppelin"}).json()["count"] == 0

        monkeypatch.setattr(search_module, "MOST_MATCHES", 3)
        first = client.get("/api/v1/quotes/", {"q": "peacekeepers", "page_size": 2}).json()
        assert (first["count"], [q["id"] for q in first["results"]]) == (3, expected[:2])
        second = client.get(first["next"]).json()
        assert ([q["id"] for q in second["results"]], second["next"]) == ([expected[2]], None)
        # The cap is the search's: the whole list still counts every quote.
        assert client.get("/api/v1/quotes/").json()["count"] == len(quotes)
