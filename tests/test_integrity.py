"""Trust under pressure: every write goes through the one service, which
locks the live row, checks the workflow on it and writes only what changed.
Concurrent edits, history reverts and editors' changes to the public record
never lose or bypass an editorial decision."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from positions.models import Position, Revision, Status
from tests.conftest import opened_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db, django_user_model):
    """An editor and a senior editor, from the real groups, each with an API
    token and an admin session."""
    call_command("setup_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    people = {}
    for group in ("editor", "senior editor"):
        user = django_user_model.objects.create_user(
            username=group.replace(" ", "-"), password="p" * 20, is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        people[group] = user
    return people


def api_for(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def published(make):
    return make.position(
        actor=make.state("Poland", "PL"),
        topic=make.topic(slug="own-troops"),
        as_of=dt.date(2025, 2, 25),
        summary="Rules out troops.",
    )


def revert_url(position, history_entry):
    return reverse(
        "admin:positions_position_simple_history", args=[position.pk, history_entry.history_id]
    )


def revert_form(client, position, history_entry) -> dict:
    return opened_form(client, revert_url(position, history_entry))


def retract(position, note="Misread: not Poland."):
    position.status, position.correction_note = Status.RETRACTED, note
    position.save()


class TestRevert:
    def test_reverting_to_an_earlier_version_works_and_is_recorded(self, staff, published, client):
        client.force_login(staff["senior editor"])
        first = published.history.earliest()
        published.summary = "A later reading."
        published.save()
        response = client.post(revert_url(published, first), revert_form(client, published, first))
        assert response.status_code == 302
        published.refresh_from_db()
        assert published.summary == "Rules out troops."
        assert [h.summary for h in published.history.order_by("history_date")] == [
            "Rules out troops.",
            "A later reading.",
            "Rules out troops.",
        ]
        assert published.history.latest().history_user == staff["senior editor"]

    def test_a_revert_without_its_version_is_refused(self, staff, published, client):
        client.force_login(staff["senior editor"])
        first = published.history.earliest()
        published.summary = "A later reading."
        published.save()
        form = revert_form(client, published, first) | {"opened_version": ""}
        response = client.post(revert_url(published, first), form)
        assert response.status_code == 200
        assert "does not say which version of the position it was opened at" in str(
            response.context["adminform"].form.errors
        )
        published.refresh_from_db()
        assert published.summary == "A later reading."

    def test_a_revert_opened_before_another_save_is_refused(self, staff, published, client):
        client.force_login(staff["senior editor"])
        first = published.history.earliest()
        published.summary = "A later reading."
        published.save()
        form = revert_form(client, published, first)
        published.summary = "Meanwhile."
        published.save()
        response = client.post(revert_url(published, first), form)
        assert "Someone else saved this position" in str(response.context["adminform"].form.errors)
        published.refresh_from_db()
        assert published.summary == "Meanwhile."

    def test_reverting_a_retraction_follows_the_workflow(self, staff, published, client):
        before_retraction = published.history.earliest()
        retract(published)
        # An editor may not publish, so may not undo a retraction.
        client.force_login(staff["editor"])
        form = revert_form(client, published, before_retraction)
        response = client.post(revert_url(published, before_retraction), form)
        assert response.context["adminform"].form.errors["status"] == [
            "Only senior editors may publish or retract. Save it as a draft for review."
        ]
        # A senior editor may, as a new publication with a public note.
        client.force_login(staff["senior editor"])
        form = revert_form(client, published, before_retraction)
        response = client.post(revert_url(published, before_retraction), form)
        assert response.context["adminform"].form.errors["correction_note"] == [
            "Reinstating a retracted position is a new publication: replace the correction "
            "note with a public note saying why the retraction was wrong."
        ]
        published.refresh_from_db()
        assert published.status == Status.RETRACTED
        note = "Reinstated: the retraction confused two reports."
        response = client.post(
            revert_url(published, before_retraction), form | {"correction_note": note}
        )
        assert response.status_code == 302
        published.refresh_from_db()
        assert (published.status, published.correction_note) == (Status.PUBLISHED, note)

    def test_reverting_a_published_position_to_its_draft_is_refused(self, staff, make, client):
        position = make.position(
            actor=make.state("Poland", "PL"),
            topic=make.topic(),
            as_of=dt.date(2025, 2, 25),
            status=Status.DRAFT,
        )
        draft_version = position.history.earliest()
        position.status = Status.PUBLISHED
        position.save()
        client.force_login(staff["senior editor"])
        form = revert_form(client, position, draft_version)
        response = client.post(revert_url(position, draft_version), form)
        assert "cannot go back to draft" in str(response.context["adminform"].form.errors)
        position.refresh_from_db()
        assert position.status == Status.PUBLISHED


class TestEditorsChangeThePublicRecordThroughReview:
    def test_api_change_is_held_until_a_senior_editor_publishes_it(self, staff, published, client):
        editor = api_for(staff["editor"])
        url = f"/api/v1/positions/{published.pk}/"
        response = editor.patch(
            url, {"stance": "hostile"}, format="json", HTTP_IF_MATCH=editor.get(url)["ETag"]
        )
        assert response.status_code == 202
        revision = Revision.objects.get()
        assert response.json() == {
            "id": revision.pk,
            "position": published.pk,
            "state": "pending",
            "changes": {"stance": {"before": "supports", "after": "hostile"}},
            "conditions": None,
            "proposed_by": "editor",
            "proposed_at": response.json()["proposed_at"],
        }
        # The public record is unchanged.
        assert APIClient().get(url).json()["stance"] == "supports"
        published.refresh_from_db()
        assert published.stance == "supports"

        client.force_login(staff["senior editor"])
        change = reverse("admin:positions_revision_change", args=[revision.pk])
        page = client.get(change)
        assert page.status_code == 200
        assert "hostile" in page.content.decode()
        response = client.post(change, {"decision": "publish", "review_note": ""})
        assert response.status_code == 302
        published.refresh_from_db()
        assert published.stance == "hostile"
        revision.refresh_from_db()
        assert (revision.state, revision.reviewed_by) == ("published", staff["senior editor"])
        latest = published.history.latest()
        assert (latest.stance, latest.history_user) == ("hostile", staff["senior editor"])
        assert latest.history_change_reason == f"Revision {revision.pk} by editor"

    def test_admin_change_is_held_and_the_editor_is_told(self, staff, published, client):
        from tests.test_workflow import position_form

        client.force_login(staff["editor"])
        url = reverse("admin:positions_position_change", args=[published.pk])
        response = client.post(
            url, position_form(published, summary="Editor's reading."), follow=True
        )
        revision = Revision.objects.get()
        assert [str(m) for m in response.context["messages"]] == [
            "Your change to this published position awaits a senior editor's review "
            f"(revision {revision.pk}); the public record is unchanged until then.",
        ]
        published.refresh_from_db()
        assert published.summary == "Rules out troops."
        assert revision.changes == {
            "summary": {"before": "Rules out troops.", "after": "Editor's reading."}
        }

    def test_a_return_needs_a_note_and_changes_nothing(self, staff, published, client):
        revision = Revision.objects.create(
            position=published,
            changes={"summary": {"before": "Rules out troops.", "after": "x"}},
            proposed_by=staff["editor"],
        )
        client.force_login(staff["senior editor"])
        change = reverse("admin:positions_revision_change", args=[revision.pk])
        response = client.post(change, {"decision": "return", "review_note": ""})
        assert response.status_code == 200
        assert "Say why the revision goes back to its editor." in str(
            response.context["adminform"].form.errors
        )
        response = client.post(change, {"decision": "return", "review_note": "Source?"})
        assert response.status_code == 302
        revision.refresh_from_db()
        published.refresh_from_db()
        assert (revision.state, revision.review_note) == ("returned", "Source?")
        assert published.summary == "Rules out troops."
        # Decided, it cannot be decided again.
        assert client.post(change, {"decision": "publish"}).status_code == 403

    def test_a_revision_overtaken_by_another_change_is_not_published(
        self, staff, published, client
    ):
        revision = Revision.objects.create(
            position=published,
            changes={"summary": {"before": "Rules out troops.", "after": "x"}},
            proposed_by=staff["editor"],
        )
        published.summary = "Changed meanwhile."
        published.save()
        client.force_login(staff["senior editor"])
        change = reverse("admin:positions_revision_change", args=[revision.pk])
        response = client.post(change, {"decision": "publish", "review_note": ""})
        assert response.status_code == 200
        assert (
            "The position changed since this revision was proposed (summary): return it to "
            "its editor to redo on the current version."
        ) in str(response.context["adminform"].form.errors)
        published.refresh_from_db()
        assert published.summary == "Changed meanwhile."

    def test_editors_still_edit_drafts_directly(self, staff, make):
        draft = make.position(
            actor=make.state("Poland", "PL"),
            topic=make.topic(),
            as_of=dt.date(2025, 2, 25),
            status=Status.DRAFT,
        )
        response = api_for(staff["editor"]).patch(
            f"/api/v1/positions/{draft.pk}/", {"summary": "Checked."}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["summary"] == "Checked."
        assert not Revision.objects.exists()


def test_a_change_writes_only_the_fields_it_names(staff, published):
    """The lost update the probes found: each PATCH wrote every column of a
    copy read before the lock. Now a change made after the copy was read
    survives a PATCH of another field."""
    senior = api_for(staff["senior editor"])
    url = f"/api/v1/positions/{published.pk}/"
    etag = senior.get(url)["ETag"]
    # Another writer retracts after our read ...
    Position.objects.filter(pk=published.pk).update(
        status=Status.RETRACTED, correction_note="Misread: not Poland.", updated_at=timezone.now()
    )
    # ... and our stale ETag is refused rather than undoing it.
    stale = senior.patch(url, {"summary": "typo fix"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    published.refresh_from_db()
    assert (published.status, published.summary) == (Status.RETRACTED, "Rules out troops.")
    fresh = senior.patch(
        url, {"summary": "typo fix"}, format="json", HTTP_IF_MATCH=senior.get(url)["ETag"]
    )
    assert fresh.status_code == 200
    published.refresh_from_db()
    assert (published.status, published.correction_note, published.summary) == (
        Status.RETRACTED,
        "Misread: not Poland.",
        "typo fix",
    )


ROUNDS = 20


def _race(*requests):
    """Run the requests at the same moment, each on its own thread (and so
    its own database connection); their responses, in order."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(n, request):
        try:
            barrier.wait()
            results[n] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_conflicting_updates_lose_nothing(make, staff):
    """20 rounds each of retract-vs-edit and publish-vs-edit, sent at the same
    moment: each round ends with both changes applied (or the editor's held
    for review), or one refused with 412/428; never one silently lost."""
    senior, editor = api_for(staff["senior editor"]), api_for(staff["editor"])
    topic = make.topic()
    lost = []
    for n in range(ROUNDS):
        state = make.state(f"State {n}", f"Q{chr(65 + n)}")
        # Retract vs edit, each with the ETag it read.
        position = make.position(actor=state, topic=topic, as_of=dt.date(2025, 2, 25))
        url = f"/api/v1/positions/{position.pk}/"
        etag = senior.get(url)["ETag"]
        retraction, edit = _race(
            lambda url=url, etag=etag: senior.patch(
                url,
                {"status": "retracted", "correction_note": "Misread."},
                format="json",
                HTTP_IF_MATCH=etag,
            ),
            lambda url=url, etag=etag, n=n: editor.patch(
                url, {"summary": f"fix {n}"}, format="json", HTTP_IF_MATCH=etag
            ),
        )
        position.refresh_from_db()
        codes = (retraction.status_code, edit.status_code)
        retracted = position.status == Status.RETRACTED and position.correction_note == "Misread."
        held = Revision.objects.filter(
            position=position, changes__summary__after=f"fix {n}"
        ).exists()
        # The editor second: refused as stale. First: held for review (which
        # leaves the position and its ETag as they were), then the retraction.
        if not (
            (codes == (200, 412) and retracted and not held)
            or (codes == (200, 202) and retracted and held)
        ):
            lost.append(("retract/edit", n, codes, position.status, position.summary, held))

        # Publish vs edit of a draft, neither naming a version.
        draft = make.position(
            actor=state, topic=topic, as_of=dt.date(2025, 3, 1), status=Status.DRAFT
        )
        url = f"/api/v1/positions/{draft.pk}/"
        publish, edit = _race(
            lambda url=url: senior.patch(url, {"status": "published"}, format="json"),
            lambda url=url, n=n: editor.patch(url, {"summary": f"draft fix {n}"}, format="json"),
        )
        draft.refresh_from_db()
        codes = (publish.status_code, edit.status_code)
        published = draft.status == Status.PUBLISHED
        edited = draft.summary == f"draft fix {n}"
        # The editor came second and the draft was public by then: 428.
        if not (published and (edited and codes == (200, 200) or codes == (200, 428))):
            lost.append(("publish/edit", n, codes, draft.status, draft.summary))
    assert lost == []
