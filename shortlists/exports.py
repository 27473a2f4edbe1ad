"""CSV of programs, one row a program, the columns of the compare page (see README "CSV")."""

import csv

from django.http import HttpResponse

from .facts import FACTS, NOT_LISTED, fact_values

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def csv_cell(value):
    """A value as a safe CSV cell: lists joined, formulas neutralized by a leading quote."""
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    text = str(value) if value not in (None, "") else str(NOT_LISTED)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_header():
    return ["name", "provider", "url", *(fact.key for fact in FACTS)]


def csv_row(program, url):
    return [
        csv_cell(program.name),
        csv_cell(program.provider.name),
        csv_cell(url),
        *(csv_cell(value) for _fact, value in fact_values(program)),
    ]


def programs_csv_response(request, programs, filename):
    """An attachment with a header row and one row a program."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(csv_header())
    for program in programs:
        writer.writerow(csv_row(program, request.build_absolute_uri(program.get_absolute_url())))
    return response
