"""Bulk writes shared by the seeding and the imports."""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def rows_insert(
    model: type[models.Model], field_names: list[str], rows: Iterable[Sequence]
) -> None:
    """Insert plain rows fast: COPY on PostgreSQL, executemany elsewhere.

    For the many small rows of bulk seeding (about ten per program), where building a model
    instance for each would cost more than writing it.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepared = [
            [
                field.get_db_prep_save(value, connection)
                for field, value in zip(fields, row, strict=True)
            ]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)
