"""Reading import files into listings: validation and the FindTreatment.gov mapping, no writes.

A *listing* is a plain dict with the program's fields, `provider` ({name, website}),
`terms` ({kind: [slug, ...]}), `virtual_states` and `tracks` ([{name, sessions}]); the
services write listings to the database.
"""

import datetime
import json
import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from .models import WEEKDAY_SLUGS, Program
from .vocabularies import (
    LANGUAGES,
    PAYMENTS,
    POPULATIONS,
    STEP_DOWN_LEVELS,
    THERAPIES,
    US_STATES,
)

STATE_CODES = {code for code, _ in US_STATES}
TERM_KEYS = {
    "therapies": ("therapy", {slug for slug, _ in THERAPIES}),
    "payment": ("payment", {slug for slug, _ in PAYMENTS}),
    "populations": ("population", {slug for slug, _ in POPULATIONS}),
    "languages": ("language", {slug for slug, _ in LANGUAGES}),
    "step_down_from": ("step_down", {slug for slug, _ in STEP_DOWN_LEVELS}),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not JSON, wrong top-level shape)."""


class RowError(ValueError):
    """One row is invalid; `position` is its 1-based place in the file."""

    def __init__(self, position, message, key=None):
        self.position = position
        self.key = key
        label = f"row {position}" + (f" ({key})" if key else "")
        super().__init__(f"{label}: {message}")


def load_json(path):
    """The parsed JSON of a file, or ImportFileError with the line and column of a syntax error."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file.")
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text.")
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        )


# The programs format: a list of the contract's <program> objects


def _text(row, key, *, required=False, max_length=200):
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"“{key}” is required.")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be text.")
    value = value.strip()
    if len(value) > max_length:
        raise ValueError(f"“{key}” is longer than {max_length} characters.")
    return value


def _url(value, key):
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(f"“{key}” is not a web address: {value!r}.")
    return value


def _number(row, key, low, high, *, required=False, integer=False):
    value = row.get(key)
    if value is None:
        if required:
            raise ValueError(f"“{key}” is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"“{key}” must be a number.")
    if integer and value != int(value):
        raise ValueError(f"“{key}” must be a whole number.")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"“{key}” must be between {low} and {high}, not {value}.")
    return int(value) if integer else float(value)


def _choice(row, key, choices, default):
    value = row.get(key, default)
    if value is None:
        value = default
    if value not in choices:
        raise ValueError(f"“{key}” must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _boolean(row, key):
    value = row.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"“{key}” must be true or false.")
    return value


def _slug_list(row, key, allowed):
    values = row.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"“{key}” must be a list of slugs.")
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(f"unknown {key} {', '.join(map(repr, unknown))}.")
    return list(dict.fromkeys(values))


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _time(value, where):
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{where} must be a time as HH:MM, not {value!r}.")
    return datetime.time(int(match[1]), int(match[2]))


def _tracks(row):
    tracks = row.get("tracks")
    if tracks is None:
        return None  # not given: the listing's tracks stay as they are
    if not isinstance(tracks, list):
        raise ValueError("“tracks” must be a list.")
    parsed, names = [], set()
    for number, track in enumerate(tracks, start=1):
        if not isinstance(track, dict):
            raise ValueError(f"track {number} must be an object.")
        name = _text(track, "name", required=True, max_length=100)
        if name in names:
            raise ValueError(f"two tracks are named “{name}”.")
        names.add(name)
        sessions = []
        for session in track.get("sessions") or []:
            where = f"track “{name}”"
            if not isinstance(session, dict) or session.get("day") not in WEEKDAY_SLUGS:
                raise ValueError(f"{where}: each session needs a day, one of mon ... sun.")
            start = _time(session.get("start"), f"{where} start")
            end = _time(session.get("end"), f"{where} end")
            if end <= start:
                raise ValueError(f"{where}: a session must end after it starts.")
            sessions.append((WEEKDAY_SLUGS.index(session["day"]), start, end))
        sessions.sort()
        minutes = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for _, s, e in sessions)
        stated = track.get("hours_per_week")
        if stated is not None and (
            not isinstance(stated, (int, float)) or abs(stated - minutes / 60) > 0.01
        ):
            raise ValueError(
                f"track “{name}” says {stated} hours a week, but its sessions add up to "
                f"{minutes / 60:g}."
            )
        parsed.append({"name": name, "sessions": sessions})
    return parsed


