"""Each source's visibility, stored from now on (positions.visibility keeps
it): worked out here once for the sources already recorded."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    Quote = apps.get_model("sources", "Quote")
    Position = apps.get_model("positions", "Position")
    # positions.visibility.visible, on the models as they are at this migration.
    resting = Position.objects.filter(quote=OuterRef("pk"))
    quotes = Quote.objects.filter(source=OuterRef("pk"))
    public_quotes = quotes.filter(~Exists(resting) | Exists(resting.exclude(status="draft")))
    # Every source starts public (the field's default): only the others change.
    Source.objects.exclude(~Exists(quotes) | Exists(public_quotes)).update(is_public=False)


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0013_cell_stance_and_winner_order_index"),
        ("sources", "0007_source_is_public"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
