"""The facts a referring clinician compares programs by: the rows of the compare page and the
columns of the CSV exports, defined once here.

Each fact gives a program's value as text or a list of texts; an empty value is a fact the
program has not listed, and says so.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs import sources
from programs.models import Program

NOT_LISTED = _("Not listed")


def _date(value):
    # The format is the catalogue's too: Spanish says "27 de noviembre de 2026".
    return date_format(value, gettext("N j, Y")) if value else ""


def distance(program):
    miles = getattr(program, "distance_miles", None)
    if miles is None:
        return gettext("Search from a place to see it")
    about = gettext("about ") if program.location_precision == Program.LocationPrecision.ZIP else ""
    text = gettext("%(about)s%(miles).1f mi") % {"about": about, "miles": miles}
    place = getattr(program, "distance_from", None)
    if not place:
        return text
    return gettext("%(distance)s from %(place)s") % {"distance": text, "place": place}


def address(program):
    parts = [program.street, f"{program.city}, {program.state_id} {program.zip}".strip()]
    return ", ".join(part for part in parts if part)


def treats(program):
    needs = []
    if program.treats_substance_use:
        needs.append(gettext("Substance use"))
    if program.treats_mental_health:
        needs.append(gettext("Mental health"))
    if program.co_occurring:
        needs.append(gettext("Integrated co-occurring treatment"))
    return needs


def program_format(program):
    text = program.get_format_display()
    states = sorted(state.code for state in program.virtual_states.all())
    if states:
        licensed = gettext("virtual care licensed in %(states)s") % {"states": ", ".join(states)}
        text += "; " + licensed
    return text


def schedule(program):
    return [f"{track.name}: {track.summary()}" for track in program.tracks.all()]


def openings(program):
    """The program's availability, then each track's openings and next start while current."""
    lines = [program.availability_display]
    for track in program.tracks.all():
        words = track.openings_words("N j, Y")
        lines.append(f"{track.name}: {', '.join(words) if words else gettext('not listed')}")
    return lines


def ages(program):
    if program.min_age is None and program.max_age is None:
        return ""  # "Not listed", as every missing fact here
    return program.ages_display


def verified(program):
    if not program.last_verified:
        return ""
    who = {
        Program.VerifiedBy.CURATOR: gettext("by a curator"),
        Program.VerifiedBy.PROVIDER: gettext("by the program"),
    }.get(program.verified_by_role, "")
    return f"{_date(program.last_verified)} {who}".strip()


def source(program):
    if not program.source:
        return gettext("Entered directly (not imported)")
    name = sources.source_name(program.source) or program.source
    return f"{name} ({program.source_edition})" if program.source_edition else name


def _names(attribute):
    return lambda program: [str(item) for item in getattr(program, attribute)]


@dataclass(frozen=True)
class Fact:
    """One row of the compare page and one column of the CSV."""

    key: str
    label: str
    value: Callable[[Program], str | list[str]]
    is_phone: bool = False
    is_link: bool = False


FACTS = [
    Fact("distance", _("Distance"), distance),
    Fact("address", _("Address"), address),
    Fact("format", _("Format and virtual states"), program_format),
    Fact("phone", _("Phone"), lambda program: program.phone, is_phone=True),
    Fact("intake_phone", _("Intake phone"), lambda program: program.intake_phone, is_phone=True),
    Fact("website", _("Website"), lambda program: program.website, is_link=True),
    Fact("treats", _("Treats"), treats),
    Fact("schedule", _("Tracks: days, times, weekly hours"), schedule),
    Fact("openings", _("Openings and next start"), openings),
    Fact("payment", _("Payment"), _names("payments")),
    Fact("therapies", _("Therapies"), _names("therapies")),
    Fact("populations", _("Groups for"), _names("populations")),
    Fact("ages", _("Ages"), ages),
    Fact("languages", _("Languages"), _names("languages")),
    Fact("step_down_from", _("Accepts step-down from"), _names("step_down_levels")),
    Fact("other_levels_of_care", _("Other levels of care"), _names("other_levels_of_care")),
    Fact("licenses", _("Licenses and accreditations"), _names("licenses")),
    Fact("last_verified", _("Last verified"), verified),
    Fact("source", _("Source"), source),
]


def fact_values(program):
    """(fact, value) for every fact of a program; a value is a text or a list of texts."""
    return [(fact, fact.value(program) or "") for fact in FACTS]


def _cell(value):
    return {"lines": value} if isinstance(value, list) else {"text": value}


def comparison_rows(programs):
    """The compare table: one row a fact, one cell a program (`lines` or `text`, both empty
    for a fact not listed)."""
    values = [fact_values(program) for program in programs]
    return [
        {"fact": fact, "cells": [_cell(program_values[index][1]) for program_values in values]}
        for index, fact in enumerate(FACTS)
    ]
