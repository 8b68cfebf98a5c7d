"""What anonymous readers may see of quotes and sources. A draft position
is the editors' work in progress, and so are the quote and the source it
rests on: a quote that only drafts rest on stays private (its words, its
source's stored text) until a position on it is published. A quote with no
position at all, and a retracted position's quote, are part of the public
record.

A quote's visibility and a source's are stored (``Quote.is_public``,
``Source.is_public``) and kept here on every write that can change them:
they turn on every quote's positions, and the lists count the visible
ones. As with ``cells``, the receivers below are the one place that
listens (admin, API, desk, history revert); the tests compare the flags
after edits through each path with the definitions, and bulk loads call
:func:`refresh_all`. The same writes keep the quote list's counts
(``QuoteTally``): each moves them by what it inserted, deleted or flipped.
"""

from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from config.routers import reading
from sources.models import Quote, QuoteTally, Source

from .models import Position, Status


def can_see_drafts(user) -> bool:
    return user.has_perm("positions.view_position")


def public_quotes(quotes: QuerySet) -> QuerySet:
    return quotes.filter(is_public=True)


def quote_visible() -> Q:
    """The definition: a quote no position rests on, or one a position other
    than a draft rests on."""
    resting = Position.objects.filter(quote=OuterRef("pk"))
    return ~Exists(resting) | Exists(resting.exclude(status=Status.DRAFT))


def visible() -> Q:
    """The definition: a source without quotes, or with a public quote."""
    quotes = Quote.objects.filter(source=OuterRef("pk"))
    return ~Exists(quotes) | Exists(quotes.filter(quote_visible()))


def public_sources(sources: QuerySet) -> QuerySet:
    return sources.filter(is_public=True)


def refresh(source_ids: Iterable[int | None], quote_ids: Iterable[int | None] = ()) -> None:
    """Store the visibility of these quotes, then of these sources, as the
    definitions give it."""
    quotes = set(quote_ids) - {None}
    if quotes:
        _count(public=_store(Quote.objects.filter(pk__in=quotes), quote_visible()))
    ids = set(source_ids) - {None}
    if ids:
        _store(Source.objects.filter(pk__in=ids), visible())


def refresh_all() -> None:
    """Every quote's and source's, after a bulk load."""
    _store(Quote.objects.all(), quote_visible())
    _store(Source.objects.all(), visible())
    recount()


def _store(rows: QuerySet, definition: Q) -> int:
    """Store the flags of ``rows`` that differ from ``definition``; how many
    more rows are public than before."""
    # Only the flags that change are written: rewriting every row of a
    # large table leaves as many dead rows behind.
    hidden = rows.filter(is_public=True).exclude(definition).update(is_public=False)
    return rows.filter(definition, is_public=False).update(is_public=True) - hidden


def quote_counts() -> tuple[int, int] | None:
    """(quotes, public quotes) as kept, or None before they are counted."""
    return QuoteTally.objects.using(reading().alias).values_list("quotes", "public").first()


def recount() -> None:
    """Count the quotes afresh (after a bulk load or a raw delete)."""
    counts = {
        "quotes": Quote.objects.count(),
        "public": Quote.objects.filter(is_public=True).count(),
    }
    QuoteTally.objects.update_or_create(pk=1, defaults=counts)


def _count(*, quotes: int = 0, public: int = 0) -> None:
    # Every write holds the record's version row until it commits, so the
    # counts move one writer at a time.
    if quotes or public:
        moved = {"quotes": F("quotes") + quotes, "public": F("public") + public}
        if not QuoteTally.objects.filter(pk=1).update(**moved):
            recount()  # none kept yet (a database emptied by a test): count it all


# The receivers. ``raw`` saves come from loaddata (import_data refreshes
# every source afterwards).


def _source_of(quote_id: int | None) -> int | None:
    if quote_id is None:
        return None
    return Quote.objects.filter(pk=quote_id).values_list("source_id", flat=True).first()


def _remember(column: str):
    """A pre_save receiver keeping the row's ``column`` as it was, to refresh
    the source the instance leaves as well as the one it joins."""

    def remember(sender, instance, raw=False, **kwargs):
        if not raw and instance.pk is not None:
            before = sender.objects.filter(pk=instance.pk).values_list(column, flat=True)
            instance._visibility_before = before.first()

    return remember


def _position_written(sender, instance, raw=False, **kwargs):
    if not raw:
        before = getattr(instance, "_visibility_before", None)
        quotes = {instance.quote_id, before}
        refresh({_source_of(pk) for pk in quotes}, quotes)


def _quote_before(sender, instance, raw=False, **kwargs):
    # The source it leaves, and the flag it had, which the save writes over.
    if not raw and instance.pk is not None:
        before = sender.objects.filter(pk=instance.pk).values_list("source_id", "is_public")
        instance._visibility_before, instance._public_before = before.first() or (None, None)


def _quote_written(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        _count(quotes=1, public=int(instance.is_public))
    elif update_fields is None or "is_public" in update_fields:
        before = getattr(instance, "_public_before", None)
        if before is not None:
            _count(public=int(instance.is_public) - int(before))
    # Its own flag too: a save writes back the one the instance was read with.
    sources = {instance.source_id, getattr(instance, "_visibility_before", None)}
    refresh(sources, {instance.pk})


def _quote_deleted(sender, instance, **kwargs):
    before = getattr(instance, "_public_before", None)
    _count(quotes=-1, public=-int(bool(before)))
    refresh({instance.source_id, getattr(instance, "_visibility_before", None)})


def _source_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh({instance.pk})


def connect() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    # weak=False: the remembering receivers are made here, and nothing else
    # holds them.
    pre_save.connect(
        _remember("quote_id"), sender=Position, weak=False, dispatch_uid="visibility-position-pre"
    )
    post_save.connect(_position_written, sender=Position, dispatch_uid="visibility-position")
    post_delete.connect(_position_written, sender=Position, dispatch_uid="visibility-position-del")
    pre_save.connect(_quote_before, sender=Quote, dispatch_uid="visibility-quote-pre")
    pre_delete.connect(_quote_before, sender=Quote, dispatch_uid="visibility-quote-pre-delete")
    post_save.connect(_quote_written, sender=Quote, dispatch_uid="visibility-quote")
    post_delete.connect(_quote_deleted, sender=Quote, dispatch_uid="visibility-quote-delete")
    post_save.connect(_source_saved, sender=Source, dispatch_uid="visibility-source")
