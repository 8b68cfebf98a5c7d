"""Histories, changes between dates and timeline geometry: all derived from
the one as-of rule, never a second implementation of it."""

import datetime as dt

import pytest

from positions import timeline
from positions.history import (
    changes_between,
    history_of,
    neighbouring_dates,
    window_histories,
)
from positions.models import Attribution, Response, Stance
from positions.rule import stances_as_of, statements_by_cell

pytestmark = pytest.mark.django_db

JAN = dt.date(2025, 1, 10)
FEB = dt.date(2025, 2, 10)
MAR = dt.date(2025, 3, 10)
APR = dt.date(2025, 4, 10)
MAY = dt.date(2025, 5, 10)


@pytest.fixture
def world(make):
    topic = make.topic(short_name="Own troops", slug="own-troops")
    russia = make.state("Russia", "RU")
    trump = make.official("Donald Trump")
    spokesman = make.official("Dmitry Peskov")
    make.office(spokesman, russia, title="Kremlin spokesman", rank=3)
    make.position(
        actor=russia,
        topic=topic,
        as_of=JAN,
        stance=Stance.SUPPORTS,
        attribution=Attribution.CLAIM,
        claimant=trump,
    )
    make.position(actor=spokesman, topic=topic, as_of=FEB, stance=Stance.OPPOSES)
    make.position(actor=russia, topic=topic, as_of=MAR, stance=Stance.OPPOSES)
    make.position(actor=spokesman, topic=topic, as_of=APR, stance=Stance.HOSTILE)
    return {"topic": topic, "russia": russia}


def test_history_replays_the_rule_at_every_date(world):
    russia, topic = world["russia"], world["topic"]
    found = statements_by_cell(on=dt.date(2030, 1, 1), subjects=[russia])[russia.pk, topic.pk]
    entries = history_of(found, subject_id=russia.pk, topic_id=topic.pk)
    assert [(e.on, e.stance, len(e.made)) for e in entries] == [
        (JAN, None, 1),
        (FEB, Stance.OPPOSES, 1),
        (MAR, Stance.OPPOSES, 1),
        (APR, Stance.HOSTILE, 1),
    ]
    # Each step is exactly what the rule says as of that date.
    for entry in entries:
        assert entry.stance == stances_as_of(on=entry.on)[russia.pk, topic.pk].stance


def test_changes_between_two_dates(world):
    russia, topic = world["russia"], world["topic"]
    assert changes_between(start=FEB, end=MAR) == []
    (change,) = changes_between(start=JAN, end=APR)
    assert (change.subject_id, change.topic_id) == (russia.pk, topic.pk)
    assert (change.before.stance, change.after.stance) == (None, Stance.HOSTILE)
    assert [s.position.as_of for s in change.moved_by] == [FEB, MAR, APR]
    (change,) = changes_between(start=MAR, end=APR, topics=[topic])
    assert [s.position.stance for s in change.moved_by] == [Stance.HOSTILE]


def test_neighbouring_dates(world, make):
    assert neighbouring_dates(on=FEB) == (JAN, MAR)
    assert neighbouring_dates(on=dt.date(2025, 2, 11)) == (FEB, MAR)
    assert neighbouring_dates(on=dt.date(2024, 1, 1)) == (None, JAN)
    assert neighbouring_dates(on=APR) == (MAR, None)
    assert neighbouring_dates(on=FEB, topics=[make.topic()]) == (None, None)


def test_timeline_spans_and_markers(world):
    russia, topic = world["russia"], world["topic"]
    found = statements_by_cell(on=dt.date(2030, 1, 1), subjects=[russia])[russia.pk, topic.pk]
    lane = timeline.Lane(
        "Russia",
        "/cells/russia/own-troops/",
        history_of(found, subject_id=russia.pk, topic_id=topic.pk),
        "russia",
    )
    chart = timeline.build([lane], until=dt.date(2025, 6, 30))
    assert chart.start == JAN - dt.timedelta(days=14)
    assert chart.end == dt.date(2025, 7, 14)
    # February and March agree, so they make one span; the claim makes none.
    assert [(s.stance, s.start, s.end) for s in lane.spans] == [
        (Stance.OPPOSES, FEB, APR),
        (Stance.HOSTILE, APR, chart.end),
    ]
    assert [m.is_claim for m in lane.markers] == [True, False, False, False]
    xs = [m.x for m in lane.markers]
    assert xs == sorted(xs)
    assert xs[0] >= timeline.LABEL_WIDTH and xs[-1] <= chart.plot_right
    assert lane.spans[-1].x + lane.spans[-1].width == pytest.approx(chart.plot_right, abs=0.2)
    assert [t.label for t in chart.ticks] == ["Jan 2025", "Feb", "Mar", "Apr", "May", "Jun", "Jul"]


