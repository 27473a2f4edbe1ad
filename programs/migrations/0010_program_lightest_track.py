"""PostgreSQL: each program's lightest track (its fewest weekly minutes of sessions) also on the
program, `programs_program.lightest_track_minutes`, null when no track lists a session.

`sort=hours` orders by it, and "has listed a schedule" (CONTRACT "Facts not listed") is that it
is not null: both were a probe of the track summaries for every candidate, which across the
country (no place) read 100,000 programs' tracks: 200-320 ms. The place index carries it, so a
circle's candidates are sorted and checked from the index alone.

Not a model field, like `term_ids` (migration 0009): Django never reads or writes it. The
function that keeps the track summaries (migration 0007's `programs_trackschedule_refresh`, run
by the triggers on sessions in the statement that writes them) now also sets it, and a track
moved to another program sets it on both. The programs are locked first, in id order, then
their tracks: the order in which Django's forms, the admin and the imports write (a program,
then its tracks and sessions), so that two of them on one program wait instead of deadlocking.
The locks are NO KEY UPDATE: rows that only refer to a program or a track (a new track, a new
session) are not held up by them. (A track moved to another program takes its own row lock
first, then the programs': moving a track while its sessions are written may still deadlock,
and PostgreSQL then stops one of the two.)

SQLite keeps reading the track summaries: nothing to do there.
"""

from django.db import migrations

# Migration 0009's place index, with the new column (a later change of that index in
# Program.Meta must keep both).
LATLNG = (
    "CREATE INDEX program_published_latlng_idx ON programs_program (latitude, longitude) "
    "INCLUDE (id, name, treats_substance_use, treats_mental_health, co_occurring, availability, "
    "format, min_age, max_age, term_ids{extra}) WHERE status = 'published'"
)

# The summaries of the tracks whose ids are `ids` (0007's aggregate, unchanged).
SUMMARY = """
    SELECT s.track_id, t.program_id, count(*), sum(DISTINCT 1 << s.day), min(s.start),
           max(s.start), max(s."end"), sum(s.duration_minutes)
    FROM programs_session s JOIN programs_track t ON t.id = s.track_id
    WHERE s.track_id = ANY(ids)
    GROUP BY s.track_id, t.program_id
"""
COLUMNS = (
    "track_id, program_id, sessions, days, earliest_start, latest_start, latest_end, weekly_minutes"
)
LIGHTEST = """
    UPDATE programs_program p SET lightest_track_minutes = l.minutes
    FROM (
        SELECT q.id, (SELECT min(weekly_minutes) FROM programs_trackschedule ts
                      WHERE ts.program_id = q.id) AS minutes
        FROM unnest({programs}) AS q(id)
    ) l
    WHERE p.id = l.id AND p.lightest_track_minutes IS DISTINCT FROM l.minutes
"""

POSTGRESQL = [
    "ALTER TABLE programs_program ADD COLUMN lightest_track_minutes integer",
    """
    UPDATE programs_program p SET lightest_track_minutes = l.minutes
    FROM (
        SELECT program_id, min(weekly_minutes) AS minutes
        FROM programs_trackschedule GROUP BY program_id
    ) l
    WHERE l.program_id = p.id
    """,
    f"""
    CREATE OR REPLACE FUNCTION programs_trackschedule_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        programs bigint[] := ARRAY(
            SELECT DISTINCT program_id FROM programs_track WHERE id = ANY(ids)
            UNION SELECT program_id FROM programs_trackschedule WHERE track_id = ANY(ids));
    BEGIN
        PERFORM 1 FROM programs_program WHERE id = ANY(programs) ORDER BY id FOR NO KEY UPDATE;
        PERFORM 1 FROM programs_track WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
        -- A track moved to another program before it was locked: that program's too.
        programs := programs || ARRAY(SELECT program_id FROM programs_track WHERE id = ANY(ids));
        DELETE FROM programs_trackschedule WHERE track_id = ANY(ids);
        INSERT INTO programs_trackschedule ({COLUMNS})
        {SUMMARY};
        {LIGHTEST.format(programs="programs")};
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION programs_track_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE programs_trackschedule SET program_id = NEW.program_id WHERE track_id = NEW.id;
        {LIGHTEST.format(programs="ARRAY[OLD.program_id, NEW.program_id]")};
        RETURN NULL;
    END $$
    """,
    "DROP INDEX program_published_latlng_idx",
    LATLNG.format(extra=", lightest_track_minutes"),
]

# Migration 0007's functions as they were.
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS program_published_latlng_idx",
    LATLNG.format(extra=""),
    f"""
    CREATE OR REPLACE FUNCTION programs_trackschedule_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM programs_track WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
        DELETE FROM programs_trackschedule WHERE track_id = ANY(ids);
        INSERT INTO programs_trackschedule ({COLUMNS})
        {SUMMARY};
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION programs_track_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE programs_trackschedule SET program_id = NEW.program_id WHERE track_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    "ALTER TABLE programs_program DROP COLUMN IF EXISTS lightest_track_minutes",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0009_program_term_sets")]

    operations = [
        migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE), elidable=False),
    ]
