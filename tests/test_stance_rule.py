"""The as-of rule of DESIGN.md, "Semantics", on small hand-made worlds."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from actors.models import Role
from positions.history import history_of
from positions.models import Attribution, Position, Stance, Status
from positions.rule import stance_of, stances_as_of, statements_by_cell

pytestmark = pytest.mark.django_db

FEB_25 = dt.date(2025, 2, 25)
MAR_1 = dt.date(2025, 3, 1)


@pytest.fixture
def germany(make):
    germany = make.state("Germany", "DE")
    scholz = make.official("Olaf Scholz")
    merz = make.official("Friedrich Merz")
    minister = make.official("Annalena Baerbock")
    make.office(
        scholz,
        germany,
        title="Chancellor",
        start_date=dt.date(2021, 12, 8),
        end_date=dt.date(2025, 5, 6),
    )
    make.office(merz, germany, title="Chancellor", start_date=dt.date(2025, 5, 6))
    make.office(
        minister,
        germany,
        title="Foreign Minister",
        rank=Role.Rank.MINISTER,
        start_date=dt.date(2021, 12, 8),
    )
    return {"state": germany, "scholz": scholz, "merz": merz, "minister": minister}


@pytest.fixture
def topic(make):
    return make.topic(short_name="Own troops", slug="own-troops")


def summary(cell):
    return {
        "stance": cell.stance,
        "by": cell.position.actor.name if cell.position else None,
        "claims": sorted((c.position.claimant.name, c.position.stance) for c in cell.claims),
        "conflicts": sorted(c.position.actor.name for c in cell.conflicts),
        "has_conflict": cell.has_conflict,
    }


class TestOffice:
    def test_words_before_taking_office_do_not_count(self, make, germany, topic):
        make.position(actor=germany["scholz"], topic=topic, as_of=FEB_25, stance=Stance.UNDECIDED)
        make.position(actor=germany["merz"], topic=topic, as_of=MAR_1, stance=Stance.SUPPORTS)
        cell = stance_of(actor=germany["state"], topic=topic, on=dt.date(2025, 4, 1))
        assert summary(cell) == {
            "stance": "undecided",
            "by": "Olaf Scholz",
            "claims": [],
            "conflicts": [],
            "has_conflict": False,
        }
        assert cell.current.role.title == "Chancellor"

    def test_words_in_office_count_and_stand_after_it_ends(self, make, germany, topic):
        make.position(actor=germany["scholz"], topic=topic, as_of=FEB_25, stance=Stance.UNDECIDED)
        # Scholz speaks again after leaving office: his own view, not Germany's.
        make.position(
            actor=germany["scholz"], topic=topic, as_of=dt.date(2025, 6, 1), stance=Stance.OPPOSES
        )
        cell = stance_of(actor=germany["state"], topic=topic, on=dt.date(2025, 7, 1))
        assert (cell.stance, cell.position.as_of) == ("undecided", FEB_25)

        make.position(
            actor=germany["merz"], topic=topic, as_of=dt.date(2025, 6, 2), stance=Stance.CONDITIONAL
        )
        cell = stance_of(actor=germany["state"], topic=topic, on=dt.date(2025, 7, 1))
        assert (cell.stance, cell.position.actor.name) == ("conditional", "Friedrich Merz")

    def test_the_officials_own_row_keeps_everything_they_said(self, make, germany, topic):
        make.position(actor=germany["merz"], topic=topic, as_of=FEB_25, stance=Stance.UNDECIDED)
        cells = stances_as_of(on=MAR_1, subjects=[germany["state"]])
        assert cells == {}


class TestPrecedence:
    def test_higher_ranked_office_wins_on_the_same_date(self, make, germany, topic):
        make.position(actor=germany["minister"], topic=topic, as_of=FEB_25, stance=Stance.OPPOSES)
        make.position(actor=germany["scholz"], topic=topic, as_of=FEB_25, stance=Stance.SUPPORTS)
        cell = stance_of(actor=germany["state"], topic=topic, on=FEB_25)
        assert summary(cell)["stance"] == "supports"
        assert not cell.has_conflict

    def test_a_later_statement_beats_a_higher_office(self, make, germany, topic):
        make.position(actor=germany["scholz"], topic=topic, as_of=FEB_25, stance=Stance.SUPPORTS)
        make.position(actor=germany["minister"], topic=topic, as_of=MAR_1, stance=Stance.OPPOSES)
        assert stance_of(actor=germany["state"], topic=topic, on=MAR_1).stance == "opposes"
        assert stance_of(actor=germany["state"], topic=topic, on=FEB_25).stance == "supports"

    def test_the_states_own_words_beat_any_office(self, make, germany, topic):
        make.position(actor=germany["scholz"], topic=topic, as_of=FEB_25, stance=Stance.SUPPORTS)
        make.position(
            actor=germany["state"],
            topic=topic,
            as_of=FEB_25,
            stance=Stance.CONDITIONAL,
            speaker=germany["state"],
        )
        assert stance_of(actor=germany["state"], topic=topic, on=FEB_25).stance == "conditional"

    def test_direct_words_beat_an_outlets_report_of_a_higher_office(self, make, germany, topic):
        make.position(
            actor=germany["scholz"],
            topic=topic,
            as_of=FEB_25,
            stance=Stance.SUPPORTS,
            attribution=Attribution.REPORT,
        )
        make.position(actor=germany["minister"], topic=topic, as_of=FEB_25, stance=Stance.OPPOSES)
        assert stance_of(actor=germany["state"], topic=topic, on=FEB_25).stance == "opposes"

    def test_spokesperson_speaking_for_the_state_ranks_as_their_office(self, make, topic):
        russia = make.state("Russia", "RU")
        peskov = make.official("Dmitry Peskov")
        lavrov = make.official("Sergei Lavrov")
        make.office(peskov, russia, title="Kremlin spokesman", rank=Role.Rank.SPOKESPERSON)
        make.office(lavrov, russia, title="Foreign Minister", rank=Role.Rank.MINISTER)
        make.position(
            actor=russia,
            topic=topic,
            as_of=FEB_25,
            stance=Stance.UNDECIDED,
            attribution=Attribution.SPEAKING_FOR,
            speaker=peskov,
        )
        make.position(actor=lavrov, topic=topic, as_of=FEB_25, stance=Stance.OPPOSES)
        cell = stance_of(actor=russia, topic=topic, on=FEB_25)
        assert (cell.stance, cell.current.rank, cell.conflicts) == ("opposes", 2, [])

    def test_disagreement_of_equal_weight_is_a_conflict(self, make, topic):
        poland = make.state("Poland", "PL")
        first = make.position(
            actor=poland, topic=topic, as_of=FEB_25, stance=Stance.OPPOSES, attribution="report"
        )
        second = make.position(
            actor=poland, topic=topic, as_of=FEB_25, stance=Stance.CONDITIONAL, attribution="report"
        )
        cell = stance_of(actor=poland, topic=topic, on=FEB_25)
        # The most recently entered is shown; the other is reported beside it.
        assert cell.position == second
        assert [s.position for s in cell.conflicts] == [first]
        assert cell.has_conflict


class TestClaims:
    @pytest.fixture
    def russia(self, make):
        russia = make.state("Russia", "RU")
        peskov = make.official("Dmitry Peskov")
        make.office(peskov, russia, title="Kremlin spokesman", rank=Role.Rank.SPOKESPERSON)
        return {"state": russia, "peskov": peskov, "trump": make.official("Donald Trump")}

    def claim(self, make, russia, topic, on, stance=Stance.SUPPORTS):
        return make.position(
            actor=russia["state"],
            topic=topic,
            as_of=on,
            stance=stance,
            attribution=Attribution.CLAIM,
            claimant=russia["trump"],
        )

    def own(self, make, russia, topic, on, stance=Stance.OPPOSES):
        return make.position(actor=russia["peskov"], topic=topic, as_of=on, stance=stance)

    def test_a_later_claim_never_overrides_the_actors_words(self, make, russia, topic):
        self.own(make, russia, topic, dt.date(2025, 2, 20))
        self.claim(make, russia, topic, dt.date(2025, 2, 24))
        cell = stance_of(actor=russia["state"], topic=topic, on=MAR_1)
        assert summary(cell) == {
            "stance": "opposes",
            "by": "Dmitry Peskov",
            "claims": [("Donald Trump", "supports")],
            "conflicts": [],
            "has_conflict": True,
        }

    def answer(self, make, russia, topic, on, claim, kind="denial", stance=Stance.OPPOSES):
        answer = self.own(make, russia, topic, on, stance=stance)
        answer.responds_to, answer.response_kind = claim, kind
        answer.full_clean()
        answer.save()
        return answer

    def test_an_older_unanswered_claim_drops_out_of_the_cell(self, make, russia, topic):
        # Shea's claim about Denmark of February 2025 is no conflict with a
        # Danish statement of a year later that does not answer it.
        self.claim(make, russia, topic, dt.date(2025, 2, 24))
        self.own(make, russia, topic, FEB_25)
        cell = stance_of(actor=russia["state"], topic=topic, on=MAR_1)
        assert (cell.stance, cell.claims, cell.has_conflict) == ("opposes", [], False)

    def test_the_stale_claim_stays_in_the_cells_history(self, make, russia, topic):
        claim = self.claim(make, russia, topic, dt.date(2025, 2, 24))
        self.own(make, russia, topic, FEB_25)
        found = statements_by_cell(on=MAR_1, subjects=[russia["state"]], topics=[topic])
        steps = history_of(
            found[russia["state"].pk, topic.pk], subject_id=russia["state"].pk, topic_id=topic.pk
        )
        assert [s.position.pk for s in steps[0].made] == [claim.pk]
        assert [(step.cell.stance, len(step.cell.claims)) for step in steps] == [
            (None, 1),
            ("opposes", 0),
        ]

    def test_a_claim_beside_a_fresh_denial_is_shown_as_denied(self, make, russia, topic):
        claim = self.claim(make, russia, topic, dt.date(2025, 2, 24))
        answer = self.answer(make, russia, topic, FEB_25, claim)
        for cell in (
            stance_of(actor=russia["state"], topic=topic, on=MAR_1),
            stances_as_of(on=MAR_1, evidence=False)[russia["state"].pk, topic.pk],
        ):
            assert [c.position.pk for c in cell.claims] == [claim.pk]
            assert cell.answers[claim.pk].position.pk == answer.pk
            # Explained by the answer: no unexplained conflict.
            assert (cell.stance, cell.has_conflict) == ("opposes", False)

    def test_an_answered_claim_stays_however_old(self, make, russia, topic):
        claim = self.claim(make, russia, topic, dt.date(2024, 6, 1))
        self.own(make, russia, topic, dt.date(2024, 9, 1))
        self.own(make, russia, topic, dt.date(2025, 1, 1))
        self.answer(make, russia, topic, FEB_25, claim, kind="confirmation", stance=Stance.SUPPORTS)
        for cell in (
            stance_of(actor=russia["state"], topic=topic, on=MAR_1),
            stances_as_of(on=MAR_1, evidence=False)[russia["state"].pk, topic.pk],
        ):
            assert [c.position.pk for c in cell.claims] == [claim.pk]
            assert cell.answers[claim.pk].position.response_kind == "confirmation"
        # Before the answer, the claim was older than the actor's words: gone.
        assert stance_of(actor=russia["state"], topic=topic, on=dt.date(2025, 2, 1)).claims == []

    def test_a_newer_claim_and_an_answered_one_of_the_same_claimant(self, make, russia, topic):
        old = self.claim(make, russia, topic, dt.date(2024, 6, 1))
        self.answer(make, russia, topic, FEB_25, old)
        new = self.claim(make, russia, topic, MAR_1, stance=Stance.CONDITIONAL)
        cell = stance_of(actor=russia["state"], topic=topic, on=MAR_1)
        assert sorted(c.position.pk for c in cell.claims) == sorted([old.pk, new.pk])
        # The newer claim is not answered, and contradicts the actor.
        assert cell.has_conflict

    def test_an_answer_cannot_precede_what_it_answers(self, make, russia, topic):
        claim = self.claim(make, russia, topic, MAR_1)
        with pytest.raises(ValidationError, match="cannot answer a statement of 2025-03-01"):
            self.answer(make, russia, topic, FEB_25, claim)

    def test_an_answer_names_how_it_answers(self, make, russia, topic):
        claim = self.claim(make, russia, topic, FEB_25)
        with pytest.raises(ValidationError, match="denial, correction"):
            self.answer(make, russia, topic, MAR_1, claim, kind="")

    def test_a_claim_alone_sets_no_stance(self, make, russia, topic):
        self.claim(make, russia, topic, dt.date(2025, 2, 24))
        cell = stance_of(actor=russia["state"], topic=topic, on=MAR_1)
        assert summary(cell) == {
            "stance": None,
            "by": None,
            "claims": [("Donald Trump", "supports")],
            "conflicts": [],
            "has_conflict": False,
        }

    def test_an_agreeing_claim_is_no_conflict(self, make, russia, topic):
        self.own(make, russia, topic, FEB_25)
        self.claim(make, russia, topic, MAR_1, stance=Stance.OPPOSES)
        assert not stance_of(actor=russia["state"], topic=topic, on=MAR_1).has_conflict


class TestEditorialStatus:
    def test_drafts_and_retractions_never_count(self, make, topic):
        poland = make.state("Poland", "PL")
        make.position(actor=poland, topic=topic, as_of=FEB_25, stance=Stance.OPPOSES)
        make.position(
            actor=poland, topic=topic, as_of=MAR_1, stance=Stance.SUPPORTS, status=Status.DRAFT
        )
        make.position(
            actor=poland,
            topic=topic,
            as_of=MAR_1,
            stance=Stance.HOSTILE,
            status=Status.RETRACTED,
            correction_note="Misattributed: the words were a Russian diplomat's.",
        )
        make.position(
            actor=poland,
            topic=topic,
            as_of=MAR_1,
            stance=Stance.SUPPORTS,
            attribution=Attribution.CLAIM,
            claimant=make.official("Someone"),
            status=Status.DRAFT,
        )
        cell = stance_of(actor=poland, topic=topic, on=MAR_1)
        assert (cell.stance, cell.claims, cell.conflicts) == ("opposes", [], [])

    def test_nothing_before_the_first_statement(self, make, topic):
        poland = make.state("Poland", "PL")
        make.position(actor=poland, topic=topic, as_of=MAR_1)
        assert stances_as_of(on=FEB_25) == {}


def test_query_count_does_not_grow_with_the_data(make, topic, django_assert_num_queries):
    states = [make.state(f"State {i}", f"Q{chr(65 + i)}") for i in range(6)]
    for i, state in enumerate(states):
        official = make.official(f"Leader {i}")
        make.office(official, state, title="President")
        make.position(actor=state, topic=topic, as_of=FEB_25, attribution="report")
        make.position(actor=official, topic=topic, as_of=MAR_1, stance=Stance.OPPOSES)
    # The deciding statements' ids; them with their positions, quotes and
    # sources; their actors; conditions.
    with django_assert_num_queries(4):
        cells = stances_as_of(on=MAR_1)
    assert {cell.stance for cell in cells.values()} == {"opposes"}
    assert len(cells) == 6


class TestPositionValidation:
    def test_speaking_for_needs_an_office_that_speaks_for_the_state(self, make, topic):
        russia = make.state("Russia", "RU")
        stranger = make.official("Somebody")
        quote = make.quote(
            speaker=stranger, said_on=FEB_25, source=make.source(published_on=FEB_25)
        )
        position = Position(
            actor=russia,
            topic=topic,
            quote=quote,
            stance="opposes",
            attribution=Attribution.SPEAKING_FOR,
            as_of=FEB_25,
        )
        with pytest.raises(ValidationError) as raised:
            position.full_clean()
        assert raised.value.message_dict == {
            "attribution": [
                "On 2025-02-25 Somebody held no office that speaks for Russia. "
                "Record the role first, or choose another attribution."
            ]
        }

    def test_own_words_must_be_the_actors(self, make, topic):
        russia = make.state("Russia", "RU")
        trump = make.official("Donald Trump")
        quote = make.quote(speaker=trump, said_on=FEB_25, source=make.source(published_on=FEB_25))
        position = Position(actor=russia, topic=topic, quote=quote, stance="supports", as_of=FEB_25)
        with pytest.raises(ValidationError) as raised:
            position.full_clean()
        assert list(raised.value.message_dict) == ["attribution"]
        assert "These are Donald Trump's words, not Russia's" in raised.value.messages[0]

    def test_a_claim_is_made_by_the_quotes_speaker(self, make, topic):
        russia = make.state("Russia", "RU")
        trump = make.official("Donald Trump")
        quote = make.quote(speaker=trump, said_on=FEB_25, source=make.source(published_on=FEB_25))
        position = Position(
            actor=russia,
            topic=topic,
            quote=quote,
            stance="supports",
            attribution=Attribution.CLAIM,
            claimant=make.official("Emmanuel Macron"),
            as_of=FEB_25,
        )
        with pytest.raises(ValidationError) as raised:
            position.full_clean()
        assert raised.value.message_dict == {
            "claimant": ["The quote's speaker, Donald Trump, is the claimant."]
        }

    @pytest.mark.parametrize(
        ("as_of", "message"),
        [
            (dt.date(2025, 2, 20), "The stance cannot predate the words (2025-02-24)."),
            (dt.date(2025, 3, 2), "The stance cannot postdate its source (2025-02-25)."),
        ],
    )
    def test_the_stance_date_lies_between_the_words_and_the_source(
        self, make, topic, as_of, message
    ):
        poland = make.state("Poland", "PL")
        quote = make.quote(
            speaker_label="RFE/RL",
            said_on=dt.date(2025, 2, 24),
            source=make.source(published_on=FEB_25),
        )
        position = Position(
            actor=poland,
            topic=topic,
            quote=quote,
            stance="opposes",
            attribution="report",
            as_of=as_of,
        )
        with pytest.raises(ValidationError) as raised:
            position.full_clean()
        assert raised.value.message_dict == {"as_of": [message]}


def test_the_stances_of_chosen_cells_are_those_of_every_cell(seeded):
    """Asked for some cells, the rule answers for those alone, as it does
    when it resolves every cell."""
    on = dt.date(2026, 3, 2)
    every = stances_as_of(on=on, evidence=False)
    chosen = set(list(every)[::3]) | {(0, 0)}  # and a cell that does not exist
    some = stances_as_of(on=on, cells=chosen, evidence=False)
    assert len(some) == len(chosen) - 1 > 3
    assert {key: cell.stance for key, cell in some.items()} == {
        key: every[key].stance for key in chosen if key in every
    }
    assert {key: [s.row_id for s in cell.statements] for key, cell in some.items()} == {
        key: [s.row_id for s in every[key].statements] for key in some
    }
    assert stances_as_of(on=on, cells=[]) == {}