def test_statements_too_close_to_draw_apart_share_a_numbered_marker(make):
    """Markers are 12 px wide: statements whose markers would overlap are one
    marker with their number, drawn at the middle of their dates, showing
    the latest; it links to the newest of them listed below, else to the
    cell as of its last date. A lone statement keeps its own marker."""
    topic, state = make.topic(), make.state("Testland", "TL")
    claimant = make.official("Someone Else")
    days = [dt.date(2025, 1, 6), dt.date(2025, 3, 3), dt.date(2025, 3, 5), dt.date(2025, 9, 1)]
    made = [make.position(actor=state, topic=topic, as_of=day) for day in days]
    claims = [
        make.position(
            actor=state,
            topic=topic,
            as_of=day,
            attribution=Attribution.CLAIM,
            claimant=claimant,
            stance=Stance.OPPOSES,
        )
        for day in (dt.date(2025, 6, 2), dt.date(2025, 6, 4))
    ]
    found = statements_by_cell(on=dt.date(2025, 12, 31), subjects=[state])[state.pk, topic.pk]
    url = f"/cells/{state.slug}/{topic.slug}/"

    def lane_of(listed):
        lane = timeline.Lane(
            "Testland", url, history_of(found, subject_id=state.pk, topic_id=topic.pk), "tl"
        )
        return timeline.build([lane], until=dt.date(2025, 12, 31), listed=listed), lane

    chart, lane = lane_of(None)

    def x_of(day):
        scale = timeline.PLOT_WIDTH / (chart.end - chart.start).days
        return timeline.LABEL_WIDTH + (day - chart.start).days * scale

    # Two days on this axis are about 4 px apart: closer than markers are drawn.
    assert x_of(days[2]) - x_of(days[1]) < timeline.MARKER_SPACING
    assert [m.count for m in lane.markers] == [1, 2, 2, 1]
    assert [m.statement.position.pk for m in lane.markers] == [
        made[0].pk,
        made[2].pk,
        claims[1].pk,
        made[3].pk,
    ]
    group = lane.markers[1]
    assert group.x == pytest.approx((x_of(days[1]) + x_of(days[2])) / 2, abs=0.1)
    assert group.title.startswith("2 statements from 3 Mar 2025 to 5 Mar 2025; the latest: ")
    assert group.href == f"#statement-tl-{made[2].pk}" and not group.is_claim
    assert lane.markers[2].is_claim and lane.markers[2].label == "2"
    # Only the older of a group listed below: the marker links to it.
    chart, lane = lane_of(frozenset({f"statement-tl-{made[1].pk}"}))
    assert lane.markers[1].href == f"#statement-tl-{made[1].pk}"
    assert lane.markers[3].href == f"{url}?as_of=2025-09-01"
    assert lane.markers[2].href == f"{url}?as_of=2025-06-04"
    markup = chart.lanes_markup
    assert markup.count('<a class="marker') == 4
    assert markup.count('<a class="marker is-group">') == 0
    assert markup.count('class="marker is-group"') == 1
    assert markup.count('class="marker is-group is-claim"') == 1
    assert ">2</text>" in markup


def test_a_span_label_starts_clear_of_the_markers_over_it(make):
    """A numbered marker sits at the middle of its dates, over the start of
    the span they begin: the span's label moves right past it, or goes
    where the markers leave it no room; a lone marker at a span's start
    leaves the label where it always was."""
    topic, state = make.topic(), make.state("Testland", "TL")
    days = [dt.date(2025, 3, 3), dt.date(2025, 3, 5), dt.date(2025, 9, 1)]
    stances = [Stance.SUPPORTS, Stance.SUPPORTS, Stance.OPPOSES]
    for day, stance in zip(days, stances, strict=True):
        make.position(actor=state, topic=topic, as_of=day, stance=stance)
    found = statements_by_cell(on=dt.date(2025, 12, 31), subjects=[state])[state.pk, topic.pk]
    entries = history_of(found, subject_id=state.pk, topic_id=topic.pk)
    lane = timeline.Lane("Testland", "/cells/tl/t/", entries, "tl")
    timeline.build([lane], until=dt.date(2025, 12, 31))
    group, single = lane.markers
    supports, opposes = lane.spans
    assert group.count == 2 and supports.x < group.x
    assert supports.label == "Supports"
    assert supports.x + supports.dx >= group.x + 9
    assert opposes.label == "Opposes" and opposes.dx == timeline.LABEL_INSET
    markup = timeline.Timeline([lane], lane.spans[0].start, dt.date(2025, 12, 31), []).lanes_markup
    assert f'dx="{supports.dx}"' in markup and f'dx="{timeline.LABEL_INSET}"' in markup
    # Markers all along a span leave its label no room: it has none.
    crowded = timeline._clear_of(
        timeline._span(200, 90, Stance.SUPPORTS, days[0], days[2]),
        [group._replace(x=x) for x in (205, 225, 245, 265, 285)],
    )
    assert crowded.label == ""


