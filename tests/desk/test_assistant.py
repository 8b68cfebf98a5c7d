"""The extraction assistant on the forms news copy takes: each case is one
behaviour, asserted on the whole candidate it should produce."""

import datetime as dt

import pytest

from actors.models import Actor, ActorAlias
from desk.assistant import current_lexicon, extract
from desk.assistant.dates import find_dates
from desk.models import StanceCue

pytestmark = pytest.mark.django_db

PUBLISHED = dt.date(2025, 2, 25)  # a Tuesday


def run(text, published=PUBLISHED):
    candidates = extract(text, lexicon=current_lexicon(), published_on=published)
    for c in candidates:
        assert text[c.start : c.end] == c.quote  # offsets into the text as given
    return candidates


def summary(candidate):
    def name(m):
        return m.name if m else None

    return {
        "quote": candidate.quote,
        "form": candidate.form,
        "speaker": name(candidate.speaker),
        "actor": name(candidate.actor),
        "attribution": candidate.attribution,
        "claimant": name(candidate.claimant),
        "said_on": candidate.said_on,
        "precision": candidate.said_on_precision,
        "topic": candidate.topic,
        "stance": candidate.stance,
        "conditions": candidate.conditions,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trump said on February 24.", (dt.date(2025, 2, 24), "day")),
        ("he said on Tuesday", (dt.date(2025, 2, 25), "day")),
        ("he said on Monday", (dt.date(2025, 2, 24), "day")),
        ("she said yesterday", (dt.date(2025, 2, 24), "day")),
        ("told RFE/RL last month", (dt.date(2025, 1, 1), "month")),
        ("noted in November", (dt.date(2024, 11, 1), "month")),
        ("a report in September 2024", (dt.date(2024, 9, 1), "month")),
        ("on Feb. 20, 2025", (dt.date(2025, 2, 20), "day")),
        ("on 12 March 2024", (dt.date(2024, 3, 12), "day")),
        ("last year", (dt.date(2024, 1, 1), "year")),
    ],
)
def test_said_dates_relative_to_publication(text, expected):
    (found,) = find_dates(text, PUBLISHED)
    assert (found.on, found.precision) == expected


def test_no_date_is_invented():
    assert find_dates("he said in an interview", PUBLISHED) == []
    # Without a publication date, only a date with its year resolves.
    assert find_dates("he said on Tuesday, and in March", None) == []
    assert [d.on for d in find_dates("on March 12, 2025", None)] == [dt.date(2025, 3, 12)]
    # A date after publication is no said date; "may" alone is the verb.
    assert find_dates("on March 12", dt.date(2025, 3, 1))[0].on == dt.date(2024, 3, 12)
    assert find_dates("they may send troops", PUBLISHED) == []


def test_straight_quote_with_speaker_after_and_date(seeded):
    (c,) = run('"We will not send troops to Ukraine under any flag," Peskov said on Monday.')
    assert summary(c) == {
        "quote": "We will not send troops to Ukraine under any flag",
        "form": "direct",
        "speaker": "Dmitry Peskov",
        "actor": "Russia",  # the Kremlin spokesman speaks for Russia on that date
        "attribution": "speaking_for",
        "claimant": None,
        "said_on": dt.date(2025, 2, 24),
        "precision": "day",
        "topic": "own-troops",
        "stance": "opposes",
        "conditions": [],
    }
    assert c.speaker.role == "Kremlin spokesman"


def test_curly_quote_with_speaker_before_and_a_condition(seeded):
    (c,) = run(
        "Asked about the plan, British Prime Minister Keir Starmer said: "
        "“Britain is ready to put boots on the ground, with a U.S. backstop.”"
    )
    assert summary(c) | {"said_on": None} == {
        "quote": "Britain is ready to put boots on the ground, with a U.S. backstop.",
        "form": "direct",
        "speaker": "Keir Starmer",
        "actor": "United Kingdom",
        "attribution": "speaking_for",
        "claimant": None,
        "said_on": None,
        "precision": None,
        "topic": "own-troops",
        "stance": "conditional",  # supports, on a condition it names
        "conditions": ["us-backstop"],
    }


def test_quote_split_by_he_said_keeps_its_speaker(seeded):
    first, second = run(
        "“We are following these reports most closely,” Peskov said. "
        "“The deployment of peacekeepers from NATO countries is unacceptable to Moscow.”"
    )
    assert (first.speaker.name, second.speaker.name) == ("Dmitry Peskov", "Dmitry Peskov")
    assert second.stance == "opposes" and second.topic == "reassurance-force"


def test_quote_across_paragraphs_is_one_quote(seeded):
    text = (
        "“The problem with traditional peacekeeping missions is that Russia could veto them.\n"
        "“A reassurance force is something else,” Popescu said."
    )
    (c,) = run(text)
    assert c.quote.startswith("The problem with") and c.quote.endswith("something else")
    assert c.speaker.name == "Nicu Popescu"


