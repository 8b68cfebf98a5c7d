"""Each quote's visibility, stored from now on (positions.visibility keeps
it): worked out here once for the quotes already recorded."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    Quote = apps.get_model("sources", "Quote")
    Position = apps.get_model("positions", "Position")
    # positions.visibility.quote_visible, on the models as they are at this migration.
    resting = Position.objects.filter(quote=OuterRef("pk"))
    # Every quote starts public (the field's default): only the others change.
    Quote.objects.filter(Exists(resting)).exclude(
        Exists(resting.exclude(status="draft"))
    ).update(is_public=False)


class Migration(migrations.Migration):
    dependencies = [
        ("positions", "0015_position_summary_search"),
        ("sources", "0010_quote_is_public"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
