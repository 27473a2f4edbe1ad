"""FindTreatment.gov's locator JSON (`{"rows": [...]}`, one facility a row), keyed by `frid`.

Only facilities whose service settings include intensive outpatient treatment are listings; they
arrive as drafts for curators to complete (the locator has no schedules or step-down data).
"""

import hashlib
import math
import re

from django.utils.text import slugify

from ..models import Program
from .base import (
    CONTROL_CHARACTERS,
    LANGUAGE_NAMES,
    ImportFileError,
    field_text,
    field_zip,
    load_json,
    state_parse,
    website_parse,
    zip_time_zone,
)

SLUG = "findtreatment"
NAME = "FindTreatment.gov"
EDITION_COMPLETE = False  # a locator answer is a few facilities, not the whole directory

# What a re-import may change: what came from there, never what a curator added (status,
# tracks, step-down levels, openings, verification, notes).
OWNED_FIELDS = [
    "name", "street", "city", "zip", "latitude", "longitude", "phone", "intake_phone",
    "website", "treats_substance_use", "treats_mental_health", "co_occurring", "format",
    "min_age", "max_age", "time_zone", "location_precision", "licenses", "source_notes",
]  # fmt: skip
OWNED_TERM_KINDS = ("therapy", "payment", "population", "language")


def read(path, edition=None):
    """The facility rows of a FindTreatment.gov locator file (it has no editions)."""
    document = load_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise ImportFileError('A FindTreatment.gov file must be a JSON object with a "rows" list.')
    return document["rows"]


def key(listing):
    return listing["source_key"]


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
AGE_GROUPS = {
    "Children/adolescents": (0, 17),
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
        if CONTROL_CHARACTERS.search(text + service["f2"]):
            raise ValueError(f"service {service['f2']!r} holds a control character.")
        values.setdefault(service["f2"], []).extend(
            value.strip() for value in text.split(";") if value.strip()
        )
    return values


def is_iop(row):
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


def _slug_key(frid):
    """Six characters of the frid for the slug: its own when they are slug-safe, else a hash."""
    key = frid[:6].lower()
    if re.fullmatch(r"[a-z0-9]{6}", key):
        return key
    return hashlib.sha256(frid.encode()).hexdigest()[:6]


def listing(row):
    """A draft listing from one FindTreatment.gov facility row (an IOP); ValueError if bad."""
    if not isinstance(row, dict):
        raise ValueError("must be a JSON object.")
    frid = field_text(row, "frid", required=True, max_length=64)
    provider_name = field_text(row, "name1", required=True)
    state = state_parse(field_text(row, "state", required=True, max_length=2))
    city = field_text(row, "city", required=True, max_length=100)
    services = _services(row)

    terms = {"therapy": [], "payment": [], "population": [], "language": ["en"]}
    unmapped, licenses = {}, []
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
            if category == "LCA":
                licenses.append(value)
            elif category in KEPT_CATEGORIES and category not in {"SET", "TC", "AGE"}:
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
        min_age = min(lows)
        max_age = None if None in highs else max(highs)
    telehealth = bool(TELEHEALTH_SETTINGS & set(services.get("SET", [])))
    site_name = field_text(row, "name2")
    name = site_name or "Intensive Outpatient Program"
    slug_base = slugify(f"{site_name or provider_name} {city}")[:60].strip("-")
    street = ", ".join(filter(None, [field_text(row, "street1"), field_text(row, "street2")]))
    zip_code = field_zip(row)[:5]
    return {
        "source": SLUG,
        "source_key": frid,
        "source_edition": "",
        # A frid is a hex digest; anything else in its place is hashed, so that an address
        # can always be made from the slug (a "/" in one broke every search it was found by).
        "slug": f"{slug_base or 'program'}-{_slug_key(frid)}",
        "name": name,
        "provider": {"name": provider_name, "website": website_parse(row.get("website"))},
        "street": street[:200],
        "city": city,
        "state": state,
        "zip": zip_code,
        "latitude": _coordinate(row, "latitude", -90, 90),
        "longitude": _coordinate(row, "longitude", -180, 180),
        # The locator geocodes street addresses itself.
        "location_precision": Program.LocationPrecision.ADDRESS,
        "time_zone": zip_time_zone(zip_code),
        "phone": field_text(row, "phone", max_length=40),
        "intake_phone": field_text(row, "intake1", max_length=40),
        "website": website_parse(row.get("website")),
        "treats_substance_use": substance,
        "treats_mental_health": mental,
        "co_occurring": co_occurring,
        "format": Program.Format.HYBRID if telehealth else Program.Format.IN_PERSON,
        "virtual_states": [state] if telehealth else [],
        "min_age": min_age,
        "max_age": max_age,
        "licenses": list(dict.fromkeys(licenses)),
        "terms": {kind: list(dict.fromkeys(slugs)) for kind, slugs in terms.items()},
        "source_notes": {
            "source": "FindTreatment.gov",
            "unmapped": {key: sorted(set(values)) for key, values in sorted(unmapped.items())},
        },
    }


def label(edition):
    return NAME
