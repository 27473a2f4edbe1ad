"""Schema statements that only PostgreSQL runs, for migrations: the columns and indexes that
its searches read (expressions.HiddenProgramColumn) and SQLite goes without. The leading
underscore keeps Django's migration loader from taking this module for a migration."""

from django.db import migrations


def _runner(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                # No parameters: a `%` in the SQL is the SQL's own.
                schema_editor.execute(statement, params=None)

    return run


def on_postgresql(forward, backward):
    """An operation that runs the SQL statements `forward` on PostgreSQL, `backward` when
    migrating back, and nothing on other databases."""
    return migrations.RunPython(_runner(forward), _runner(backward), elidable=False)
