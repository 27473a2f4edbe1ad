"""SAMHSA's National Directory of Substance Use Treatment Facilities, as the .xlsx it is
published in (sheet "Facilities List", codes explained by the sheet "Service Code Reference").

Every facility coded `OIT` (intensive outpatient treatment) is a listing, keyed by a hash of its
normalized name, second name, street, suite and ZIP, so that next year's edition updates the same
listings. Codes are decoded through the file's own reference sheet: an edition with more codes
still reads, and what we have no field for is kept by name. Listings sit at their ZIP's centre
until geocoded (the directory has no coordinates).
"""

import hashlib
import re
import zipfile
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext

from ..models import Program
from .base import LANGUAGE_NAMES, ImportFileError, field_text, state_parse, zip_location

SLUG = "samhsa-directory"
NAME = "SAMHSA National Directory of Substance Use Treatment Facilities"
EDITION_COMPLETE = True  # one workbook is the whole directory: listings it lacks are flagged

OWNED_FIELDS = [
    "name", "street", "city", "zip", "latitude", "longitude", "location_precision",
    "time_zone", "phone", "intake_phone", "treats_substance_use", "treats_mental_health",
    "co_occurring", "format", "min_age", "max_age", "other_levels_of_care", "licenses",
    "source_edition", "source_notes",
]  # fmt: skip
OWNED_TERM_KINDS = ("therapy", "payment", "population", "language")

FACILITIES_SHEET = "facilities list"
REFERENCE_SHEET = "service code reference"
COLUMNS = ["name1", "name2", "street1", "street2", "city", "state", "zip", "phone", "intake1"]
CODES_COLUMN = "service_code_info"
REFERENCE_COLUMNS = ["category_code", "category_name", "service_code", "service_name"]

IOP_CODE = "OIT"
TELEHEALTH_CODE = "TELE"
# Medications for opioid or alcohol use disorder, in treatment settings and pharmacotherapies.
MOUD_CODES = [
    "OMB", "MU", "BU", "NU", "BUM", "MM", "UB", "UN", "RPN", "OTP", "MWS",
    "ACM", "DSF", "METH", "BSDM", "BWN", "BWON", "BERI", "NXN", "VTRL",
]  # fmt: skip
# Codes that map onto our vocabularies, whatever category the reference files them under.
TERM_CODES = {
    # Treatment approaches, counseling, opioid treatment and pharmacotherapies
    "CBT": ("therapy", "cbt"),
    "CMI": ("therapy", "contingency-management"),
    "CRV": ("therapy", "contingency-management"),
    "MOTI": ("therapy", "motivational-interviewing"),
    "MXM": ("therapy", "matrix-model"),
    "RELP": ("therapy", "relapse-prevention"),
    "TRC": ("therapy", "trauma-focused"),
    "TWFA": ("therapy", "twelve-step"),
    "ICO": ("therapy", "individual-therapy"),
    "GCO": ("therapy", "group-therapy"),
    "FCO": ("therapy", "family-therapy"),
    "MCO": ("therapy", "family-therapy"),
    "MMD": ("therapy", "medication-management"),
    **dict.fromkeys(MOUD_CODES, ("therapy", "moud")),
    # Payment
    "MD": ("payment", "medicaid"),
    "MC": ("payment", "medicare"),
    "PI": ("payment", "private-insurance"),
    "MI": ("payment", "tricare"),
    "ITU": ("payment", "ihs-tribal"),
    "IH": ("payment", "ihs-tribal"),
    "VAMC": ("payment", "va"),
    "SF": ("payment", "self-pay"),
    "SI": ("payment", "state-funded"),
    "FSA": ("payment", "state-funded"),
    "SAMF": ("payment", "state-funded"),
    "NP": ("payment", "free"),
    "PA": ("payment", "payment-assistance"),
    "SS": ("payment", "sliding-scale"),
    # Special groups
    "AD": ("population", "adolescents"),
    "TAY": ("population", "young-adults"),
    "SE": ("population", "seniors"),
    "VET": ("population", "veterans"),
    "ADM": ("population", "active-military"),
    "GL": ("population", "lgbtq"),
    "WN": ("population", "women"),
    "MN": ("population", "men"),
    "PW": ("population", "pregnant-postpartum"),
    "CJ": ("population", "criminal-justice"),
    "TRMA": ("population", "trauma-survivors"),
    "XA": ("population", "trauma-survivors"),
    "DV": ("population", "trauma-survivors"),
    # Language services
    "SP": ("language", "es"),
    "AH": ("language", "ase"),
}
SUBSTANCE_USE_CODES = {"SA"}
MENTAL_HEALTH_CODES = {"MHS", "SUMH"}
CO_OCCURRING_CODES = {"SUMH", "CO"}
AGE_CODES = {"CHLD": (0, 17), "YAD": (18, 25), "ADLT": (18, None), "SNR": (65, None)}
# The 2023 file gives 1,316 IOPs only "CHLD" among its ages, yet they run groups for adults
# as often as the adults-only facilities do (adult women 63 %, men 59 %, seniors 35 %): "Up to
# 17" would be wrong for nearly all of them, and would hide them from adults' searches. A lone
# CHLD is read with the groups the facility runs: with a group for adults (young adults,
# seniors, adult women or men) the range has no top; with one for adolescents only, it is
# children and adolescents; with neither, the ages are not stated.
ADULT_GROUP_CODES = {"TAY", "SE", "WN", "MN"}
ADOLESCENT_GROUP_CODE = "AD"
GENDER_CODES = {"FEM": "women", "MALE": "men"}
# Other levels of care the facility offers, beside its IOP: service settings and types of care.
LEVEL_OF_CARE_CATEGORIES = {"SET"}
LEVEL_OF_CARE_CODES = {"DT", "HH"}
NOT_LEVELS_OF_CARE = {IOP_CODE, "OP", "OMB"}  # the IOP itself, "outpatient" in general, MOUD
LICENSE_CATEGORIES = {"LCA"}
# Read as facts above, so not repeated in the notes.
DECODED_ELSEWHERE = (
    {IOP_CODE, TELEHEALTH_CODE, "OP"}
    | SUBSTANCE_USE_CODES
    | MENTAL_HEALTH_CODES
    | CO_OCCURRING_CODES
    | set(AGE_CODES)
    | set(GENDER_CODES)
)

