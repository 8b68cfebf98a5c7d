"""Every database rule, proven twice: ``full_clean()`` reports it as a
validation error (what the admin and the API show), and a direct write that
skips validation is refused by the database itself."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actors.models import Actor, ActorAlias, Role
from positions.models import Condition, Position, PositionCondition, Topic, TopicWording
from sources.models import Quote, Source
from sources.text import sha256_hex

pytestmark = pytest.mark.django_db

D = dt.date(2025, 2, 25)


def _position(make, **overrides):
    actor = make.state("Poland", "PL")
    quote = make.quote(speaker_label="RFE/RL", source=make.source(published_on=D))
    values = {
        "actor": actor,
        "topic": make.topic(),
        "quote": quote,
        "stance": "opposes",
        "attribution": "report",
        "as_of": D,
        "status": "published",
    }
    values.update({k: v(make) if callable(v) else v for k, v in overrides.items()})
    return Position(**values)


def _second_alias(actor, name):
    ActorAlias.objects.create(actor=actor, name=name)
    return ActorAlias(actor=actor, name=name)


def _self_claim(position):
    position.attribution = "claim"
    position.claimant = position.actor
    return position


# (case, builder returning an unsaved invalid instance, message full_clean gives)
CASES = [
    (
        "actor iso code unique",
        lambda make: (
            make.state("France", "FR"),
            Actor(name="Fr", slug="fr", kind="state", iso_code="FR"),
        )[1],
        "Another actor already has this ISO code.",
    ),
    (
        "actor wikidata id unique",
        lambda make: (
            make.actor(kind="organisation", name="NATO", wikidata_id="Q7184"),
            Actor(name="Alliance", slug="alliance", kind="organisation", wikidata_id="Q7184"),
        )[1],
        "Another actor already has this Wikidata QID.",
    ),
    (
        "state without iso code",
        lambda make: Actor(name="Atlantis", slug="atlantis", kind="state"),
        "A state needs its two-letter ISO code",
    ),
    (
        "organisation with iso code",
        lambda make: Actor(name="NATO", slug="nato", kind="organisation", iso_code="NA"),
        "A state needs its two-letter ISO code",
    ),
    (
        "actor without name",
        lambda make: Actor(name="", slug="nameless", kind="expert"),
        "This field cannot be blank.",
    ),
    (
        "alias twice for one actor",
        lambda make: _second_alias(make.state("Russia", "RU"), "Moscow"),
        "This actor already has this alias.",
    ),
    (
        "empty alias",
        lambda make: ActorAlias(actor=make.state("Russia", "RU"), name=""),
        "This field cannot be blank.",
    ),
    (
        "role ending before it starts",
        lambda make: Role(
            holder=make.official("Olaf Scholz"),
            organisation=make.state("Germany", "DE"),
            title="Chancellor",
            start_date=dt.date(2021, 12, 8),
            end_date=dt.date(2021, 12, 1),
        ),
        "A role cannot end before it starts.",
    ),
    (
        "role in itself",
        lambda make: (lambda org: Role(holder=org, organisation=org, kind="membership"))(
            make.actor(kind="organisation", name="NATO")
        ),
        "An actor cannot hold a role in itself.",
    ),
    (
        "office without title",
        lambda make: Role(
            holder=make.official("Nameless"), organisation=make.state("Germany", "DE"), title=""
        ),
        "An office needs a title",
    ),
    (
        "membership speaking for the bloc",
        lambda make: Role(
            holder=make.state("Germany", "DE"),
            organisation=make.actor(kind="organisation", name="NATO"),
            kind="membership",
            speaks_for_rank=1,
        ),
        "An office needs a title; a membership cannot speak for the organisation.",
    ),
    (
        "role recorded twice",
        lambda make: (
            lambda holder, state: (
                make.office(holder, state, title="Chancellor", start_date=D),
                Role(holder=holder, organisation=state, title="Chancellor", start_date=D),
            )[1]
        )(make.official("Friedrich Merz"), make.state("Germany", "DE")),
        "This role is already recorded.",
    ),
    (
        "source url twice",
        lambda make: (
            make.source(url="https://example.org/a"),
            Source(publisher="X", title="Y", url="https://example.org/a", published_on=D),
        )[1],
        "A source with this URL is already recorded.",
    ),
    (
        "source without title",
        lambda make: Source(publisher="RFE/RL", title="", published_on=D),
        "This field cannot be blank.",
    ),
    (
        "source accessed before publication",
        lambda make: Source(
            publisher="RFE/RL", title="T", published_on=D, accessed_on=D - dt.timedelta(days=1)
        ),
        "A source cannot be accessed before it was published.",
    ),
    (
        "quote of only whitespace",
        lambda make: Quote(source=make.source(), text="   \n ", speaker_label="RFE/RL"),
        "A quote needs its words.",
    ),
    (
        "quote with no speaker",
        lambda make: Quote(source=make.source(), text="We will not.", speaker_label=""),
        "Name the speaker or describe them in the label.",
    ),
    (
        "quote twice in a source",
        lambda make: (
            lambda source: (
                make.quote(source=source, text="We will not."),
                Quote(source=source, text="We will not.", speaker_label="RFE/RL"),
            )[1]
        )(make.source()),
        "This quote is already recorded for this source.",
    ),
    (
        "topic without question",
        lambda make: Topic(short_name="Force", slug="force", question=""),
        "This field cannot be blank.",
    ),
    (
        "wording twice",
        lambda make: (
            lambda topic: (
                TopicWording.objects.create(topic=topic, text="peacekeepers"),
                TopicWording(topic=topic, text="peacekeepers"),
            )[1]
        )(make.topic()),
        "The topic already lists this wording.",
    ),
    (
        "actor slug twice",
        lambda make: (
            make.actor(kind="expert", name="Jamie Shea", slug="jamie-shea"),
            Actor(name="J. Shea", slug="jamie-shea", kind="expert"),
        )[1],
        "Actor with this Slug already exists.",
    ),
    (
        "topic slug twice",
        lambda make: (
            make.topic(slug="own-troops"),
            Topic(short_name="Troops", slug="own-troops", question="Send troops?"),
        )[1],
        "Topic with this Slug already exists.",
    ),
    (
        "condition name twice",
        lambda make: (
            make.condition(name="Russian consent"),
            Condition(name="Russian consent", slug="russian-consent-2"),
        )[1],
        "Condition with this Name already exists.",
    ),
    (
        "condition without name",
        lambda make: Condition(name="", slug="nameless"),
        "This field cannot be blank.",
    ),
    (
        "unknown stance",
        lambda make: _position(make, stance="neutral-ish"),
        "Value 'neutral-ish' is not a valid choice.",
    ),
    (
        "unknown attribution",
        lambda make: _position(make, attribution="rumour"),
        "Value 'rumour' is not a valid choice.",
    ),
    (
        "unknown status",
        lambda make: _position(make, status="hidden"),
        "Value 'hidden' is not a valid choice.",
    ),
    (
        "claim without claimant",
        lambda make: _position(make, attribution="claim"),
        "A third-party claim names its claimant",
    ),
    (
        "claimant on own words",
        lambda make: _position(make, claimant=lambda m: m.official("Donald Trump")),
        "A third-party claim names its claimant",
    ),
    (
        "actor claiming about itself",
        lambda make: _self_claim(_position(make)),
        "An actor cannot be a third party to its own position.",
    ),
    (
        "retraction without note",
        lambda make: _position(make, status="retracted"),
        "A retraction needs a public correction note.",
    ),
    (
        "same quote, actor and topic twice",
        lambda make: (
            lambda p: (
                p.save(),
                Position(
                    actor=p.actor,
                    topic=p.topic,
                    quote=p.quote,
                    stance="supports",
                    attribution="report",
                    as_of=D,
                ),
            )[1]
        )(_position(make)),
        "This quote already gives this actor's position on this topic.",
    ),
]


@pytest.mark.parametrize(("case", "build", "message"), CASES, ids=[c[0] for c in CASES])
def test_full_clean_reports_the_rule(make, case, build, message):
    instance = build(make)
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    assert any(message in text for text in raised.value.messages), raised.value.messages


@pytest.mark.parametrize(("case", "build", "message"), CASES, ids=[c[0] for c in CASES])
def test_database_refuses_a_direct_write(make, case, build, message):
    instance = build(make)
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_stored_text_carries_its_hash(make):
    source = Source(publisher="RFE/RL", title="T", published_on=D, text="Words.")
    source.full_clean()
    assert source.text_sha256 == sha256_hex("Words.")
    source.text_sha256 = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        source.save()


def test_position_condition_recorded_once(make):
    position = _position(make)
    position.save()
    condition = make.condition(name="A US backstop")
    PositionCondition.objects.create(position=position, condition=condition)
    with pytest.raises(IntegrityError), transaction.atomic():
        PositionCondition.objects.create(position=position, condition=condition)


@pytest.mark.parametrize("target", ["source", "quote", "actor", "topic", "claimant", "condition"])
def test_nothing_a_position_rests_on_can_be_deleted(make, target):
    from django.db.models import ProtectedError

    position = _position(make, attribution="claim", claimant=lambda m: m.official("Donald Trump"))
    position.save()
    position.conditions.add(make.condition())
    victim = {
        "source": position.quote.source,
        "quote": position.quote,
        "actor": position.actor,
        "topic": position.topic,
        "claimant": position.claimant,
        "condition": position.conditions.get(),
    }[target]
    with pytest.raises(ProtectedError), transaction.atomic():
        victim.delete()
    assert Position.objects.filter(pk=position.pk, conditions__isnull=False).exists()


def test_any_of_finds_what_in_finds(make):
    """``__any_of`` (config/lookups.py) is ``__in`` written as one array on
    PostgreSQL: the same rows for values repeated, missing or None, for a
    key and a foreign key, and nothing for an empty list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    quotes = [make.quote() for _ in range(3)]
    wanted = [quotes[0].pk, quotes[2].pk, quotes[2].pk, None, 10**9]
    for field, values in (("pk", wanted), ("source_id", [q.source_id for q in quotes[:2]])):
        with CaptureQueriesContext(connection) as queries:
            found = set(Quote.objects.filter(**{f"{field}__any_of": values}))
        assert found == set(Quote.objects.filter(**{f"{field}__in": values}))
        assert found
        if connection.vendor == "postgresql":
            assert "= ANY(" in queries[0]["sql"]
    assert list(Quote.objects.filter(pk__any_of=[])) == []
