"""The `<program>` JSON document of the contract, shared by the API and export_programs.

Written from a program's listing document (querysets.ListingDocument: plain values, as the
database builds them in the statement that finds the programs), not from model instances: a
page of 100 programs took 20-30 ms to become instances and then JSON, and takes a few ms this
way (docs/performance.md, "Fifth round").
"""

import datetime

from django.utils import timezone

from . import sources
from .models import availability_as_listed, weekly_hours
from .querysets import ListingDocument
from .schedule import WEEKDAY_SLUGS
from .term_kinds import TERM_KINDS


def _float(value):
    return None if value is None else float(value)


def track_to_dict(track, *, public=True, today=None):
    """A track ([id, name, position, openings, next_start, rolling_admission,
    availability_confirmed, sessions] of a ListingDocument) as the contract's JSON object. In
    public answers, openings, next start and rolling admission older than the freshness window
    count as not listed (null)."""
    _, name, _, openings, next_start, rolling, confirmed, sessions = track
    stated = {"openings": openings, "next_start": next_start, "rolling_admission": bool(rolling)}
    if public:
        stated = availability_as_listed(
            stated,
            datetime.date.fromisoformat(confirmed) if confirmed else None,
            today or timezone.localdate(),
        )
    return {
        "name": name,
        "hours_per_week": weekly_hours(session[4] for session in sessions),
        "sessions": [
            {"day": WEEKDAY_SLUGS[day], "start": start[:5], "end": end[:5]}
            for _, day, start, end, _ in sessions
        ],
        **stated,
        "availability_confirmed": confirmed,
    }


def source_to_dict(program):
    """Where an imported listing comes from (a ListingDocument's `program` row); None for
    listings entered by hand."""
    if not program["source"]:
        return None
    return {
        "name": sources.source_name(program["source"]) or program["source"],
        "edition": program["source_edition"] or None,
        "id": program["source_key"] or None,
    }


def program_to_dict(
    document: ListingDocument, *, url=None, include_location_extras=True, export=False
):
    """A program's listing document as the contract's JSON object.

    `url` and `distance_miles` belong to the API's view of a program; export leaves them out
    (import ignores them), so that export, import, export gives the same document. An
    `export` also carries what the contract's object has no key for and a move or a backup
    must keep: the day the program or a curator stated its openings (`availability_stated`).
    """
    program, provider = document.program, document.provider
    result = {
        "slug": program["slug"],
        "name": program["name"],
        "provider": {"name": provider["name"], "website": provider["website"] or None},
    }
    if url is not None:
        result["url"] = url
    result.update(
        {
            "description": program["description"],
            "address": {
                "street": program["street"],
                "city": program["city"],
                "state": program["state_id"],
                "zip": program["zip"],
            },
            "lat": _float(program["latitude"]),
            "lng": _float(program["longitude"]),
        }
    )
    if include_location_extras:
        distance = document.distance_miles
        result["distance_miles"] = round(distance, 1) if distance is not None else None
    terms = {kind.kind: [] for kind in TERM_KINDS}
    for _, kind, slug, _, _ in document.terms:
        if kind in terms:  # a kind the contract does not know (none today) is left out
            terms[kind].append(slug)
    today = timezone.localdate()
    result.update(
        {
            "phone": program["phone"] or None,
            "intake_phone": program["intake_phone"] or None,
            "website": program["website"] or None,
            "treats_substance_use": bool(program["treats_substance_use"]),
            "treats_mental_health": bool(program["treats_mental_health"]),
            "co_occurring": bool(program["co_occurring"]),
            "format": program["format"],
            "virtual_states": sorted(code for code, _ in document.states),
            "min_age": program["min_age"],
            "max_age": program["max_age"],
            "availability": program["availability"],
            "waitlist_weeks": program["waitlist_weeks"],
            **{kind.json_key: terms[kind.kind] for kind in TERM_KINDS},
            "tracks": [
                track_to_dict(track, public=include_location_extras, today=today)
                for track in document.tracks
            ],
            "other_levels_of_care": list(program["other_levels_of_care"]),
            "licenses": list(program["licenses"]),
            "time_zone": program["time_zone"] or None,
            "location_precision": program["location_precision"],
            "source": source_to_dict(program),
            "last_verified": program["last_verified"],
            "verified_by": program["verified_by_role"] or None,
            "status": program["status"],
        }
    )
    if export:
        result["availability_stated"] = program["availability_stated"]
    return result
