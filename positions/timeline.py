"""Geometry of the server-rendered SVG timeline: lanes of stance spans between
dated statements, a marker per statement, month ticks. Attributes only, no
inline styles, so the strict Content-Security-Policy holds and the chart
reads without JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.template import engines

from config.paging import pager, slice_of
from sources.text import quoted

from .dating import short_date, stance_date
from .history import HistoryEntry, with_words
from .models import Stance
from .rule import Statement, with_evidence
from .shown import STANCE_LABELS

LABEL_WIDTH = 190
PLOT_WIDTH = 790
RIGHT_MARGIN = 20
AXIS_HEIGHT = 34
LANE_HEIGHT = 30
BAR_HEIGHT = 16
# A span is labelled inside its bar only when the words fit, after the
# marker at its start (a label's width at 12 px, bold, reckoned per letter).
LABEL_MIN_WIDTH = 80
LABEL_INSET = 11
LABEL_LETTER_WIDTH = 7.5
# Statements whose markers would overlap share one: marks are drawn at least
# this far apart (a numbered mark is 18 px wide). At the record's densest a
# lane has a statement every few days, and a stack of markers can be neither
# read, pointed at nor tabbed through.
MARKER_SPACING = 18
SHORT_LABELS = {
    Stance.SUPPORTS: "Supports",
    Stance.CONDITIONAL: "Conditional",
    Stance.UNDECIDED: "Undecided",
    Stance.OPPOSES: "Opposes",
    Stance.HOSTILE: "Hostile",
}


def first_words(text: str, count: int) -> str:
    """The first ``count`` words, then " …" if there were more: what
    Truncator(text).words(count, truncate=" …") writes, at a fraction of its
    cost (a timeline writes one per marker)."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    return " ".join(words[:count]) + " …"


def _when(position) -> str:
    quote = position.quote
    return stance_date(
        position.as_of,
        getattr(quote, "said_on", None),
        getattr(quote, "said_on_precision", "day"),
    )


class Span(NamedTuple):
    """A run of one stance on a lane, with the strings the SVG writes of it
    made once (:func:`_span`): a dense timeline draws hundreds, and the
    template read each as a property."""

    x: float
    width: float
    stance: str
    start: dt.date
    end: dt.date
    left: str  # x and width as the SVG writes them, one decimal
    breadth: str
    title: str  # the hover text
    label: str  # the words in its bar, "" where they do not fit
    dx: float = LABEL_INSET  # where its label starts, from its left end: clear of the markers


def _span(x: float, width: float, stance: str, start: dt.date, end: dt.date) -> Span:
    title = f"{STANCE_LABELS[stance]} from {short_date(start)}"
    label = SHORT_LABELS[stance] if width >= LABEL_MIN_WIDTH else ""
    return Span(x, width, stance, start, end, f"{x:.1f}", f"{width:.1f}", title, label)


class Marker(NamedTuple):
    """A mark on a lane, as the SVG writes it: one statement's, or, where
    their markers would overlap, several statements' (``count``), drawn as
    one numbered mark. Made once per marker in :func:`build` (a timeline has
    hundreds; properties the template read one by one were a fifth of its
    drawing)."""

    x: float
    statement: Statement  # the one drawn: of several, the newest that counts most
    is_claim: bool  # a claim's diamond (a group is a claim's only if all are claims)
    anchor: str
    href: str  # the statement's anchor when it is listed below, else its cell page
    title: str  # the hover text: when, who, the words and the stance
    cx: str  # coordinates as the SVG writes them, one decimal
    left: str  # a claim's diamond, a square turned about (cx, its lane's middle)
    top: str
    count: int = 1  # the statements it stands for

    @property
    def label(self) -> str:
        return str(self.count) if self.count < 100 else "99+"


def marker_title(statement: Statement) -> str:
    p = statement.position
    claim = f" (claim by {p.claimant.name})" if statement.is_claim else ""
    words = first_words(p.quote.text, 40)
    return f"{_when(p)}, {p.quote.speaker_name}{claim}: {quoted(words)} — {STANCE_LABELS[p.stance]}"


