"""Places and distances: resolving what people type into a point, and the radius search's SQL.

Places resolve offline from the ZIP centroids of the `zipcodes` package. Distances are
great-circle (haversine) miles on a sphere of the Earth's mean radius, computed in the database
so that filtering, ordering and pagination stay in SQL.
"""

import functools
import math
import re
import unicodedata
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

import zipcodes
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .expressions import GreatCircleMiles
from .vocabularies import US_STATES

EARTH_RADIUS_MILES = 3958.8
MIN_RADIUS_MILES = 0.1
MAX_RADIUS_MILES = 500
DEFAULT_RADIUS_MILES = 25
MAX_SUGGESTIONS = 8
# A city named alone is taken to be its largest namesake when that one has this many times the
# ZIP codes of the next ("raleigh" is Raleigh, NC); otherwise the person is asked which one.
DOMINANT_CITY_RATIO = 8
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


def city_key(name):
    """A city name as the gazetteer indexes it: any case, "St." and "Saint" alike, accents or
    none ("Española" as the ZIP code data spells it, "Espanola"), hyphens as spaces (the ZIP
    code data writes "Winston Salem") and apostrophes left out ("Lees Summit")."""
    unaccented = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    words = unaccented.lower().translate(_WORD_BREAKS).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


_WORD_BREAKS = str.maketrans({".": " ", "-": " ", "'": None, "\u2019": None, "`": None})


def _compact(key):
    """A city key without its spaces: "O'Fallon" and the ZIP code data's "O Fallon", "Coeur
    d'Alene" and "Coeur D Alene" alike. Only ever looked up within a state: across states it
    would take "Littlerock" (California) for Little Rock."""
    return key.replace(" ", "")


STATE_NAMES = dict(US_STATES)
STATE_CODES = {name.lower(): code for code, name in US_STATES}

_LAT_LNG = re.compile(r"^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$")


class PlaceError(ValueError):
    """The text does not name a place we can find; the message says what to type instead, and
    `suggestions` lists the places it may mean ("Springfield, IL", ...), largest first.

    `code` names the problem for programs and tests (the message is in the page's language).
    """

    def __init__(self, message, suggestions=(), *, code="invalid_place", params=None):
        self.message, self.code, self.params = message, code, params or {}
        super().__init__(str(message) % self.params if self.params else str(message))
        self.suggestions = list(suggestions)

    def validation_error(self):
        """The same problem as a form's ValidationError, with its code."""
        return ValidationError(self.message, code=self.code, params=self.params or None)


@dataclass(frozen=True)
class Place:
    """A point to search around, with what to call it and the state it lies in."""

    label: str
    lat: float
    lng: float
    state: str | None
    time_zone: str = ""

    def as_dict(self):
        return {"label": self.label, "lat": self.lat, "lng": self.lng, "state": self.state}


@dataclass(frozen=True)
class _ZipEntry:
    zip: str
    city: str
    state: str
    lat: float
    lng: float
    time_zone: str


