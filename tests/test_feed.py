import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from positions.models import Position, Status

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = ET.fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "id": entry.findtext(f"{ATOM}id"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]


@pytest.mark.usefixtures("seeded_class")
class TestOnTheSeed:
    """Read-only tests sharing one load of the seed data."""

    def test_atom_feed_of_published_positions(self, client):
        response = client.get(reverse("positions:feed"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        found = entries(response)
        assert len(found) == Position.objects.published().count() == 28
        russia = next(
            e for e in found if e["title"].startswith("Russia on Reassurance force: Hostile")
        )
        assert russia["link"].startswith("http://testserver/cells/russia/reassurance-force/")
        assert "legitimate targets" in russia["summary"]
        claim = next(e for e in found if "as claimed by Donald Trump" in e["title"])
        assert claim["title"].startswith("Russia on Reassurance force: Supports")

    def test_filtered_by_topic_and_actor(self, client):
        url = reverse("positions:feed")
        by_topic = entries(client.get(url, {"topic": "russian-veto"}))
        assert sorted(e["title"].split(":")[0] for e in by_topic) == [
            "Coalition of the Willing on Russian consent first",
            "Stephen Blank on Russian consent first",
        ]
        by_actor = entries(client.get(url, {"actor": "poland"}))
        assert by_actor and all(e["title"].startswith("Poland on") for e in by_actor)
        both = client.get(url, {"topic": "own-troops", "actor": "poland"})
        assert b"changed positions on Own troops by Poland" in both.content

    def test_a_change_moves_the_position_to_the_top_and_a_retraction_says_so(self, client):
        position = Position.objects.get(
            actor__slug="emmanuel-macron", topic__slug="reassurance-force"
        )
        position.status = Status.RETRACTED
        position.correction_note = "The quote was Macron's view in 2024, not a 2025 stance."
        position.save()
        first = entries(client.get(reverse("positions:feed")))[0]
        assert first["title"].startswith("Retracted: Emmanuel Macron on Reassurance force")
        assert "Correction: The quote was Macron's view in 2024" in first["summary"]
        assert first["id"] == f"ceasefire-positions:position:{position.pk}"

    def test_query_budget(self, client, django_assert_num_queries):
        # Positions with everything in one join, their conditions.
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(3):
            client.get(reverse("positions:feed"))
        # (+1, the record's version for the ETag: positions/http.py)
        with django_assert_num_queries(5):
            client.get(reverse("positions:feed"), {"topic": "own-troops", "actor": "poland"})


def test_drafts_stay_out(make, client):
    topic = make.topic(short_name="Draft topic")
    state = make.state("Draftland", "DX")
    make.position(actor=state, topic=topic, as_of=dt.date(2025, 1, 1), status=Status.DRAFT)
    assert entries(client.get(reverse("positions:feed"))) == []


def test_unknown_filter_is_404_and_malformed_is_400(db, client):
    url = reverse("positions:feed")
    assert client.get(url, {"topic": "nukes"}).status_code == 404
    malformed = client.get(url, {"actor": "<script>"})
    assert malformed.status_code == 400
    assert "Enter a valid “slug”" in malformed.content.decode()
    assert "<script>" not in malformed.content.decode()


def test_hostile_text_is_escaped(make, client):
    state = make.state("<b>Evil</b> & Co", "EV")
    make.position(actor=state, topic=make.topic(), as_of=dt.date(2025, 1, 1))
    response = client.get(reverse("positions:feed"))
    assert b"&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in response.content
    assert entries(response)[0]["title"].startswith("<b>Evil</b> & Co on")
