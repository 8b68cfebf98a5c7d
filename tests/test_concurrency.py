"""Two editors on the same record: the second save is refused with a clear
message, never silently written over the first."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from positions.models import Status
from sources.models import Quote
from tests.conftest import opened_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(make):
    return make.position(
        actor=make.state("Poland", "PL"),
        topic=make.topic(),
        as_of=dt.date(2025, 2, 25),
        status=Status.DRAFT,
    )


@pytest.fixture
def two_editors(editor, django_user_model, client):
    from django.contrib.auth.models import Permission
    from django.test import Client

    second = django_user_model.objects.create_user(
        username="second", password="x" * 20, is_staff=True
    )
    second.user_permissions.set(Permission.objects.filter(content_type__app_label="positions"))
    second.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["sources", "actors"])
    )
    first_client, second_client = Client(), Client()
    first_client.force_login(editor)
    second_client.force_login(second)
    return first_client, second_client


def test_second_admin_save_of_a_position_is_refused(two_editors, position):
    first, second = two_editors
    url = reverse("admin:positions_position_change", args=[position.pk])
    mine, theirs = opened_form(first, url), opened_form(second, url)
    assert mine["opened_version"] == position.updated_at.isoformat()

    assert first.post(url, {**mine, "summary": "First editor's reading."}).status_code == 302
    response = second.post(url, {**theirs, "summary": "Second editor's reading."})
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert re.fullmatch(
        r"Someone else saved this position at \d\d:\d\d:\d\d while you were editing it, so "
        r"your changes were not saved\. Open it again to see theirs, then redo yours\.",
        errors[0],
    )
    position.refresh_from_db()
    assert position.summary == "First editor's reading."
    # Reopened, the second editor's save goes through.
    again = opened_form(second, url)
    assert second.post(url, {**again, "summary": "Second editor's reading."}).status_code == 302


def test_second_admin_save_of_a_quote_is_refused(two_editors, position):
    first, second = two_editors
    quote = position.quote
    url = reverse("admin:sources_quote_change", args=[quote.pk])
    management = {
        "positions-TOTAL_FORMS": "0",
        "positions-INITIAL_FORMS": "0",
        "positions-MIN_NUM_FORMS": "0",
        "positions-MAX_NUM_FORMS": "1000",
    }
    mine, theirs = opened_form(first, url), opened_form(second, url)
    assert first.post(url, {**mine, **management, "original_language": "pl"}).status_code == 302
    response = second.post(url, {**theirs, **management, "original_language": "de"})
    assert response.status_code == 200
    assert "Someone else saved this quote" in str(response.context["adminform"].form.errors)
    assert Quote.objects.get(pk=quote.pk).original_language == "pl"


def test_api_if_match(editor, position):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    url = f"/api/v1/positions/{position.pk}/"
    etag = api.get(url)["ETag"]
    first = api.patch(url, {"summary": "First."}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    stale = api.patch(url, {"summary": "Second."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json() == {
        "detail": "This record was changed since you read it (its ETag no longer matches "
        "If-Match). Read it again and reapply your change."
    }
    position.refresh_from_db()
    assert position.summary == "First."
    fresh = api.patch(url, {"summary": "Second."}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200
    source_url = f"/api/v1/sources/{position.quote.source_id}/"
    source_etag = api.get(source_url)["ETag"]
    assert (
        api.patch(source_url, {"author": "A"}, format="json", HTTP_IF_MATCH=source_etag).status_code
        == 200
    )
    assert (
        api.patch(source_url, {"author": "B"}, format="json", HTTP_IF_MATCH=source_etag).status_code
        == 412
    )


@pytest.mark.parametrize("model", ["actor", "condition", "role"])
def test_every_admin_form_carries_its_version(two_editors, make, model):
    """Not only positions, quotes and sources: two saves of the same actor,
    condition or role, the second is refused rather than overwriting."""
    first, second = two_editors
    record = {
        "actor": lambda: make.state("Poland", "PL"),
        "condition": lambda: make.condition(name="A US backstop", slug="us-backstop"),
        "role": lambda: make.office(make.official("Donald Tusk"), make.state("Poland", "PL")),
    }[model]()
    app = "positions" if model == "condition" else "actors"
    url = reverse(f"admin:{app}_{model}_change", args=[record.pk])
    management = {
        f"{prefix}-{key}": value
        for prefix in ("aliases", "roles")
        for key, value in {
            "TOTAL_FORMS": "0",
            "INITIAL_FORMS": "0",
            "MIN_NUM_FORMS": "0",
            "MAX_NUM_FORMS": "1000",
        }.items()
    }
    mine, theirs = opened_form(first, url), opened_form(second, url)
    assert mine["opened_version"]
    field = {"actor": "description", "condition": "description", "role": "title"}[model]
    response = first.post(url, {**mine, **management, field: "First."})
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = second.post(url, {**theirs, **management, field: "Second."})
    assert response.status_code == 200
    assert "while you were editing it" in str(response.context["adminform"].form.errors)
    record.refresh_from_db()
    assert getattr(record, field) == "First."
