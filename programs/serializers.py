"""The `<program>` JSON document of the contract, shared by the API and export_programs."""

from . import sources
from .models import Program, Track
from .term_kinds import TERM_KINDS


def track_to_dict(track: Track, *, public=True):
    """A track as the contract's JSON object. In public answers, openings, next start and
    rolling admission older than the freshness window count as not listed (null)."""
    availability = track.current_availability() if public else track.stated_availability()
    return {
        "name": track.name,
        "hours_per_week": float(track.hours_per_week),
        "sessions": [
            {
                "day": session.day_slug,
                "start": f"{session.start:%H:%M}",
                "end": f"{session.end:%H:%M}",
            }
            for session in track.sessions.all()
        ],
        **availability,
        "availability_confirmed": (
            track.availability_confirmed.isoformat() if track.availability_confirmed else None
        ),
    }


def source_to_dict(program: Program):
    """Where an imported listing comes from; None for listings entered by hand."""
    if not program.source:
        return None
    return {
        "name": sources.source_name(program.source) or program.source,
        "edition": program.source_edition or None,
        "id": program.source_key or None,
    }


def program_to_dict(
    program: Program, *, url=None, distance_miles=None, include_location_extras=True
):
    """A program as the contract's JSON object.

    `url` and `distance_miles` belong to the API's view of a program; export leaves them out
    (import ignores them), so that export, import, export gives the same document.
    """
    document = {
        "slug": program.slug,
        "name": program.name,
        "provider": {"name": program.provider.name, "website": program.provider.website or None},
    }
    if url is not None:
        document["url"] = url
    document.update(
        {
            "description": program.description,
            "address": {
                "street": program.street,
                "city": program.city,
                "state": program.state_id,
                "zip": program.zip,
            },
            "lat": program.latitude,
            "lng": program.longitude,
        }
    )
    if include_location_extras:
        document["distance_miles"] = (
            round(distance_miles, 1) if distance_miles is not None else None
        )
    document.update(
        {
            "phone": program.phone or None,
            "intake_phone": program.intake_phone or None,
            "website": program.website or None,
            "treats_substance_use": program.treats_substance_use,
            "treats_mental_health": program.treats_mental_health,
            "co_occurring": program.co_occurring,
            "format": program.format,
            "virtual_states": sorted(state.code for state in program.virtual_states.all()),
            "min_age": program.min_age,
            "max_age": program.max_age,
            "availability": program.availability,
            "waitlist_weeks": program.waitlist_weeks,
            **{
                kind.json_key: [term.slug for term in getattr(program, kind.field)]
                for kind in TERM_KINDS
            },
            "tracks": [
                track_to_dict(track, public=include_location_extras)
                for track in program.tracks.all()
            ],
            "other_levels_of_care": list(program.other_levels_of_care),
            "licenses": list(program.licenses),
            "time_zone": program.time_zone or None,
            "location_precision": program.location_precision,
            "source": source_to_dict(program),
            "last_verified": program.last_verified.isoformat() if program.last_verified else None,
            "verified_by": program.verified_by_role or None,
            "status": program.status,
        }
    )
    return document
