"""Which quotes and sources a reader may see is stored (Quote.is_public,
Source.is_public) and kept by positions.visibility: after every kind of
write it must equal what the definitions give, and the pages and the API
follow it."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from positions import visibility
from positions.models import Position, Status
from sources.models import Quote, Source


def flags(model=Source) -> dict[int, bool]:
    return dict(model.objects.values_list("pk", "is_public"))


def defined(model=Source) -> dict[int, bool]:
    definition = visibility.visible() if model is Source else visibility.quote_visible()
    public = set(model.objects.filter(definition).values_list("pk", flat=True))
    return {pk: pk in public for pk in model.objects.values_list("pk", flat=True)}


def counted() -> tuple[int, int]:
    return Quote.objects.count(), Quote.objects.filter(is_public=True).count()


def as_defined() -> bool:
    """The flags are as defined, and the quote list's kept counts are theirs."""
    kept = visibility.quote_counts()
    return flags() == defined() and flags(Quote) == defined(Quote) and kept == counted()


@pytest.fixture
def world(db, make):
    return {"state": make.state("Testland", "TL"), "topic": make.topic()}


def draft_on(make, world, quote, **kwargs):
    return make.position(
        actor=world["state"],
        topic=world["topic"],
        as_of=dt.date(2025, 3, 1),
        quote=quote,
        status=Status.DRAFT,
        **kwargs,
    )


def test_the_flags_follow_every_write(make, world, client):
    scoop = make.source(title="Unpublished scoop")
    assert as_defined() and flags() == {scoop.pk: True}  # no quotes yet
    words = make.quote(source=scoop)
    assert flags()[scoop.pk] is True  # a quote no position rests on is public
    draft = draft_on(make, world, words)
    assert as_defined() and flags()[scoop.pk] is False and flags(Quote)[words.pk] is False
    assert "Unpublished scoop" not in client.get(reverse("sources:list")).content.decode()

    # Another quote, with no position, opens the source; taking it away closes it.
    other = make.quote(source=scoop)
    assert flags()[scoop.pk] is True
    other.delete()
    assert as_defined() and flags()[scoop.pk] is False

    # Words moved to another source: the first has none private left.
    elsewhere = make.source(title="Another outlet")
    words.source = elsewhere
    words.save()
    assert as_defined()
    assert (flags()[scoop.pk], flags()[elsewhere.pk]) == (True, False)

    # The draft moved to a quote of its own: the other source opens.
    kept = make.quote(source=scoop)
    draft.quote = kept
    draft.save()
    assert as_defined()
    assert (flags()[scoop.pk], flags()[elsewhere.pk]) == (False, True)
    assert (flags(Quote)[kept.pk], flags(Quote)[words.pk]) == (False, True)

    # Published, it opens its source; a deleted draft leaves nothing private.
    draft.status = Status.PUBLISHED
    draft.save()
    assert as_defined() and flags()[scoop.pk] is True
    second = draft_on(make, world, make.quote(source=make.source(title="Third")))
    assert as_defined()
    second.delete()
    assert as_defined() and all(flags().values())


def test_a_new_draft_through_the_api_closes_its_source(make, world, editor):
    editor_api = APIClient()
    editor_api.force_authenticate(editor)
    source = make.source(title="Wire copy")
    quote = make.quote(source=source)
    response = editor_api.post(
        "/api/v1/positions/",
        {
            "actor": world["state"].slug,
            "topic": world["topic"].slug,
            "quote": quote.pk,
            "stance": "supports",
            "as_of": "2025-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Position.objects.get().status == Status.DRAFT
    assert as_defined() and flags()[source.pk] is False
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/sources/{source.pk}/").status_code == 404
    assert anonymous.get("/api/v1/sources/").json()["count"] == 0
    assert anonymous.get(f"/api/v1/quotes/{quote.pk}/").status_code == 404
    assert anonymous.get("/api/v1/quotes/").json()["count"] == 0
    assert editor_api.get("/api/v1/quotes/").json()["count"] == 1


def test_reverted_sources_and_quotes_keep_their_flags(make, world):
    """The flags are not part of the history: reverting an edit to a source
    or a quote does not bring back the flag it had then."""
    source = make.source(title="First title")
    words = make.quote(source=source, text="First words")
    draft = draft_on(make, world, words)
    for edited, field, value in ((source, "title", "Second title"), (words, "text", "Later words")):
        edited.refresh_from_db()
        setattr(edited, field, value)
        edited.save()
    draft.status = Status.PUBLISHED
    draft.save()
    source.history.earliest().instance.save()
    words.history.earliest().instance.save()
    source.refresh_from_db()
    words.refresh_from_db()
    assert (source.title, source.is_public) == ("First title", True)
    assert (words.text, words.is_public) == ("First words", True)
    assert as_defined()

    # And back to a draft: the revert of a quote written while it was public
    # leaves it private.
    draft.status = Status.DRAFT
    draft.save()
    words.history.earliest().instance.save()
    assert as_defined() and flags(Quote)[words.pk] is False


def test_a_bulk_load_is_worked_out_whole(make, world):
    draft_on(make, world, make.quote(source=make.source()))
    make.quote(source=make.source())
    Source.objects.update(is_public=True)  # as a bulk insert would leave them
    Quote.objects.update(is_public=True)
    assert flags() != defined() and flags(Quote) != defined(Quote)
    visibility.refresh_all()
    assert as_defined() and sorted(flags().values()) == [False, True]
    assert sorted(flags(Quote).values()) == [False, True]


def test_the_admin_says_why_a_source_is_hidden(make, world, editor_client):
    source = make.source(title="Unpublished scoop")
    draft = draft_on(make, world, make.quote(source=source))
    url = reverse("admin:sources_source_change", args=[source.pk])
    page = editor_client.get(url).content.decode()
    assert "Seen by readers" in page and "only drafts rest on its quotes" in page
    draft.status = Status.PUBLISHED
    draft.save()
    page = editor_client.get(url).content.decode()
    assert "only drafts rest on its quotes" not in page


def test_the_quote_lists_counts_are_kept_not_counted(make, world, editor):
    """The unfiltered list's count is the kept one, read without counting the
    quotes; a filtered list is counted. Both follow every write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = make.source(title="Wire copy")
    public, private = make.quote(source=source), make.quote(source=source)
    draft_on(make, world, private)
    stale = Quote.objects.get(pk=private.pk)
    stale.is_public = True  # an instance read before its draft: a save writes it back
    stale.save(update_fields=["text", "is_public"])
    assert as_defined()
    editor_api, anonymous = APIClient(), APIClient()
    editor_api.force_authenticate(editor)
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get("/api/v1/quotes/").json()["count"] == 1
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert editor_api.get("/api/v1/quotes/").json()["count"] == 2
    assert anonymous.get(f"/api/v1/quotes/?source={source.pk}").json()["count"] == 1
    public.delete()
    assert as_defined()
    assert anonymous.get("/api/v1/quotes/").json()["count"] == 0
    assert editor_api.get("/api/v1/quotes/?page_size=10").json()["count"] == 1
