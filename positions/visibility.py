"""What anonymous readers may see of quotes and sources. A draft position
is the editors' work in progress, and so are the quote and the source it
rests on: a quote that only drafts rest on stays private (its words, its
source's stored text) until a position on it is published. A quote with no
position at all, and a retracted position's quote, are part of the public
record."""

from django.db.models import Exists, OuterRef, QuerySet

from sources.models import Quote

from .models import Position, Status


def can_see_drafts(user) -> bool:
    return user.has_perm("positions.view_position")


def public_quotes(quotes: QuerySet) -> QuerySet:
    resting = Position.objects.filter(quote=OuterRef("pk"))
    return quotes.filter(~Exists(resting) | Exists(resting.exclude(status=Status.DRAFT)))


def public_sources(sources: QuerySet) -> QuerySet:
    quotes = Quote.objects.filter(source=OuterRef("pk"))
    return sources.filter(~Exists(quotes) | Exists(public_quotes(quotes)))
