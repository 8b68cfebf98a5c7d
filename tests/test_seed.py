"""The founding data: loaded completely, verbatim, idempotently, and telling
the story of the two articles through the one as-of rule."""

import datetime as dt
import shutil

import pytest
from django.core.management import call_command

from actors.models import Actor, Role
from positions.models import Position, Topic
from positions.rule import stances_as_of
from positions.seeding import SEED_DIR, SeedError, load_seed, read_seed
from sources.models import Quote, Source
from sources.text import occurs_in, sha256_hex

pytestmark = pytest.mark.django_db


def matrix(on):
    names = dict(Actor.objects.values_list("pk", "slug"))
    topics = dict(Topic.objects.values_list("pk", "slug"))
    return {
        (names[actor], topics[topic]): (
            cell.stance,
            sorted((names[c.position.claimant_id], c.position.stance) for c in cell.claims),
            cell.has_conflict,
        )
        for (actor, topic), cell in stances_as_of(on=on).items()
    }


def history_rows():
    from django.apps import apps

    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


def test_second_run_writes_nothing(seeded):
    counts = {m: m.objects.count() for m in (Actor, Role, Source, Quote, Position)}
    history = history_rows()

    report = load_seed(record=False)

    assert not report.changed
    assert {m: m.objects.count() for m in counts} == counts
    assert history_rows() == history


def test_command_reports_what_it_did(db, capsys):
    call_command("load_seed")
    assert "Seed data loaded." in capsys.readouterr().out
    call_command("load_seed")
    assert "Seed data already up to date; nothing written." in capsys.readouterr().out


def test_everything_in_the_seed_file_is_loaded(seeded):
    data = read_seed(record=False)
    assert Actor.objects.count() == len(data["actors"])
    assert Quote.objects.count() == len(data["quotes"])
    assert Position.objects.filter(status="published").count() == len(data["positions"])
    assert Source.objects.count() == 2


def test_quotes_are_the_articles_exact_words(seeded):
    for quote in Quote.objects.select_related("source"):
        assert occurs_in(quote.text, quote.source.text), quote.text
        assert quote.is_verified


def test_sources_keep_the_articles_text_and_dates(seeded):
    rferl = Source.objects.get(publisher="Radio Free Europe/Radio Liberty")
    atlantic = Source.objects.get(publisher="Atlantic Council (UkraineAlert)")
    assert rferl.published_on == dt.date(2025, 2, 25)
    assert atlantic.published_on == dt.date(2026, 3, 2)
    assert atlantic.author == "Stephen Blank"
    article = (SEED_DIR / "articles" / "atlantic-council-2026-03-02.txt").read_text()
    assert atlantic.text == article
    assert atlantic.text.startswith("European leaders will not send troops")
    assert atlantic.text_sha256 == sha256_hex(article)


def test_as_of_26_february_2025(seeded):
    cells = matrix(dt.date(2025, 2, 26))
    # Russia rejects NATO troops while Trump claims Putin has no problem with
    # it; Peskov's words answer the claim, so it is no unexplained conflict.
    assert cells[("russia", "reassurance-force")] == (
        "opposes",
        [("donald-trump", "supports")],
        False,
    )
    # The UK offers troops with a US backstop; Poland refuses.
    assert cells[("united-kingdom", "own-troops")] == ("conditional", [], False)
    assert cells[("poland", "own-troops")] == ("opposes", [("jamie-shea", "opposes")], False)
    assert cells[("sweden", "own-troops")][0] == "conditional"
    assert cells[("netherlands", "own-troops")][0] == "conditional"
    # Scholz's lukewarm words are Germany's; Merz is not yet Chancellor.
    assert cells[("germany", "own-troops")][0] == "undecided"
    assert cells[("denmark", "own-troops")][0] == "undecided"
    # Denmark's view of the force is only Shea's claim.
    assert cells[("denmark", "reassurance-force")] == (None, [("jamie-shea", "opposes")], False)
    assert ("coalition-of-the-willing", "own-troops") not in cells


def test_germany_is_scholz_not_merz(seeded):
    cell = stances_as_of(on=dt.date(2025, 2, 26))[
        (Actor.objects.get(slug="germany").pk, Topic.objects.get(slug="own-troops").pk)
    ]
    assert cell.position.actor.slug == "olaf-scholz"
    assert cell.current.role.title == "Chancellor"


def test_as_of_2_march_2026(seeded):
    cells = matrix(dt.date(2026, 3, 2))
    # European leaders wait for Moscow's consent.
    assert cells[("coalition-of-the-willing", "own-troops")] == ("conditional", [], False)
    assert cells[("coalition-of-the-willing", "russian-veto")] == ("supports", [], False)
    # "Legitimate targets": Russia's stance has hardened into a threat.
    assert cells[("russia", "reassurance-force")] == ("hostile", [], False)
    coalition = Position.objects.get(
        actor__slug="coalition-of-the-willing", topic__slug="own-troops"
    )
    assert sorted(coalition.conditions.values_list("slug", flat=True)) == [
        "ceasefire-in-force",
        "russian-consent",
    ]


def test_uk_offer_depends_on_the_us_backstop(seeded):
    dependants = Position.objects.filter(conditions__slug="us-backstop").values_list(
        "actor__slug", "topic__slug"
    )
    assert sorted(dependants) == [
        ("jamie-shea", "reassurance-force"),
        ("keir-starmer", "own-troops"),
        ("keir-starmer", "reassurance-force"),
    ]


def test_a_name_given_twice_is_refused_before_anything_is_written(db, tmp_path):
    # Two record files written apart may reuse a key; the second must not
    # quietly rewrite the first.
    shutil.copytree(SEED_DIR, tmp_path / "seed")
    again = tmp_path / "seed" / "record" / "99-again.toml"
    again.write_text(
        '[[sources]]\nkey = "rferl"\npublisher = "X"\ntitle = "Y"\nurl = "https://example.org/"\n'
        "accessed_on = 2026-01-01\ntext = 'Z'\n",
        encoding="utf-8",
    )
    with pytest.raises(
        SeedError, match=r"sources: 'rferl' is given twice, in seed.toml and 99-again"
    ):
        load_seed(seed_dir=tmp_path / "seed")
    assert not Source.objects.exists()
