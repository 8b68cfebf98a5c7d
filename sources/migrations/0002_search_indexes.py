"""GIN indexes for full-text search on PostgreSQL (positions/search.py).

Their expressions are the ones Django writes for SearchVector("text") and
SearchVector("title", "publisher", "author") with config "english", so the
planner uses them; SQLite searches by word matching and gets no index."""

from django.db import migrations

QUOTE = "to_tsvector('english'::regconfig, COALESCE(text, ''))"
SOURCE = (
    "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || "
    "COALESCE(publisher, '') || ' ' || COALESCE(author, ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX quote_search ON sources_quote USING gin ({QUOTE})")
        schema_editor.execute(f"CREATE INDEX source_search ON sources_source USING gin ({SOURCE})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS quote_search")
        schema_editor.execute("DROP INDEX IF EXISTS source_search")


class Migration(migrations.Migration):
    dependencies = [("sources", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
