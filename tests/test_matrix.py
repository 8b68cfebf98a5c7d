import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor
from positions.matrix import MATRIX_PAGE_ROWS
from positions.models import CellStatement, Stance, Topic
from positions.rule import stance_of

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# Topics, groups, the record's version (the cache key), the page (its rows,
# their count, the dates to step to, and the statements that decide their
# cells, with what the cells show). The totals load on their own (/totals/).
MATRIX_QUERIES = 4
# With `since`, the stances then, and the statements listed under changes
# with their evidence (rows, the actors they name, conditions).
COMPARE_QUERIES = MATRIX_QUERIES + 4


def grid(response) -> dict[tuple[str, str], object]:
    """The rendered cells, keyed by (actor slug, topic slug)."""
    return {
        (row.actor.slug, cell.topic.slug): cell
        for _, rows, *_ in response.context["sections"]
        for row in rows
        for cell in row.cells
    }


def rows(response) -> dict[str, list[str]]:
    return {
        section: [row.actor.slug for row in section_rows]
        for section, section_rows, *_ in response.context["sections"]
    }


def conditions(actor_slug: str, topic_slug: str, on: dt.date) -> set[str]:
    """The conditions of the statement that counts in a cell (a matrix cell
    shows the stance; its conditions are on the cell's page)."""
    cell = stance_of(
        actor=Actor.objects.get(slug=actor_slug), topic=Topic.objects.get(slug=topic_slug), on=on
    )
    return {condition.slug for condition in cell.position.conditions.all()}


