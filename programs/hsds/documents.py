"""HSDS 3.0 documents of a program: a `service` with its organization, location, schedules and
phones (`service_document`), and the flatter item of a page of services."""

import uuid

from ..models import WEEKDAY_SLUGS, Program

# iCalendar's (RFC 5545) day codes, which HSDS uses: MO, TU, ... in Session.day order.
HSDS_DAYS = [slug[:2].upper() for slug in WEEKDAY_SLUGS]


def stable_id(program, *parts):
    """The ID of a part of a program's service: always the same for the same parts."""
    return str(uuid.uuid5(program.uuid, ":".join(str(part) for part in parts)))


def service_id(program):
    return str(program.uuid)


def _organization(program):
    provider = program.provider
    document = {
        "id": str(provider.uuid),
        "name": provider.name,
        "description": f"{provider.name} runs intensive outpatient treatment programs.",
    }
    if provider.website:
        document["website"] = provider.website
    return document


def _eligibility(program):
    parts = []
    if program.step_down_levels:
        names = ", ".join(term.name.lower() for term in program.step_down_levels)
        parts.append(f"Accepts patients stepping down from {names}.")
    if program.populations:
        parts.append("Groups for: " + ", ".join(term.name for term in program.populations) + ".")
    return " ".join(parts)


def service_item(program, request):
    """The fields `service_list.json` allows: the service's own, and its organization."""
    document = {
        "id": service_id(program),
        "organization_id": str(program.provider.uuid),
        "name": program.name,
        "description": program.description,
        "url": request.build_absolute_uri(program.get_absolute_url()),
        "status": "active",
        "fees_description": (
            "Accepts: " + ", ".join(term.name for term in program.payments) + "."
            if program.payments
            else "Call the program about payment."
        ),
        "eligibility_description": _eligibility(program),
        "last_modified": program.updated.isoformat().replace("+00:00", "Z"),
        "organization": _organization(program),
    }
    if program.availability == Program.Availability.WAITLIST:
        weeks = program.waitlist_weeks
        document["wait_time"] = f"About {weeks} weeks" if weeks is not None else "Waitlist"
    if program.min_age is not None:
        document["minimum_age"] = program.min_age
    if program.max_age is not None:
        document["maximum_age"] = program.max_age
    if program.last_verified:
        document["assured_date"] = program.last_verified.isoformat()
    return document


def _schedules(program):
    """One weekly recurrence per distinct time slot of each track."""
    schedules = []
    for track in program.tracks.all():
        slots = {}
        for session in track.sessions.all():
            slots.setdefault((session.start, session.end), []).append(session.day)
        for (start, end), days in slots.items():
            schedules.append(
                {
                    "id": stable_id(program, "schedule", track.name, start, end),
                    "service_id": service_id(program),
                    "freq": "WEEKLY",
                    "interval": 1,
                    "wkst": "MO",
                    "byday": ",".join(HSDS_DAYS[day] for day in sorted(days)),
                    "opens_at": f"{start:%H:%M:%S}",
                    "closes_at": f"{end:%H:%M:%S}",
                    "description": (
                        f"{track.name} track ({track.hours_per_week:g} hours a week in all). "
                        "Patients attend one track."
                    ),
                    "attending_type": program.get_format_display(),
                }
            )
    return schedules


def service_document(program, request):
    """A fully nested service, shaped as HSDS 3.0 `service.json`."""
    sid = service_id(program)
    location_id = stable_id(program, "location")
    document = service_item(program, request)
    document["phones"] = [
        {
            "id": stable_id(program, "phone", kind),
            "service_id": sid,
            "number": number,
            "description": kind,
        }
        for kind, number in [("Main", program.phone), ("Intake", program.intake_phone)]
        if number
    ]
    document["schedules"] = _schedules(program)
    document["languages"] = [
        {
            "id": stable_id(program, "language", term.slug),
            "service_id": sid,
            "name": term.name,
            "code": term.slug,
        }
        for term in program.languages
    ]
    document["service_areas"] = [
        {
            "id": stable_id(program, "service_area", state.code),
            "service_id": sid,
            "name": state.name,
            "description": f"Telehealth for patients in {state.name}.",
        }
        for state in program.virtual_states.all()
    ]
    document["service_at_locations"] = [
        {
            "id": stable_id(program, "service_at_location"),
            "service_id": sid,
            "location_id": location_id,
            "location": {
                "id": location_id,
                "location_type": "physical",
                "name": f"{program.name}, {program.city}",
                "latitude": program.latitude,
                "longitude": program.longitude,
                "addresses": [
                    {
                        "id": stable_id(program, "address"),
                        "location_id": location_id,
                        "address_1": program.street or program.city,
                        "city": program.city,
                        "state_province": program.state_id,
                        "postal_code": program.zip,
                        "country": "US",
                        "address_type": "physical",
                    }
                ],
            },
        }
    ]
    return document
