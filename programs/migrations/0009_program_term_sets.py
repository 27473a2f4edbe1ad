"""PostgreSQL: each program's terms also as one sorted array, `programs_program.term_ids`, for
search (expressions.TermSet). Not a model field: Django never reads or writes it, so no stale
instance can overwrite it. Statement triggers on programs_program_terms keep it equal to the
program's rows there, in the statement that writes them (forms, `.add()`/`.set()`, bulk
inserts, COPY, imports, raw SQL; a term's deletion cascades through them). A GIN index finds
the programs holding a set of terms; the place index (Program.Meta's
`program_published_latlng_idx`, rebuilt here under its name) also carries it on PostgreSQL, so
that a circle's candidates are checked from the index instead of one probe of the terms table
per condition. A later migration that changes that index in Meta must keep `term_ids` in it.

A term held by many programs rewrites each of their rows when it is deleted or merged: do that
with `manage.py` (no statement timeout), not in a web request.

SQLite keeps searching programs_program_terms with EXISTS: nothing to do there.
"""

from django.db import migrations

from ._postgresql import on_postgresql

LATLNG = (
    "CREATE INDEX program_published_latlng_idx ON programs_program (latitude, longitude) "
    "INCLUDE (id, name, treats_substance_use, treats_mental_health, co_occurring, availability, "
    "format, min_age, max_age{extra}) WHERE status = 'published'"
)

# Statement triggers on programs_program_terms: the event, its transition tables, and the
# programs whose rows it touched. (0007's schedule triggers have the same shape; migrations are
# history, so each keeps its own.)
TRIGGERS = {
    "inserted": (
        "INSERT", "NEW TABLE AS new_rows", "SELECT DISTINCT program_id FROM new_rows",
    ),
    "deleted": (
        "DELETE", "OLD TABLE AS old_rows", "SELECT DISTINCT program_id FROM old_rows",
    ),
    "updated": (
        "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT program_id FROM old_rows UNION SELECT program_id FROM new_rows",
    ),
}  # fmt: skip


def _trigger_create(event, operation, transition, programs):
    name = f"programs_program_terms_{event}"
    return [
        f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM programs_term_ids_refresh(ARRAY({programs}));
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {name} AFTER {operation} ON programs_program_terms
        REFERENCING {transition}
        FOR EACH STATEMENT EXECUTE FUNCTION {name}()
        """,
    ]


POSTGRESQL = [
    "ALTER TABLE programs_program ADD COLUMN term_ids bigint[] NOT NULL DEFAULT '{}'",
    """
    UPDATE programs_program p SET term_ids = t.ids
    FROM (
        SELECT program_id, array_agg(term_id ORDER BY term_id) AS ids
        FROM programs_program_terms GROUP BY program_id
    ) t
    WHERE t.program_id = p.id
    """,
    # The programs are locked first (in id order): two transactions changing one program's
    # terms at once then count them one after the other, the second seeing the first's rows.
    """
    CREATE FUNCTION programs_term_ids_refresh(ids bigint[]) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM programs_program WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
        UPDATE programs_program p SET term_ids = coalesce(
            (SELECT array_agg(pt.term_id ORDER BY pt.term_id)
             FROM programs_program_terms pt WHERE pt.program_id = p.id),
            '{}'
        )
        WHERE p.id = ANY(ids);
    END $$
    """,
    *[sql for event in TRIGGERS for sql in _trigger_create(event, *TRIGGERS[event])],
    # TRUNCATE fires no row or statement trigger of INSERT or DELETE.
    """
    CREATE FUNCTION programs_program_terms_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE programs_program SET term_ids = '{}' WHERE term_ids <> '{}';
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER programs_program_terms_truncated AFTER TRUNCATE ON programs_program_terms
    FOR EACH STATEMENT EXECUTE FUNCTION programs_program_terms_truncated()
    """,
    "CREATE INDEX program_term_ids_idx ON programs_program USING gin (term_ids) "
    "WHERE status = 'published'",
    "DROP INDEX program_published_latlng_idx",
    LATLNG.format(extra=", term_ids"),
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS program_published_latlng_idx",
    LATLNG.format(extra=""),
    "DROP INDEX IF EXISTS program_term_ids_idx",
    "DROP TRIGGER IF EXISTS programs_program_terms_truncated ON programs_program_terms",
    "DROP FUNCTION IF EXISTS programs_program_terms_truncated()",
    *[
        sql
        for event in TRIGGERS
        for sql in (
            f"DROP TRIGGER IF EXISTS programs_program_terms_{event} ON programs_program_terms",
            f"DROP FUNCTION IF EXISTS programs_program_terms_{event}()",
        )
    ],
    "DROP FUNCTION IF EXISTS programs_term_ids_refresh(bigint[])",
    "ALTER TABLE programs_program DROP COLUMN IF EXISTS term_ids",
]


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_text_search_indexes")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
