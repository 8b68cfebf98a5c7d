"""A GIN index for full-text search of positions' summaries on PostgreSQL
(positions.search.positions_matching, the API's ``q``), as sources/0002
made for quotes and sources. Its expression is the one Django writes for
SearchVector("summary") with config "english", so the planner uses it;
SQLite searches by word matching and gets no index."""

from django.db import migrations

SUMMARY = "to_tsvector('english'::regconfig, COALESCE(summary, ''))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS position_summary_search ON positions_position "
            f"USING gin ({SUMMARY})"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS position_summary_search")


class Migration(migrations.Migration):
    dependencies = [("positions", "0014_source_visibility")]

    operations = [migrations.RunPython(create, drop)]
