"""PostgreSQL: what a listing shows of each program's relations, kept ready beside it.

A results page or an API call reads its programs as documents the database builds in the
statement that ranks them (ProgramQuerySet.ranked_for_listing). Building the licensed states
and the tracks with their sessions for each row was most of that statement's time: at 100,000
programs, most of 0.8 of its 1.3 ms of planning and 0.7 of its 1.4 ms of execution. Here they
are kept as one JSON text a program, `programs_listing_parts.parts` ([states, tracks], as
programs.querysets.program_document_sql writes them), and a statement reads the rows it lists.
The program's own columns, its term ids and its provider's row are still read as they are:
a provider's name changed while another transaction moves a program to it would otherwise be
stored stale for good (the provider's trigger cannot see the uncommitted move), and a column
added to providers would be missing from every stored row.

Not a model: Django never reads or writes the table, so no stale instance can overwrite it,
and `flush` (which truncates the models' tables) leaves it to the triggers. Statement triggers
on every table the parts are made of refresh the programs whose rows a statement touched, in
that statement's transaction (forms, the admin, `.add()`/`.set()`, bulk writes, COPY, imports,
raw SQL). The programs are locked first, in id order, as 0007 and 0009 do: two transactions
changing one program's tracks at once then write its parts one after the other, the second
seeing the first's rows. A program's parts go with it when it is deleted.

A page whose program has no parts row (written with triggers off, as by
`session_replication_role = replica`) gets that program's document built in full by a second
statement (ranked_for_listing), so a missing row costs time, never a wrong page.

SQLite builds the whole document in the statement, as before: nothing to do there.
"""

from django.db import migrations

from ._postgresql import on_postgresql

# The parts of the programs whose ids the array `ids` gives, as 0017's documents built them:
# the body of programs_listing_parts_of, which the refresh stores and a page whose program has
# no stored row reads (programs.querysets.program_document_sql), so that both are this SQL.
PARTS = """
    SELECT p.id, json_build_array(
        (SELECT coalesce(json_agg(json_build_array(st.code, st.name) ORDER BY st.code), '[]')
         FROM programs_program_virtual_states v JOIN programs_state st ON st.code = v.state_id
         WHERE v.program_id = p.id),
        (SELECT coalesce(json_agg(json_build_array(k.id, k.name, k.position, k.openings,
                k.next_start, k.rolling_admission, k.availability_confirmed,
                (SELECT coalesce(json_agg(json_build_array(s.id, s.day, s.start, s."end",
                        s.duration_minutes) ORDER BY s.day, s.start, s.id), '[]')
                 FROM programs_session s WHERE s.track_id = k.id))
                ORDER BY k.position, k.id), '[]')
         FROM programs_track k WHERE k.program_id = p.id)
    )::text
    FROM programs_program p
    WHERE p.id = ANY({ids})
"""

# Statement triggers on each table the parts are made of: for each event, its transition
# tables and the changed rows' values of a column; then, from those, the programs touched.
OF_ROWS = {
    "INSERT": ("NEW TABLE AS new_rows", "{column} FROM new_rows"),
    "DELETE": ("OLD TABLE AS old_rows", "{column} FROM old_rows"),
    "UPDATE": (
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "{column} FROM old_rows UNION SELECT {column} FROM new_rows",
    ),
}
SOURCES = {
    # A program's own columns are read from its row: only a new program needs its parts.
    "programs_program": ["INSERT"],
    "programs_program_virtual_states": ["INSERT", "DELETE", "UPDATE"],
    # A state inserted after rows naming it (foreign keys are checked at commit).
    "programs_state": ["INSERT", "UPDATE"],
    "programs_track": ["INSERT", "DELETE", "UPDATE"],
    "programs_session": ["INSERT", "DELETE", "UPDATE"],
}
PROGRAMS_OF = {
    "programs_program": "SELECT {id}",
    "programs_program_virtual_states": "SELECT {program_id}",
    "programs_state": (
        "SELECT v.program_id FROM programs_program_virtual_states v "
        "WHERE v.state_id IN (SELECT {code})"
    ),
    "programs_track": "SELECT {program_id}",
    "programs_session": (
        "SELECT k.program_id FROM programs_track k WHERE k.id IN (SELECT {track_id})"
    ),
}
COLUMN_OF = {
    "programs_program": "id",
    "programs_program_virtual_states": "program_id",
    "programs_state": "code",
    "programs_track": "program_id",
    "programs_session": "track_id",
}


