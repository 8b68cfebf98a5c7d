from django.db import migrations, models


def rewrite(apps, schema_editor):
    # Today's rebuild (positions.cells) writes the columns of this schema, the
    # table's latest: every row from the record. A later change to the table
    # moves this call to its own migration. (Each cell's latest, a table made
    # later, is written by 0017.)
    from positions.cells import write_statements

    write_statements()


class Migration(migrations.Migration):
    """Each cell statement carries its position's stance, and the cell index
    follows the winner's order (rule.WINNER_ORDER) with the stance last, so
    that a cell's winning stance is the first entry of an index-only scan."""

    dependencies = [
        ("positions", "0012_position_responds_to"),
    ]

    operations = [
        migrations.AddField(
            model_name="cellstatement",
            name="stance",
            field=models.CharField(
                choices=[
                    ("supports", "Supports"),
                    ("conditional", "Conditional"),
                    ("undecided", "Ambiguous or undecided"),
                    ("opposes", "Opposes"),
                    ("hostile", "Hostile (threat)"),
                ],
                default="",
                max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(rewrite, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="cellstatement", name="cellstatement_cell"),
        migrations.AddIndex(
            model_name="cellstatement",
            index=models.Index(
                fields=["subject", "topic", "is_claim", "-as_of", "rank", "-position", "stance"],
                name="cellstatement_cell_order",
            ),
        ),
    ]
