"""Template helpers for program pages."""

import json

from django import template
from django.utils.html import json_script
from django.utils.safestring import mark_safe

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """Data as a JSON-LD script body, escaped so that it cannot close the script element."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))


@register.filter
def map_markers(programs, first_number=1):
    """The programs' map markers as a JSON data block for static/js/map.js, numbered as the
    result cards are (from `first_number`, the page's first result)."""
    markers = [
        {
            "number": number,
            "name": program.name,
            "url": program.get_absolute_url(),
            "lat": program.latitude,
            "lng": program.longitude,
            "approximate": program.location_precision == "zip",
        }
        for number, program in enumerate(programs, start=int(first_number or 1))
    ]
    return json_script(markers, "map-markers")


@register.filter
def zone_note(program, place=None):
    """The program's time zone ("EST") where a searcher may read its times in another: the
    place searched from lies in another zone, or the program treats people at a distance."""
    remote = program.format != "in-person"
    elsewhere = place is not None and place.time_zone and place.time_zone != program.time_zone
    return program.time_zone_abbreviation if remote or elsewhere else ""


@register.simple_tag
def program_json_ld(program, request):
    """schema.org data for a program page."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": program.name,
        "url": request.build_absolute_uri(program.get_absolute_url()),
        "description": program.description,
        "parentOrganization": {"@type": "Organization", "name": program.provider.name},
        "address": {
            "@type": "PostalAddress",
            "streetAddress": program.street,
            "addressLocality": program.city,
            "addressRegion": program.state_id,
            "postalCode": program.zip,
            "addressCountry": "US",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": program.latitude,
            "longitude": program.longitude,
        },
        "medicalSpecialty": ["Psychiatric"] if program.treats_mental_health else [],
        "availableService": [
            {"@type": "MedicalTherapy", "name": term.name} for term in program.therapies
        ],
        "paymentAccepted": ", ".join(term.name for term in program.payments),
    }
    if program.phone:
        data["telephone"] = program.phone
    return ld_json(data)
