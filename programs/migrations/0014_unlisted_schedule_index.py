"""PostgreSQL: the place index (0010's) again, for the programs that list no schedule only
(`lightest_track_minutes` null). A search that asks about schedules also counts the programs
of its place that have not listed one (CONTRACT "Facts not listed"); that count read every
program of the place again (4-5 ms within 100 miles at 100,000 programs, 67 ms without a
place) where the programs it counts are few, or none, and are read from this index instead.
Where most programs list no schedule (SAMHSA's directory) the planner keeps to the other."""

from django.db import migrations

POSTGRESQL = [
    "CREATE INDEX program_unlisted_schedule_idx ON programs_program (latitude, longitude) "
    "INCLUDE (id, name, treats_substance_use, treats_mental_health, co_occurring, availability, "
    "format, min_age, max_age, term_ids) "
    "WHERE status = 'published' AND lightest_track_minutes IS NULL",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS program_unlisted_schedule_idx"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_trackschedule_days_start_indexes")]

    operations = [
        migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE), elidable=False),
    ]