def listing_from_program_json(row):
    """A listing from one <program> object; ValueError says what is wrong."""
    if not isinstance(row, dict):
        raise ValueError("must be a JSON object.")
    slug = _text(row, "slug", required=True, max_length=120)
    if slugify(slug) != slug:
        raise ValueError(f"“slug” may hold only lowercase letters, digits and hyphens: {slug!r}.")
    provider = row.get("provider")
    if not isinstance(provider, dict):
        raise ValueError("“provider” must be an object with a name.")
    address = row.get("address")
    if not isinstance(address, dict):
        raise ValueError("“address” must be an object with city and state.")
    state = _text(address, "state", required=True, max_length=2).upper()
    if state not in STATE_CODES:
        raise ValueError(f"unknown state {state!r}.")
    min_age = _number(row, "min_age", 0, 120, integer=True)
    max_age = _number(row, "max_age", 0, 120, integer=True)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise ValueError("“min_age” is above “max_age”.")
    fmt = _choice(row, "format", Program.Format.values, Program.Format.IN_PERSON)
    virtual_states = row.get("virtual_states") or []
    if not isinstance(virtual_states, list) or not set(virtual_states) <= STATE_CODES:
        raise ValueError("“virtual_states” must be a list of state codes.")
    last_verified = row.get("last_verified")
    if last_verified is not None:
        try:
            last_verified = datetime.date.fromisoformat(last_verified)
        except (TypeError, ValueError):
            raise ValueError(f"“last_verified” must be a date as YYYY-MM-DD: {last_verified!r}.")
    return {
        "slug": slug,
        "name": _text(row, "name", required=True),
        "provider": {
            "name": _text(provider, "name", required=True),
            "website": _url(_text(provider, "website", max_length=300), "provider.website"),
        },
        "description": _text(row, "description", max_length=10_000),
        "street": _text(address, "street"),
        "city": _text(address, "city", required=True, max_length=100),
        "state": state,
        "zip": _text(address, "zip", max_length=10),
        "latitude": _number(row, "lat", -90, 90, required=True),
        "longitude": _number(row, "lng", -180, 180, required=True),
        "phone": _text(row, "phone", max_length=40),
        "intake_phone": _text(row, "intake_phone", max_length=40),
        "website": _url(_text(row, "website", max_length=300), "website"),
        "treats_substance_use": _boolean(row, "treats_substance_use"),
        "treats_mental_health": _boolean(row, "treats_mental_health"),
        "co_occurring": _boolean(row, "co_occurring"),
        "format": fmt,
        "virtual_states": sorted(set(virtual_states)),
        "min_age": min_age,
        "max_age": max_age,
        "availability": _choice(row, "availability", Program.Availability.values, "open"),
        "waitlist_weeks": _number(row, "waitlist_weeks", 0, 520, integer=True),
        "last_verified": last_verified,
        "status": _choice(row, "status", Program.Status.values, Program.Status.DRAFT),
        "terms": {
            kind: _slug_list(row, key, allowed) for key, (kind, allowed) in TERM_KEYS.items()
        },
        "tracks": _tracks(row),
    }


def program_rows(document):
    """The rows of a programs-format document (a JSON list)."""
    if not isinstance(document, list):
        raise ImportFileError("A programs file must be a JSON list of program objects.")
    return document


# The FindTreatment.gov locator format: {"rows": [...]}, one facility a row

IOP_SETTING = "Intensive outpatient treatment"
TELEHEALTH_SETTINGS = {"Telemedicine/telehealth", "Computerized treatment/telemedicine"}
MOUD_SETTING = "Outpatient methadone/buprenorphine or naltrexone treatment"

