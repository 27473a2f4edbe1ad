"""What every import source shares: file and row errors, reading JSON, field parsers, and
placing a listing at its ZIP's centre. No writes."""

import datetime
import itertools
import json
import math
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .. import geo
from ..models import (
    TRACK_HOURS_MAX,
    WEEKDAY_SLUGS,
    Program,
    validate_time_zone,
    validate_zip,
)
from ..vocabularies import LANGUAGES, US_STATES

STATE_CODES = {code for code, _ in US_STATES}
# Language names as public directories write them, to our codes.
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
    except IsADirectoryError:
        raise ImportFileError(f"{path}: a folder, not a file.")
    except RecursionError:
        raise ImportFileError(f"{path}: nested too deeply to be a file of listings.")
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text.")
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        )


# Control characters but tab and line breaks (a description may have paragraphs).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def field_text(row, key, *, required=False, max_length=200):
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise ValueError(f"“{key}” is required.")
        return ""
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be text.")
    value = value.strip()
    if CONTROL_CHARACTERS.search(value):
        # The database refuses a NUL; the others are no part of a name or an address.
        raise ValueError(f"“{key}” holds a control character.")
    if len(value) > max_length:
        raise ValueError(f"“{key}” is longer than {max_length} characters.")
    return value


def field_url(value, key):
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValueError(f"“{key}” is not a web address: {value!r}.")
    return value


def field_number(row, key, low, high, *, required=False, integer=False):
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


def field_choice(row, key, choices, default):
    value = row.get(key, default)
    if value is None:
        value = default
    if value not in choices:
        raise ValueError(f"“{key}” must be one of {', '.join(choices)}, not {value!r}.")
    return value


def field_boolean(row, key):
    value = row.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"“{key}” must be true or false.")
    return value


def field_slugs(row, key, allowed):
    values = row.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"“{key}” must be a list of slugs.")
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise ValueError(f"unknown {key} {', '.join(map(repr, unknown))}.")
    return list(dict.fromkeys(values))


_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def field_time(value, where):
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"{where} must be a time as HH:MM, not {value!r}.")
    return datetime.time(int(match[1]), int(match[2]))


def field_tracks(row):
    tracks = row.get("tracks")
    if tracks is None:
        return None  # not given: the listing's tracks stay as they are
    if not isinstance(tracks, list):
        raise ValueError("“tracks” must be a list.")
    parsed, names = [], set()
    for number, track in enumerate(tracks, start=1):
        if not isinstance(track, dict):
            raise ValueError(f"track {number} must be an object.")
        name = field_text(track, "name", required=True, max_length=100)
        if name in names:
            raise ValueError(f"two tracks are named “{name}”.")
        names.add(name)
        sessions = []
        for session in track.get("sessions") or []:
            where = f"track “{name}”"
            if not isinstance(session, dict) or session.get("day") not in WEEKDAY_SLUGS:
                raise ValueError(f"{where}: each session needs a day, one of mon ... sun.")
            start = field_time(session.get("start"), f"{where} start")
            end = field_time(session.get("end"), f"{where} end")
            if end <= start:
                raise ValueError(f"{where}: a session must end after it starts.")
            sessions.append((WEEKDAY_SLUGS.index(session["day"]), start, end))
        sessions.sort()
        for (day, _, end), (next_day, start, _) in itertools.pairwise(sessions):
            if day == next_day and start < end:
                raise ValueError(f"{where}: two sessions on {WEEKDAY_SLUGS[day]} overlap.")
        minutes = sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for _, s, e in sessions)
        if minutes > TRACK_HOURS_MAX * 60:
            raise ValueError(
                f"track “{name}”: its sessions add up to {minutes / 60:g} hours a week, "
                f"more than {TRACK_HOURS_MAX}."
            )
        stated = track.get("hours_per_week")
        if stated is not None and (
            not isinstance(stated, (int, float)) or abs(stated - minutes / 60) > 0.01
        ):
            raise ValueError(
                f"track “{name}” says {stated} hours a week, but its sessions add up to "
                f"{minutes / 60:g}."
            )
        rolling = track.get("rolling_admission")
        if rolling is not None and not isinstance(rolling, bool):
            raise ValueError(f"track “{name}”: “rolling_admission” must be true or false.")
        parsed.append(
            {
                "name": name,
                "sessions": sessions,
                "openings": field_number(track, "openings", 0, 1000, integer=True),
                "next_start": field_date(track, "next_start"),
                "rolling_admission": bool(rolling),
                "availability_confirmed": field_date(track, "availability_confirmed", past=True),
            }
        )
    return parsed


