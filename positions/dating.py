"""How a stance's date is written: to the day it is known to, no finer.
Words dated only to a month count from the month's end (the seed's and the
desk's rule), so "31 Jul 2024" would claim a day nobody knows: they show as
"July 2024"."""

from __future__ import annotations

import datetime as dt

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FULL_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def short_date(day: dt.date) -> str:
    """``3 Mar 2025``, as the template filter ``date:"j M Y"`` writes it (a
    page writes hundreds: strftime was a tenth of a matrix cell's time)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day: dt.date) -> str:
    """``3 March 2025``, as the template filter ``date:"j F Y"`` writes it."""
    return f"{day.day} {FULL_MONTHS[day.month - 1]} {day.year}"


def stance_date(as_of: dt.date, said_on: dt.date | None, precision: str, *, full=False) -> str:
    """The stance's date as precise as its words: "July 2024" for a quote
    dated to July 2024 whose stance counts from its end, "2024" for one dated
    to the year; otherwise the day ("3 Mar 2025", or "3 March 2025" in full)."""
    if said_on is not None and said_on.year == as_of.year:
        if precision == "year":
            return str(as_of.year)
        if precision == "month" and said_on.month == as_of.month:
            return f"{FULL_MONTHS[as_of.month - 1]} {as_of.year}"
    return long_date(as_of) if full else short_date(as_of)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [31, 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]  # fmt: skip
    return dt.date(year, month, min(day.day, last))


def stale_before(on: dt.date) -> dt.date:
    """Statements before this day are stale on ``on`` (``STALE_AFTER_MONTHS``)."""
    from django.conf import settings

    return months_before(on, settings.STALE_AFTER_MONTHS)


def is_stale(as_of: dt.date, on: dt.date) -> bool:
    """Older than the configured age (``STALE_AFTER_MONTHS``) on the date shown."""
    return as_of < stale_before(on)