FINDTREATMENT_TERMS = {
    "TAP": {
        "Cognitive behavioral therapy": ("therapy", "cbt"),
        "Dialectical behavior therapy": ("therapy", "dbt"),
        "Motivational interviewing": ("therapy", "motivational-interviewing"),
        "Contingency management/motivational incentives": ("therapy", "contingency-management"),
        "Relapse prevention": ("therapy", "relapse-prevention"),
        "Trauma therapy": ("therapy", "trauma-focused"),
        "Trauma-related counseling": ("therapy", "trauma-focused"),
        "Couples/family therapy": ("therapy", "family-therapy"),
        "12-step facilitation": ("therapy", "twelve-step"),
        "Matrix Model": ("therapy", "matrix-model"),
        "Group therapy": ("therapy", "group-therapy"),
        "Individual psychotherapy": ("therapy", "individual-therapy"),
        "Psychotropic medication": ("therapy", "medication-management"),
        "Integrated dual disorders treatment": None,  # sets co_occurring
    },
    "PAY": {
        "Medicaid": ("payment", "medicaid"),
        "Medicare": ("payment", "medicare"),
        "Private health insurance": ("payment", "private-insurance"),
        "Military insurance (e.g., TRICARE)": ("payment", "tricare"),
        "U.S. Department of VA funds": ("payment", "va"),
        "IHS/Tribal/Urban (ITU) funds": ("payment", "ihs-tribal"),
        "Cash or self-payment": ("payment", "self-pay"),
        "State-financed health insurance plan other than Medicaid": ("payment", "state-funded"),
        "State mental health agency (or equivalent) funds": ("payment", "state-funded"),
        "State welfare or child and family services funds": ("payment", "state-funded"),
        "State corrections or juvenile justice funds": ("payment", "state-funded"),
        "State education funds": ("payment", "state-funded"),
        "Other State funds": ("payment", "state-funded"),
        "County or local government funds": ("payment", "state-funded"),
        "Federal, or any government funding for substance abuse programs": (
            "payment",
            "state-funded",
        ),
        "Community Mental Health Block Grants": ("payment", "state-funded"),
        "Community Service Block Grants": ("payment", "state-funded"),
    },
    "PYAS": {
        "Sliding fee scale (fee is based on income and other factors)": (
            "payment",
            "sliding-scale",
        ),
        "Payment assistance (check with facility for details)": ("payment", "payment-assistance"),
        "Treatment at no charge or minimal payment for clients who cannot afford to pay": (
            "payment",
            "free",
        ),
    },
    "SG": {
        "Adolescents": ("population", "adolescents"),
        "Transitional age young adults": ("population", "young-adults"),
        "Seniors or older adults": ("population", "seniors"),
        "Veterans": ("population", "veterans"),
        "Active duty military": ("population", "active-military"),
        "Lesbian, gay, bisexual, or transgender (LGBT) clients": ("population", "lgbtq"),
        "Adult women": ("population", "women"),
        "Adult men": ("population", "men"),
        "Pregnant/postpartum women": ("population", "pregnant-postpartum"),
        "Clients referred from the court/judicial system": ("population", "criminal-justice"),
        "Persons who have experienced trauma": ("population", "trauma-survivors"),
        "Persons with post-traumatic stress disorder (PTSD)": ("population", "trauma-survivors"),
        "Persons who have experienced sexual abuse": ("population", "trauma-survivors"),
        "Persons who have experienced intimate partner violence, domestic violence": (
            "population",
            "trauma-survivors",
        ),
        "Persons with co-occurring mental and substance use disorders": None,  # co_occurring
    },
    "SL": {
        "Services for the deaf and hard of hearing": ("population", "deaf-hard-of-hearing"),
        "Sign language services for the deaf and hard of hearing": ("language", "ase"),
        "American Sign Language (ASL)": ("language", "ase"),
    },
}
LANGUAGE_NAMES = {name.lower(): code for code, name in LANGUAGES} | {
    "american sign language": "ase",
    "farsi": "fa",
    "persian": "fa",
    "creole": "ht",
    "filipino": "tl",
    "any chinese language": "zh",
    "mandarin": "zh",
    "cantonese": "zh",
}
AGE_GROUPS = {
    "Children/adolescents": (None, 17),
    "Young adults": (18, 25),
    "Adults": (18, None),
    "Seniors (65 or older)": (65, None),
}
# Categories whose values curators may want to see although we do not map them.
KEPT_CATEGORIES = {"TAP", "PAY", "PYAS", "SG", "SL", "OL", "AGE", "LCA", "SET", "TC"}


def _services(row):
    services = row.get("services") or []
    if not isinstance(services, list):
        raise ValueError("“services” must be a list.")
    values = {}
    for service in services:
        if not isinstance(service, dict) or not isinstance(service.get("f2"), str):
            raise ValueError("each service needs a category code in “f2”.")
        text = service.get("f3") or ""
        if not isinstance(text, str):
            raise ValueError(f"service {service['f2']} values in “f3” must be text.")
        values.setdefault(service["f2"], []).extend(
            value.strip() for value in text.split(";") if value.strip()
        )
    return values


