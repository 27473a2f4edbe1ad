"""Database expressions the models use."""

from django.db import models


class SessionMinutes(models.Func):
    """Whole minutes between two time columns (end, start), in the database's own arithmetic.

    Used as a generated column, so a track's weekly hours always follow from its sessions.
    """

    arity = 2
    output_field = models.IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])
        sql = f"CAST(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 60 AS integer)"
        return sql, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        end_sql, end_params = compiler.compile(self.source_expressions[0])
        start_sql, start_params = compiler.compile(self.source_expressions[1])

        def minutes(sql):
            # SQLite stores times as "HH:MM[:SS[.ffffff]]" text.
            hours = f"CAST(substr({sql}, 1, 2) AS integer)"
            minutes = f"CAST(substr({sql}, 4, 2) AS integer)"
            return f"({hours} * 60 + {minutes})"

        sql = f"({minutes(end_sql)} - {minutes(start_sql)})"
        return sql, (*end_params, *end_params, *start_params, *start_params)
