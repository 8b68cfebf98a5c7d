"""Roles and the publishing workflow: who may do what, in the admin and the API."""

import datetime as dt
import html

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actors.models import Actor
from positions.models import Position, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(db):
    call_command("setup_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def people(groups, django_user_model):
    """One staff member per group, each with an admin session and an API token."""
    result = {}
    for name in ("analyst", "editor", "senior editor"):
        user = django_user_model.objects.create_user(
            username=name.replace(" ", "-"), password="p" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=name))
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        result[name] = (user, api)
    return result


def admin_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(make):
    return make.position(
        actor=make.state("Poland", "PL"),
        topic=make.topic(),
        as_of=dt.date(2025, 2, 25),
        status=Status.DRAFT,
    )


def position_form(position, **changes):
    """The change form as posted, opened at the position's live version."""
    live = Position.objects.get(pk=position.pk)
    data = {
        "opened_version": live.updated_at.isoformat(),
        "quote": position.quote_id,
        "actor": position.actor_id,
        "topic": position.topic_id,
        "stance": position.stance,
        "attribution": position.attribution,
        "claimant": "",
        "summary": position.summary,
        "as_of": position.as_of.isoformat(),
        "status": position.status,
        "correction_note": position.correction_note,
    }
    return data | changes


def test_setup_groups_is_idempotent(groups):
    before = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    call_command("setup_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert before == after
    assert set(after) == {"analyst", "editor", "senior editor"}
    assert after["analyst"] == {c for c in after["editor"] if c.startswith("view_")}
    assert not any(c.startswith(("add_", "change_", "delete_")) for c in after["analyst"])
    assert not any(c.startswith("delete_") for c in after["editor"])
    assert "publish_position" not in after["editor"]
    assert {"publish_position", "delete_actor", "delete_source"} <= after["senior editor"]


class TestAdmin:
    def test_analyst_reads_but_cannot_change(self, people, draft, client):
        analyst, _ = people["analyst"]
        client = admin_client(client, analyst)
        url = reverse("admin:positions_position_change", args=[draft.pk])
        assert client.get(url).status_code == 200
        assert client.post(url, position_form(draft, summary="changed")).status_code == 403
        assert client.get(reverse("admin:positions_position_add")).status_code == 403
        draft.refresh_from_db()
        assert draft.summary == ""

    def test_editor_saves_drafts_but_cannot_publish_or_delete(self, people, draft, client):
        editor, _ = people["editor"]
        client = admin_client(client, editor)
        url = reverse("admin:positions_position_change", args=[draft.pk])
        response = client.post(url, position_form(draft, summary="Checked."))
        assert response.status_code == 302
        response = client.post(url, position_form(draft, status=Status.PUBLISHED))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["status"] == [
            "Only senior editors may publish or retract. Save it as a draft for review."
        ]
        draft.refresh_from_db()
        assert (draft.status, draft.summary) == (Status.DRAFT, "Checked.")
        delete = reverse("admin:positions_position_delete", args=[draft.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403

    def test_senior_editor_publishes_then_retracts_with_a_note(self, people, draft, client):
        senior, _ = people["senior editor"]
        client = admin_client(client, senior)
        url = reverse("admin:positions_position_change", args=[draft.pk])
        assert client.post(url, position_form(draft, status=Status.PUBLISHED)).status_code == 302
        draft.refresh_from_db()
        # Back to draft is refused: a published mistake is retracted, in public.
        response = client.post(url, position_form(draft, status=Status.DRAFT))
        assert "cannot go back to draft" in str(response.context["adminform"].form.errors)
        response = client.post(url, position_form(draft, status=Status.RETRACTED))
        assert "A retraction needs a public correction note." in str(
            response.context["adminform"].form.errors
        )
        response = client.post(
            url, position_form(draft, status=Status.RETRACTED, correction_note="Misquoted.")
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == Status.RETRACTED
        assert [h.status for h in draft.history.order_by("history_date")] == [
            Status.DRAFT,
            Status.PUBLISHED,
            Status.RETRACTED,
        ]

    def test_publish_action_saves_each_with_history(self, people, make, client):
        topic = make.topic()
        drafts = [
            make.position(
                actor=make.state(f"State {i}", f"Y{chr(65 + i)}"),
                topic=topic,
                as_of=dt.date(2025, 1, 1),
                status=Status.DRAFT,
            )
            for i in range(3)
        ]
        changelist = reverse("admin:positions_position_changelist")
        selected = {"action": "publish", "_selected_action": [p.pk for p in drafts]}
        editor, _ = people["editor"]
        admin_client(client, editor).post(changelist, selected)
        assert set(Position.objects.values_list("status", flat=True)) == {Status.DRAFT}
        senior, _ = people["senior editor"]
        admin_client(client, senior).post(changelist, selected)
        for position in drafts:
            position.refresh_from_db()
            assert position.status == Status.PUBLISHED
            assert position.history.count() == 2
            assert position.history.first().history_user == senior

    def test_senior_editor_deletes_only_what_nothing_rests_on(self, people, draft, make, client):
        senior, _ = people["senior editor"]
        client = admin_client(client, senior)
        unused = make.state("Atlantis", "AT")
        delete = reverse("admin:actors_actor_delete", args=[unused.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 302
        assert not Actor.objects.filter(pk=unused.pk).exists()
        protected = reverse("admin:actors_actor_delete", args=[draft.actor_id])
        response = client.post(protected, {"post": "yes"})
        assert response.status_code == 200  # the admin explains what depends on it
        assert Actor.objects.filter(pk=draft.actor_id).exists()


class TestAPI:
    def test_who_may_publish(self, people, draft):
        url = f"/api/v1/positions/{draft.pk}/"
        publish = {"status": "published"}
        assert people["analyst"][1].patch(url, publish, format="json").status_code == 403
        refused = people["editor"][1].patch(url, publish, format="json")
        assert refused.status_code == 403
        assert refused.json() == {
            "detail": "Only senior editors may publish or retract. Save it as a draft for review."
        }
        assert people["editor"][1].patch(url, {"summary": "ok"}, format="json").status_code == 200
        assert people["senior editor"][1].patch(url, publish, format="json").status_code == 200
        senior = people["senior editor"][1]
        etag = senior.get(url)["ETag"]
        back = senior.patch(url, {"status": "draft"}, format="json", HTTP_IF_MATCH=etag)
        assert back.status_code == 400
        assert back.json() == {
            "status": [
                "A published position cannot go back to draft; retract it with a correction note."
            ]
        }
        draft.refresh_from_db()
        assert draft.status == Status.PUBLISHED

    def test_retracted_positions_leave_the_matrix_but_keep_their_note(self, people, make, client):
        state = make.state("Poland", "PL")
        topic = make.topic(slug="own-troops")
        position = make.position(actor=state, topic=topic, as_of=dt.date(2025, 2, 25))
        senior = people["senior editor"][1]
        url = f"/api/v1/positions/{position.pk}/"
        response = senior.patch(
            url,
            {"status": "retracted", "correction_note": "The words were Hungary's."},
            format="json",
            HTTP_IF_MATCH=senior.get(url)["ETag"],
        )
        assert response.status_code == 200
        assert response.json()["correction_note"] == "The words were Hungary's."
        matrix = APIClient().get("/api/v1/matrix/").json()
        assert matrix["rows"] == []
        cell = client.get(reverse("positions:cell", args=[state.slug, "own-troops"]))
        # (Written by the Jinja2 engine, which escapes ' as &#39;.)
        assert "The words were Hungary's." in html.unescape(cell.content.decode())
        assert "Retracted" in cell.content.decode()
