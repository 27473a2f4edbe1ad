"""Trigram indexes for `q` on PostgreSQL: the program's text (expressions.ProgramSearchText,
whose SQL the index expression must match) and the provider's name. pg_trgm is a trusted
extension (PostgreSQL 13+): a database owner may create it. SQLite has no such index."""

from django.db import migrations

PROGRAM_TEXT = "UPPER(name || ' ' || description || ' ' || city)"


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX program_text_trgm_idx ON programs_program "
        f"USING gin (({PROGRAM_TEXT}) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX provider_name_trgm_idx ON programs_provider "
        "USING gin ((UPPER(name)) gin_trgm_ops)"
    )


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS program_text_trgm_idx")
    schema_editor.execute("DROP INDEX IF EXISTS provider_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_track_schedule_summary")]

    operations = [migrations.RunPython(indexes_create, indexes_drop, elidable=False)]
