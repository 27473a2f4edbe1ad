"""The `<program>` JSON document of the contract, shared by the API and export_programs."""

from .models import Program


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
            "therapies": [term.slug for term in program.therapies],
            "payment": [term.slug for term in program.payments],
            "populations": [term.slug for term in program.populations],
            "languages": [term.slug for term in program.languages],
            "step_down_from": [term.slug for term in program.step_down_levels],
            "tracks": [
                {
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
                }
                for track in program.tracks.all()
            ],
            "last_verified": program.last_verified.isoformat() if program.last_verified else None,
            "status": program.status,
        }
    )
    return document
