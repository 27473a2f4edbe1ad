"""Site-wide database behaviour that is not about the catalogue."""

import contextlib
import time

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from psycopg import pq


@contextlib.contextmanager
def read_snapshot(using=DEFAULT_DB_ALIAS):
    """Run the reads inside against one snapshot of the database.

    For reads in several queries (an HSDS page: its keys, then its programs). Without a
    snapshot, a program archived or deleted between two of them turned up archived in public
    answers, or was missing and made the page fail. (A search page is one statement, its own
    snapshot: ProgramQuerySet.ranked_for_listing.) PostgreSQL gets a REPEATABLE READ, READ ONLY
    transaction; SQLite's transactions are snapshots already. Inside an existing transaction
    (tests, a caller's atomic block) it changes nothing.
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


@contextlib.contextmanager
def statement_time_box(ms, using=DEFAULT_DB_ALIAS):
    """Say that the statements inside run under a statement timeout of `ms` or less that the
    caller sets itself (programs.querysets.counts_at_once): RequestTimeBudget then leaves it in
    force instead of raising it to what is left of the request's budget."""
    connection = connections[using]
    previous = getattr(connection, "statement_time_box_ms", None)
    connection.statement_time_box_ms = ms
    try:
        yield
    finally:
        connection.statement_time_box_ms = previous


class RequestTimeBudget:
    """An execute wrapper that bounds a whole request's database time, not only each statement's.

    PostgreSQL's statement_timeout (settings.STATEMENT_TIMEOUT_MS) stops any one statement. Once
    a request has spent more than SLACK_MS in the database, each further statement gets only
    what is left of the budget, so no request holds the database longer than the budget however
    many statements it runs. Quick requests never pay for the extra `SET`.
    """

    SLACK_MS = 100

    def __init__(self, budget_ms):
        self.budget_ms = budget_ms
        self.spent_ms = 0.0
        self.lowered = False  # whether the timeout was lowered, to raise it again

    def __call__(self, execute, sql, params, many, context):
        if self.spent_ms > self.SLACK_MS and not self._aborted(context["connection"]):
            remaining = max(1, int(self.budget_ms - self.spent_ms))
            box = getattr(context["connection"], "statement_time_box_ms", None)
            if box is not None and box <= remaining:
                # A shorter timeout of the caller's own is in force (statement_time_box).
                return self._timed(execute, sql, params, many, context)
            # A raw DB-API cursor of its own: a statement of ours must not pass through this
            # wrapper, and the statement's cursor may be a server-side one (`.iterator()`, e.g.
            # a form's choices), which can only DECLARE a query, not run a SET.
            with context["connection"].connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {remaining}")
            self.lowered = True
        return self._timed(execute, sql, params, many, context)

    @staticmethod
    def _aborted(connection):
        # In an aborted transaction only a rollback (to a savepoint) runs, at once: a `SET`
        # before it would be refused too, and the rollback never reached. Asked only past the
        # slack, not of every statement.
        status = connection.connection.info.transaction_status
        return status == pq.TransactionStatus.INERROR

    def _timed(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent_ms += (time.perf_counter() - started) * 1000

    def restore(self, connection):
        """Give the connection its usual statement timeout back (connections are reused)."""
        if not self.lowered or connection.connection is None:
            return
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(self.budget_ms)}")