@pytest.mark.usefixtures("seeded_class")
class TestOnTheSeed:
    """Read-only tests sharing one load of the seed data."""

    def test_seed_story_on_26_february_2025(self, client):
        response = client.get(reverse("positions:matrix"), {"as_of": "2025-02-26"})
        assert response.status_code == 200
        cells = grid(response)

        # The UK offers troops, on condition of a US backstop.
        uk = cells["united-kingdom", "own-troops"].stance
        assert uk.stance == Stance.CONDITIONAL
        assert conditions("united-kingdom", "own-troops", dt.date(2025, 2, 26)) == {"us-backstop"}
        # Poland refuses.
        assert cells["poland", "own-troops"].stance.stance == Stance.OPPOSES
        # Russia rejects NATO troops through Peskov, beside Trump's claim that
        # Putin does not mind, which Peskov's words answer: explained, no conflict.
        russia = cells["russia", "reassurance-force"].stance
        assert russia.stance == Stance.OPPOSES
        assert russia.position.quote.speaker_name == "Dmitry Peskov"
        assert [(c.position.claimant.name, c.position.stance) for c in russia.claims] == [
            ("Donald Trump", Stance.SUPPORTS)
        ]
        assert (
            russia.answers[russia.claims[0].position.pk].position.response_kind == "clarification"
        )
        assert not russia.has_conflict
        # Nobody has spoken on Russian consent yet.
        assert not any(cell.stance for (_, topic), cell in cells.items() if topic == "russian-veto")

        assert rows(response) == {
            "Countries": [
                "denmark",
                "france",
                "germany",
                "netherlands",
                "poland",
                "russia",
                "sweden",
                "united-kingdom",
            ],
            "Organisations": ["nordic-baltic-eight", "uk-parliament"],
        }
        page = response.content.decode()
        assert "<title>Stances as of 26 February 2025 — Ceasefire Positions</title>" in page
        assert 'Donald Trump claims: supports <span class="answered">(clarified)</span>' in page
        assert "Conflicting statements" not in page
        assert "via Dmitry Peskov" in page
        assert 'rel="prev" href="?as_of=2025-02-25"' in page
        assert 'rel="next" href="?as_of=2026-03-02"' in page

    def test_seed_story_on_2_march_2026(self, client):
        response = client.get(reverse("positions:matrix"), {"as_of": "2026-03-02"})
        cells = grid(response)
        # European leaders wait for Moscow's consent.
        coalition = cells["coalition-of-the-willing", "russian-veto"].stance
        assert coalition.stance == Stance.SUPPORTS
        troops = cells["coalition-of-the-willing", "own-troops"].stance
        assert troops.stance == Stance.CONDITIONAL
        assert conditions("coalition-of-the-willing", "own-troops", dt.date(2026, 3, 2)) == {
            "russian-consent",
            "ceasefire-in-force",
        }
        # The Kremlin now calls any European soldier a legitimate target.
        assert cells["russia", "reassurance-force"].stance.stance == Stance.HOSTILE
        assert response.context["following"] is None
        assert "No later statement" in response.content.decode()

    def test_before_anyone_spoke_steps_to_the_first_statement(self, client):
        first = CellStatement.objects.order_by("as_of").values_list("as_of", flat=True)[0]
        response = client.get(reverse("positions:matrix"), {"as_of": "2000-01-01"})
        page = response.content.decode()
        assert response.context["row_count"] == 0
        assert "No published statement on these topics up to 1 January 2000." in page
        assert "No earlier statement" in page
        assert f'rel="next" href="?as_of={first:%Y-%m-%d}"' in page

    def test_defaults_to_today_and_every_topic(self, client):
        response = client.get(reverse("positions:matrix"))
        assert response.status_code == 200
        assert response.context["on"] == timezone.localdate()
        assert [c.topic.slug for c in response.context["columns"]] == [
            "reassurance-force",
            "own-troops",
            "russian-veto",
            "un-peacekeeping",
            "capacity-to-lead",
        ]

    def test_htmx_gets_only_the_matrix_fragment(self, client):
        url = reverse("positions:matrix")
        full = client.get(url, {"as_of": "2025-02-26"})
        partial = client.get(url, {"as_of": "2025-02-26"}, headers=HTMX)
        assert full.status_code == partial.status_code == 200
        assert "HX-Request" in partial["Vary"]
        assert full.content.decode().startswith("<!doctype html>")
        fragment = partial.content.decode().strip()
        assert fragment.startswith(
            "<title>Stances as of 26 February 2025 — Ceasefire Positions</title>"
        )
        assert '<div id="matrix"' in fragment
        assert "<html" not in fragment and "site-header" not in fragment
        # The fragment carries the new title and the same grid as the page.
        assert "<title>Stances as of 26 February 2025" in fragment
        assert grid(partial).keys() == grid(full).keys()

    def test_a_history_restore_gets_the_whole_page(self, client):
        response = client.get(
            reverse("positions:matrix"),
            {"as_of": "2025-02-26"},
            headers={**HTMX, "HX-History-Restore-Request": "true"},
        )
        assert response.content.decode().startswith("<!doctype html>")

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"as_of": "2025-13-45"}, "“As of” must be a date written YYYY-MM-DD."),
            ({"as_of": "yesterday"}, "“As of” must be a date written YYYY-MM-DD."),
            ({"since": "2025-02-31"}, "“Compare with” must be a date written YYYY-MM-DD."),
            (
                {"as_of": "2025-02-26", "since": "2025-03-01"},
                "“Compare with” must be a date before “As of”.",
            ),
            ({"group": "warsaw-pact"}, "warsaw-pact is not one of the available choices"),
            ({"kind": "official"}, "official is not one of the available choices"),
            ({"topics": ["own-troops", "nuclear"]}, "nuclear is not one of the available choices"),
        ],
    )
    def test_bad_values_get_a_400_with_the_reason(self, client, query, message):
        response = client.get(reverse("positions:matrix"), query)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'role="alert"' in page
        assert message in page
        assert 'class="matrix"' not in page

        partial = client.get(reverse("positions:matrix"), query, headers=HTMX)
        assert partial.status_code == 400
        assert message in partial.content.decode()
        assert "<html" not in partial.content.decode()

    def test_bad_controls_are_marked_and_described_by_their_messages(self, client):
        query = {"as_of": "yesterday", "kind": "official", "topics": ["own-troops", "nuclear"]}
        page = client.get(reverse("positions:matrix"), query).content.decode()
        # Every description a control points to is on the page.
        described = re.findall(r'<(?:input|select)[^>]* aria-describedby="([^"]+)"', page)
        assert described
        for ids in described:
            for id_ in ids.split():
                assert f'id="{id_}"' in page, id_
        assert (
            '<input type="text" name="as_of" placeholder="YYYY-MM-DD" '
            'pattern="\\d{4}-\\d{2}-\\d{2}" inputmode="numeric" size="10" autocomplete="off" '
            'value="yesterday" aria-invalid="true" aria-describedby="id_as_of_error" id="id_as_of">'
        ) in page
        assert '<li id="id_as_of_error">As of: “As of” must be a date written YYYY-MM-DD.</li>' in (
            page
        )
        assert '<select name="kind" aria-invalid="true" aria-describedby="id_kind_error"' in page
        assert '<option value="state">Countries only</option>' in page  # none is chosen
        # The boxes ticked stay ticked, and all are marked.
        assert (
            'value="own-troops" id="id_topics_1" checked aria-invalid="true"> '
            '<label for="id_topics_1">'
        ) in page
        assert 'value="russian-veto" id="id_topics_2" aria-invalid="true">' in page
        # Help text a control points to is there for a screen reader.
        assert 'aria-describedby="id_since_helptext" id="id_since">' in page
        assert '<span class="visually-hidden" id="id_since_helptext">' in page

    def test_group_filter_uses_memberships_as_of_the_date(self, client):
        url = reverse("positions:matrix")
        later = client.get(url, {"as_of": "2026-03-02", "group": "coalition-of-the-willing"})
        assert later.status_code == 200
        assert later.context["group"].slug == "coalition-of-the-willing"
        later_rows = rows(later)
        assert later_rows["Organisations"] == ["coalition-of-the-willing"]
        # The articles name Britain and France as its leaders; members show even without statements.
        assert later_rows["Countries"] == ["france", "united-kingdom"]

        # The coalition met first on 2 March 2025: a week earlier it had no members.
        earlier = client.get(url, {"as_of": "2025-02-26", "group": "coalition-of-the-willing"})
        assert rows(earlier)["Countries"] == []

    def test_kind_and_topic_filters(self, client):
        response = client.get(
            reverse("positions:matrix"),
            {
                "as_of": "2026-03-02",
                "kind": "organisation",
                "topics": ["own-troops", "russian-veto"],
            },
        )
        assert [c.topic.slug for c in response.context["columns"]] == ["own-troops", "russian-veto"]
        assert rows(response)["Countries"] == []
        assert rows(response)["Organisations"] == [
            "coalition-of-the-willing",
            "nordic-baltic-eight",
        ]
        page = response.content.decode()
        assert 'value="own-troops" id="id_topics_1" checked' in page
        # Stepping keeps the filters and changes only the date.
        assert "kind=organisation&amp;topics=own-troops&amp;topics=russian-veto&amp;as_of=" in page

    def test_compare_highlights_changed_cells_and_what_moved_them(self, client):
        response = client.get(
            reverse("positions:matrix"), {"as_of": "2026-03-02", "since": "2025-02-26"}
        )
        assert response.status_code == 200
        changes = {
            (actor.slug, topic.slug): (change.before.stance, change.after.stance)
            for actor, topic, change in response.context["changes"]
        }
        assert changes == {
            ("russia", "reassurance-force"): (Stance.OPPOSES, Stance.HOSTILE),
            ("coalition-of-the-willing", "reassurance-force"): (None, Stance.SUPPORTS),
            ("coalition-of-the-willing", "own-troops"): (None, Stance.CONDITIONAL),
            ("coalition-of-the-willing", "russian-veto"): (None, Stance.SUPPORTS),
        }
        cells = grid(response)
        assert cells["russia", "reassurance-force"].change is not None
        assert cells["united-kingdom", "own-troops"].change is None
        russia = next(c for a, t, c in response.context["changes"] if a.slug == "russia")
        assert [s.position.as_of for s in russia.moved_by] == [dt.date(2026, 3, 2)] * 2
        page = response.content.decode()
        assert "What changed between 26 February 2025 and 2 March 2026" in page
        assert "Changed; was opposes" in page
        assert "legitimate targets" in page
        # The statements that moved a cell are shown whole: source and conditions.
        coalition = next(
            c
            for a, t, c in response.context["changes"]
            if (a.slug, t.slug) == ("coalition-of-the-willing", "own-troops")
        )
        for statement in [*russia.moved_by, *coalition.moved_by]:
            assert statement.position.quote.source.title in html.unescape(page)
        assert "Conditions: " in page and ">Russian consent</a>" in page

    def test_group_filter_costs_one_query_more(self, client, django_assert_num_queries):
        with django_assert_num_queries(MATRIX_QUERIES + 1):
            client.get(reverse("positions:matrix"), {"group": "nato"})