def test_title_only_mention_resolves_through_the_office_held(seeded):
    (c,) = run('"Nothing has changed in our position on peacekeepers," the Kremlin spokesman said.')
    assert (c.speaker.name, c.actor.name, c.attribution) == (
        "Dmitry Peskov",
        "Russia",
        "speaking_for",
    )


def test_pronoun_refers_to_the_last_person_named(seeded):
    text = (
        "Jamie Shea, who served in senior NATO roles, weighed in. "
        '"Europeans will be mindful of the Bosnian fiasco of the early 1990s," he said.'
    )
    (c,) = run(text)
    assert (c.speaker.name, c.actor.name, c.attribution) == ("Jamie Shea", "Jamie Shea", "own")


def test_unknown_person_is_proposed_with_their_office(seeded):
    text = (
        'Armed Forces Minister Luke Pollard said: "No, it will need a U.S. backstop, '
        'U.S. involvement."'
    )
    (c,) = run(text)
    assert c.speaker.actor_id is None
    assert (c.speaker.name, c.speaker.role) == ("Luke Pollard", "Armed Forces Minister")
    assert c.conditions == ["us-backstop"]


def test_reported_speech_without_quotation_marks(seeded):
    text = (
        "Sweden and the Netherlands indicated they could be willing to provide troops "
        "under certain conditions. But Poland, which has a large army, said it would not."
    )
    found = sorted((summary(c)["actor"], c.attribution, c.stance) for c in run(text))
    assert found == [
        ("Netherlands", "report", "conditional"),
        ("Poland", "report", "opposes"),
        ("Sweden", "report", "conditional"),
    ]
    assert all(c.speaker is None for c in run(text))  # the outlet's own sentence


def test_reported_claim_names_the_actor_it_is_about(seeded):
    (c,) = run("Trump said Putin would accept European troops in Ukraine as peacekeepers.")
    assert (c.actor.name, c.attribution, c.claimant.name, c.form) == (
        "Vladimir Putin",
        "claim",
        "Donald Trump",
        "reported",
    )


def test_direct_claim_about_another_state_and_the_answer_to_it(seeded):
    text = (
        '"Poland is opposed to this deployment of NATO troops," Shea said. '
        "Warsaw denied the claim. "
        '"Poland has not decided on sending troops yet," Polish Prime Minister Donald Tusk said.'
    )
    Actor.objects.create(name="Donald Tusk", slug="donald-tusk", kind="official")
    claim, denial, answer = run(text)
    assert (claim.actor.name, claim.attribution, claim.claimant.name) == (
        "Poland",
        "claim",
        "Jamie Shea",
    )
    assert claim.responds_to_claim is False
    # The outlet's sentence reports the denial; the Prime Minister's words answer the claim.
    assert (denial.actor.name, denial.attribution, denial.responds_to_claim) == (
        "Poland",
        "report",
        True,
    )
    assert answer.speaker.name == "Donald Tusk" and answer.responds_to_claim is True


def test_text_without_statements_gives_none(seeded):
    assert run("The weather in Brussels was mild. Markets rose slightly on Tuesday.") == []


def test_the_lexicon_follows_the_record_and_the_editors(seeded):
    text = '"We rule nothing out on a European mission," the Taoiseach said.'
    assert run(text)[0].stance is None
    StanceCue.objects.create(phrase="rule nothing out", stance="undecided")
    assert run(text)[0].stance == "undecided"
    ireland = Actor.objects.create(name="Ireland", slug="ireland", kind="state", iso_code="IE")
    ActorAlias.objects.create(actor=ireland, name="Dublin")
    (c,) = run('"Ireland will not send troops," Dublin said.')
    assert (c.speaker.name, c.actor.name, c.attribution) == ("Ireland", "Ireland", "own")


def test_the_seed_article_yields_its_statements(seeded):
    from pathlib import Path

    text = Path("positions/seed/articles/rferl-2025-02-25.txt").read_text()
    found = {(c.actor.name if c.actor else None, c.attribution) for c in run(text)}
    assert {
        ("Dmitry Peskov", "report"),
        ("Russia", "speaking_for"),
        ("Vladimir Putin", "claim"),
        ("Nicu Popescu", "own"),
        ("Poland", "claim"),
        ("Keir Starmer", "report"),
        ("Richard Dannatt", "report"),
        ("Sweden", "report"),
        ("Netherlands", "report"),
        ("Poland", "report"),
        ("Olaf Scholz", "report"),
        ("Friedrich Merz", "report"),
        ("Mette Frederiksen", "report"),
    } <= found
