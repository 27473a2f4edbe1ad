"""Database expressions the models and searches use."""

import math

from django.core.exceptions import EmptyResultSet
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
    """A program's name, description and city as one upper-case text: what `q` searches. On
    PostgreSQL the same text is stored, with a trigram index (SearchTextColumn, migration 0012,
    whose generated column is this SQL). The columns are never null."""

    template = "UPPER(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self):
        super().__init__(models.F("name"), models.F("description"), models.F("city"))


class EqualsAny(models.Func):
    """`column = ANY(array)`: with an array subquery (evaluated once), an index on the column can
    serve it beside other indexed conditions in an OR, where `IN (subquery)` cannot."""

    arity = 2
    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        array_sql, array_params = compiler.compile(self.source_expressions[1])
        return f"({column_sql} = ANY({array_sql}))", (*column_params, *array_params)


class NotTrue(models.Func):
    """`(condition) IS NOT TRUE`: the condition (a Q) is false or unknown. PostgreSQL estimates
    the rows it leaves from the condition's own estimate, where a test of a CASE's result for
    NULL was taken to leave 0.5 % of them."""

    arity = 1
    template = "(%(expressions)s) IS NOT TRUE"
    output_field = models.BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        try:
            return super().as_sql(compiler, connection, **extra_context)
        except EmptyResultSet:  # a condition nothing meets is true of no row: every row
            return "(1 = 1)", ()


class CompiledCondition(models.Expression):
    """A condition on the programs table compiled before (`querysets.where_sql`: its columns
    named by the table), put into a query as written: a search's conditions are compiled once
    in the process and reused by every search that asks the same (ProgramFilterSet).

    Its SQL names the table, not an alias: a query that puts it into a subquery under another
    alias (`pk__in=...`, a combined queryset) would compare the outer query's rows, so that
    raises instead."""

    output_field = models.BooleanField()
    table = "programs_program"

    def __init__(self, sql, params):
        super().__init__()
        self.sql, self.params = sql, tuple(params)

    def relabeled_clone(self, change_map):
        if change_map.get(self.table, self.table) != self.table:
            raise ValueError("a compiled condition names its table: it cannot be relabeled")
        return self

    def as_sql(self, compiler, connection):
        return f"({self.sql})", self.params


class HiddenProgramColumn(models.Expression):
    """PostgreSQL: a column of `programs_program` that migrations add and database triggers
    keep, and that is not a model field, so that Django never writes it from a stale instance:
    `term_ids` (migration 0009), `lightest_track_minutes` (0010), `search_text` (0012, a
    generated column), `lat_cell` (0014, a generated column), `heaviest_track_minutes` (0016).

    The expression names the column itself, on the alias of the query's programs table, and
    follows that alias when Django relabels the query as a subquery.
    """

    column = None

    def __init__(self, *, alias=None):
        super().__init__()
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):  # fmt: skip
        if self.alias is not None:
            return self  # bound to its query's programs: an outer query resolving it again
        if query.model._meta.db_table != "programs_program":
            raise ValueError(f"{type(self).__name__} is a column of programs")
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def column_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotImplementedError(f"programs_program.{self.column} exists on PostgreSQL only")
        return f"{compiler.quote_name_unless_alias(self.alias)}.{self.column}"

    def as_sql(self, compiler, connection):
        return self.column_sql(compiler, connection), ()


class SearchTextColumn(HiddenProgramColumn):
    """PostgreSQL: ProgramSearchText stored by the database as a generated column, with a
    trigram index (`programs_program.search_text`, migration 0012)."""

    column = "search_text"
    output_field = models.TextField()


class LatitudeCell(HiddenProgramColumn):
    """PostgreSQL: the band of latitude a program lies in, LATITUDE_CELLS_PER_DEGREE to a
    degree (`programs_program.lat_cell`, a generated column, migration 0014). Its index leads
    with it, then longitude: a search's box reads the few bands it spans and, in each, only the
    programs within its longitudes."""

    column = "lat_cell"
    output_field = models.IntegerField()


LATITUDE_CELLS_PER_DEGREE = 4  # as migration 0014's generated column computes it


class LightestTrackMinutes(HiddenProgramColumn):
    """PostgreSQL: the weekly minutes of the program's lightest track, null when no track lists
    a session (`programs_program.lightest_track_minutes`, migration 0010)."""

    column = "lightest_track_minutes"
    output_field = models.IntegerField()


class HeaviestTrackMinutes(HiddenProgramColumn):
    """PostgreSQL: the weekly minutes of the program's heaviest track, null when no track lists
    a session (`programs_program.heaviest_track_minutes`, migration 0016)."""

    column = "heaviest_track_minutes"
    output_field = models.IntegerField()


class TermSet(HiddenProgramColumn):
    """PostgreSQL: a condition on a program's terms as one set, the column
    `programs_program.term_ids` (migration 0009): "all" of the ids (`@>`) or "any" of them
    (`&&`). A GIN index finds the programs holding a set; on a circle's candidates it is a
    check of one index entry instead of one probe of programs_program_terms per condition and
    program.
    """

    column = "term_ids"
    OPERATORS = {"all": "@>", "any": "&&"}
    output_field = models.BooleanField()

    def __init__(self, match, term_ids, *, alias=None):
        super().__init__(alias=alias)
        if match not in self.OPERATORS:
            raise ValueError(f"match must be one of {sorted(self.OPERATORS)}")
        self.match, self.term_ids = match, sorted(set(term_ids))

    def as_sql(self, compiler, connection):
        column = self.column_sql(compiler, connection)
        return f"({column} {self.OPERATORS[self.match]} %s::bigint[])", (self.term_ids,)
