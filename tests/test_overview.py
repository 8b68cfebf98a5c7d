"""The analysts' overview: staleness, silence, dates as precise as their
words, the method page, closing a cell opened in place."""

import datetime as dt
import html
import itertools

import pytest
from django.urls import reverse

from actors.models import Actor

pytestmark = pytest.mark.django_db


def cells_of(page: str, actor: str) -> str:
    start = page.index(f">{actor}</a>")
    return page[start : page.index("</tr>", start)]


def test_old_statements_are_marked_stale(client, seeded):
    # The RFE/RL statements of February 2025, seen from a year later.
    page = client.get(reverse("positions:matrix"), {"as_of": "2026-02-26"}).content.decode()
    assert "stale" in cells_of(page, "Poland")
    fresh = client.get(reverse("positions:matrix"), {"as_of": "2025-03-01"}).content.decode()
    assert "stale" not in cells_of(fresh, "Poland")
    cell = client.get(
        reverse("positions:cell", args=["poland", "own-troops"]), {"as_of": "2026-02-26"}
    ).content.decode()
    assert "Stale: these words were said more than 6 months before 26 February 2026" in cell


def test_stale_age_is_configurable(client, seeded, settings):
    settings.STALE_AFTER_MONTHS = 24
    page = client.get(reverse("positions:matrix"), {"as_of": "2026-02-26"}).content.decode()
    assert "stale" not in cells_of(page, "Poland")


def test_silent_states_can_be_shown(client, seeded, make):
    make.state("Ireland", "IE", slug="ireland")
    quiet = client.get(reverse("positions:matrix")).content.decode()
    assert ">Ireland</a>" not in quiet
    everyone = client.get(reverse("positions:matrix"), {"everyone": "1"}).content.decode()
    row = cells_of(everyone, "Ireland")
    assert row.count("No statement") == 5  # one per topic
    assert 'name="everyone" value="1" id="id_everyone" checked' in everyone


def test_month_precise_words_show_their_month(client, seeded):
    # Starmer's "hollowed out" was said in July 2024: its stance counts from
    # 31 July, but no day is known.
    page = client.get(
        reverse("actors:detail", args=["keir-starmer"]),
        {"start": "2024-01-01", "end": "2025-12-31"},
    ).content.decode()
    assert 'stance as of <time datetime="2024-07-31">July 2024</time>' in page
    assert "31 July 2024" not in page and "31 Jul 2024" not in page


