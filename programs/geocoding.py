"""Placing listings at their street address with a geopy geocoder (online, on demand only).

Tests and `make run` never get here; `geocode_programs` does, when a curator runs it. Answers
are kept in `GeocodedAddress`, so an address is asked once, and requests are spaced by geopy's
RateLimiter (Nominatim allows one a second).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
from geopy.exc import GeocoderServiceError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service

from . import geo
from .models import GeocodedAddress, Program


class GeocoderSetupError(ValueError):
    """The geocoder named in the settings cannot be used as configured."""


@dataclass
class GeocodeReport:
    placed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    too_far: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # the geocoder did not answer
    asked: int = 0  # requests sent to the geocoder (the rest came from the cache)


def geocoder_from_settings():
    """The geocoder `GEOCODER` names, with `GEOCODER_USER_AGENT`."""
    name = settings.GEOCODER
    try:
        cls = import_string(name) if "." in name else get_geocoder_for_service(name)
    except (ImportError, Exception) as error:
        raise GeocoderSetupError(f"Unknown geocoder {name!r}: {error}")
    if name == "nominatim" and not settings.GEOCODER_USER_AGENT:
        raise GeocoderSetupError(
            "Nominatim needs GEOCODER_USER_AGENT set to a name for this site and a contact, "
            "e.g. 'iopfinder (curators@example.org)'."
        )
    options = {"user_agent": settings.GEOCODER_USER_AGENT} if settings.GEOCODER_USER_AGENT else {}
    return cls(**options)


def address_query(program):
    return f"{program.street}, {program.city}, {program.state_id} {program.zip}, USA"


def programs_geocode(*, programs, geocoder, progress=None) -> GeocodeReport:
    """Move listings from their ZIP's centre to their geocoded street address.

    A listing keeps its point when the address is not found or the answer lies more than
    GEOCODER_MAX_MILES_FROM_ZIP from its ZIP's centre (a wrong match, not a better point).
    """
    report = GeocodeReport()
    # Errors are raised, not turned into "not found": an outage must not be cached as an
    # answer (the address would never be asked again).
    geocode = RateLimiter(
        geocoder.geocode,
        min_delay_seconds=settings.GEOCODER_MIN_DELAY_SECONDS,
        max_retries=1,
        swallow_exceptions=False,
    )
    programs = list(programs)
    for done, program in enumerate(programs, start=1):
        if progress:
            progress(done, len(programs))
        query = address_query(program)
        cached = GeocodedAddress.objects.filter(query=query).first()
        if cached is None:
            try:
                location = geocode(query)
            except GeocoderServiceError:
                report.failed.append(program.slug)  # asked again next time
                continue
            report.asked += 1
            cached = GeocodedAddress.objects.create(
                query=query,
                latitude=location.latitude if location else None,
                longitude=location.longitude if location else None,
            )
        if not cached.found:
            report.not_found.append(program.slug)
            continue
        centre = geo.gazetteer().by_zip.get(program.zip[:5])
        # An answer we cannot check against the ZIP's centre is not trusted either.
        if centre is None or (
            geo.great_circle_miles(centre.lat, centre.lng, cached.latitude, cached.longitude)
            > settings.GEOCODER_MAX_MILES_FROM_ZIP
        ):
            report.too_far.append(program.slug)
            continue
        program_locate(program=program, latitude=cached.latitude, longitude=cached.longitude)
        report.placed.append(program.slug)
    return report


def program_locate(*, program: Program, latitude: float, longitude: float) -> Program:
    """Record a listing's street-address point."""
    program.latitude, program.longitude = latitude, longitude
    program.location_precision = Program.LocationPrecision.ADDRESS
    program._change_reason = "Geocoded from the street address."
    program.save(update_fields=["latitude", "longitude", "location_precision", "updated"])
    return program
