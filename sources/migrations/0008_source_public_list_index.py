"""The source list's order among the sources a reader may see: its pager
counts them through this index alone (a scan of the table's stored texts
otherwise). Written per vendor as source_newest is (0006): PostgreSQL needs
NULLS LAST said; SQLite sorts nulls last in a descending order and has no
NULLS LAST in an index."""

from django.db import migrations

ORDER = {
    "postgresql": "published_on DESC NULLS LAST, title, id",
    "sqlite": "published_on DESC, title, id",
}


def create(apps, schema_editor):
    order = ORDER.get(schema_editor.connection.vendor)
    if order:
        schema_editor.execute(
            f"CREATE INDEX source_public_list ON sources_source ({order}) WHERE is_public"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ORDER:
        schema_editor.execute("DROP INDEX IF EXISTS source_public_list")


class Migration(migrations.Migration):
    dependencies = [("sources", "0007_source_is_public")]

    operations = [migrations.RunPython(create, drop)]