def test_no_data_yet(db, client):
    response = client.get(reverse("positions:matrix"))
    assert response.status_code == 200
    assert "No published statement on these topics" in response.content.decode()


def test_query_count_does_not_grow_with_the_data(make, client, django_assert_num_queries):
    topic = make.topic()
    make.countries(topic, 3)
    url = reverse("positions:matrix")
    with django_assert_num_queries(COMPARE_QUERIES):
        small = client.get(url, {"since": "2025-01-15"})
    make.countries(topic, 30)
    with django_assert_num_queries(COMPARE_QUERIES):
        large = client.get(url, {"since": "2025-01-15"})
    assert len(rows(small)["Countries"]) == 3
    # A page of rows, of all 33.
    assert len(rows(large)["Countries"]) == MATRIX_PAGE_ROWS
    assert large.context["row_count"] == 33


def test_pages_carry_a_strict_content_security_policy(db, client):
    response = client.get(reverse("positions:matrix"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page
    assert "<script>" not in page


def test_changes_are_listed_a_page_at_a_time(make, client, monkeypatch):
    """The changed cells under a compared matrix come a page at a time: htmx
    asks for the next page alone (its link carries on from there); without
    JavaScript the link opens that page under the matrix."""
    import positions.matrix_page

    monkeypatch.setattr(positions.matrix_page, "CHANGES_PER_PAGE", 2)
    make.countries(make.topic(), 5)  # each turned from supports to opposes
    url = reverse("positions:matrix")
    compared = {"as_of": "2025-06-01", "since": "2025-01-15"}

    def listed(text):
        return text.count('<article class="change">')

    first = client.get(url, compared)
    page = first.content.decode()
    assert len(first.context["changes"]) == listed(page) == 2
    assert "The first 2 changed cells of 5" in page and "changes=2" in page

    more = client.get(url, compared | {"changes": 2}, headers={"HX-Request": "true"})
    fragment = more.content.decode()
    assert more.status_code == 200 and listed(fragment) == 2
    assert "<html" not in fragment and 'id="matrix"' not in fragment
    assert "changes=3" in fragment and "Changed cells" not in fragment
    last = client.get(url, compared | {"changes": 3}, headers={"HX-Request": "true"})
    assert listed(last.content.decode()) == 1 and "changes=4" not in last.content.decode()
    # Five different countries over the three pages.
    names = {
        name
        for response in (first, more, last)
        for name in re.findall(r"<h3>(State \d+) on", response.content.decode())
    }
    assert len(names) == 5

    whole = client.get(url, compared | {"changes": 2}).content.decode()
    assert 'id="matrix"' in whole and listed(whole) == 2
    assert "Changed cells 3–4 of 5" in whole and "← Earlier in the list" in whole
    beyond = client.get(url, compared | {"changes": 4})
    assert beyond.status_code == 404
    assert "There is no page 4: the list of changes has 5 changed cells." in html.unescape(
        beyond.content.decode()
    )
    assert client.get(url, compared | {"changes": "x"}).status_code == 400
