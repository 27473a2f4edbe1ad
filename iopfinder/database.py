"""Site-wide database behaviour that is not about the catalogue."""

import contextlib

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextlib.contextmanager
def read_snapshot(using=DEFAULT_DB_ALIAS):
    """Run the reads inside against one snapshot of the database.

    A search reads in several queries (rank the matches, then fetch the page's programs and
    their terms and tracks). Without a snapshot, a program archived or deleted between two of
    them turned up archived in public answers, or was missing and made the page fail. PostgreSQL
    gets a REPEATABLE READ, READ ONLY transaction; SQLite's transactions are snapshots already.
    Inside an existing transaction (tests, a caller's atomic block) it changes nothing.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
