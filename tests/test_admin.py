"""The editors' admin: every page loads, entering an article is fast, and bad
input gets a form error, never a 500 or a partial write."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from actors.models import Actor, Role
from positions.models import Condition, Position, Topic
from sources.models import Quote, Source

pytestmark = pytest.mark.django_db

OUR_APPS = {"actors", "sources", "positions", "desk"}
MODEL_ADMINS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in OUR_APPS
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_errors(response):
    """Every error the admin shows, form and inline alike, flattened to text."""
    errors = list(response.context["adminform"].form.errors.values())
    for inline in response.context.get("inline_admin_formsets", []):
        errors.append(inline.formset.non_form_errors())
        errors += [e for form in inline.formset.errors for e in form.values()]
    return [str(message) for error in errors for message in error]


def test_every_model_of_ours_is_registered():
    assert MODEL_ADMINS == [
        ("actors", "actor"),
        ("actors", "actoralias"),
        ("actors", "role"),
        ("desk", "stancecue"),
        ("positions", "condition"),
        ("positions", "position"),
        ("positions", "revision"),
        ("positions", "topic"),
        ("sources", "quote"),
        ("sources", "source"),
    ]


@pytest.mark.parametrize(("app_label", "model_name"), MODEL_ADMINS)
def test_changelist_add_change_and_history_pages_load(seeded, editor_client, app_label, model_name):
    base = f"admin:{app_label}_{model_name}"
    assert editor_client.get(reverse(f"{base}_changelist")).status_code == 200
    assert editor_client.get(reverse(f"{base}_changelist"), {"q": "Russia"}).status_code == 200
    # Revisions come from editing a published position, never from a blank form.
    adding = 403 if model_name == "revision" else 200
    assert editor_client.get(reverse(f"{base}_add")).status_code == adding
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    obj = model.objects.order_by("pk").first()
    if model_name == "revision":  # the seed has none
        obj = model.objects.create(
            position=Position.objects.first(),
            changes={"summary": {"before": "", "after": "Checked."}},
            proposed_by=editor_client.session_user,
        )
    assert editor_client.get(reverse(f"{base}_change", args=[obj.pk])).status_code == 200
    assert editor_client.get(reverse(f"{base}_history", args=[obj.pk])).status_code == 200


def test_admin_needs_a_staff_login(client):
    response = client.get(reverse("admin:positions_position_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_alias_search_finds_the_actor(seeded, editor_client):
    response = editor_client.get(reverse("admin:actors_actor_changelist"), {"q": "Kremlin"})
    assert [a.slug for a in response.context["cl"].result_list] == ["dmitry-peskov", "russia"]


def test_conditions_autocomplete_answers(seeded, editor_client):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "positions",
            "model_name": "position",
            "field_name": "conditions",
            "term": "backstop",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["A US backstop such as air power"]


class TestEnteringAnArticle:
    """An editor records a new article: a source with its quotes, then positions."""

    def test_source_with_quotes_then_three_positions(self, seeded, editor_client, editor):
        text = (
            "Warsaw, 3 March. The Polish government said on Monday it would consider "
            "sending troops if the United States guaranteed air cover. "
            '"We will not be the first," the defence minister said.'
        )
        response = editor_client.post(
            reverse("admin:sources_source_add"),
            {
                "title": "Poland softens on troops",
                "publisher": "Example Wire",
                "author": "A. Reporter",
                "url": "https://wire.example.org/poland-troops/?utm_source=rss",
                "published_on": "2026-03-03",
                "accessed_on": "2026-03-04",
                "archive_url": "",
                "language": "en",
                "editor_note": "",
                "text": text,
                **inline_management("quotes", total=2),
                "quotes-0-text": "it would consider sending troops if the United States guaranteed air cover",  # noqa: E501
                "quotes-0-speaker_label": "Example Wire",
                "quotes-0-said_on": "2026-03-02",
                "quotes-0-said_on_precision": "day",
                "quotes-1-text": "We will not be the first,",
                "quotes-1-speaker_label": "Polish defence minister (unnamed)",
                "quotes-1-said_on": "2026-03-02",
                "quotes-1-said_on_precision": "day",
            },
        )
        assert response.status_code == 302, form_errors(response)
        source = Source.objects.get(title="Poland softens on troops")
        assert source.url == "https://wire.example.org/poland-troops"
        assert source.quotes.count() == 2

        quote = source.quotes.get(speaker_label="Example Wire")
        poland = Actor.objects.get(slug="poland")
        backstop = Condition.objects.get(slug="us-backstop")
        position_fields = {
            "actor": poland.pk,
            "attribution": "report",
            "claimant": "",
            "named_conditions": [backstop.pk],
            "summary": "Would consider troops with US air cover.",
            "as_of": "",
            "status": "published",
            "correction_note": "",
        }
        topics = Topic.objects.in_bulk(field_name="slug")
        response = editor_client.post(
            reverse("admin:sources_quote_change", args=[quote.pk]),
            {
                "source": source.pk,
                "text": quote.text,
                "speaker": "",
                "speaker_label": quote.speaker_label,
                "said_on": "2026-03-02",
                "said_on_precision": "day",
                "original_language": "",
                "opened_version": quote.updated_at.isoformat(),
                **inline_management("positions", total=3),
                **{
                    f"positions-{i}-{name}": value
                    for i, (topic, stance) in enumerate(
                        [
                            ("own-troops", "conditional"),
                            ("reassurance-force", "supports"),
                            ("russian-veto", "opposes"),
                        ]
                    )
                    for name, value in {
                        **position_fields,
                        "topic": topics[topic].pk,
                        "stance": stance,
                    }.items()
                },
            },
        )
        assert response.status_code == 302, form_errors(response)
        positions = Position.objects.filter(quote=quote).order_by("topic__sort_order")
        assert [(p.topic.slug, p.stance, p.as_of) for p in positions] == [
            ("reassurance-force", "supports", dt.date(2026, 3, 2)),
            ("own-troops", "conditional", dt.date(2026, 3, 2)),
            ("russian-veto", "opposes", dt.date(2026, 3, 2)),
        ]
        assert all(list(p.conditions.all()) == [backstop] for p in positions)
        # Every write is attributed to the editor in history.
        assert {h.history_user for h in Position.history.filter(quote_id=quote.pk)} == {editor}
        assert source.history.get().history_user == editor


class TestBadInput:
    def test_role_ending_before_it_starts(self, editor_client, make):
        scholz = make.official("Olaf Scholz")
        germany = make.state("Germany", "DE")
        response = editor_client.post(
            reverse("admin:actors_role_add"),
            {
                "holder": scholz.pk,
                "organisation": germany.pk,
                "kind": "office",
                "title": "Chancellor",
                "speaks_for_rank": "1",
                "start_date": "2021-12-08",
                "end_date": "2021-01-01",
            },
        )
        assert response.status_code == 200
        assert form_errors(response) == ["A role cannot end before it starts."]
        assert not Role.objects.exists()

    def test_quote_with_no_text(self, editor_client, make):
        source = make.source()
        response = editor_client.post(
            reverse("admin:sources_quote_add"),
            {
                "source": source.pk,
                "text": "   ",
                "speaker_label": "RFE/RL",
                "said_on_precision": "day",
                **inline_management("positions"),
            },
        )
        assert response.status_code == 200
        assert form_errors(response) == ["This field is required."]
        assert not Quote.objects.exists()

    def test_quote_not_in_the_stored_text(self, editor_client, make):
        source = make.source(text="Poland said it would not.")
        response = editor_client.post(
            reverse("admin:sources_quote_add"),
            {
                "source": source.pk,
                "text": "Poland said it would.",
                "speaker_label": "RFE/RL",
                "said_on_precision": "day",
                **inline_management("positions"),
            },
        )
        assert response.status_code == 200
        assert form_errors(response) == [
            "These words do not occur in the source's stored text. Copy them exactly as published."
        ]

    @pytest.mark.parametrize(
        "duplicate_url",
        [
            "https://www.rferl.org/a/europe-troops/33327.html/",
            "https://www.rferl.org/a/europe-troops/33327.html?utm_source=twitter&utm_medium=social",
            "HTTPS://WWW.RFERL.ORG/a/europe-troops/33327.html#comments",
        ],
    )
    def test_duplicate_source_url(self, editor_client, make, duplicate_url):
        make.source(url="https://www.rferl.org/a/europe-troops/33327.html")
        response = editor_client.post(
            reverse("admin:sources_source_add"),
            {
                "title": "Same article again",
                "publisher": "RFE/RL",
                "url": duplicate_url,
                "published_on": "2025-02-25",
                "language": "en",
                **inline_management("quotes", total=1),
                "quotes-0-text": "A quote that must not be saved either",
                "quotes-0-speaker_label": "RFE/RL",
                "quotes-0-said_on_precision": "day",
            },
        )
        assert response.status_code == 200
        assert form_errors(response) == ["A source with this URL is already recorded."]
        assert Source.objects.count() == 1
        assert not Quote.objects.exists()

    def test_third_party_claim_without_claimant(self, seeded, editor_client):
        quote = Quote.objects.get(text__startswith="I have specifically asked")
        response = editor_client.post(
            reverse("admin:positions_position_add"),
            {
                "quote": quote.pk,
                "actor": Actor.objects.get(slug="ukraine").pk,
                "topic": Topic.objects.get(slug="reassurance-force").pk,
                "stance": "supports",
                "attribution": "claim",
                "claimant": "",
                "as_of": "",
                "status": "draft",
            },
        )
        assert response.status_code == 200
        assert form_errors(response) == [
            "A third-party claim names its claimant; other attributions have none."
        ]


class TestNothingIsLost:
    @pytest.mark.parametrize(
        ("model", "lookup"),
        [
            (Source, {"publisher": "Radio Free Europe/Radio Liberty"}),
            (Quote, {"text__startswith": "I have specifically asked"}),
            (Actor, {"slug": "russia"}),
            (Topic, {"slug": "own-troops"}),
            (Condition, {"slug": "us-backstop"}),
        ],
    )
    def test_admin_refuses_to_delete_what_positions_rest_on(
        self, seeded, editor_client, model, lookup
    ):
        obj = model.objects.get(**lookup)
        url = admin_url(model, "delete", obj.pk)
        page = editor_client.get(url)
        assert page.status_code == 200
        assert b"would require deleting the following protected related objects" in page.content
        editor_client.post(url, {"post": "yes"})
        assert model.objects.filter(pk=obj.pk).exists()
        assert Position.objects.count() == 28
