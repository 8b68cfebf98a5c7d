"""Hostile and unlucky input found by the probes: each gets a 4xx with a
message that says what was wrong, never a 500, and writes nothing."""

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sources.models import Source

pytestmark = pytest.mark.django_db

RANGE = "Dates run from 1900-01-01 to 2999-12-31."


@pytest.fixture
def world(make):
    topic = make.topic(slug="own-troops")
    poland = make.state("Poland", "PL", slug="poland")
    make.position(actor=poland, topic=topic, as_of=dt.date(2025, 2, 25))
    return poland


@pytest.fixture
def editor_api(editor):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return api


@pytest.mark.parametrize("end", ["0001-01-01", "9999-12-31"])
def test_dates_the_timeline_cannot_draw(client, world, end):
    for url in (
        f"/topics/own-troops/?end={end}",
        f"/actors/poland/?end={end}",
        f"/?as_of={end}",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert RANGE in response.content.decode(), url
    response = APIClient().get(f"/api/v1/timeline/?topic=own-troops&end={end}")
    assert response.status_code == 400
    assert response.json() == {"end": [RANGE]}


def test_a_url_with_an_impossible_port(editor_api, editor_client):
    body = {
        "publisher": "Wire",
        "title": "Ports",
        "url": "https://news.example.org:99999/a",
        "published_on": "2025-03-01",
    }
    response = editor_api.post("/api/v1/sources/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "url": ["This address does not parse (port out of range 0-65535); check it."]
    }
    response = editor_client.post(
        reverse("admin:sources_source_add"),
        {
            **body,
            "language": "en",
            "quotes-TOTAL_FORMS": "0",
            "quotes-INITIAL_FORMS": "0",
            "quotes-MIN_NUM_FORMS": "0",
            "quotes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"] == [
        "This address does not parse (port out of range 0-65535); check it."
    ]
    assert not Source.objects.exists()


def test_json_nested_too_deep(editor_api):
    body = "[" * 2000 + "]" * 2000
    response = editor_api.post("/api/v1/sources/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


def test_an_oversized_body_is_a_413_in_json(editor_api):
    body = json.dumps({"publisher": "x" * (3 * 1024 * 1024)})
    response = editor_api.post("/api/v1/sources/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than this server accepts (2.5 MB)."
    }


@pytest.mark.parametrize("debug", [False, True])
def test_api_errors_are_json_with_debug_on_or_off(client, debug):
    with override_settings(DEBUG=debug):
        response = client.get("/api/v1/nowhere/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_duplicate_source_url_has_one_shape(editor_api, make, monkeypatch):
    """A duplicate found by validation and one found by the database (two
    writers racing past validation) answer alike."""
    make.source(url="https://news.example.org/a")
    body = {
        "publisher": "Wire",
        "title": "Again",
        "url": "https://news.example.org/a",
        "published_on": "2025-03-01",
    }
    validated = editor_api.post("/api/v1/sources/", body, format="json")
    assert validated.status_code == 400
    # The race: validation saw no duplicate, the database did.
    monkeypatch.setattr(Source, "validate_constraints", lambda self, exclude=None: None)
    raced = editor_api.post("/api/v1/sources/", body, format="json")
    assert (raced.status_code, raced.json()) == (validated.status_code, validated.json())


class TestAdmin:
    def test_a_history_url_with_a_word_for_an_id(self, editor_client, world):
        position = world.positions.get()
        for url in (
            f"/admin/positions/position/{position.pk}/history/abc/",
            "/admin/positions/position/abc/history/",
            "/admin/positions/position/abc/history/1/",
        ):
            assert editor_client.get(url).status_code == 404, url

    def test_an_impossible_year_in_a_date_filter(self, editor_client, world):
        response = editor_client.get(
            reverse("admin:positions_position_changelist"), {"as_of__year": "99999"}
        )
        assert response.status_code in (200, 302)

    def test_nul_in_an_autocomplete_term(self, editor_client, world):
        response = editor_client.get(
            "/admin/autocomplete/",
            {
                "term": "Pol\x00and",
                "app_label": "positions",
                "model_name": "position",
                "field_name": "actor",
            },
        )
        assert response.status_code == 400
        assert response.content.decode() == "A NUL character is not allowed in a request."

    def test_a_word_for_an_id_in_a_redisplayed_role_form(self, editor_client, make):
        holder = make.official("Olaf Scholz")
        response = editor_client.post(
            reverse("admin:actors_role_add"),
            {
                "holder": holder.pk,
                "organisation": "germany",
                "kind": "office",
                "title": "Chancellor",
                "speaks_for_rank": "1",
            },
        )
        assert response.status_code == 200
        assert "Select a valid choice" in str(response.context["adminform"].form.errors)


class TestDraftsStayPrivate:
    @pytest.fixture
    def draft_only(self, make):
        source = make.source(title="Unpublished scoop", text="Secret words here.")
        quote = make.quote(source=source, text="Secret words")
        make.position(
            actor=make.state("Hungary", "HU"),
            topic=make.topic(),
            as_of=dt.date(2025, 3, 1),
            quote=quote,
            status="draft",
        )
        return quote

    def test_hidden_from_anonymous_readers(self, client, draft_only):
        api = APIClient()
        source = draft_only.source
        assert api.get("/api/v1/quotes/").json()["results"] == []
        assert api.get(f"/api/v1/quotes/{draft_only.pk}/").status_code == 404
        assert api.get("/api/v1/sources/").json()["results"] == []
        assert api.get(f"/api/v1/sources/{source.pk}/").status_code == 404
        assert client.get(f"/sources/{source.pk}/").status_code == 404
        assert "Unpublished scoop" not in client.get("/sources/").content.decode()
        found = client.get("/search/", {"q": "Secret"}).content.decode()
        assert "Secret words" not in found
        assert "Unpublished scoop" not in client.get("/search/", {"q": "scoop"}).content.decode()

    def test_shown_to_editors_and_once_published(self, editor_api, client, draft_only):
        assert editor_api.get(f"/api/v1/quotes/{draft_only.pk}/").status_code == 200
        position = draft_only.positions.get()
        position.status = "published"
        position.save()
        assert APIClient().get(f"/api/v1/quotes/{draft_only.pk}/").status_code == 200
        assert client.get(f"/sources/{draft_only.source_id}/").status_code == 200


def test_login_with_an_unsafe_next_lands_on_the_admin(client, editor):
    response = client.post(
        "/admin/login/?next=https://evil.example.net/",
        {"username": "editor", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
