import django.db.models.deletion
from django.db import migrations, models


def rewrite(apps, schema_editor):
    # Today's rebuild (positions.cells) writes the columns of this schema, the
    # table's latest: every row from the record, then each cell's latest. A
    # later change to the table moves this call to its own migration.
    from positions.cells import write_latest, write_statements

    write_statements()
    write_latest()


class Migration(migrations.Migration):
    """Each cell statement carries the words its position answers, so that a
    timeline replays a cell's history from the index alone."""

    dependencies = [
        ("positions", "0017_cell_latest"),
    ]

    operations = [
        migrations.AddField(
            model_name="cellstatement",
            name="responds_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="positions.position",
            ),
        ),
        migrations.RunPython(rewrite, migrations.RunPython.noop),
    ]
