"""The newest sources first, undated last (positions/search.py reads them
so). PostgreSQL sorts nulls first in a descending order unless told; SQLite
sorts them last, and has no NULLS LAST in an index."""

from django.db import migrations

ORDER = {
    "postgresql": "published_on DESC NULLS LAST, id DESC",
    "sqlite": "published_on DESC, id DESC",
}


def create(apps, schema_editor):
    order = ORDER.get(schema_editor.connection.vendor)
    if order:
        schema_editor.execute(f"CREATE INDEX source_newest ON sources_source ({order})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ORDER:
        schema_editor.execute("DROP INDEX IF EXISTS source_newest")


class Migration(migrations.Migration):
    dependencies = [("sources", "0005_quote_translation")]

    operations = [migrations.RunPython(create, drop)]
