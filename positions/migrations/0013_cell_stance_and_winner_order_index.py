from django.db import migrations, models


class Migration(migrations.Migration):
    """Each cell statement carries its position's stance, and the cell index
    follows the winner's order (rule.WINNER_ORDER) with the stance last, so
    that a cell's winning stance is the first entry of an index-only scan.
    The rows are written again, with their stances, by 0018: each migration
    that changes the table's columns hands that rewrite on to the next."""

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
        migrations.RemoveIndex(model_name="cellstatement", name="cellstatement_cell"),
        migrations.AddIndex(
            model_name="cellstatement",
            index=models.Index(
                fields=["subject", "topic", "is_claim", "-as_of", "rank", "-position", "stance"],
                name="cellstatement_cell_order",
            ),
        ),
    ]
