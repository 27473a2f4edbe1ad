"""What schedule searches read, kept by the database beside what it summarizes:

- Each track's summary (TrackSchedule) also says, for each weekday, its earliest start and
  latest end that day (`mon_start` ... `sun_end`, both databases), so that `free` compares those
  spans with the person's free windows instead of reading every session of every candidate
  track (the weekday-evenings-and-weekends preset across the country read all 690,000 sessions
  at 100,000 programs: 400 ms).
- PostgreSQL: each program's lightest track (its fewest weekly minutes of sessions) also on the
  program, `programs_program.lightest_track_minutes`, null when no track lists a session.
  `sort=hours` orders by it, and "has listed a schedule" (CONTRACT "Facts not listed") is that
  it is not null: both probed every candidate's track summaries (200-320 ms without a place).
  The place index carries it. Not a model field, like `term_ids` (migration 0009): Django never
  reads or writes it.

The summary function of migration 0007 (PostgreSQL) and its triggers on sessions (SQLite) are
written again with the spans; on PostgreSQL the function also sets the lightest track, and a
track moved to another program sets it on both. The programs are locked first, in id order,
then their tracks: the order in which Django's forms, the admin and the imports write (a
program, then its tracks and sessions), so that two of them on one program wait instead of
deadlocking. The locks are NO KEY UPDATE: rows that only refer to a program or a track (a new
track, a new session) are not held up by them. (A track moved to another program takes its own
row lock first, then the programs': moving a track while its sessions are written may still
deadlock, and PostgreSQL then stops one of the two.)

Migrations are history: this one keeps its own copy of 0007's summary SQL.
"""

from django.db import migrations, models

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

SPANS = ", ".join(
    f'min(CASE WHEN s.day = {day} THEN s.start END), max(CASE WHEN s.day = {day} THEN s."end" END)'
    for day in range(7)
)
SPAN_COLUMNS = ", ".join(f"{slug}_start, {slug}_end" for slug in DAYS)
BASE_COLUMNS = (
    "track_id, program_id, sessions, days, earliest_start, latest_start, latest_end, weekly_minutes"
)
BASE_SUMMARY = """
    SELECT s.track_id, t.program_id, count(*), sum(DISTINCT 1 << s.day), min(s.start),
           max(s.start), max(s."end"), sum(s.duration_minutes){spans}
    FROM programs_session s JOIN programs_track t ON t.id = s.track_id
    WHERE s.track_id {{tracks}}
    GROUP BY s.track_id, t.program_id
"""
# The summary with the spans, and 0007's without them (for going back).
COLUMNS, SUMMARY = f"{BASE_COLUMNS}, {SPAN_COLUMNS}", BASE_SUMMARY.format(spans=f", {SPANS}")
OLD_COLUMNS, OLD_SUMMARY = BASE_COLUMNS, BASE_SUMMARY.format(spans="")

# PostgreSQL: the place index (0009's), with the new column (a later change of that index in
# Program.Meta must keep `term_ids` and `lightest_track_minutes`).
LATLNG = (
    "CREATE INDEX program_published_latlng_idx ON programs_program (latitude, longitude) "
    "INCLUDE (id, name, treats_substance_use, treats_mental_health, co_occurring, availability, "
    "format, min_age, max_age, term_ids{extra}) WHERE status = 'published'"
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
        {SUMMARY.format(tracks="= ANY(ids)")};
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
    # Every summary written again (with its spans), every program's lightest track set.
    "SELECT programs_trackschedule_refresh(ARRAY(SELECT id FROM programs_track))",
    "DROP INDEX program_published_latlng_idx",
    LATLNG.format(extra=", lightest_track_minutes"),
]
# Back to 0007's function and 0009's index (the span columns are dropped after this).
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS program_published_latlng_idx",
    LATLNG.format(extra=""),
    f"""
    CREATE OR REPLACE FUNCTION programs_trackschedule_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM programs_track WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
        DELETE FROM programs_trackschedule WHERE track_id = ANY(ids);
        INSERT INTO programs_trackschedule ({OLD_COLUMNS})
        {OLD_SUMMARY.format(tracks="= ANY(ids)")};
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


# SQLite: 0007's row triggers on sessions, with the summary given.
def _sqlite_refresh(track, columns, summary):
    return f"""
        DELETE FROM programs_trackschedule WHERE track_id = {track};
        INSERT INTO programs_trackschedule ({columns}) {summary.format(tracks=f"= {track}")};
    """


def _sqlite_triggers(columns, summary):
    return [
        "DROP TRIGGER IF EXISTS programs_session_inserted",
        "DROP TRIGGER IF EXISTS programs_session_deleted",
        "DROP TRIGGER IF EXISTS programs_session_updated",
        f"""
        CREATE TRIGGER programs_session_inserted AFTER INSERT ON programs_session BEGIN
            {_sqlite_refresh("NEW.track_id", columns, summary)}
        END
        """,
        f"""
        CREATE TRIGGER programs_session_deleted AFTER DELETE ON programs_session BEGIN
            {_sqlite_refresh("OLD.track_id", columns, summary)}
        END
        """,
        f"""
        CREATE TRIGGER programs_session_updated AFTER UPDATE ON programs_session BEGIN
            {_sqlite_refresh("OLD.track_id", columns, summary)}
            {_sqlite_refresh("NEW.track_id", columns, summary)}
        END
        """,
    ]


SQLITE = [
    *_sqlite_triggers(COLUMNS, SUMMARY),
    "DELETE FROM programs_trackschedule",
    f"INSERT INTO programs_trackschedule ({COLUMNS}) "
    f"{SUMMARY.format(tracks='IN (SELECT track_id FROM programs_session)')}",
]
SQLITE_REVERSE = _sqlite_triggers(OLD_COLUMNS, OLD_SUMMARY)

FORWARD = {"postgresql": POSTGRESQL, "sqlite": SQLITE}
BACKWARD = {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}


def _run(statements):
    def run(apps, schema_editor):
        by_vendor = statements.get(schema_editor.connection.vendor)
        if by_vendor is None:
            raise NotImplementedError(f"No schedule triggers for {schema_editor.connection.vendor}")
        for statement in by_vendor:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0009_program_term_sets")]

    operations = [
        *[
            migrations.AddField(
                model_name="trackschedule", name=f"{slug}_{end}", field=models.TimeField(null=True)
            )
            for slug in DAYS
            for end in ("start", "end")
        ],
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