@dataclass
class Lane:
    label: str
    url: str
    entries: list[HistoryEntry]
    key: str
    y: float = 0
    spans: list[Span] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)

    @property
    def bar_y(self) -> float:
        return self.y + (LANE_HEIGHT - BAR_HEIGHT) / 2

    @property
    def bar_top(self) -> str:
        return f"{self.bar_y:.1f}"

    @property
    def middle(self) -> str:
        return f"{self.mid_y:.1f}"

    @property
    def mid_y(self) -> float:
        return self.y + LANE_HEIGHT / 2


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    lanes: list[Lane]
    start: dt.date
    end: dt.date
    ticks: list[Tick]
    width: int = LABEL_WIDTH + PLOT_WIDTH + RIGHT_MARGIN
    axis_height: int = AXIS_HEIGHT
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + LANE_HEIGHT * len(self.lanes) + 6

    @property
    def plot_right(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH

    @property
    def lanes_markup(self) -> str:
        """The lanes' SVG, rendered and escaped by the Jinja2 engine: a
        timeline has thousands of markers, and Django's engine took half the
        page's time for them (README, "Performance")."""
        template = engines["jinja2"].get_template("positions/_timeline_lanes.html")
        return template.render({"timeline": self})


def anchor_for(lane_key: str, statement: Statement) -> str:
    return f"statement-{lane_key}-{statement.position.pk}"


def build(lanes: list[Lane], *, until: dt.date, listed: set[str] | None = None) -> Timeline | None:
    """Lay out ``lanes`` (each with its history, oldest first) from a fortnight
    before the first statement to a fortnight after ``until`` or the last one.
    A marker links to its statement's anchor when ``listed`` has it (or is
    None), otherwise to the cell's page as of that day."""
    days = [entry.on for lane in lanes for entry in lane.entries]
    if not days:
        return None
    start = min(days) - dt.timedelta(days=14)
    end = max(max(days), until) + dt.timedelta(days=14)
    scale = PLOT_WIDTH / (end - start).days

    def x_of(day: dt.date) -> float:
        return round(LABEL_WIDTH + (day - start).days * scale, 1)

    runs = [_overlapping(lane.entries, x_of=x_of) for lane in lanes]
    # A marker's hover text quotes the one statement it draws: the words of
    # those alone, where the lanes were read without them (window_histories).
    drawn = (group[-1].made[0] for lane_runs in runs for group, _ in lane_runs)
    worded = with_words(s for s in drawn if s.position.quote is None)
    for index, (lane, lane_runs) in enumerate(zip(lanes, runs, strict=True)):
        lane.y = AXIS_HEIGHT + index * LANE_HEIGHT
        lane.spans = _spans(lane.entries, end=end, x_of=x_of)
        lane.markers = [_marker(lane, group, x, listed, worded) for group, x in lane_runs]
        lane.spans = [_clear_of(span, lane.markers) for span in lane.spans]
    return Timeline(lanes=lanes, start=start, end=end, ticks=_month_ticks(start, end, x_of))


def _overlapping(entries: list[HistoryEntry], *, x_of) -> list[tuple[list[HistoryEntry], float]]:
    """The dated entries with statements, in runs drawn as one marker each,
    with where it is drawn: at the middle of the run's dates. A date joins
    the run before it when its marker would come closer than
    ``MARKER_SPACING`` to that run's, so no two markers are drawn closer
    than that."""
    runs: list[list] = []  # [its entries, its first date's x, its middle]
    for entry in entries:
        if not entry.made:
            continue
        x = x_of(entry.on)
        if runs and x - runs[-1][2] < MARKER_SPACING:
            run = runs[-1]
            run[0].append(entry)
        else:
            run = [[entry], x, x]
            runs.append(run)
        run[2] = (run[1] + x) / 2
    return [(run_entries, middle) for run_entries, _, middle in runs]


def _marker(lane: Lane, group: list[HistoryEntry], x: float, listed, worded: dict) -> Marker:
    """One marker, at ``x``, for the statements of ``group`` (oldest date
    first). It links to the newest of them listed below, else to the cell's
    page as of the last date, which lists them all. ``worded``: the drawn
    statement with its words, where the lane has it without them."""
    made = [statement for entry in group for statement in entry.made]
    x = round(x, 1)
    cx, left, top = f"{x:.1f}", f"{round(x - 5, 1):.1f}", f"{round(lane.mid_y - 5, 1):.1f}"
    # Of a date's statements the first counts most; the newest date's is drawn.
    shown = group[-1].made[0]
    shown = worded.get(shown.row_id, shown)
    anchor = anchor_for(lane.key, shown)
    newest_first = (anchor_for(lane.key, s) for entry in reversed(group) for s in entry.made)
    linked = next((a for a in newest_first if listed is None or a in listed), None)
    href = f"#{linked}" if linked else f"{lane.url}?as_of={group[-1].on.isoformat()}"
    if len(made) == 1:
        return Marker(x, shown, shown.is_claim, anchor, href, marker_title(shown), cx, left, top)
    first, last = short_date(group[0].on), short_date(group[-1].on)
    when = f"from {first} to {last}" if first != last else f"on {last}"
    title = f"{len(made)} statements {when}; the latest: {marker_title(shown)}"
    claims = all(s.is_claim for s in made)
    return Marker(x, shown, claims, anchor, href, title, cx, left, top, len(made))


def _clear_of(span: Span, markers: list[Marker]) -> Span:
    """``span`` with its label moved right past the markers drawn over it
    (a numbered marker sits at the middle of its dates, often over the
    start of a span), or without a label where they leave it no room.
    ``markers`` run left to right."""
    if not span.label:
        return span
    width = len(span.label) * LABEL_LETTER_WIDTH
    start = first = span.x + LABEL_INSET
    for marker in markers:
        half = 9 if marker.count > 1 else 7  # its radius and ring
        if marker.x - half < start + width and marker.x + half > start - 2:
            start = marker.x + half + 3
    if start == first:
        return span
    if start + width > span.x + span.width:
        return span._replace(label="")
    return span._replace(dx=round(start - span.x, 1))


def _spans(entries: list[HistoryEntry], *, end: dt.date, x_of) -> list[Span]:
    # Consecutive entries with the same stance make one span; a period with
    # only a third-party claim has no stance of the actor's own, so no span.
    runs: list[tuple[str, dt.date, dt.date]] = []
    for index, entry in enumerate(entries):
        stance = entry.stance
        if stance is None:
            continue
        until = entries[index + 1].on if index + 1 < len(entries) else end
        if runs and runs[-1][0] == stance and runs[-1][2] == entry.on:
            runs[-1] = (stance, runs[-1][1], until)
        else:
            runs.append((stance, entry.on, until))
    return [
        _span(x_of(start), round(x_of(until) - x_of(start), 1), stance, start, until)
        for stance, start, until in runs
    ]


def _month_ticks(start: dt.date, end: dt.date, x_of) -> list[Tick]:
    months = (end.year - start.year) * 12 + end.month - start.month
    # Label every month on a short axis, every quarter on a longer one, and
    # only Januaries beyond four years, so labels never overlap.
    step = 1 if months <= 15 else 3 if months <= 48 else 12
    ticks = []
    day = dt.date(start.year, start.month, 1)
    while day <= end:
        if day >= start and (day.month - 1) % step == 0:
            label = f"{day:%b %Y}" if day.month == 1 or not ticks else f"{day:%b}"
            ticks.append(Tick(x_of(day), label))
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


# Dated entries listed under a timeline, a page at a time (the page shows the
# newest; older ones load on demand); its markers link to the rest's cells.
RECORD_LIMIT = 20


@dataclass(frozen=True)
class Record:
    """One page of the dated entries listed under a timeline, newest first:
    ``(entry, label, subject, [(statement, anchor), ...])`` each, their
    statements with their evidence; and where the page stands in the list
    (``config.paging.pager``'s figures)."""

    entries: list
    listed: frozenset[str]  # the anchors of its statements, for the markers' links
    page: int
    pages: int
    total: int  # dated entries in the window, on every page
    shown: tuple[int, int]  # the places of its first and last date in the list

    @property
    def has_older(self) -> bool:
        return self.page < self.pages

    @property
    def entries_markup(self) -> str:
        """The entries with their statements, rendered and escaped by the
        Jinja2 engine (a statement's markup is a Jinja2 fragment already)."""
        template = engines["jinja2"].get_template("positions/_record_entries.html")
        return template.render({"record": self})


def lanes_and_record(rows, *, record_page: int = 1) -> tuple[list[Lane], Record]:
    """Timeline lanes and page ``record_page`` of the dated entries below it
    (``RECORD_LIMIT`` to a page, newest first), their statements with their
    evidence (``rule.with_evidence``). ``rows`` is ``(key, label, subject, url,
    entries)`` per lane, from ``window_histories``. The lanes are drawn by
    :func:`build`, with ``listed`` from the record, where a page shows them.
    Raises PageOutOfRange past the record's last page."""
    lanes, record = [], []
    for key, label, subject, url, entries in rows:
        lanes.append(Lane(label=label, url=url, entries=entries, key=key))
        record.extend(
            (entry, label, subject, [(s, anchor_for(key, s)) for s in entry.made])
            for entry in entries
            if entry.made
        )
    record.sort(key=lambda item: (item[0].on, item[1]), reverse=True)
    shown = slice_of(
        record, page=record_page, per_page=RECORD_LIMIT, what="list of statements", noun="dates"
    )
    listed = frozenset(anchor for *_, made in shown for _, anchor in made)
    # The lanes draw plain values; the listed statements are shown whole.
    whole = with_evidence(s for *_, made in shown for s, _ in made)
    shown = [
        (entry, label, subject, [(whole[s.row_id], anchor) for s, anchor in made])
        for entry, label, subject, made in shown
    ]
    paged = pager(page=record_page, per_page=RECORD_LIMIT, total=len(record), count=len(shown))
    return lanes, Record(entries=shown, listed=listed, **paged)