class _Gazetteer:
    """ZIP and city centroids in memory, loaded once per process from `zipcodes`."""

    GRID_DEGREES = 1.0

    def __init__(self):
        self.by_zip = {}
        self.by_city = defaultdict(list)
        self.grid = defaultdict(list)
        post_office_only = defaultdict(list)
        for row in zipcodes.list_all():
            lat, lng = float(row["lat"]), float(row["long"])
            # Some entries (military APO/FPO codes among them) sit at 0,0: not a place.
            if (lat == 0 and lng == 0) or row["state"] not in STATE_NAMES:
                continue
            # One ZIP code's zone in the data is a town's name ("Napakiak"): no zone, then.
            zone = row["timezone"] if row["timezone"] in time_zones() else ""
            entry = _ZipEntry(row["zip_code"], row["city"], row["state"], lat, lng, zone)
            self.by_zip[entry.zip] = entry
            if row["active"] and row["zip_code_type"] == "STANDARD":
                self.by_city[(city_key(row["city"]), row["state"])].append(entry)
                self.grid[self._cell(lat, lng)].append(entry)
            elif row["active"] and row["zip_code_type"] == "PO BOX":
                post_office_only[(city_key(row["city"]), row["state"])].append(entry)
        # Towns whose mail all goes to post office boxes (Nome, Bethel and Kotzebue in Alaska)
        # have no street ZIP code: they are found by their boxes' ZIP codes.
        self.post_office_towns = {key for key in post_office_only if key not in self.by_city}
        for key in self.post_office_towns:
            self.by_city[key] = post_office_only[key]
        # A city name alone: the states that have it, the one with most ZIP codes (our measure
        # of size: the gazetteer has no populations) first, towns with street addresses before
        # post-office-only ones ("Nome" is offered in North Dakota, Alaska and Texas). A
        # post-office-only town never takes a state's name ("New Hampshire" is one in Ohio).
        state_names = {city_key(name) for name in STATE_NAMES.values()}
        states = defaultdict(list)
        for (city, state), entries in self.by_city.items():
            boxes_only = (city, state) in self.post_office_towns
            if not (boxes_only and city in state_names):
                states[city].append((boxes_only, -len(entries), state))
        self.states_by_city = {
            city: [state for *_, state in sorted(found)] for city, found in states.items()
        }
        # A state's cities by their names without spaces, where only one of its cities has it.
        compact = defaultdict(set)
        for city, state in self.by_city:
            compact[(_compact(city), state)].add(city)
        self.by_compact_city = {
            key: cities.pop() for key, cities in compact.items() if len(cities) == 1
        }

    def city_entries(self, name, state):
        """The ZIP codes of the city `name` in `state` ([] if it has none): by its key, or by
        its key without spaces where people and the ZIP code data part its words differently."""
        key = city_key(name)
        entries = self.by_city.get((key, state))
        if entries:
            return entries
        city = self.by_compact_city.get((_compact(key), state))
        return self.by_city[(city, state)] if city is not None else []

    def _cell(self, lat, lng):
        return (math.floor(lat / self.GRID_DEGREES), math.floor(lng / self.GRID_DEGREES))

    def nearest(self, lat, lng, max_rings=6):
        """The ZIP centroid nearest to a point (None when nothing lies within a few degrees)."""
        row, col = self._cell(lat, lng)
        best, best_distance = None, math.inf
        for ring in range(max_rings + 1):
            for r in range(row - ring, row + ring + 1):
                for c in range(col - ring, col + ring + 1):
                    if max(abs(r - row), abs(c - col)) != ring:
                        continue
                    for entry in self.grid.get((r, c), ()):
                        d = great_circle_miles(lat, lng, entry.lat, entry.lng)
                        if d < best_distance:
                            best, best_distance = entry, d
            # Anything in a further ring is at least `ring` cells away.
            if best is not None and best_distance < ring * 69 * self.GRID_DEGREES * 0.4:
                break
        return best


@functools.cache
def time_zones():
    """The IANA time zone names this machine's clocks can be read in ("America/Chicago")."""
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def gazetteer():
    """The process-wide gazetteer (about 0.4 s to build, on first use)."""
    return _Gazetteer()


def state_code(text):
    """A state's postal code from its code or full name, any letter case; None if unknown."""
    text = " ".join(text.split()).strip(". ")
    if text.upper() in STATE_NAMES:
        return text.upper()
    return STATE_CODES.get(text.lower())


