import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_the_seed_data_as_of_today(seeded, client, django_assert_num_queries):
    # Topics, roles, positions, conditions, rows, sources.
    with django_assert_num_queries(6):
        response = client.get(reverse("positions:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Stances as of" in page
    rows = {actor.slug: cells for actor, cells in response.context["rows"]}
    assert list(rows)[:3] == ["denmark", "france", "germany"]  # countries first
    assert list(rows)[-3:] == ["coalition-of-the-willing", "nordic-baltic-eight", "uk-parliament"]
    assert "legitimate targets" in page
    assert "Kremlin officials (unnamed)" in page
    assert "Radio Free Europe/Radio Liberty" in page
    assert "Atlantic Council (UkraineAlert)" in page
    assert "Only a claim, by Jamie Shea" in page
    # An official's reported words say whose they are, in which office, and who reported them.
    assert "Mette Frederiksen, Prime Minister" in page
    assert "as reported by RFE/RL" in page


def test_home_query_count_does_not_grow(make, client, django_assert_num_queries):
    topic = make.topic()
    for i in range(20):
        state = make.state(f"State {i}", f"X{chr(65 + i)}")
        make.position(actor=state, topic=topic, as_of=dt.date(2025, 1, 1))
    with django_assert_num_queries(6):
        response = client.get(reverse("positions:home"))
    assert len(response.context["rows"]) == 20


def test_home_with_no_data(db, client):
    response = client.get(reverse("positions:home"))
    assert response.status_code == 200
    assert "No published positions yet." in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(db, client):
    response = client.get(reverse("positions:home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