_EDITION = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _clean(value):
    """Cell text without the stray and doubled spaces the workbook has."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\xa0", " ").split())


def _header_index(header, wanted, sheet):
    names = [_clean(cell).lower() for cell in header]
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ImportFileError(
            f"The sheet “{sheet}” has no column {', '.join(repr(name) for name in missing)} "
            "(column names are matched whatever their case)."
        )
    return {name: names.index(name) for name in wanted}


def _sheet(workbook, wanted):
    for name in workbook.sheetnames:
        if _clean(name).lower() == wanted:
            return workbook[name]
    raise ImportFileError(f"The workbook has no sheet “{wanted.title()}”.")


def _reference(workbook):
    """{code: (category code, category name, service name)} from the reference sheet."""
    rows = _sheet(workbook, REFERENCE_SHEET).iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError("The sheet “Service Code Reference” is empty.")
    index = _header_index(header, REFERENCE_COLUMNS, "Service Code Reference")
    reference = {}
    for row in rows:
        code = _clean(row[index["service_code"]])
        if code and code not in reference:  # the sheet repeats itself below its first table
            reference[code] = (
                _clean(row[index["category_code"]]),
                _clean(row[index["category_name"]]),
                _clean(row[index["service_name"]]),
            )
    if IOP_CODE not in reference:
        raise ImportFileError("The sheet “Service Code Reference” does not explain the code OIT.")
    return reference


def edition_of(path):
    """The edition a file is, from the year in its name ("...-2023.xlsx" is "2023")."""
    match = _EDITION.search(Path(path).stem)
    return match[0] if match else ""


def read(path, edition=None):
    """The facility rows of the workbook, each a dict by lower-case column name, with the
    decoded `codes` and the file's edition (`edition`, else the year in the file's name)."""
    if edition is not None and not _EDITION.fullmatch(edition):
        raise ImportFileError(f"--edition must be a year, e.g. 2024, not {edition[:40]!r}.")
    edition = edition or edition_of(path)
    if not edition:
        # The edition decides which listings the directory no longer has: never guess it.
        raise ImportFileError(
            f"{path}: the file name has no year to tell its edition; give it, e.g. --edition 2024."
        )
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file.")
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise ImportFileError(f"{path}: not an .xlsx workbook ({error}).")
    try:
        reference = _reference(workbook)
        rows = _sheet(workbook, FACILITIES_SHEET).iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError("The sheet “Facilities List” is empty.")
        index = _header_index(header, [*COLUMNS, CODES_COLUMN], "Facilities List")
        facilities = []
        for row in rows:
            if not any(row):
                continue  # blank lines at the end of a sheet
            facility = {name: _clean(row[i]) if i < len(row) else "" for name, i in index.items()}
            facility["codes"] = [code for code in facility.pop(CODES_COLUMN).split() if code != "*"]
            facility["reference"] = reference
            facility["edition"] = edition
            facilities.append(facility)
        return facilities
    finally:
        workbook.close()


def is_iop(row):
    return IOP_CODE in row["codes"]


def _normalized(text):
    return _NOT_WORD.sub(" ", text.lower().replace("&", " and ")).strip()


def stable_key(name1, name2, street1, street2, zip_code):
    """The same facility gets the same key in every edition, however its text is spaced or
    capitalized: a hash of its normalized name, second name, street, suite and ZIP."""
    parts = [_normalized(part) for part in (name1, name2, street1, street2, zip_code[:5])]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def key(listing):
    return listing["source_key"]


def _zip(value):
    digits = value.split("-")[0].strip()
    if digits.isdigit() and len(digits) <= 5:
        return digits.zfill(5)  # a spreadsheet may have dropped leading zeros
    raise ValueError(f"“Zip” must be a 5-digit ZIP code, not {value!r}.")


def _ages(codes):
    """The youngest and oldest age a facility's codes accept (None: no limit, or not stated)."""
    age_codes = [code for code in codes if code in AGE_CODES]
    if age_codes == ["CHLD"] and not ADULT_GROUP_CODES & set(codes):
        return (0, 17) if ADOLESCENT_GROUP_CODE in codes else (None, None)
    if age_codes == ["CHLD"]:
        return 0, None
    ages = [AGE_CODES[code] for code in age_codes]
    if not ages:
        return None, None
    highs = [high for _, high in ages]
    return min(low for low, _ in ages), None if None in highs else max(highs)