def place_resolve(text):
    """The place that `text` names, as people type it: a ZIP (ZIP+4 allowed), a city with or
    without its state ("Charlottesville VA", "charlottesville, virginia"), a trailing ZIP
    ("Durham NC 27701": the ZIP wins), a city alone when only one state has it ("raleigh"), or
    "lat,lng". A city alone that several states have is a PlaceError with `suggestions`."""
    text = " ".join((text or "").split())
    if not text:
        raise PlaceError(_("Enter a ZIP code or a city and state."), code="place_required")
    if len(text) > 100:
        raise PlaceError(_("That place name is too long."), code="place_too_long")
    if match := _LAT_LNG.match(text):
        return place_from_point(float(match[1]), float(match[2]))
    # "Chicago, IL 60601, USA", as a map copies an address: the country says nothing more.
    text = _TRAILING_COUNTRY.sub("", text)
    if match := _TRAILING_ZIP.match(text):
        return _zip_place(match["zip"])
    text = text.strip(" ,")
    if not text:
        raise PlaceError(_TYPE_A_PLACE, code="invalid_place")
    if "," in text and all(_number_like(part) for part in text.split(",")):
        # "nan,nan", "1e2,1e2", "38.03,-78.48,5": meant as a point, not a city and a state.
        raise PlaceError(
            _POINT_EXAMPLE,
            code="invalid_point",
            params={"place": text},
        )
    if "," in text:
        city, _comma, state_text = text.rpartition(",")
        city = city.strip(" ,")
        state = state_code(state_text)
        if state is None:
            if not city:
                raise PlaceError(_TYPE_A_PLACE, code="invalid_place")
            raise PlaceError(
                _("“%(state)s” is not a US state."),
                code="unknown_state",
                params={"state": state_text.strip()},
            )
        if not city:
            raise PlaceError(_TYPE_A_PLACE, code="invalid_place")
        return _city_place(city, state)
    words = text.split(" ")
    # "Charlottesville VA", "raleigh north carolina": the longest state name that ends the text.
    for size in (3, 2, 1):
        if len(words) > size:
            state = state_code(" ".join(words[-size:]))
            city = " ".join(words[:-size])
            if state and gazetteer().city_entries(city, state):
                return _city_place(city, state)
    return _city_alone(text)


_POINT_EXAMPLE = _(
    "“%(place)s” is not a point we can place: give a latitude and a longitude, e.g. “38.03,-78.48”."
)


