"""The admin's traps for a new desk editor, fixed: ISO dates, attribution
implied by the speaker, positions added on the source's page, and a warning
while quotes cannot be verified."""

import datetime as dt

import pytest
from django.urls import reverse

from actors.models import Actor
from positions.models import Position, Topic
from sources.models import Quote, Source

from ..test_admin import form_errors, inline_management

pytestmark = pytest.mark.django_db

TEXT = "Copenhagen said on Tuesday that Danish troops could join a reassurance force."


def test_dates_are_shown_and_read_as_iso(seeded, editor_client):
    position = Position.objects.filter(as_of=dt.date(2025, 2, 25)).first()
    page = editor_client.get(reverse("admin:positions_position_change", args=[position.pk]))
    assert 'value="2025-02-25"' in page.content.decode()
    quote = Quote.objects.first()
    data = {
        "quote": quote.pk,
        "actor": Actor.objects.get(slug="ukraine").pk,
        "topic": Topic.objects.first().pk,
        "stance": "supports",
        "attribution": "report",
        "as_of": "03/04/2026",  # 3 April or 4 March: refused, not guessed
        "status": "draft",
    }
    response = editor_client.post(reverse("admin:positions_position_add"), data)
    assert response.status_code == 200
    assert form_errors(response) == ["Enter a valid date."]


@pytest.mark.parametrize(
    ("speaker", "actor", "attribution", "claimant"),
    [
        ("mette-frederiksen", "denmark", "speaking_for", None),  # Prime Minister on the date
        (None, "denmark", "report", None),  # the outlet's own sentence
        ("jamie-shea", "denmark", "claim", "jamie-shea"),  # another's words about Denmark
        ("jamie-shea", "jamie-shea", "own", None),
    ],
)
def test_attribution_left_empty_follows_from_the_speaker(
    seeded, editor_client, speaker, actor, attribution, claimant
):
    source = Source.objects.get(publisher__startswith="Radio Free Europe")
    quote = Quote.objects.create(
        source=source,
        text="Another key component from Europe could come from some Nordic and Baltic nations",
        speaker=Actor.objects.get(slug=speaker) if speaker else None,
        speaker_label="" if speaker else "RFE/RL",
        said_on=dt.date(2025, 2, 24),
    )
    response = editor_client.post(
        reverse("admin:positions_position_add"),
        {
            "quote": quote.pk,
            "actor": Actor.objects.get(slug=actor).pk,
            "topic": Topic.objects.get(slug="own-troops").pk,
            "stance": "undecided",
            "attribution": "",
            "claimant": "",
            "as_of": "",
            "status": "draft",
        },
    )
    assert response.status_code == 302, form_errors(response)
    position = Position.objects.get(quote=quote)
    assert position.attribution == attribution
    assert (position.claimant.slug if position.claimant else None) == claimant


def source_with_a_position(**position):
    return {
        "title": "Denmark on the force",
        "publisher": "Test Wire",
        "author": "",
        "url": "https://wire.example.org/denmark",
        "published_on": "2025-02-26",
        "accessed_on": "",
        "archive_url": "",
        "language": "en",
        "editor_note": "",
        "text": TEXT,
        **inline_management("quotes", total=1),
        "quotes-0-text": TEXT,
        "quotes-0-speaker": "",
        "quotes-0-speaker_label": "Test Wire",
        "quotes-0-said_on": "2025-02-25",
        "quotes-0-said_on_precision": "day",
        **{f"quotes-0-position_{k}": v for k, v in position.items()},
    }


def test_a_position_is_added_on_the_source_page(seeded, editor_client):
    denmark = Actor.objects.get(slug="denmark")
    response = editor_client.post(
        reverse("admin:sources_source_add"),
        source_with_a_position(
            actor=denmark.pk, topic=Topic.objects.get(slug="own-troops").pk, stance="supports"
        ),
    )
    assert response.status_code == 302, form_errors(response)
    position = Position.objects.get(quote__source__title="Denmark on the force")
    assert (position.actor, position.attribution, position.status, position.as_of) == (
        denmark,
        "report",
        "draft",
        dt.date(2025, 2, 25),
    )
    assert position.entered_by.username == "editor"


def test_a_half_given_position_is_an_error_and_nothing_is_written(seeded, editor_client):
    before = (Source.objects.count(), Quote.objects.count(), Position.objects.count())
    response = editor_client.post(
        reverse("admin:sources_source_add"),
        source_with_a_position(actor=Actor.objects.get(slug="denmark").pk),
    )
    assert response.status_code == 200
    assert form_errors(response) == [
        "A new position needs whose stance, the topic and the stance.",
        "A new position needs whose stance, the topic and the stance.",
    ]
    assert (Source.objects.count(), Quote.objects.count(), Position.objects.count()) == before


def test_quotes_without_stored_text_are_flagged(seeded, editor_client):
    data = source_with_a_position() | {"text": ""}
    response = editor_client.post(reverse("admin:sources_source_add"), data, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert any("its quotes are unverified" in m for m in shown)
    page = editor_client.get(reverse("admin:sources_source_add"))
    assert b"its quotes are unverified" in page.content
