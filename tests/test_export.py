"""Nothing lost: the whole data set and its history survive an export and a
re-import into an empty database unchanged."""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from actors.models import Actor
from positions.models import Position, Status
from positions.seeding import load_seed
from sources.models import Quote, Source


def export(tmp_path, name) -> str:
    path = tmp_path / name
    call_command("export_data", output=str(path))
    return path.read_text()


@pytest.mark.django_db(transaction=True)
def test_export_and_reimport_round_trip(tmp_path, django_user_model, make):
    load_seed(record=False)
    editor = django_user_model.objects.create_user(username="editor", password="x" * 20)
    call_command("setup_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Some editorial life: an edit, a retraction, a draft with conditions.
    position = Position.objects.get(quote__speaker__slug="dmitry-peskov")
    position.summary = "Edited after review."
    position._history_user = editor
    position.save()
    retracted = Position.objects.filter(actor__slug="poland").first()
    retracted.status = Status.RETRACTED
    retracted.correction_note = "Misread."
    retracted.save()
    draft = make.position(
        actor=Actor.objects.get(slug="france"),
        topic=position.topic,
        as_of=dt.date(2025, 3, 1),
        status=Status.DRAFT,
    )
    draft.conditions.add(*position.topic.positions.first().conditions.all())

    first = export(tmp_path, "first.json")
    counts = {m: m.objects.count() for m in (Actor, Source, Quote, Position)}
    history = Position.history.count()
    dates = list(Position.history.values_list("history_date", flat=True).order_by("pk"))
    assert any(date.microsecond % 1000 for date in dates)

    call_command("flush", interactive=False, verbosity=0)
    assert Position.objects.count() == 0
    call_command("import_data", str(tmp_path / "first.json"), stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert export(tmp_path, "second.json") == first
    # To the microsecond: history is ordered by these timestamps.
    assert list(Position.history.values_list("history_date", flat=True).order_by("pk")) == dates
    assert {m: m.objects.count() for m in (Actor, Source, Quote, Position)} == counts
    assert Position.history.count() == history
    restored = Position.objects.get(pk=position.pk)
    assert restored.summary == "Edited after review."
    assert restored.history.first().history_user.username == "editor"
    records = {record["model"] for record in json.loads(first)}
    assert {"positions.historicalposition", "sources.historicalsource", "auth.user"} <= records
    assert "authtoken.token" not in records


@pytest.mark.django_db
def test_import_refuses_a_database_with_data(tmp_path, make):
    make.state("Somewhere", "SW")
    (tmp_path / "empty.json").write_text("[]")
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_data", str(tmp_path / "empty.json"))


@pytest.mark.django_db(transaction=True)
def test_an_export_without_verification_flags_gets_them_on_import(tmp_path, make):
    """An export from before ``Quote.is_verified`` was stored loads with the
    flags worked out, as saves would have."""
    source = make.source(text="He said: no troops. Then he left.")
    kept = make.quote(source=source, text="no troops.")
    unchecked = make.quote(source=make.source(text=""), text="Unchecked words.")
    records = json.loads(export(tmp_path, "new.json"))
    for record in records:
        if record["model"] == "sources.quote":
            del record["fields"]["is_verified"]
    (tmp_path / "old.json").write_text(json.dumps(records))
    call_command("flush", interactive=False, verbosity=0)
    call_command("import_data", str(tmp_path / "old.json"), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert dict(Quote.objects.values_list("pk", "is_verified")) == {
        kept.pk: True,
        unchecked.pk: False,
    }
