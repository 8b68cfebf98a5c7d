"""The assistant's starting lexicon (desk.defaults); editors extend it in the admin."""

from django.db import migrations

from desk.defaults import STANCE_CUES as CUES


def add(apps, schema_editor):
    StanceCue = apps.get_model("desk", "StanceCue")
    for stance, phrases in CUES.items():
        for phrase in phrases:
            StanceCue.objects.get_or_create(phrase=phrase, defaults={"stance": stance})


def remove(apps, schema_editor):
    StanceCue = apps.get_model("desk", "StanceCue")
    StanceCue.objects.filter(phrase__in=[p for ps in CUES.values() for p in ps]).delete()


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
