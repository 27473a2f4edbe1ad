"""Each track's summary (TrackSchedule) also says, for each weekday, its earliest start and latest
end that day, so that `free` compares those spans with the person's free windows instead of
reading every session of every candidate track (the weekday-evenings-and-weekends preset across
the country read all 690,000 sessions at 100,000 programs: 400 ms).

The triggers of migration 0007 (SQLite) and the summary function of 0010 (PostgreSQL) are
written again with the new columns; everything else they do is unchanged. Migrations are
history: each keeps its own copy of the summary's SQL.
"""

from django.db import migrations, models

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

SPANS = ", ".join(
    f'min(CASE WHEN s.day = {day} THEN s.start END), max(CASE WHEN s.day = {day} THEN s."end" END)'
    for day in range(7)
)
SPAN_COLUMNS = ", ".join(f"{slug}_start, {slug}_end" for slug in DAYS)
SUMMARY = f"""
    SELECT s.track_id, t.program_id, count(*), sum(DISTINCT 1 << s.day), min(s.start),
           max(s.start), max(s."end"), sum(s.duration_minutes), {SPANS}
    FROM programs_session s JOIN programs_track t ON t.id = s.track_id
    WHERE s.track_id {{tracks}}
    GROUP BY s.track_id, t.program_id
"""
COLUMNS = (
    "track_id, program_id, sessions, days, earliest_start, latest_start, latest_end, "
    f"weekly_minutes, {SPAN_COLUMNS}"
)
OLD_COLUMNS = (
    "track_id, program_id, sessions, days, earliest_start, latest_start, latest_end, weekly_minutes"
)
OLD_SUMMARY = """
    SELECT s.track_id, t.program_id, count(*), sum(DISTINCT 1 << s.day), min(s.start),
           max(s.start), max(s."end"), sum(s.duration_minutes)
    FROM programs_session s JOIN programs_track t ON t.id = s.track_id
    WHERE s.track_id {tracks}
    GROUP BY s.track_id, t.program_id
"""

# PostgreSQL: migration 0010's function, the summary with the spans.
LIGHTEST = """
    UPDATE programs_program p SET lightest_track_minutes = l.minutes
    FROM (
        SELECT q.id, (SELECT min(weekly_minutes) FROM programs_trackschedule ts
                      WHERE ts.program_id = q.id) AS minutes
        FROM unnest(programs) AS q(id)
    ) l
    WHERE p.id = l.id AND p.lightest_track_minutes IS DISTINCT FROM l.minutes
"""


def _postgresql_refresh(columns, summary):
    return f"""
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
        INSERT INTO programs_trackschedule ({columns})
        {summary.format(tracks="= ANY(ids)")};
        {LIGHTEST};
    END $$
    """


# Every summary written again, once the function has the spans.
POSTGRESQL_BACKFILL = "SELECT programs_trackschedule_refresh(ARRAY(SELECT id FROM programs_track))"


# SQLite: migration 0007's row triggers on sessions, the summary with the spans.
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


def _sqlite_backfill(columns, summary):
    return [
        "DELETE FROM programs_trackschedule",
        f"INSERT INTO programs_trackschedule ({columns}) "
        f"{summary.format(tracks='IN (SELECT track_id FROM programs_session)')}",
    ]


FORWARD = {
    "postgresql": [_postgresql_refresh(COLUMNS, SUMMARY), POSTGRESQL_BACKFILL],
    "sqlite": [*_sqlite_triggers(COLUMNS, SUMMARY), *_sqlite_backfill(COLUMNS, SUMMARY)],
}
# Back to 0010's function and 0007's triggers (the span columns are dropped after this).
BACKWARD = {
    "postgresql": [_postgresql_refresh(OLD_COLUMNS, OLD_SUMMARY)],
    "sqlite": _sqlite_triggers(OLD_COLUMNS, OLD_SUMMARY),
}


def _run(statements):
    def run(apps, schema_editor):
        by_vendor = statements.get(schema_editor.connection.vendor)
        if by_vendor is None:
            raise NotImplementedError(f"No schedule triggers for {schema_editor.connection.vendor}")
        for statement in by_vendor:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0011_hsds_page_index")]

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