def test_the_method_page(client, seeded):
    response = client.get(reverse("method"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    for words in (
        "But Poland, which has a large army, said it would not.",
        "Are Britain's and France's armed forces able to lead the force?",
        "Their armed forces are too run down or too stretched to lead it.",
        "more than 6 months",
        "head of state or government, foreign or defence minister",
    ):
        assert words in page, words
    matrix = client.get(reverse("positions:matrix")).content.decode()
    assert f'href="{reverse("method")}"' in matrix  # from the legend and the footer


def test_a_cell_opened_in_place_has_an_address_and_closes(client, seeded):
    matrix = client.get(reverse("positions:matrix")).content.decode()
    assert 'hx-push-url="true">' in cells_of(matrix, "Poland")
    url = reverse("positions:cell", args=["poland", "own-troops"])
    fragment = client.get(url, {"as_of": "2025-03-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert "data-close-detail" in fragment and 'href="/?as_of=2025-03-01"' in fragment
    whole = client.get(url).content.decode()
    assert "data-close-detail" not in whole  # a page of its own has nothing to close


def test_dates_in_the_controls_are_typed_as_iso(client, seeded):
    page = client.get(reverse("positions:matrix")).content.decode()
    assert 'type="date"' not in page
    assert 'name="as_of" placeholder="YYYY-MM-DD"' in page
    assert Actor.objects.filter(slug="poland").exists()


def test_an_officials_page_says_where_their_words_count(client, seeded):
    page = html.unescape(
        client.get(
            reverse("actors:detail", args=["keir-starmer"]),
            {"start": "2024-01-01", "end": "2025-12-31"},
        ).content.decode()
    )
    assert "speaks for no state" not in page
    assert "Counts in the matrix for United Kingdom (as Prime Minister)." in page
    url = reverse("actors:detail", args=["jamie-shea"])
    window = {"start": "2024-01-01", "end": "2025-12-31"}
    shea = html.unescape(client.get(url, window).content.decode())
    assert "Counts in no row of the matrix" in shea


def test_the_actor_list_counts_what_counts_for_each(client, seeded):
    page = client.get(reverse("actors:list")).content.decode()
    row = page[page.index(">United Kingdom</a>") :]
    assert row[: row.index("</li>")].endswith("3 statements counted, 0 quotes</span>")


def test_totals_above_the_matrix(client, seeded, django_assert_num_queries):
    matrix = client.get(reverse("positions:matrix"), {"as_of": "2025-03-01"}).content.decode()
    # Loaded beside the matrix (htmx), or followed as a link without JavaScript.
    assert 'hx-get="/totals/?as_of=2025-03-01"' in matrix
    # Topics, groups, the version; the countries, and their cells in one query.
    with django_assert_num_queries(5):
        response = client.get(reverse("positions:totals"), {"as_of": "2025-03-01"})
    rows = {topic.slug: total for topic, total, _ in response.context["totals"]}
    own = dict(rows["own-troops"].counts)
    # Poland opposes; Sweden and the Netherlands are conditional; the UK's
    # stance rests on Starmer's words (conditional); Germany's on Scholz's.
    assert own["opposes"] == 1 and own["conditional"] == 3
    assert rows["own-troops"].countries == sum(own.values()) + rows["own-troops"].silent
    page = response.content.decode()
    assert "Countries per stance, as of 1 March 2025" in page
    assert client.get(reverse("positions:totals"), {"as_of": "2025-02-30"}).status_code == 400


def test_a_topics_trend_links_each_month_to_the_matrix(client, seeded):
    window = {"start": "2025-01-01", "end": "2025-03-31"}
    topic_page = client.get(reverse("positions:topic_detail", args=["own-troops"]), window)
    # The topic page loads its trend beside it (htmx), or links to it.
    url = "/topics/own-troops/trend/?start=2025-01-01&amp;end=2025-03-31"
    assert f'hx-get="{url}"' in topic_page.content.decode()
    assert f'<a href="{url}">' in topic_page.content.decode()
    response = client.get(reverse("positions:topic_trend", args=["own-troops"]), window)
    assert "<h1>Reassurance" not in response.content.decode()
    trend = response.context["trend"]
    assert [c.month.end.isoformat() for c in trend] == ["2025-01-31", "2025-02-28", "2025-03-31"]
    assert dict(trend[0].month.counts)["opposes"] == 0
    assert dict(trend[1].month.counts)["opposes"] == 1  # Poland, 25 February
    assert trend[1].url == "/?as_of=2025-02-28&topics=own-troops"
    page = response.content.decode()
    assert 'aria-label="Feb 2025, on 28 February 2025: ' in page
    assert "The same figures as a table" in page
    assert "<h1>Own troops: countries per stance, 1 January 2025 to 31 March 2025</h1>" in page
    # Loaded by htmx, the fragment alone.
    fragment = client.get(
        reverse("positions:topic_trend", args=["own-troops"]),
        window,
        headers={"HX-Request": "true"},
    ).content.decode()
    assert fragment.lstrip().startswith('<section class="trend"')


@pytest.mark.parametrize("count", [1, 3, 7, 10, 16, 22, 24, 25, 40])
def test_a_trends_month_labels_never_run_together(count):
    """Each label is as wide as ``TREND_LABEL_WIDTH``: shown labels are at
    least that far apart, about eight of them, the first month always named."""
    from positions.totals import TREND_LABEL_WIDTH, Month, trend_columns

    start = dt.date(2024, 1, 31)
    months = [
        Month(start + dt.timedelta(days=31 * i), (("supports", i % 3),)) for i in range(count)
    ]
    columns = trend_columns(months, topic_slug="t", matrix_url="/")
    shown = [column.x for column in columns if column.label]
    assert shown[0] == 0
    assert all(b - a >= TREND_LABEL_WIDTH for a, b in itertools.pairwise(shown))
    assert len(shown) <= 9
    # Every column still says its month to a screen reader.
    assert all(column.description for column in columns)


def labels(page: str) -> dict[str, str]:
    """Each country link of the map: its spoken name -> its address."""
    import re

    return {
        html.unescape(label): url
        for url, label in re.findall(
            r'<a class="country[^"]*" href="([^"]+)" aria-label="([^"]+)"', page
        )
    }


def test_the_map_names_each_country_and_links_its_cell(client, seeded):
    response = client.get(reverse("positions:map"), {"as_of": "2025-03-01", "topic": "own-troops"})
    assert response.status_code == 200
    found = labels(response.content.decode())
    assert found["Poland: Opposes, 25 Feb 2025, reported by RFE/RL"] == (
        "/cells/poland/own-troops/?as_of=2025-03-01"
    )
    assert "United Kingdom: Conditional, 25 Feb 2025, reported by RFE/RL (Keir Starmer)" in found
    assert "Ukraine: no statement" in found
    page = response.content.decode()
    assert 'class="country outside" aria-hidden="true"' in page  # e.g. Spain, not in the record
    assert 'class="country silent"' in page
    assert 'href="/?as_of=2025-03-01&amp;topics=own-troops"' in page  # the table, one click away


def test_the_map_compares_two_dates_and_keeps_to_a_group(client, seeded):
    page = client.get(
        reverse("positions:map"),
        {"as_of": "2025-03-01", "since": "2025-02-01", "topic": "own-troops", "group": "nato"},
    ).content.decode()
    found = labels(page)
    assert "Poland: Opposes, 25 Feb 2025, reported by RFE/RL, changed; was no statement" in found
    assert 'class="country stance-opposes changed"' in page
    assert not any(name.startswith("Moldova") for name in found)  # not a NATO member


def test_the_map_as_svg_and_its_bad_input(client, seeded):
    svg = client.get(reverse("positions:map"), {"as_of": "2025-03-01", "format": "svg"})
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert svg.content.startswith(b'<?xml version="1.0"') and b"<style>" in svg.content
    for bad in ({"topic": "nope"}, {"as_of": "2025-02-30"}, {"view": "mars"}):
        response = client.get(reverse("positions:map"), bad)
        assert response.status_code == 400, bad


def test_the_maps_queries_do_not_grow_with_the_record(make, client, django_assert_num_queries):
    topic = make.topic()
    make.countries(topic, 3)
    url = reverse("positions:map")
    # Topics, groups, every state with its cell and the dates to step to (one
    # query, the matrix's own page); the record's version for the ETag.
    with django_assert_num_queries(4) as first:
        client.get(url, {"as_of": "2025-03-01"})
    make.countries(topic, 30)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, {"as_of": "2025-03-01"})


def test_every_view_can_be_exported_and_cited(client, seeded):
    matrix = html.unescape(
        client.get(reverse("positions:matrix"), {"as_of": "2025-03-01"}).content.decode()
    )
    assert '/api/v1/matrix/export/?as_of=2025-03-01"' in matrix
    assert "Cite this view" in matrix and "@misc{ceasefire-positions-20250301" in matrix
    svg = client.get(reverse("positions:matrix"), {"as_of": "2025-03-01", "format": "svg"})
    assert svg["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert b"Opposes \xc2\xb7 25 Feb 2025" in svg.content
    topic = html.unescape(
        client.get(reverse("positions:topic_detail", args=["own-troops"])).content.decode()
    )
    assert "format=svg" in topic and "/api/v1/timeline/?" in topic
    timeline = client.get(
        reverse("positions:topic_detail", args=["own-troops"]),
        {"start": "2025-01-01", "end": "2025-12-31", "format": "svg"},
    )
    assert timeline["Content-Type"] == "image/svg+xml; charset=utf-8"
    cell = client.get(reverse("positions:cell", args=["poland", "own-troops"])).content.decode()
    assert "/api/v1/positions/export/?country=PL&amp;topic=own-troops" in cell
    from sources.models import Source

    pk = Source.objects.get(publisher__startswith="Radio Free Europe").pk
    source = html.unescape(client.get(reverse("sources:detail", args=[pk])).content.decode())
    assert "Cite this source" in source and f"@article{{source-{pk}" in source
    actor = client.get(reverse("actors:detail", args=["poland"])).content.decode()
    assert "/api/v1/positions/export/?country=PL" in actor
    export = client.get(f"/api/v1/positions/export/?source={pk}")
    assert export.status_code == 200 and b"Poland" in b"".join(export.streaming_content)


@pytest.mark.parametrize(
    "on", ["2024-08-01", "2025-02-24", "2025-02-26", "2026-03-02", "2026-11-30"]
)
def test_totals_agree_with_the_matrix(seeded, on):
    """The totals count each cell's winning own statement in SQL; the matrix
    resolves every candidate in Python: the counts must be the same."""
    import datetime as dt
    from collections import Counter

    from positions.matrix import stance_matrix
    from positions.models import Topic
    from positions.totals import ALL_ROWS, stance_counts

    day = dt.date.fromisoformat(on)
    topics = list(Topic.objects.all())
    grid = stance_matrix(on=day, topics=topics, kind="state", everyone=True,
                         per_page=ALL_ROWS, evidence=False)  # fmt: skip
    expected = {t.pk: Counter() for t in topics}
    for actor in grid.rows:
        for t in topics:
            cell = grid.cell(actor, t)
            if cell is not None and cell.current is not None and cell.stance:
                expected[t.pk][cell.stance] += 1
    assert stance_counts(day, [a.pk for a in grid.rows], [t.pk for t in topics]) == expected


def test_the_trend_counts_each_month_as_the_rule_decides_it(db):
    # The trend counts in SQL (positions/totals.py), and a topic page's "who
    # stands where" reads the same way; the rule (positions/rule.py) is the
    # word on each cell: both on the record and on synthetic data.
    import datetime as dt
    from collections import Counter

    from actors.models import Actor
    from positions import synthetic
    from positions.models import Stance, Topic
    from positions.rule import stances_as_of
    from positions.seeding import load_seed
    from positions.totals import monthly_totals, standing

    load_seed()
    synthetic.generate(positions=400, seed=21, countries=14)
    states = set(Actor.objects.states().values_list("pk", flat=True))
    topics = [
        *Topic.objects.filter(slug__in=["own-troops", "reassurance-force"]),
        *Topic.objects.filter(slug__startswith="syn-topic-").order_by("pk")[:2],
    ]
    assert len(topics) == 4
    for topic in topics:
        months = monthly_totals(topic=topic, start=dt.date(2024, 11, 1), end=dt.date(2026, 2, 28))
        assert len(months) == 16
        assert any(sum(n for _, n in month.counts) for month in months)
        for month in months[::5]:
            ruled = Counter(
                cell.stance
                for (subject, topic_id), cell in stances_as_of(on=month.end).items()
                if topic_id == topic.pk and subject in states and cell.current is not None
            )
            assert dict(month.counts) == {s: ruled[s] for s in Stance.values}, (topic, month)
            slugs = dict(Actor.objects.matrix_rows().values_list("pk", "slug"))
            stood = standing(topic_id=topic.pk, on=month.end)
            assert {(s.slug, stance, s.since) for stance, rows in stood.items() for s in rows} == {
                (slugs[subject], cell.stance, cell.position.as_of)
                for (subject, topic_id), cell in stances_as_of(on=month.end).items()
                if topic_id == topic.pk and subject in slugs and cell.current is not None
            }, (topic, month)


def test_the_conditions_counted_in_sql_are_those_of_the_deciding_statements(db):
    # positions/totals.conditioned_cells against the rule: a cell is under a
    # condition when the statement that decides it names the condition.
    import datetime as dt
    from collections import defaultdict

    from positions import synthetic
    from positions.models import PositionCondition
    from positions.rule import stances_as_of
    from positions.seeding import load_seed
    from positions.totals import conditioned_cells, deciding_on

    load_seed()
    synthetic.generate(positions=400, seed=23, countries=14)
    for on in (dt.date(2025, 3, 1), dt.date(2026, 1, 31), dt.date(2026, 11, 30)):
        named = defaultdict(set)
        for position_id, condition_id in PositionCondition.objects.values_list(
            "position_id", "condition_id"
        ):
            named[position_id].add(condition_id)
        expected = defaultdict(list)
        for key, cell in sorted(stances_as_of(on=on, evidence=False).items()):
            if cell.current is not None:
                for condition_id in named[cell.position.pk]:
                    expected[condition_id].append(key)
        found = conditioned_cells(on)
        assert found == dict(expected), on
        assert sum(map(len, found.values())) > 10
        # The page lists them by the deciding statement's stance and date.
        ruled = stances_as_of(on=on, evidence=False)
        listed = {cell for cells in found.values() for cell in cells} | {(0, 0)}
        assert deciding_on(on, listed) == {
            cell: (ruled[cell].stance, ruled[cell].position.as_of) for cell in listed - {(0, 0)}
        }, on


def test_a_comparisons_earlier_side_is_the_stance_the_rule_decides(db):
    # A comparison (matrix, map, API) reads its earlier date's stances by one
    # probe per cell (positions/totals.winning_stances); the rule
    # (positions/rule.py) is the word on each cell, claims and officials
    # included: on the record and on synthetic data, and the changes found
    # are exactly the cells whose stance the rule says moved.
    import datetime as dt

    from actors.models import Actor
    from positions import synthetic
    from positions.matrix import stance_matrix
    from positions.models import Topic
    from positions.rule import stances_as_of
    from positions.seeding import load_seed
    from positions.totals import ALL_ROWS, winning_stances

    load_seed()
    synthetic.generate(positions=400, seed=29, countries=14)
    rows = list(Actor.objects.matrix_rows().values_list("pk", flat=True))
    topics = list(Topic.objects.all())
    topic_ids = [t.pk for t in topics]
    days = (dt.date(2024, 8, 1), dt.date(2025, 2, 26), dt.date(2025, 9, 30), dt.date(2026, 11, 30))
    for since, on in zip(days, days[1:], strict=False):
        ruled = {
            key: cell.stance
            for key, cell in stances_as_of(on=since, evidence=False).items()
            if cell.stance is not None and key[0] in set(rows)
        }
        assert winning_stances(since, rows, topic_ids) == ruled, since
        assert len(ruled) > 20
        now = stances_as_of(on=on, evidence=False)
        moved = {
            key
            for key in {*ruled, *now}
            if key[0] in set(rows) and ruled.get(key) != getattr(now.get(key), "stance", None)
        }
        grid = stance_matrix(on=on, since=since, topics=topics, everyone=True,
                             per_page=ALL_ROWS, evidence=False)  # fmt: skip
        assert {(c.subject_id, c.topic_id) for c in grid.changes} == moved, (since, on)
        assert all(c.before.stance == ruled.get((c.subject_id, c.topic_id)) for c in grid.changes)
        assert moved