def field_date(row, key, *, past=False):
    """A date; with `past`, one that has come (a day something was confirmed)."""
    value = row.get(key)
    if value is None:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"“{key}” must be a date as YYYY-MM-DD: {value!r}.")
    # A day ahead of the server's allows for a file written where the date has already changed.
    if past and day > datetime.date.today() + datetime.timedelta(days=1):
        raise ValueError(f"“{key}” is in the future: {value!r}.")
    return day


def field_zip(row, key="zip"):
    """A ZIP code, 5 digits or ZIP+4 ("" when not given), as Program.zip takes it."""
    value = field_text(row, key, max_length=10)
    if not _valid(value, validate_zip):
        raise ValueError(f"“{key}” must be a ZIP code of 5 digits (or ZIP+4): {value!r}.")
    return value


def field_time_zone(row, key="time_zone"):
    """An IANA time zone name ("America/Chicago"), or "", as Program.time_zone takes it."""
    value = field_text(row, key, max_length=40)
    if not _valid(value, validate_time_zone):
        raise ValueError(f"“{key}” is not a time zone: {value!r}.")
    return value


def _valid(value, validator):
    """Whether the model's `validator` takes `value` ("" is no value: always valid)."""
    try:
        if value:
            validator(value)
    except ValidationError:
        return False
    return True


def state_parse(value):
    """A state or territory's postal code, any case; ValueError when it is not one."""
    state = (value or "").strip().upper() if isinstance(value, str) else ""
    if state not in STATE_CODES:
        raise ValueError(f"unknown state {value!r}.")
    return state


def website_parse(value):
    """A website as given by public data ("www.example.org"): a full https address, or "" when
    it is not one."""
    value = (value or "").strip()
    if value and not value.startswith(("http://", "https://")):
        value = f"https://{value}"
    try:
        return field_url(value, "website")
    except ValueError:
        return ""


def zip_location(zip_code):
    """(latitude, longitude, time zone) of a ZIP's centre, offline; ValueError when unknown."""
    entry = geo.gazetteer().by_zip.get((zip_code or "")[:5])
    if entry is None:
        raise ValueError(f"the ZIP code {zip_code!r} is not in the gazetteer.")
    return entry.lat, entry.lng, entry.time_zone


def zip_time_zone(zip_code):
    """The IANA time zone of a ZIP code ("" when the gazetteer does not know it)."""
    entry = geo.gazetteer().by_zip.get((zip_code or "")[:5])
    return entry.time_zone if entry else ""


def listing_merge(into, other):
    """Fold a repeated row's facts into the first listing of the same facility: the union of
    what either says it offers, and the widest age range."""
    for name in ("other_levels_of_care", "licenses", "virtual_states"):
        into[name] = list(dict.fromkeys([*into[name], *other[name]]))
    for kind, slugs in other["terms"].items():
        into["terms"][kind] = list(dict.fromkeys([*into["terms"].get(kind, []), *slugs]))
    for name in ("treats_substance_use", "treats_mental_health", "co_occurring"):
        into[name] = into[name] or other[name]
    if other["format"] != Program.Format.IN_PERSON:
        into["format"] = other["format"]
    lows = [into["min_age"], other["min_age"]]
    into["min_age"] = None if None in lows else min(lows)
    highs = [into["max_age"], other["max_age"]]
    into["max_age"] = None if None in highs else max(highs)
    into["phone"] = into["phone"] or other["phone"]
    into["intake_phone"] = into["intake_phone"] or other["intake_phone"]
