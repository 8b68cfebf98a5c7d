"""POST /api/v1/extract/: the desk's assistant for tools; it writes nothing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from positions.models import Position
from sources.models import Quote, Source

pytestmark = pytest.mark.django_db

URL = "/api/v1/extract/"
TEXT = (
    '"We will not send troops to Ukraine under any flag," Kremlin spokesman Dmitry Peskov '
    "said on Monday. Trump said Putin would accept European troops in Ukraine."
)


def api(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_for_editors_only(staff):
    assert api().post(URL, {"text": TEXT}, format="json").status_code == 401
    response = api(staff("analyst")).post(URL, {"text": TEXT}, format="json")
    assert response.status_code == 403
    assert "permission to add positions" in response.json()["detail"]


def test_candidates_with_offsets_and_nothing_written(staff, seeded):
    before = (Source.objects.count(), Quote.objects.count(), Position.objects.count())
    response = api(staff("editor")).post(
        URL,
        {"text": TEXT, "publisher": "Test Wire", "published_on": "2025-02-25",
         "url": "https://news.example.org/x/?utm_source=feed", "title": "Kremlin: no troops"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == {
        "title": "Kremlin: no troops",
        "publisher": "Test Wire",
        "published_on": "2025-02-25",
        "url": "https://news.example.org/x",
    }
    direct, claim = body["candidates"]
    assert direct == {
        "quote": "We will not send troops to Ukraine under any flag",
        "start": 1,
        "end": 50,
        "speaker": {
            "slug": "dmitry-peskov",
            "name": "Dmitry Peskov",
            "role": "Kremlin spokesman",
            "country": "russia",
        },
        "actor": {"slug": "russia", "name": "Russia"},
        "said_on": "2025-02-24",
        "said_on_precision": "day",
        "attribution": "speaking_for",
        "claimant": None,
        "responds_to_claim": False,
        "topic": "own-troops",
        "stance": "opposes",
        "conditions": [],
        "confidence": 0.9,
    }
    assert claim | {"confidence": None} == {
        "quote": "Trump said Putin would accept European troops in Ukraine.",
        "start": 101,
        "end": 158,
        "speaker": {"slug": None, "name": "Test Wire", "role": "", "country": None},
        "actor": {"slug": "vladimir-putin", "name": "Vladimir Putin"},
        "said_on": None,
        "said_on_precision": None,
        "attribution": "claim",
        "claimant": {"slug": "donald-trump", "name": "Donald Trump"},
        "responds_to_claim": False,
        "topic": "reassurance-force",
        "stance": "supports",
        "conditions": [],
        "confidence": None,
    }
    for candidate in body["candidates"]:
        assert TEXT[candidate["start"] : candidate["end"]] == candidate["quote"]
    assert (Source.objects.count(), Quote.objects.count(), Position.objects.count()) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 5}, "text"),
        ({"text": "x" * 200_001}, "text"),
        ({"text": "x", "published_on": "2025-02-30"}, "published_on"),
        ({"text": "x", "published_on": "0001-01-01"}, "published_on"),
        ({"text": "x", "url": "https://example.org:99999/"}, "url"),
        ({"text": "x", "speaker": "Peskov"}, "speaker"),
    ],
)
def test_bad_input_gets_a_400_naming_the_field(staff, data, field):
    response = api(staff("editor")).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