def findtreatment_is_iop(row):
    """Whether the facility offers intensive outpatient treatment (its SET lists it)."""
    try:
        return IOP_SETTING in _services(row).get("SET", [])
    except ValueError:
        return True  # let the mapping report what is wrong with the row


def _coordinate(row, key, low, high):
    value = row.get(key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"“{key}” must be a number, not {value!r}.")
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"“{key}” must be between {low} and {high}, not {value!r}.")
    return number


def _website(value):
    value = (value or "").strip()
    if value and not value.startswith(("http://", "https://")):
        value = f"https://{value}"
    try:
        return _url(value, "website")
    except ValueError:
        return ""


def listing_from_findtreatment(row):
    """A draft listing from one FindTreatment.gov facility row (an IOP); ValueError if bad."""
    if not isinstance(row, dict):
        raise ValueError("must be a JSON object.")
    frid = _text(row, "frid", required=True, max_length=64)
    provider_name = _text(row, "name1", required=True)
    state = _text(row, "state", required=True, max_length=2).upper()
    if state not in STATE_CODES:
        raise ValueError(f"unknown state {state!r}.")
    city = _text(row, "city", required=True, max_length=100)
    services = _services(row)

    terms = {"therapy": [], "payment": [], "population": [], "language": ["en"]}
    unmapped = {}
    co_occurring = False
    for category, values in services.items():
        table = FINDTREATMENT_TERMS.get(category)
        for value in values:
            if category == "OL":
                code = LANGUAGE_NAMES.get(value.lower())
                if code:
                    terms["language"].append(code)
                    continue
            elif table is not None and value in table:
                mapped = table[value]
                if mapped is None:
                    co_occurring = True
                else:
                    terms[mapped[0]].append(mapped[1])
                continue
            if category in KEPT_CATEGORIES and category not in {"SET", "TC", "AGE"}:
                unmapped.setdefault(category, []).append(value)
    if MOUD_SETTING in services.get("SET", []):
        terms["therapy"].append("moud")
    genders = set(services.get("GN", []))
    if genders == {"Female"}:
        terms["population"].append("women")
    elif genders == {"Male"}:
        terms["population"].append("men")

    care = set(services.get("TC", []))
    substance = "Substance use treatment" in care
    mental = "Mental health treatment" in care
    ages = [AGE_GROUPS[group] for group in services.get("AGE", []) if group in AGE_GROUPS]
    min_age = max_age = None
    if ages:
        lows = [low for low, _ in ages]
        highs = [high for _, high in ages]
        min_age = None if None in lows else min(lows)
        max_age = None if None in highs else max(highs)
    telehealth = bool(TELEHEALTH_SETTINGS & set(services.get("SET", [])))
    site_name = _text(row, "name2")
    name = site_name or "Intensive Outpatient Program"
    slug_base = slugify(f"{site_name or provider_name} {city}")[:60].strip("-")
    street = ", ".join(filter(None, [_text(row, "street1"), _text(row, "street2")]))
    return {
        "findtreatment_frid": frid,
        "slug": f"{slug_base}-{frid[:6]}",
        "name": name,
        "provider": {"name": provider_name, "website": _website(row.get("website"))},
        "street": street[:200],
        "city": city,
        "state": state,
        "zip": _text(row, "zip", max_length=10)[:5],
        "latitude": _coordinate(row, "latitude", -90, 90),
        "longitude": _coordinate(row, "longitude", -180, 180),
        "phone": _text(row, "phone", max_length=40),
        "intake_phone": _text(row, "intake1", max_length=40),
        "website": _website(row.get("website")),
        "treats_substance_use": substance,
        "treats_mental_health": mental,
        "co_occurring": co_occurring,
        "format": Program.Format.HYBRID if telehealth else Program.Format.IN_PERSON,
        "virtual_states": [state] if telehealth else [],
        "min_age": min_age,
        "max_age": max_age,
        "terms": {kind: list(dict.fromkeys(slugs)) for kind, slugs in terms.items()},
        "source_notes": {
            "source": "FindTreatment.gov",
            "unmapped": {key: sorted(set(values)) for key, values in sorted(unmapped.items())},
        },
    }


def findtreatment_rows(document):
    """The facility rows of a FindTreatment.gov locator document."""
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise ImportFileError('A FindTreatment.gov file must be a JSON object with a "rows" list.')
    return document["rows"]