def test_lanes_read_without_words_replay_the_same_history(make):
    """A timeline reads its window from the index alone (no words) and loads
    the words of the markers it draws: the same steps, stances, claims and
    answers as read with words, and the same drawing. A denial of a claim
    made before the window keeps the claim beside the stance it answers."""
    topic, state, other = make.topic(), make.state("Testland", "TL"), make.state("Otherland", "OL")
    claim = make.position(
        actor=state, topic=topic, as_of=JAN, stance=Stance.SUPPORTS,
        attribution=Attribution.CLAIM, claimant=other,
    )  # fmt: skip
    make.position(actor=state, topic=topic, as_of=FEB, stance=Stance.CONDITIONAL)
    make.position(
        actor=state, topic=topic, as_of=MAR, stance=Stance.OPPOSES,
        responds_to=claim, response_kind=Response.DENIAL,
    )  # fmt: skip
    make.position(
        actor=state, topic=topic, as_of=APR, stance=Stance.HOSTILE,
        attribution=Attribution.CLAIM, claimant=other,
    )  # fmt: skip
    window = {"subjects": [state], "topics": [topic], "start": dt.date(2025, 2, 1), "end": MAY}
    worded, unworded = window_histories(**window), window_histories(**window, words=False)

    def steps(histories):
        return [
            (e.on, e.stance, [s.position.pk for s in e.made],
             [c.position.pk for c in e.cell.claims], sorted(e.cell.answers), e.cell.has_conflict)
            for e in histories[state.pk, topic.pk]
        ]  # fmt: skip

    assert steps(unworded) == steps(worded)
    # In March the denial answers the January claim, read before the window.
    assert steps(unworded)[2][3:5] == ([claim.pk], [claim.pk])
    assert all(s.position.quote is None for e in unworded[state.pk, topic.pk] for s in e.made)

    def drawn(histories):
        lane = timeline.Lane("Testland", "/cells/tl/t/", histories[state.pk, topic.pk], "tl")
        return timeline.build([lane], until=MAY).lanes_markup

    assert drawn(unworded) == drawn(worded)
    assert "Testland" in drawn(unworded) and "Otherland" in drawn(unworded)


def test_month_ticks_thin_out_on_long_axes():
    def labels(start, end):
        return [t.label for t in timeline._month_ticks(start, end, lambda day: 0)]

    assert labels(dt.date(2024, 11, 20), dt.date(2026, 3, 1)) == [
        "Jan 2025",
        "Apr",
        "Jul",
        "Oct",
        "Jan 2026",
    ]
    assert labels(dt.date(2019, 5, 1), dt.date(2025, 2, 1)) == [
        "Jan 2020",
        "Jan 2021",
        "Jan 2022",
        "Jan 2023",
        "Jan 2024",
        "Jan 2025",
    ]


def test_no_statements_no_timeline():
    assert timeline.build([], until=dt.date(2025, 1, 1)) is None


def test_a_cells_page_lists_its_retractions_and_its_officials_only(make, client):
    """Retractions never count, but the cell page shows their correction
    notes: the country's own and those of its officials, newest first, not
    another country's nor another topic's."""
    from django.urls import reverse

    from positions.models import Status

    topic, other_topic = make.topic(), make.topic()
    state, neighbour = make.state("Testland", "TL"), make.state("Otherland", "OL")
    minister = make.official("A. Minister")
    make.office(minister, state)
    make.position(actor=state, topic=topic, as_of=dt.date(2025, 1, 1))  # counts

    def retracted(actor, on, subject=topic):
        return make.position(
            actor=actor,
            topic=subject,
            as_of=on,
            status=Status.RETRACTED,
            correction_note=f"Misread ({actor.name}, {on}).",
        )

    own = retracted(state, dt.date(2025, 2, 1))
    officials = retracted(minister, dt.date(2025, 3, 1))
    retracted(neighbour, dt.date(2025, 4, 1))
    retracted(minister, dt.date(2025, 5, 1), subject=other_topic)
    response = client.get(reverse("positions:cell", args=[state.slug, topic.slug]))
    assert [s.position.pk for s in response.context["retracted"]] == [officials.pk, own.pk]
    page = response.content.decode()
    assert "Misread (A. Minister, 2025-03-01)." in page and "Otherland" not in page
