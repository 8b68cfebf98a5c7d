"""Pages of long lists, shared by every app's pages and the API: which rows
a page holds, how many pages there are, the pager's links, and per-row
counts for list pages. Knows no model of the project."""

from __future__ import annotations

from django.db.models import Count, Subquery, Window
from django.db.models.functions import Coalesce


class PageOutOfRange(ValueError):
    pass


def page_count(total: int, per_page: int | None) -> int:
    return max(1, -(-total // per_page)) if per_page else 1


def past_the_end(page: int, total: int, what: str, noun: str) -> PageOutOfRange:
    return PageOutOfRange(f"There is no page {page}: the {what} has {total} {noun}.")


def page_of(rows, *, page: int, per_page: int, what: str, noun: str = "rows") -> tuple[list, int]:
    """Rows ``page`` of ``rows`` (``per_page`` to a page) and how many rows
    there are in all; a page past the last raises PageOutOfRange. One query,
    the total counted beside the rows (a second only for an empty page)."""
    found = list(
        rows.annotate(total_rows=Window(Count("pk")))[(page - 1) * per_page : page * per_page]
    )
    total = found[0].total_rows if found else rows.count() if page > 1 else 0
    if page > 1 and not found:
        raise past_the_end(page, total, what, noun)
    return found, total


def _start_of(page: int, per_page: int, total: int, what: str, noun: str) -> int:
    """Where page ``page`` of ``total`` rows starts; past the last, PageOutOfRange."""
    start = (page - 1) * per_page
    if page > 1 and start >= total:
        raise past_the_end(page, total, what, noun)
    return start


def slice_of(items: list, *, page: int, per_page: int, what: str, noun: str) -> list:
    """Page ``page`` of a list already in hand, as :func:`page_of` pages a
    query."""
    start = _start_of(page, per_page, len(items), what, noun)
    return items[start : start + per_page]


def ids_of_page(
    rows, *, page: int, per_page: int, what: str, noun: str, total: int | None = None
) -> tuple[list, int]:
    """The ids of rows ``page`` of ``rows`` and how many rows there are in
    all (``total``, when the caller knows), as :func:`page_of`: for rows with
    costly columns (counts), which are then worked out for the page's rows
    only. (Counted beside the rows, they were worked out for every row up to
    the page.) Two queries, one with ``total``."""
    if total is None:
        total = rows.count()
    start = _start_of(page, per_page, total, what, noun)
    return list(rows.values_list("pk", flat=True)[start : start + per_page]), total


def count_per_row(rows, by: str) -> Coalesce:
    """How many of ``rows`` (filtered on an ``OuterRef`` by the caller) there
    are for each outer row, grouped by their field ``by``; 0 for none. For
    the rows of a page, one at a time: two joined counts multiply each
    other's rows. COUNT(*), not of the key, so that an index answers it
    alone (counting the key read every row from the table)."""
    counted = rows.order_by().values(by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted), 0)


def pager(*, page: int, per_page: int, total: int, count: int) -> dict:
    """What ``templates/_pager.html`` shows under page ``page`` of a list of
    ``total``, ``count`` of them on this page."""
    first = (page - 1) * per_page + 1
    return {
        "page": page,
        "pages": page_count(total, per_page),
        "total": total,
        "shown": (first, first + count - 1),
    }