def _programs_of(table, event):
    transition, rows = OF_ROWS[event]
    column = COLUMN_OF[table]
    selected = rows.format(column=column)  # "<column> FROM new_rows", for PROGRAMS_OF
    return transition, PROGRAMS_OF[table].format(**{column: selected})


PAST = {"INSERT": "inserted", "DELETE": "deleted", "UPDATE": "updated"}


def _trigger(table, event):
    name = f"{table}_listing_{PAST[event]}"
    transition, programs = _programs_of(table, event)
    return name, [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM programs_listing_parts_refresh(ARRAY({programs}));
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {name} AFTER {event} ON {table}
        REFERENCING {transition}
        FOR EACH STATEMENT EXECUTE FUNCTION {name}()
        """,
    ]


TRIGGERS = [_trigger(table, event) for table, events in SOURCES.items() for event in events]
# TRUNCATE fires no trigger of INSERT or DELETE: the parts of every program are made again
# (a truncated programs_program takes them all away).
TRUNCATED = ["programs_program_virtual_states", "programs_track", "programs_session"]

POSTGRESQL = [
    "CREATE TABLE programs_listing_parts (program_id bigint PRIMARY KEY, parts text NOT NULL)",
    f"""
    CREATE FUNCTION programs_listing_parts_of(ids bigint[])
    RETURNS TABLE (program_id bigint, parts text) LANGUAGE sql STABLE AS $$
        {PARTS.format(ids="ids")}
    $$
    """,
    """
    CREATE FUNCTION programs_listing_parts_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM programs_program WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
        INSERT INTO programs_listing_parts (program_id, parts)
        SELECT * FROM programs_listing_parts_of(ids)
        ON CONFLICT (program_id) DO UPDATE SET parts = EXCLUDED.parts;
    END $$
    """,
    *[sql for _name, statements in TRIGGERS for sql in statements],
    """
    CREATE FUNCTION programs_program_listing_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM programs_listing_parts WHERE program_id IN (SELECT id FROM old_rows);
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER programs_program_listing_deleted AFTER DELETE ON programs_program
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION programs_program_listing_deleted()
    """,
    """
    CREATE FUNCTION programs_program_listing_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM programs_listing_parts;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER programs_program_listing_truncated AFTER TRUNCATE ON programs_program
    FOR EACH STATEMENT EXECUTE FUNCTION programs_program_listing_truncated()
    """,
    """
    CREATE FUNCTION programs_listing_parts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM programs_listing_parts_refresh(ARRAY(SELECT id FROM programs_program));
        RETURN NULL;
    END $$
    """,
    *[
        f"""
        CREATE TRIGGER {table}_listing_truncated AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION programs_listing_parts_truncated()
        """
        for table in TRUNCATED
    ],
    # Every program's parts, once.
    """
    INSERT INTO programs_listing_parts (program_id, parts)
    SELECT * FROM programs_listing_parts_of(ARRAY(SELECT id FROM programs_program))
    """,
]
POSTGRESQL_REVERSE = [
    *[f"DROP TRIGGER IF EXISTS {table}_listing_truncated ON {table}" for table in TRUNCATED],
    "DROP FUNCTION IF EXISTS programs_listing_parts_truncated()",
    "DROP TRIGGER IF EXISTS programs_program_listing_truncated ON programs_program",
    "DROP FUNCTION IF EXISTS programs_program_listing_truncated()",
    "DROP TRIGGER IF EXISTS programs_program_listing_deleted ON programs_program",
    "DROP FUNCTION IF EXISTS programs_program_listing_deleted()",
    *[
        sql
        for (table, events) in SOURCES.items()
        for event in events
        for sql in (
            f"DROP TRIGGER IF EXISTS {table}_listing_{PAST[event]} ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_listing_{PAST[event]}()",
        )
    ],
    "DROP FUNCTION IF EXISTS programs_listing_parts_refresh(bigint[])",
    "DROP FUNCTION IF EXISTS programs_listing_parts_of(bigint[])",
    "DROP TABLE IF EXISTS programs_listing_parts",
]


class Migration(migrations.Migration):
    dependencies = [("programs", "0017_remote_term_ids_index")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
