"""Database expressions the models and searches use."""

import math

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


class GreatCircleMiles(models.Func):
    """Haversine miles from a fixed point to each row's latitude and longitude columns: the
    formula of `geo.great_circle_miles`, in SQL that PostgreSQL and SQLite both evaluate
    (Django registers the math functions on SQLite).

    One node, where a tree of Django's math functions had a dozen: a search builds its
    distance several times (the circle, the ways out, the counts of its chips), and resolving
    and compiling those trees was a measurable part of its Python time.
    """

    arity = 2
    output_field = models.FloatField()

    def __init__(self, lat, lng, *, earth_radius, lat_field="latitude", lng_field="longitude"):
        super().__init__(models.F(lat_field), models.F(lng_field))
        self.origin = (float(lat), float(lng))
        self.earth_radius = float(earth_radius)

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lng_sql, lng_params = compiler.compile(self.source_expressions[1])
        lat, lng = self.origin
        sql = (
            f"(%s * ASIN(SQRT(POWER(SIN(RADIANS({lat_sql} - %s) / 2), 2)"
            f" + COS(RADIANS({lat_sql})) * %s * POWER(SIN(RADIANS({lng_sql} - %s) / 2), 2))))"
        )
        params = (
            2 * self.earth_radius, *lat_params, lat, *lat_params,
            math.cos(math.radians(lat)), *lng_params, lng,
        )  # fmt: skip
        return sql, params


class ProgramSearchText(models.Func):
    """A program's name, description and city as one upper-case text: what `q` searches, and
    on PostgreSQL the expression of a trigram index (migration 0008), which this SQL must match
    exactly for the index to serve. The columns are never null."""

    template = "UPPER(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self):
        super().__init__(models.F("name"), models.F("description"), models.F("city"))


class EqualsAny(models.Func):
    """`column = ANY(array)`: with an array subquery (evaluated once), an index on the column can
    serve it beside other indexed conditions in an OR, where `IN (subquery)` cannot."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()
