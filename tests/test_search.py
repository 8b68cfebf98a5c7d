import pytest
from django.db import connection
from django.urls import reverse

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
        # Actors, topics, quotes, sources.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(5):
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