def _number_like(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


_TYPE_A_PLACE = _("Enter a 5-digit ZIP code, or a city with its state, e.g. “Charlottesville, VA”.")
_TRAILING_ZIP = re.compile(r"^(?:.*?[\s,])?(?P<zip>\d{5})(?:-\d{4})?$")
_TRAILING_COUNTRY = re.compile(
    r"(?:[\s,]+(?:u\.?s\.?a\.?|united states(?: of america)?)|,\s*u\.?s\.?)$", re.IGNORECASE
)


def _zip_place(zip_code):
    entry = gazetteer().by_zip.get(zip_code)
    if entry is None:
        raise PlaceError(
            _("We could not find the ZIP code %(zip)s."),
            code="unknown_zip",
            params={"zip": zip_code},
        )
    return Place(
        f"{entry.city}, {entry.state} {entry.zip}",
        entry.lat,
        entry.lng,
        entry.state,
        entry.time_zone,
    )


def _city_place(city, state):
    entries = gazetteer().city_entries(city, state)
    if not entries:
        raise PlaceError(
            _("We could not find %(city)s in %(state)s. Try its ZIP code."),
            code="unknown_city",
            params={"city": city, "state": STATE_NAMES[state]},
        )
    lat = sum(entry.lat for entry in entries) / len(entries)
    lng = sum(entry.lng for entry in entries) / len(entries)
    return Place(
        f"{entries[0].city}, {state}", round(lat, 6), round(lng, 6), state, entries[0].time_zone
    )


def _city_alone(text):
    """A city named without its state: the place when one state has it, else suggestions."""
    states = gazetteer().states_by_city.get(city_key(text))
    if not states:
        if state_code(text):
            raise PlaceError(
                _("%(state)s is a state: add a city or a ZIP code."),
                code="state_only",
                params={"state": STATE_NAMES[state_code(text)]},
            )
        raise PlaceError(
            _(
                "We could not find “%(place)s”. Enter a 5-digit ZIP code, or a city with its "
                "state, e.g. “Charlottesville, VA”."
            ),
            code="unknown_place",
            params={"place": text},
        )
    sizes = [len(gazetteer().by_city[(city_key(text), state)]) for state in states]
    if len(states) == 1 or sizes[0] >= DOMINANT_CITY_RATIO * sizes[1]:
        return _city_place(text, states[0])  # "raleigh": Raleigh, NC dwarfs the others
    key = city_key(text)
    city = gazetteer().by_city[(key, states[0])][0].city
    raise PlaceError(
        _("There is a %(city)s in several states: say which one."),
        # Each as its state spells it ("Saint John, IN", "St John, KS").
        suggestions=[
            f"{gazetteer().by_city[(key, state)][0].city}, {state}"
            for state in states[:MAX_SUGGESTIONS]
        ],
        code="ambiguous_place",
        params={"city": city},
    )


def place_from_point(lat, lng):
    """A place for a point (browser geolocation), labelled by the nearest ZIP's city."""
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise PlaceError(_("Latitude and longitude must be numbers."), code="invalid_point")
    if not -90 <= lat <= 90:
        raise PlaceError(_("Latitude must be between -90 and 90."), code="invalid_point")
    if not -180 <= lng <= 180:
        raise PlaceError(_("Longitude must be between -180 and 180."), code="invalid_point")
    nearest = gazetteer().nearest(lat, lng)
    if nearest is None:
        return Place(f"{lat:.4f}, {lng:.4f}", lat, lng, None)
    return Place(
        f"{lat:.2f}, {lng:.2f} ({nearest.city}, {nearest.state})",
        lat,
        lng,
        nearest.state,
        nearest.time_zone,
    )


def point_time_zone(lat, lng):
    """The time zone of the ZIP centre nearest to a point ("" far from any)."""
    nearest = gazetteer().nearest(lat, lng)
    return nearest.time_zone if nearest else ""


def great_circle_miles(lat1, lng1, lat2, lng2):
    """Haversine distance in miles, the same formula the database evaluates."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def distance_expression(lat, lng, lat_field="latitude", lng_field="longitude"):
    """SQL for the haversine miles from (lat, lng) to each row's location."""
    return GreatCircleMiles(
        lat, lng, earth_radius=EARTH_RADIUS_MILES, lat_field=lat_field, lng_field=lng_field
    )


def bounding_box(lat, lng, radius_miles):
    """The latitude/longitude box that holds every point within the radius: (lat_min,
    lat_max, longitude ranges), where the ranges are [] when every longitude is in the box.

    The box is exact on a sphere (Matuschek's bounds): its longitude half-width grows with
    latitude, so it stays a superset near the poles and in Alaska, and it splits in two where
    it crosses the antimeridian. A hair of margin covers floating-point rounding.
    """
    angular = radius_miles / EARTH_RADIUS_MILES
    margin = 1e-6
    lat_min = lat - math.degrees(angular) - margin
    lat_max = lat + math.degrees(angular) + margin
    if lat_max >= 90 or lat_min <= -90:
        return lat_min, lat_max, []  # the circle covers a pole: every longitude
    half_width = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    half_width += margin
    lng_min, lng_max = lng - half_width, lng + half_width
    if half_width >= 180:
        return lat_min, lat_max, []
    if lng_min < -180:
        return lat_min, lat_max, [(lng_min + 360, 180), (-180, lng_max)]
    if lng_max > 180:
        return lat_min, lat_max, [(lng_min, 180), (-180, lng_max - 360)]
    return lat_min, lat_max, [(lng_min, lng_max)]


def longitudes_q(ranges, lng_field="longitude"):
    """A Q for longitudes within any of `ranges` (bounding_box's); Q() for every longitude."""
    return reduce(
        or_,
        [Q(**{f"{lng_field}__gte": low, f"{lng_field}__lte": high}) for low, high in ranges],
        Q(),
    )


def bounding_box_q(lat, lng, radius_miles, lat_field="latitude", lng_field="longitude"):
    """A Q for the latitude/longitude box that holds every point within the radius
    (bounding_box)."""
    lat_min, lat_max, ranges = bounding_box(lat, lng, radius_miles)
    latitudes = Q(**{f"{lat_field}__gte": lat_min, f"{lat_field}__lte": lat_max})
    return latitudes & longitudes_q(ranges, lng_field)
