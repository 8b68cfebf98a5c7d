"""Hostile input shown as text everywhere, login throttling, CSRF."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from positions.models import Attribution, Status
from sources.models import Source

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(make):
    """Every name, title and quote a hostile editor (or a hostile source) could write."""
    state = make.state(f"Evilland {SCRIPT}", "EV", slug="evilland")
    official = make.official(f"Dr {IMG}", slug="dr-evil")
    make.office(official, state, title=f"Minister {SCRIPT}")
    topic = make.topic(short_name=f"Topic {IMG}", slug="evil-topic", question=f"Q {SCRIPT}?")
    condition = make.condition(name=f"Condition {SCRIPT}", slug="evil-condition")
    source = make.source(
        title=f"Title {SCRIPT}",
        publisher=f"Publisher {IMG}",
        published_on=dt.date(2025, 3, 1),
        text=f"Some words {SCRIPT} and more.",
    )
    quote = make.quote(
        source=source, text=f"words {SCRIPT} and", speaker=official, said_on=dt.date(2025, 3, 1)
    )
    position = make.position(
        actor=state,
        topic=topic,
        quote=quote,
        as_of=dt.date(2025, 3, 1),
        attribution=Attribution.SPEAKING_FOR,
        summary=f"Summary {IMG}",
    )
    position.conditions.add(condition)
    return {"state": state, "topic": topic, "source": source, "quote": quote, "position": position}


def assert_escaped(response):
    assert response.status_code == 200, response
    page = response.content.decode()
    for raw in (SCRIPT, "<img src=x"):
        assert raw not in page, raw


def test_pages_show_hostile_text_as_text(hostile, client, make):
    # A claim about it by another hostile name: the matrix cell shows claimants.
    # And a later one, on a marker of its own in the timeline (statements of
    # one day share a numbered marker, whose hover text is the latest's).
    claimant = make.state(f"Claimland {IMG}", "CL", slug="claimland")
    for day in (dt.date(2025, 3, 1), dt.date(2025, 9, 1)):
        make.position(
            actor=hostile["state"],
            topic=hostile["topic"],
            as_of=day,
            attribution=Attribution.CLAIM,
            claimant=claimant,
            speaker=claimant,
        )
    urls = [
        reverse("positions:matrix") + "?as_of=2025-03-02",
        reverse("positions:cell", args=["evilland", "evil-topic"]) + "?as_of=2025-03-02",
        reverse("positions:topic_list"),
        reverse("positions:topic_detail", args=["evil-topic"]),
        reverse("positions:conditions") + "?as_of=2025-03-02",
        reverse("positions:search") + "?q=script",
        reverse("actors:list"),
        reverse("actors:detail", args=["evilland"]),
        reverse("actors:detail", args=["dr-evil"]),
        reverse("sources:list"),
        reverse("sources:detail", args=[hostile["source"].pk]),
    ]
    for url in urls:
        assert_escaped(client.get(url))
    # The matrix rows and the timeline's lanes are Jinja2 fragments, which
    # write quotes as &#39; and &#34; where Django writes &#x27; and &quot;.
    matrix = same_entities(
        client.get(reverse("positions:matrix") + "?as_of=2025-03-02").content.decode()
    )
    assert "Evilland &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in matrix
    assert "via Dr &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in matrix
    assert "Claimland &quot;&gt;&lt;img src=x onerror=alert(1)&gt; claims:" in matrix
    # The SVG timeline's hover text is escaped too.
    timeline = same_entities(
        client.get(reverse("positions:topic_detail", args=["evil-topic"])).content.decode()
    )
    assert "words &lt;script&gt;" in timeline
    assert "(claim by Claimland &quot;&gt;&lt;img src=x onerror=alert(1)&gt;)" in timeline
    # So is a span's, which names its lane.
    assert "<title>Evilland &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;: " in timeline


def same_entities(html: str) -> str:
    return html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")


def test_feed_and_api_return_hostile_text_as_data(hostile, client):
    feed = client.get(reverse("positions:feed")).content.decode()
    assert SCRIPT not in feed
    assert "&lt;script&gt;" in feed
    api = client.get(f"/api/v1/positions/{hostile['position'].pk}/")
    assert api["Content-Type"] == "application/json"
    assert api.json()["summary"] == f"Summary {IMG}"


def test_admin_shows_hostile_text_as_text(hostile, editor_client):
    for model, obj in [
        ("actors_actor", hostile["state"]),
        ("positions_topic", hostile["topic"]),
        ("sources_source", hostile["source"]),
        ("sources_quote", hostile["quote"]),
        ("positions_position", hostile["position"]),
    ]:
        assert_escaped(editor_client.get(reverse(f"admin:{model}_changelist")))
        assert_escaped(editor_client.get(reverse(f"admin:{model}_change", args=[obj.pk])))
        assert_escaped(editor_client.get(reverse(f"admin:{model}_history", args=[obj.pk])))


class TestLoginThrottling:
    URL = "/admin/login/"

    def attempt(self, client, password, address="203.0.113.5"):
        return client.post(
            self.URL,
            {"username": "editor", "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    def test_five_failures_lock_the_name_from_that_address(self, editor, client):
        for _ in range(4):
            response = self.attempt(client, "wrong password")
            assert response.status_code == 200
            assert "Please enter the correct username and password" in response.content.decode()
        assert self.attempt(client, "wrong password").status_code == 429
        locked = self.attempt(client, "correct horse battery staple")
        assert locked.status_code == 429
        assert "Too many failed logins" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        # Someone elsewhere cannot lock the editor out of their own office.
        elsewhere = self.attempt(Client(), "correct horse battery staple", "198.51.100.7")
        assert elsewhere.status_code == 302

    def test_a_success_resets_the_count(self, editor, client):
        for _ in range(4):
            self.attempt(client, "wrong password")
        assert self.attempt(client, "correct horse battery staple").status_code == 302
        client.logout()
        for _ in range(4):
            self.attempt(client, "wrong password")
        assert self.attempt(client, "correct horse battery staple").status_code == 302


def test_admin_posts_need_csrf(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/admin/login/", {"username": "editor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    client.force_login(editor)
    response = client.post(reverse("admin:actors_actor_add"), {"name": "X", "kind": "state"})
    assert response.status_code == 403
    assert not Actor.objects.filter(name="X").exists()


def test_bulk_deletes_in_the_admin_are_recorded(editor_client, make):
    states = [make.state(f"Gone {i}", f"G{chr(65 + i)}") for i in range(3)]
    response = editor_client.post(
        reverse("admin:actors_actor_changelist"),
        {"action": "delete_selected", "_selected_action": [s.pk for s in states], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Actor.objects.filter(pk__in=[s.pk for s in states]).exists()
    deleted = Actor.history.filter(history_type="-", id__in=[s.pk for s in states])
    assert deleted.count() == 3
    assert {record.history_user.username for record in deleted} == {"editor"}


def test_sources_keep_no_status_but_positions_hide_drafts(hostile, client):
    # Drafts stay out of every public read; a sanity check on the fixture's world.
    hostile["position"].status = Status.DRAFT
    hostile["position"].save()
    assert client.get("/api/v1/positions/").json()["results"] == []
    assert Source.objects.count() == 1
