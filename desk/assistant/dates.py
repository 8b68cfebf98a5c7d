"""When words were said, from the text and the publication date: "on
Tuesday", "February 24", "last month", "in March", "yesterday". A date the
text does not give stays unknown; nothing is guessed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .language import MONTHS, WEEKDAYS

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_RELATIVE = (
    "yesterday|today|earlier today|this week|last week|last month|earlier this month|"
    "this month|last year|a year ago|earlier this year"
)
_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR})?", re.I)),
    ("dmy", re.compile(rf"\b{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?\b", re.I)),
    (
        "month",
        re.compile(rf"\b(?:in|since|early|late|mid-?|until)\s+{_MONTH}(?:\s+{_YEAR})?\b", re.I),
    ),
    ("month_year", re.compile(rf"\b{_MONTH}\s+{_YEAR}\b", re.I)),
    ("weekday", re.compile(rf"\b(?:on\s+|last\s+)?(?P<weekday>{'|'.join(WEEKDAYS)})\b", re.I)),
    ("relative", re.compile(rf"\b(?P<rel>{_RELATIVE})\b", re.I)),
]


@dataclass(frozen=True)
class SaidDate:
    on: dt.date
    precision: str  # day | month | year
    start: int  # where the expression is in the text searched
    end: int


def _month_on_or_before(month: int, published: dt.date) -> int:
    return published.year if month <= published.month else published.year - 1


def _resolve(kind: str, match: re.Match, published: dt.date | None) -> tuple[dt.date, str] | None:
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    try:
        if kind == "iso":
            return dt.date(year, int(groups["m"]), int(groups["day"])), "day"
        if kind in ("mdy", "dmy"):
            month = MONTHS[groups["month"].casefold()]
            day = int(groups["day"])
            if year is None:
                if published is None:
                    return None
                year = published.year
                if (month, day) > (published.month, published.day):
                    year -= 1
            return dt.date(year, month, day), "day"
        if kind in ("month", "month_year"):
            month = MONTHS[groups["month"].casefold()]
            if year is None:
                if published is None:
                    return None
                year = _month_on_or_before(month, published)
            return dt.date(year, month, 1), "month"
    except ValueError:  # 31 February
        return None
    if published is None:
        return None
    if kind == "weekday":
        wanted = WEEKDAYS.index(groups["weekday"].casefold())
        back = (published.weekday() - wanted) % 7
        return published - dt.timedelta(days=back), "day"
    rel = groups["rel"].casefold()
    if rel in ("today", "earlier today"):
        return published, "day"
    if rel == "yesterday":
        return published - dt.timedelta(days=1), "day"
    if rel in ("this week",):
        monday = published - dt.timedelta(days=published.weekday())
        return (monday.replace(day=1), "month") if monday.month == published.month else None
    if rel == "last week":
        monday = published - dt.timedelta(days=published.weekday() + 7)
        sunday = monday + dt.timedelta(days=6)
        return (monday.replace(day=1), "month") if monday.month == sunday.month else None
    if rel in ("this month", "earlier this month"):
        return published.replace(day=1), "month"
    if rel == "last month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return first.replace(day=1), "month"
    if rel == "earlier this year":
        return dt.date(published.year, 1, 1), "year"
    if rel in ("last year", "a year ago"):
        return dt.date(published.year - 1, 1, 1), "year"
    return None


def find_dates(text: str, published: dt.date | None) -> list[SaidDate]:
    """Every date expression in ``text`` that resolves, in order; where two
    overlap the longer one wins ("February 24, 2025" over "February 24")."""
    found = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            may = kind == "month" and match.group("month").casefold() == "may"
            if may and not match.group("year"):
                continue  # "in may" is mostly the verb
            resolved = _resolve(kind, match, published)
            if resolved and (published is None or resolved[0] <= published):
                found.append(SaidDate(*resolved, match.start(), match.end()))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    kept: list[SaidDate] = []
    for date in found:
        if kept and date.start < kept[-1].end:
            continue
        kept.append(date)
    return kept
