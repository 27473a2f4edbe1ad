"""PostgreSQL: each program's heaviest track (its most weekly minutes of sessions) also on the
program, `programs_program.heaviest_track_minutes`, beside the lightest (migration 0010), and
carried by the place index (0014) and the remote programs' index (0015).

"At least N hours a week" alone is then a comparison in the place index: a program has a
track of at least N hours exactly when its heaviest track has. Before, it probed each
candidate's track summaries: 100 miles around Brooklyn with `hours_min=10` read 5,462
candidates' summaries, 6 of its 12 ms. (Alone, "at most N hours" is the lightest track's
comparison in the same way.)

The summary function of migration 0010 and its trigger function for a moved track are
written again to set both, in one statement, in the same transaction as the sessions; every
program's heaviest track is set once here. Migrations are history: this one keeps its own copy
of 0010's summary SQL.
"""

from django.db import migrations

from ._postgresql import on_postgresql

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SPANS = ", ".join(
    f'min(CASE WHEN s.day = {day} THEN s.start END), max(CASE WHEN s.day = {day} THEN s."end" END)'
    for day in range(7)
)
COLUMNS = (
    "track_id, program_id, sessions, days, earliest_start, latest_start, latest_end, "
    "weekly_minutes, " + ", ".join(f"{slug}_start, {slug}_end" for slug in DAYS)
)
SUMMARY = f"""
    SELECT s.track_id, t.program_id, count(*), sum(DISTINCT 1 << s.day), min(s.start),
           max(s.start), max(s."end"), sum(s.duration_minutes), {SPANS}
    FROM programs_session s JOIN programs_track t ON t.id = s.track_id
    WHERE s.track_id = ANY(ids)
    GROUP BY s.track_id, t.program_id
"""
# 0010's statement for the lightest track, and this migration's for both.
LIGHTEST = """
    UPDATE programs_program p SET lightest_track_minutes = l.minutes
    FROM (
        SELECT q.id, (SELECT min(weekly_minutes) FROM programs_trackschedule ts
                      WHERE ts.program_id = q.id) AS minutes
        FROM unnest({programs}) AS q(id)
    ) l
    WHERE p.id = l.id AND p.lightest_track_minutes IS DISTINCT FROM l.minutes
"""
EXTREMES = """
    UPDATE programs_program p
    SET lightest_track_minutes = l.lightest, heaviest_track_minutes = l.heaviest
    FROM (
        SELECT q.id, m.lightest, m.heaviest
        FROM unnest({programs}) AS q(id),
        LATERAL (SELECT min(weekly_minutes) AS lightest, max(weekly_minutes) AS heaviest
                 FROM programs_trackschedule ts WHERE ts.program_id = q.id) m
    ) l
    WHERE p.id = l.id AND (p.lightest_track_minutes IS DISTINCT FROM l.lightest
                           OR p.heaviest_track_minutes IS DISTINCT FROM l.heaviest)
"""


def functions(set_minutes):
    """0010's summary function and moved-track function, setting the program's minutes with
    `set_minutes` (LIGHTEST or EXTREMES)."""
    return [
        f"""
        CREATE OR REPLACE FUNCTION programs_trackschedule_refresh(ids bigint[]) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            programs bigint[] := ARRAY(
                SELECT DISTINCT program_id FROM programs_track WHERE id = ANY(ids)
                UNION SELECT program_id FROM programs_trackschedule WHERE track_id = ANY(ids));
        BEGIN
            PERFORM 1 FROM programs_program WHERE id = ANY(programs) ORDER BY id
                FOR NO KEY UPDATE;
            PERFORM 1 FROM programs_track WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
            -- A track moved to another program before it was locked: that program's too.
            programs := programs || ARRAY(SELECT program_id FROM programs_track
                                          WHERE id = ANY(ids));
            DELETE FROM programs_trackschedule WHERE track_id = ANY(ids);
            INSERT INTO programs_trackschedule ({COLUMNS})
            {SUMMARY};
            {set_minutes.format(programs="programs")};
        END $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION programs_track_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE programs_trackschedule SET program_id = NEW.program_id WHERE track_id = NEW.id;
            {set_minutes.format(programs="ARRAY[OLD.program_id, NEW.program_id]")};
            RETURN NULL;
        END $$
        """,
    ]


# 0014's place index, with what a search reads of each program.
PLACE_INDEX = (
    "CREATE INDEX program_published_cell_idx ON programs_program (lat_cell, longitude) "
    "INCLUDE (latitude, id, name, treats_substance_use, treats_mental_health, co_occurring, "
    "availability, format, min_age, max_age, term_ids, lightest_track_minutes{extra}) "
    "WHERE status = 'published'"
)

# 0015's index of the remote programs, likewise.
REMOTE_INDEX = (
    "CREATE INDEX program_published_remote_idx ON programs_program (id) "
    "INCLUDE (latitude, longitude, lat_cell, name, treats_substance_use, treats_mental_health, "
    "co_occurring, availability, format, min_age, max_age, term_ids, lightest_track_minutes"
    "{extra}) WHERE status = 'published' AND format IN ('virtual', 'hybrid')"
)

POSTGRESQL = [
    "ALTER TABLE programs_program ADD COLUMN heaviest_track_minutes integer",
    *functions(EXTREMES),
    """
    UPDATE programs_program p SET heaviest_track_minutes = m.heaviest
    FROM (SELECT program_id, max(weekly_minutes) AS heaviest FROM programs_trackschedule
          GROUP BY program_id) m
    WHERE p.id = m.program_id
    """,
    "DROP INDEX program_published_cell_idx",
    PLACE_INDEX.format(extra=", heaviest_track_minutes"),
    "DROP INDEX program_published_remote_idx",
    REMOTE_INDEX.format(extra=", heaviest_track_minutes"),
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS program_published_remote_idx",
    REMOTE_INDEX.format(extra=""),
    "DROP INDEX IF EXISTS program_published_cell_idx",
    PLACE_INDEX.format(extra=""),
    *functions(LIGHTEST),
    "ALTER TABLE programs_program DROP COLUMN IF EXISTS heaviest_track_minutes",
]


class Migration(migrations.Migration):
    dependencies = [("programs", "0015_remote_programs_index")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