def listing(row):
    """The listing one facility row gives; ValueError says what is wrong."""
    reference, codes = row["reference"], list(dict.fromkeys(row["codes"]))
    provider_name = field_text(row, "name1", required=True)
    site_name = field_text(row, "name2")
    city = field_text(row, "city", required=True, max_length=100)
    state = state_parse(row["state"])
    zip_code = _zip(row["zip"])
    latitude, longitude, time_zone = zip_location(zip_code)
    street1, street2 = field_text(row, "street1"), field_text(row, "street2")

    terms = {"therapy": [], "payment": [], "population": [], "language": ["en"]}
    levels, licenses, notes, unknown = [], [], {}, []
    for code in codes:
        if code not in reference:
            unknown.append(code)
            continue
        category, category_name, service = reference[code]
        if code in TERM_CODES:
            kind, slug = TERM_CODES[code]
            terms[kind].append(slug)
        elif category == "OL" and service.lower() in LANGUAGE_NAMES:
            terms["language"].append(LANGUAGE_NAMES[service.lower()])
        elif code in LEVEL_OF_CARE_CODES or (
            category in LEVEL_OF_CARE_CATEGORIES and code not in NOT_LEVELS_OF_CARE
        ):
            levels.append(service)
        elif category in LICENSE_CATEGORIES:
            licenses.append(service)
        elif code not in DECODED_ELSEWHERE:
            notes.setdefault(category_name, []).append(service)
    genders = [GENDER_CODES[code] for code in codes if code in GENDER_CODES]
    if len(genders) == 1:
        terms["population"].append(genders[0])
    min_age, max_age = _ages(codes)
    telehealth = TELEHEALTH_CODE in codes

    source_key = stable_key(provider_name, site_name, street1, street2, zip_code)
    slug_base = slugify(f"{site_name or provider_name} {city}")[:70].strip("-")
    return {
        "source": SLUG,
        "source_key": source_key,
        "source_edition": row["edition"],
        "slug": f"{slug_base}-{source_key[:6]}",
        "name": (site_name or "Intensive Outpatient Program")[:200],
        "provider": {"name": provider_name, "website": ""},
        "street": ", ".join(filter(None, [street1, street2]))[:200],
        "city": city,
        "state": state,
        "zip": zip_code,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": Program.LocationPrecision.ZIP,
        "time_zone": time_zone,
        "phone": field_text(row, "phone", max_length=40),
        "intake_phone": field_text(row, "intake1", max_length=40),
        "website": "",
        "treats_substance_use": bool(SUBSTANCE_USE_CODES & set(codes)),
        "treats_mental_health": bool(MENTAL_HEALTH_CODES & set(codes)),
        "co_occurring": bool(CO_OCCURRING_CODES & set(codes)),
        "format": Program.Format.HYBRID if telehealth else Program.Format.IN_PERSON,
        "virtual_states": [state] if telehealth else [],
        "min_age": min_age,
        "max_age": max_age,
        "other_levels_of_care": list(dict.fromkeys(levels)),
        "licenses": list(dict.fromkeys(licenses)),
        "terms": {kind: list(dict.fromkeys(slugs)) for kind, slugs in terms.items()},
        "source_notes": {
            "source": NAME,
            "edition": row["edition"],
            "other": notes,
            **({"unknown_codes": unknown} if unknown else {}),
        },
    }


def label(edition):
    if edition:
        return gettext("SAMHSA's %(edition)s directory") % {"edition": edition}
    return gettext("SAMHSA's national directory")
