"""Our own format: a JSON list of the contract's `<program>` objects, as export_programs writes
them, upserted by slug. It owns every field it carries."""

from django.utils.text import slugify

from ..models import Program
from ..term_kinds import TERM_KINDS
from .base import (
    CONTROL_CHARACTERS,
    ImportFileError,
    field_boolean,
    field_choice,
    field_date,
    field_number,
    field_slugs,
    field_text,
    field_time_zone,
    field_tracks,
    field_url,
    field_zip,
    load_json,
    state_parse,
)

SLUG = "programs"
NAME = "IOP Finder export"
EDITION_COMPLETE = False

TERM_KEYS = {kind.json_key: (kind.kind, kind.slugs) for kind in TERM_KINDS}
OWNED_FIELDS = [
    "slug", "name", "description", "street", "city", "zip", "latitude", "longitude",
    "location_precision", "time_zone", "phone", "intake_phone", "website",
    "treats_substance_use", "treats_mental_health", "co_occurring", "format", "min_age",
    "max_age", "availability", "waitlist_weeks", "other_levels_of_care", "licenses",
    "source", "source_key", "source_edition", "last_verified", "verified_by_role", "status",
    "availability_stated",
]  # fmt: skip
OWNED_TERM_KINDS = tuple(kind for kind, _ in TERM_KEYS.values())


def read(path, edition=None):
    """The rows of a programs-format file, a JSON list (it has no editions)."""
    document = load_json(path)
    if not isinstance(document, list):
        raise ImportFileError("A programs file must be a JSON list of program objects.")
    return document


def is_iop(row):
    return True  # everything in our own format is a listing


def key(listing):
    return listing["slug"]


def _names(row, key):
    values = row.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"“{key}” must be a list of names.")
    if any(CONTROL_CHARACTERS.search(value) for value in values):
        raise ValueError(f"“{key}” holds a control character.")
    return [value.strip()[:200] for value in values if value.strip()]


def _source(row):
    from . import REGISTRY

    source = row.get("source")
    if source is None:
        return "", "", ""
    if not isinstance(source, dict):
        raise ValueError("“source” must be an object with name, edition and id.")
    name = field_text(source, "name", required=True)
    slug = next((slug for slug, module in REGISTRY.items() if name == module.NAME), None)
    if slug is None:
        raise ValueError(f"unknown source {name!r}.")
    return (
        slug,
        field_text(source, "id", max_length=64),
        field_text(source, "edition", max_length=20),
    )


def listing(row):
    """A listing from one <program> object; ValueError says what is wrong."""
    if not isinstance(row, dict):
        raise ValueError("must be a JSON object.")
    slug = field_text(row, "slug", required=True, max_length=120)
    if slugify(slug) != slug:
        raise ValueError(f"“slug” may hold only lowercase letters, digits and hyphens: {slug!r}.")
    provider = row.get("provider")
    if not isinstance(provider, dict):
        raise ValueError("“provider” must be an object with a name.")
    address = row.get("address")
    if not isinstance(address, dict):
        raise ValueError("“address” must be an object with city and state.")
    state = state_parse(field_text(address, "state", required=True, max_length=2))
    min_age = field_number(row, "min_age", 0, 120, integer=True)
    max_age = field_number(row, "max_age", 0, 120, integer=True)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValueError("“min_age” is above “max_age”.")
    fmt = field_choice(row, "format", Program.Format.values, Program.Format.IN_PERSON)
    virtual_states = row.get("virtual_states") or []
    if not isinstance(virtual_states, list) or not all(
        isinstance(code, str) for code in virtual_states
    ):
        raise ValueError("“virtual_states” must be a list of state codes.")
    virtual_states = [state_parse(code) for code in virtual_states]
    source, source_key, source_edition = _source(row)
    verified_by = row.get("verified_by")
    if verified_by not in (None, *Program.VerifiedBy.values):
        raise ValueError(f"“verified_by” must be curator, provider or null, not {verified_by!r}.")
    return {
        "slug": slug,
        "name": field_text(row, "name", required=True),
        "provider": {
            "name": field_text(provider, "name", required=True),
            "website": field_url(
                field_text(provider, "website", max_length=300), "provider.website"
            ),
        },
        "description": field_text(row, "description", max_length=10_000),
        "street": field_text(address, "street"),
        "city": field_text(address, "city", required=True, max_length=100),
        "state": state,
        "zip": field_zip(address),
        "latitude": field_number(row, "lat", -90, 90, required=True),
        "longitude": field_number(row, "lng", -180, 180, required=True),
        "location_precision": field_choice(
            row,
            "location_precision",
            Program.LocationPrecision.values,
            Program.LocationPrecision.ADDRESS,
        ),
        "time_zone": field_time_zone(row),
        "phone": field_text(row, "phone", max_length=40),
        "intake_phone": field_text(row, "intake_phone", max_length=40),
        "website": field_url(field_text(row, "website", max_length=300), "website"),
        "treats_substance_use": field_boolean(row, "treats_substance_use"),
        "treats_mental_health": field_boolean(row, "treats_mental_health"),
        "co_occurring": field_boolean(row, "co_occurring"),
        "format": fmt,
        "virtual_states": sorted(set(virtual_states)),
        "min_age": min_age,
        "max_age": max_age,
        "availability": field_choice(row, "availability", Program.Availability.values, "open"),
        "waitlist_weeks": field_number(row, "waitlist_weeks", 0, 520, integer=True),
        "other_levels_of_care": _names(row, "other_levels_of_care"),
        "licenses": _names(row, "licenses"),
        "source": source,
        "source_key": source_key,
        "source_edition": source_edition,
        "last_verified": field_date(row, "last_verified", past=True),
        "availability_stated": field_date(row, "availability_stated", past=True),
        "verified_by_role": verified_by or "",
        "status": field_choice(row, "status", Program.Status.values, Program.Status.DRAFT),
        "terms": {
            kind: field_slugs(row, json_key, allowed)
            for json_key, (kind, allowed) in TERM_KEYS.items()
        },
        "tracks": field_tracks(row),
    }


def label(edition):
    return ""
