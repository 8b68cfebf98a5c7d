"""Cell drill-down, topic (timeline), actor, source and condition pages."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from positions.models import Condition, Position, Stance, Status
from positions.rule import stances_as_of
from tests.conftest import query_counts

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def cell_url(actor, topic):
    return reverse("positions:cell", args=[actor, topic])


@pytest.mark.usefixtures("seeded_class")
class TestCellDrillDown:
    def test_shows_the_statement_claims_conflict_and_history(self, client):
        response = client.get(cell_url("russia", "reassurance-force"), {"as_of": "2025-02-26"})
        assert response.status_code == 200
        cell = response.context["cell"]
        assert cell.stance == Stance.OPPOSES
        assert cell.position.quote.speaker.name == "Dmitry Peskov"
        page = response.content.decode()
        assert "<title>Russia on Reassurance force as of 26 February 2025" in page
        assert "I have nothing to add to this" in page
        assert "Official speaking for Russia" in page
        # The source: publisher, title, date and link to its page.
        assert "Radio Free Europe/Radio Liberty" in page
        assert 'published <time datetime="2025-02-25">25 February 2025</time>' in page
        assert f'href="{reverse("sources:detail", args=[cell.position.quote.source_id])}' in page
        # Trump's claim, with its claimant, beside (not instead of) the Kremlin's words.
        assert "Claims by third parties</h3>" in page
        assert "Claimed by Donald Trump" in page
        # Peskov's words answer the claim, and both say so.
        assert "Clarification by Dmitry Peskov, 25 February 2025" in page
        assert "Clarifies Donald Trump's words (24 February 2025)" in html.unescape(page)
        assert "He has no problem with it" in page
        # The whole history, later statements included and marked as later.
        assert [entry.on for entry in response.context["entries"]] == [
            dt.date(2026, 3, 2),
            dt.date(2025, 2, 25),
            dt.date(2025, 2, 24),
        ]
        assert "(after 26 Feb 2025)" in page
        assert "legitimate targets" in page

    def test_shows_the_conditions(self, client):
        response = client.get(cell_url("united-kingdom", "own-troops"), {"as_of": "2025-02-26"})
        page = response.content.decode()
        assert "Conditions:" in page
        assert "A US backstop such as air power" in page

    def test_htmx_gets_the_fragment(self, client):
        response = client.get(
            cell_url("russia", "reassurance-force"), {"as_of": "2025-02-26"}, headers=HTMX
        )
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]
        fragment = response.content.decode().strip()
        assert fragment.startswith('<div class="cell-detail">')
        assert "<html" not in fragment
        assert "I have nothing to add to this" in fragment

    def test_bad_date_is_a_400(self, client):
        response = client.get(cell_url("russia", "reassurance-force"), {"as_of": "02/26/2025"})
        assert response.status_code == 400
        assert "“As of” must be a date written YYYY-MM-DD." in response.content.decode()

    @pytest.mark.parametrize(
        ("actor", "topic"),
        [("atlantis", "own-troops"), ("russia", "nukes"), ("dmitry-peskov", "own-troops")],
    )
    def test_unknown_cells_are_404(self, client, actor, topic):
        # An official has no row of their own in the matrix.
        assert client.get(cell_url(actor, topic)).status_code == 404

    def test_history_a_page_of_dates_at_a_time(self, client, monkeypatch):
        monkeypatch.setattr("positions.views.HISTORY_DATES_PER_PAGE", 2)
        url = cell_url("russia", "reassurance-force")
        first = client.get(url, {"as_of": "2025-02-26"}, headers=HTMX)
        assert [e.on for e in first.context["entries"]] == [
            dt.date(2026, 3, 2),
            dt.date(2025, 2, 25),
        ]
        fragment = first.content.decode()
        assert '<ol class="history" reversed start="3">' in fragment
        assert "Dates 1–2 of 3" in fragment
        # From inside the matrix's panel the link still leads to the cell's page.
        assert f'href="{url}?as_of=2025-02-26&amp;page=2"' in fragment
        second = client.get(url, {"as_of": "2025-02-26", "page": 2})
        assert [e.on for e in second.context["entries"]] == [dt.date(2025, 2, 24)]
        page = second.content.decode()
        assert '<ol class="history" reversed start="1">' in page
        # Statements of a later page come with their source, as on the first.
        (made,) = second.context["entries"][0].made
        assert made.position.quote.source.title in html.unescape(page)
        # The stance as of the date is the same on every page.
        assert second.context["cell"].position.pk == first.context["cell"].position.pk
        past = client.get(url, {"as_of": "2025-02-26", "page": 3})
        assert past.status_code == 404
        assert "There is no page 3: the history has 3 dates." in past.content.decode()
        assert client.get(url, {"page": "0"}).status_code == 400

    def test_query_budget(self, client, django_assert_num_queries):
        # Actor, topic, the cell's statements as plain values, those shown
        # with their sources, actors and conditions (three), retracted
        # positions (and their conditions, when there are any).
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(8):
            client.get(cell_url("russia", "reassurance-force"))


@pytest.mark.usefixtures("seeded_class")
class TestTopicPage:
    def test_question_wordings_standing_and_timeline(self, client):
        response = client.get(reverse("positions:topic_detail", args=["reassurance-force"]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Should a European-led force deploy to Ukraine" in page
        assert "“peacekeepers”" in page
        standing = {
            value: [standing.slug for standing in actors]
            for value, _, actors in response.context["standing"]
        }
        assert standing[Stance.SUPPORTS] == ["france", "united-kingdom", "coalition-of-the-willing"]
        assert standing[Stance.HOSTILE] == ["russia"]

        timeline = response.context["timeline"]
        lanes = {lane.key: lane for lane in timeline.lanes}
        assert list(lanes) == [
            "denmark",
            "france",
            "russia",
            "united-kingdom",
            "coalition-of-the-willing",
        ]
        assert [(s.stance, s.start) for s in lanes["russia"].spans] == [
            (Stance.OPPOSES, dt.date(2025, 2, 25)),
            (Stance.HOSTILE, dt.date(2026, 3, 2)),
        ]
        # Denmark has only a third-party claim: a marker, no span.
        assert lanes["denmark"].spans == []
        assert [m.is_claim for m in lanes["denmark"].markers] == [True]
        # Every marker links to a statement on the same page; statements too
        # close together to draw apart share a numbered marker.
        markers = [m for lane in timeline.lanes for m in lane.markers]
        anchors = re.findall(r'<a class="marker[^"]*" href="#([^"]+)"', page)
        assert len(anchors) == len(markers) < sum(m.count for m in markers) == 9
        for marker in (m for m in markers if m.count > 1):
            assert 'class="marker is-group"' in page and f">{marker.count}</text>" in page
        for anchor in anchors:
            assert f'id="{anchor}"' in page
        assert "<svg" in page and 'role="group"' in page
        assert "Jan 2026" in [tick.label for tick in timeline.ticks]
        # The lanes draw plain values; the statements listed below are shown
        # whole, with their source and conditions.
        listed = [s for *_, made in response.context["record"].entries for s, _ in made]
        assert len(listed) == 9
        text = html.unescape(page)
        for statement in listed:
            position = Position.objects.get(pk=statement.position.pk)
            assert position.quote.source.title in text
            assert all(c.name in text for c in position.conditions.all())
        assert any(Position.objects.get(pk=s.position.pk).conditions.exists() for s in listed)

    def test_a_window_starts_from_the_stance_then(self, client):
        url = reverse("positions:topic_detail", args=["reassurance-force"])
        response = client.get(url, {"start": "2025-12-01", "end": "2026-06-01"})
        assert response.status_code == 200
        lanes = {lane.key: lane for lane in response.context["timeline"].lanes}
        # Russia opposed before the window and turned hostile within it; only
        # the statements within it are markers and listed below.
        assert [(s.stance, s.start) for s in lanes["russia"].spans] == [
            (Stance.OPPOSES, dt.date(2025, 12, 1)),
            (Stance.HOSTILE, dt.date(2026, 3, 2)),
        ]
        assert {m.statement.position.as_of for m in lanes["russia"].markers} == {
            dt.date(2026, 3, 2)
        }
        assert {entry.on for entry, *_ in response.context["record"].entries} <= {
            dt.date(2026, 3, 2)
        }
        assert "Statements from 1 December 2025 to 1 June 2026" in response.content.decode()

    @pytest.mark.parametrize("view", ["positions:topic_detail", "positions:topic_trend"])
    def test_a_bad_window_is_a_400(self, client, view):
        url = reverse(view, args=["reassurance-force"])
        response = client.get(url, {"start": "2026-01-01", "end": "2025-01-01"})
        assert response.status_code == 400
        assert "“From” must be a date before “To”" in response.content.decode()
        assert client.get(url, {"end": "soon"}).status_code == 400
        assert client.get(reverse(view, args=["nukes"])).status_code == 404
        if view == "positions:topic_detail":
            assert client.get(url, {"page": 9}).status_code == 404

    def test_unknown_topic_is_404(self, db, client):
        assert client.get(reverse("positions:topic_detail", args=["nukes"])).status_code == 404

    def test_topic_list(self, client, django_assert_num_queries):
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(3):
            response = client.get(reverse("positions:topic_list"))
        assert response.status_code == 200
        assert "Russian consent first" in response.content.decode()

    def test_query_budget(self, client, django_assert_num_queries):
        # Topic, wordings; today's stances with their actors (one query); a page of lanes
        # with their count; the window's statements as of its start and
        # within it (the index alone), the words of those its markers draw;
        # the listed ones with their evidence (rows, actors, conditions);
        # (+1, the record's version for the ETag: positions/http.py). The
        # trend is loaded beside the page (positions:topic_trend).
        with django_assert_num_queries(11):
            client.get(reverse("positions:topic_detail", args=["own-troops"]))


@pytest.mark.usefixtures("seeded_class")
class TestActorPage:
    def test_state_roles_timeline_and_statements(self, client):
        response = client.get(reverse("actors:detail", args=["russia"]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Who speaks for Russia" in page
        assert "Dmitry Peskov" in page and "Kremlin spokesman" in page
        assert [lane.key for lane in response.context["timeline"].lanes] == ["reassurance-force"]
        assert [entry.on for entry, *_ in response.context["record"].entries] == [
            dt.date(2026, 3, 2),
            dt.date(2025, 2, 25),
            dt.date(2025, 2, 24),
        ]
        assert "Also known as Moscow, Russian Federation, the Kremlin." in page

    def test_official_roles_and_quotes(self, client):
        response = client.get(reverse("actors:detail", args=["dmitry-peskov"]))
        page = response.content.decode()
        assert "Kremlin spokesman" in page
        assert "Government spokesperson" in page
        assert "I have nothing to add to this" in page
        assert "Counts as: Russia on Reassurance force" in page
        assert response.context.get("timeline") is None

    def test_an_experts_own_positions(self, client):
        response = client.get(reverse("actors:detail", args=["richard-dannatt"]))
        assert response.status_code == 200
        assert [
            (s.position.topic.slug, counts) for s, counts in response.context["own_statements"]
        ] == [("capacity-to-lead", [])]
        assert "Counts in no row of the matrix: on that date Richard Dannatt held no office" in (
            response.content.decode()
        )

    def test_organisation_members(self, client):
        response = client.get(reverse("actors:detail", args=["nordic-baltic-eight"]))
        assert [r.holder.slug for r in response.context["members"]] == [
            "denmark",
            "estonia",
            "finland",
            "iceland",
            "latvia",
            "lithuania",
            "norway",
            "sweden",
        ]

    def test_actor_list(self, client, django_assert_num_queries):
        # The count, the page's ids, its rows with their counts.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(4):
            response = client.get(reverse("actors:list"))
        sections = dict(response.context["sections"])
        assert len(sections["State"]) + len(sections["Official"]) > 20
        russia = next(a for a in sections["State"] if a.slug == "russia")
        assert (
            russia.position_total
            == Position.objects.filter(actor=russia).exclude(status=Status.DRAFT).count()
        )

    def test_actor_list_pages(self, client, monkeypatch):
        monkeypatch.setattr("actors.views.ACTORS_PER_PAGE", 5)
        first = client.get(reverse("actors:list"))
        total = first.context["total"]
        assert f"Actors 1–5 of {total}" in first.content.decode()
        assert 'href="?page=2"' in first.content.decode()
        last = -(-total // 5)
        assert client.get(reverse("actors:list"), {"page": last}).status_code == 200
        beyond = client.get(reverse("actors:list"), {"page": last + 1})
        assert beyond.status_code == 404
        assert f"There is no page {last + 1}" in beyond.content.decode()
        assert client.get(reverse("actors:list"), {"page": "x"}).status_code == 400

    def test_unknown_actor_is_404(self, db, client):
        assert client.get(reverse("actors:detail", args=["atlantis"])).status_code == 404

    def test_query_budget(self, client, django_assert_num_queries):
        # Actor, aliases, roles held, roles in it, topics; the window's
        # statements as of its start and within it (the index alone), the
        # words of those its markers draw; the listed ones with their
        # evidence (rows, actors, conditions); quotes (their positions only
        # when there are any).
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(13):
            client.get(reverse("actors:detail", args=["united-kingdom"]))


@pytest.mark.usefixtures("seeded_class")
class TestSourcePage:
    def test_metadata_quotes_and_positions(self, client):
        from sources.models import Source

        source = Source.objects.get(publisher__startswith="Atlantic Council")
        response = client.get(reverse("sources:detail", args=[source.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "European leaders will not deploy troops to Ukraine" in page
        assert '<time datetime="2026-03-02">2 March 2026</time>' in page
        quotes = list(response.context["quotes"])
        assert all(quote.is_verified for quote in quotes)
        assert page.count("verified against the stored text") == len(quotes)
        assert "Coalition of the Willing on Russian consent first" in page
        assert f'id="quote-{quotes[0].pk}"' in page
        assert "The stored text, as read" in page

    def test_retracted_positions_show_their_correction(self, client):
        from positions.models import Position

        position = Position.objects.filter(actor__slug="poland", topic__slug="own-troops")[0]
        position.status = Status.RETRACTED
        position.correction_note = "Poland's words were misread."
        position.save()
        response = client.get(reverse("sources:detail", args=[position.quote.source_id]))
        assert "Retracted.</strong> Poland&#x27;s words were misread." in response.content.decode()

    def test_source_list_and_budget(self, client, django_assert_num_queries):
        # The count, the page's ids, its rows with their counts.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(4):
            response = client.get(reverse("sources:list"))
        assert "Radio Free Europe/Radio Liberty" in response.content.decode()
        source = response.context["sources"][0]
        # Source, quotes with speakers, positions, conditions.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(5):
            client.get(reverse("sources:detail", args=[source.pk]))

    def test_source_list_pages(self, client, monkeypatch):
        monkeypatch.setattr("sources.views.SOURCES_PER_PAGE", 1)
        first = client.get(reverse("sources:list"))
        total = first.context["total"]
        assert total > 1 and len(first.context["sources"]) == 1
        assert f"Sources 1–1 of {total}" in first.content.decode()
        second = client.get(reverse("sources:list"), {"page": 2})
        assert second.context["sources"] != first.context["sources"]
        assert client.get(reverse("sources:list"), {"page": total + 1}).status_code == 404
        assert client.get(reverse("sources:list"), {"page": "0"}).status_code == 400

    def test_unknown_source_is_404(self, db, client):
        assert client.get(reverse("sources:detail", args=[999])).status_code == 404


def depending(response) -> dict[str, list[tuple[str, str]]]:
    """(actor, topic) slugs under each condition on a conditions page."""
    found: dict[str, list[tuple[str, str]]] = {}
    for condition, cells, _ in response.context["sections"]:
        found.setdefault(condition.slug, []).extend((a.slug, t.slug) for a, t, *_ in cells)
    return found


@pytest.mark.usefixtures("seeded_class")
class TestConditionsPage:
    def test_who_depends_on_each_condition(self, client):
        response = client.get(reverse("positions:conditions"), {"as_of": "2026-03-02"})
        assert response.status_code == 200
        # States before organisations, then by name, then in the topics' order.
        assert depending(response) == {
            "us-backstop": [
                ("united-kingdom", "reassurance-force"),
                ("united-kingdom", "own-troops"),
            ],
            "russian-consent": [("coalition-of-the-willing", "own-troops")],
            "ceasefire-in-force": [
                ("coalition-of-the-willing", "reassurance-force"),
                ("coalition-of-the-willing", "own-troops"),
            ],
            "unspecified": [("netherlands", "own-troops"), ("sweden", "own-troops")],
        }
        counts = {c.slug: n for c, n in response.context["summary"]}
        assert counts == {
            c.slug: len(depending(response).get(c.slug, [])) for c in Condition.objects.all()
        }
        assert counts["un-mandate"] == 0
        page = response.content.decode()
        # Each stance links to its cell as of the date asked for.
        assert "/cells/united-kingdom/own-troops/?as_of=2026-03-02" in page

    def test_before_the_coalition_spoke(self, client):
        response = client.get(reverse("positions:conditions"), {"as_of": "2025-02-26"})
        assert "russian-consent" not in depending(response)
        assert {c.slug: n for c, n in response.context["summary"]}["russian-consent"] == 0

    def test_one_condition(self, client):
        response = client.get(
            reverse("positions:conditions"), {"as_of": "2026-03-02", "condition": "us-backstop"}
        )
        assert response.status_code == 200
        assert list(depending(response)) == ["us-backstop"]
        assert response.context["chosen"].slug == "us-backstop"
        # The summary still counts every condition, each a link to its own list.
        assert len(response.context["summary"]) == Condition.objects.count()
        assert 'href="?as_of=2026-03-02&amp;condition=russian-consent"' in response.content.decode()

    def test_a_condition_nobody_names_says_so(self, client):
        response = client.get(
            reverse("positions:conditions"), {"as_of": "2026-03-02", "condition": "un-mandate"}
        )
        assert response.status_code == 200
        assert depending(response) == {}
        assert "No stance as of 2 March 2026 names A UN mandate." in response.content.decode()

    def test_stances_a_page_at_a_time(self, client, monkeypatch):
        url = reverse("positions:conditions")
        everything = depending(client.get(url, {"as_of": "2026-03-02"}))
        monkeypatch.setattr("positions.views.CONDITION_ROWS_PER_PAGE", 2)
        total = sum(len(pairs) for pairs in everything.values())
        assert total > 4
        first = client.get(url, {"as_of": "2026-03-02", "page": 1})
        assert f"Stances 1–2 of {total}" in first.content.decode()
        assert 'href="?as_of=2026-03-02&amp;page=2"' in first.content.decode()
        rest = [
            client.get(url, {"as_of": "2026-03-02", "page": n}) for n in range(2, total // 2 + 2)
        ]
        pages = [
            (condition, pair)
            for response in (first, *rest)
            for condition, pairs in depending(response).items()
            for pair in pairs
        ]
        assert pages == [(c, pair) for c, pairs in everything.items() for pair in pairs]
        # A condition's stances that go on from the page before say so.
        assert rest[0].context["continued"] is (pages[1][0] == pages[2][0])
        assert 'href="?as_of=2026-03-02&amp;page=1"' in rest[0].content.decode()
        past = client.get(url, {"as_of": "2026-03-02", "page": total // 2 + 2})
        assert past.status_code == 404
        assert f"the list has {total} stances." in past.content.decode()

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"as_of": "soon"}, "must be a date"),
            ({"condition": "world-peace"}, "There is no condition “world-peace”."),
            ({"page": "first"}, "“page” must be a whole number"),
        ],
    )
    def test_bad_query_is_a_400(self, client, query, message):
        response = client.get(reverse("positions:conditions"), query)
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_query_budget(self, client, django_assert_num_queries):
        # The record's version (the cache key), conditions, the cells whose
        # deciding statement names one (one SQL query), their actors, topics;
        # the page's cells resolved by the rule from plain values.
        with django_assert_num_queries(6):
            client.get(reverse("positions:conditions"))

    def test_cached_until_a_write(self, db, client, django_assert_num_queries):
        url, query = reverse("positions:conditions"), {"as_of": "2026-03-02"}
        first = client.get(url, query)
        # A hit: the record's version, then the stored page.
        with django_assert_num_queries(1):
            assert client.get(url, query).content == first.content
        (cells,) = [cells for c, cells, _ in first.context["sections"] if c.slug == "us-backstop"]
        (listed,) = [(a, t) for a, t, *_ in cells if t.slug == "own-troops"]
        # The statement that decides the listed cell, as the rule has it.
        cell = stances_as_of(on=dt.date(2026, 3, 2), cells={(listed[0].pk, listed[1].pk)})
        deciding = cell[listed[0].pk, listed[1].pk].position.pk
        Position.objects.get(pk=deciding).conditions.add(Condition.objects.get(slug="un-mandate"))
        assert depending(client.get(url, query))["un-mandate"] == [("united-kingdom", "own-troops")]


def test_draft_positions_appear_on_no_page(seeded, client, make):
    from actors.models import Actor
    from positions.models import Topic

    poland = Actor.objects.get(slug="poland")
    make.position(
        actor=poland,
        topic=Topic.objects.get(slug="reassurance-force"),
        as_of=dt.date(2025, 6, 1),
        status=Status.DRAFT,
        summary="A draft nobody has checked",
    )
    for url in (
        reverse("positions:matrix"),
        cell_url("poland", "reassurance-force"),
        reverse("positions:topic_detail", args=["reassurance-force"]),
        reverse("actors:detail", args=["poland"]),
        reverse("positions:feed"),
    ):
        assert "A draft nobody has checked" not in client.get(url).content.decode(), url


def test_query_counts_do_not_grow_with_the_data(make, client):
    """Every page makes the same number of queries for a small and a ten times
    larger data set."""
    topic = make.topic(slug="own-troops")
    bloc = make.actor(kind="organisation", name="Bloc", slug="bloc")
    (some_state, _) = make.countries(topic, 2)
    source_id = some_state.positions.first().quote.source_id
    urls = [
        reverse("positions:matrix") + "?since=2025-01-15",
        cell_url(some_state.slug, "own-troops"),
        reverse("positions:topic_detail", args=["own-troops"]),
        reverse("positions:conditions"),
        reverse("positions:search") + "?q=State",
        reverse("positions:feed"),
        reverse("actors:list"),
        reverse("actors:detail", args=[some_state.slug]),
        reverse("actors:detail", args=[bloc.slug]),
        reverse("sources:list"),
        reverse("sources:detail", args=[source_id]),
    ]
    small = query_counts(client, urls)
    make.countries(topic, 20)
    assert query_counts(client, urls) == small


def test_a_quote_that_cannot_be_checked_is_marked_unverified(make, client):
    state = make.state("Nowhere", "NW")
    topic = make.topic()
    position = make.position(actor=state, topic=topic, as_of=dt.date(2025, 1, 1))
    assert not position.quote.source.text  # no stored text to check against
    page = client.get(cell_url(state.slug, topic.slug)).content.decode()
    assert '<span class="unverified"' in page
    source_page = client.get(reverse("sources:detail", args=[position.quote.source_id]))
    assert '<span class="unverified">unverified</span>' in source_page.content.decode()


def test_the_topic_timeline_shows_a_page_of_lanes(make, client):
    from positions.matrix import TIMELINE_PAGE_LANES

    topic = make.topic()
    make.countries(topic, TIMELINE_PAGE_LANES + 2)
    url = reverse("positions:topic_detail", args=[topic.slug])
    first = client.get(url, {"end": "2025-06-01"})
    assert len(first.context["timeline"].lanes) == TIMELINE_PAGE_LANES
    page = first.content.decode()
    assert (
        f"Countries and organisations 1–{TIMELINE_PAGE_LANES} of {TIMELINE_PAGE_LANES + 2}" in page
    )
    second = client.get(url, {"end": "2025-06-01", "page": 2})
    assert len(second.context["timeline"].lanes) == 2
    # Today's standing still names every country.
    standing = {value: actors for value, _, actors in first.context["standing"]}
    assert len(standing["opposes"]) == TIMELINE_PAGE_LANES + 2


@pytest.mark.parametrize("view", ["positions:topic_detail", "actors:detail"])
def test_older_statements_under_a_timeline_load_a_page_at_a_time(make, client, view):
    """The newest dates are listed under the timeline; htmx asks for the next
    page of dates alone (the link it swaps carries on from there), and
    without JavaScript the link opens that page whole."""
    from positions.timeline import RECORD_LIMIT

    topic, state = make.topic(), make.state("Testland", "TL")
    first = dt.date(2025, 1, 1)
    # A fortnight apart: each date its own marker on this axis.
    days = [first + dt.timedelta(days=14 * n) for n in range(RECORD_LIMIT + 5)]
    for n, day in enumerate(days):
        make.position(
            actor=state, topic=topic, as_of=day, stance=[Stance.SUPPORTS, Stance.OPPOSES][n % 2]
        )
    url = reverse(view, args=[topic.slug] if view == "positions:topic_detail" else [state.slug])
    window = {"start": "2024-12-01", "end": "2025-12-31"}

    def dates(response):
        return [entry.on for entry, *_ in response.context["record"].entries]

    page = client.get(url, window)
    assert dates(page) == days[::-1][:RECORD_LIMIT]
    body = page.content.decode()
    assert f"The newest {RECORD_LIMIT} dates of {RECORD_LIMIT + 5}" in body
    assert "record=2" in body and 'hx-get="?' in body
    # Markers of the dates listed link to them; the others open their cell.
    listed = re.findall(r'<a class="marker[^"]*" href="#([^"]+)"', body)
    assert len(listed) == RECORD_LIMIT and all(f'id="{a}"' in body for a in listed)

    older = client.get(url, window | {"record": 2}, headers={"HX-Request": "true"})
    assert older.status_code == 200
    fragment = older.content.decode()
    assert "<html" not in fragment and "<svg" not in fragment
    assert fragment.count('<article class="statement') == 5
    for day in days[:5]:
        assert f'<time datetime="{day:%Y-%m-%d}">' in fragment
    assert "record=3" not in fragment  # the oldest date is on it
    assert "Accept" in older["Vary"] and "HX-Request" in older["Vary"]

    whole = client.get(url, window | {"record": 2})
    assert dates(whole) == days[::-1][RECORD_LIMIT:]
    assert "<svg" in whole.content.decode() and "← Newer statements" in whole.content.decode()

    beyond = client.get(url, window | {"record": 3})
    assert beyond.status_code == 404
    assert "There is no page 3: the list of statements has 25 dates." in html.unescape(
        beyond.content.decode()
    )
    assert client.get(url, window | {"record": "x"}).status_code == 400


def test_an_actors_older_quotes_load_a_page_at_a_time(make, client):
    from actors.views import QUOTES_PER_PAGE

    state = make.state("Testland", "TL")
    first = dt.date(2025, 1, 1)
    days = [first + dt.timedelta(days=3 * n) for n in range(QUOTES_PER_PAGE + 4)]
    for day in days:
        make.quote(speaker=state, said_on=day, source=make.source(published_on=day))
    url = reverse("actors:detail", args=[state.slug])
    window = {"start": "2024-12-01", "end": "2025-12-31"}

    def said(response):
        return [quote.said_on for quote in response.context["quotes"]]

    page = client.get(url, window)
    assert said(page) == days[::-1][:QUOTES_PER_PAGE]
    assert "quotes=2" in page.content.decode() and "Older quotes" in page.content.decode()
    older = client.get(url, window | {"quotes": 2}, headers={"HX-Request": "true"})
    fragment = older.content.decode()
    assert older.status_code == 200 and "<html" not in fragment
    assert fragment.count('<figure class="quote"') == 4 and "quotes=3" not in fragment
    whole = client.get(url, window | {"quotes": 2})
    assert said(whole) == days[::-1][QUOTES_PER_PAGE:]
    assert "← Newer quotes" in whole.content.decode()
    beyond = client.get(url, window | {"quotes": 3})
    assert beyond.status_code == 404
    assert "There is no page 3 of quotes in this period." in html.unescape(beyond.content.decode())
    assert client.get(url, window | {"quotes": "0"}).status_code == 400


@pytest.mark.parametrize(
    "tag", ["{% statement %}", "{% statement s colour=1 %}", "{% statement s subject %}"]
)
def test_the_statement_tag_says_what_it_takes(tag):
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="statement"):
        Template("{% load statements %}" + tag)


def test_jinja2_dates_read_as_djangos():
    """The fragments' date filter writes a plain date itself; it must print
    what Django's would, and leave every other value and format to it."""
    from django.template.defaultfilters import date

    from config.jinja2 import day

    for value in (dt.date(2024, 1, 1), dt.date(2025, 9, 30), dt.date(1999, 12, 31)):
        for fmt in ("j M Y", "j F Y", "Y-m-d", None):
            assert day(value, fmt) == date(value, fmt)
    moment = dt.datetime(2025, 3, 4, 5, 6, tzinfo=dt.UTC)
    assert day(moment, "j M Y") == date(moment, "j M Y") == "4 Mar 2025"
    assert day(None, "j M Y") == ""


def test_the_source_lists_count_follows_every_write(make, client):
    """The count of sources a reader may see is kept until the record
    changes: a source whose only quote a draft rests on leaves it, and comes
    back when the position is published."""
    topic, state = make.topic(), make.state("Testland", "TL")
    make.source()
    draft = make.position(actor=state, topic=topic, as_of=dt.date(2025, 5, 1), status=Status.DRAFT)

    def total():
        return client.get(reverse("sources:list")).context["total"]

    assert total() == total() == 1
    draft.status = Status.PUBLISHED
    draft.save()
    assert total() == 2
