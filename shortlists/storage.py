"""The shortlist: programs a visitor keeps in their session, or that a shared link names.

No account and no model: the session holds the programs' slugs, in the order they were added,
with the place of the search each was added from (so that compare and the referral sheet can
show a distance). Shared links hold slugs only, never a place.
"""

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programs import geo
from programs.models import Program

SESSION_KEY = "shortlist"
MAX_PROGRAMS = 20
MAX_PLACE_LABEL = 100
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


@dataclass(frozen=True)
class SearchPlace:
    """The place a program was found near: what to call it and where it is."""

    label: str
    lat: float
    lng: float

    @classmethod
    def from_data(cls, data):
        """A place from a dict (the session, or a form's `from_label`, `from_lat`, `from_lng`);
        None when anything is missing or out of range: a bad place never blocks a shortlist."""
        if not data:
            return None
        try:
            label = str(data.get("label") or "").strip()[:MAX_PLACE_LABEL]
            lat, lng = float(data.get("lat")), float(data.get("lng"))
        except (TypeError, ValueError):
            return None
        if not label or not (math.isfinite(lat) and math.isfinite(lng)):
            return None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return None
        return cls(label, lat, lng)

    def as_dict(self):
        return {"label": self.label, "lat": self.lat, "lng": self.lng}


@dataclass(frozen=True)
class Entry:
    """One shortlisted program: its slug and, when known, the place of the search."""

    slug: str
    place: SearchPlace | None = None


class Shortlist:
    """The visitor's shortlist, read from and written to their session."""

    def __init__(self, session):
        self.session = session

    @property
    def entries(self):
        stored = self.session.get(SESSION_KEY)
        if not isinstance(stored, list):
            return []
        entries = []
        for item in stored[:MAX_PROGRAMS]:
            if isinstance(item, dict) and _SLUG.match(str(item.get("slug", ""))):
                entries.append(Entry(item["slug"], SearchPlace.from_data(item.get("place"))))
        return entries

    @property
    def slugs(self):
        return [entry.slug for entry in self.entries]

    def __len__(self):
        return len(self.entries)

    def __contains__(self, slug):
        return slug in self.slugs

    def _save(self, entries):
        self.session[SESSION_KEY] = [
            {"slug": entry.slug, "place": entry.place.as_dict() if entry.place else None}
            for entry in entries
        ]

    def add(self, slug, place=None):
        """Add a program (again: keeps its place unless a new one is given). False when full."""
        entries = self.entries
        for position, entry in enumerate(entries):
            if entry.slug == slug:
                if place is not None:
                    entries[position] = Entry(slug, place)
                    self._save(entries)
                return True
        if len(entries) >= MAX_PROGRAMS:
            return False
        self._save([*entries, Entry(slug, place)])
        return True

    def remove(self, slug):
        """Remove a program; True when it was there."""
        entries = self.entries
        kept = [entry for entry in entries if entry.slug != slug]
        self._save(kept)
        return len(kept) != len(entries)

    def keep_only(self, slugs):
        """Forget programs that are no longer published."""
        entries = self.entries
        kept = [entry for entry in entries if entry.slug in slugs]
        if len(kept) != len(entries):
            self._save(kept)

    def clear(self):
        self.session.pop(SESSION_KEY, None)


def shared_entries(values):
    """Entries from a shared link's `p` values (`?p=a,b` or `?p=a&p=b`), and notes about what
    was cut: more than MAX_PROGRAMS, and text that cannot be a slug."""
    slugs, invalid = [], []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if not _SLUG.match(item):
                invalid.append(item[:40])
            elif item not in slugs:
                slugs.append(item)
    notes = []
    if invalid:
        notes.append(
            ngettext(
                "Skipped %(count)d entry that is not a program's address.",
                "Skipped %(count)d entries that are not a program's address.",
                len(invalid),
            )
            % {"count": len(invalid)}
        )
    if len(slugs) > MAX_PROGRAMS:
        notes.append(
            _("This link names %(count)d programs; a shortlist holds the first %(max)d.")
            % {"count": len(slugs), "max": MAX_PROGRAMS}
        )
        slugs = slugs[:MAX_PROGRAMS]
    return [Entry(slug) for slug in slugs], notes


def shortlisted_programs(entries):
    """The published programs of the entries, in their order, with everything a listing shows
    (constant queries), each with `distance_miles` and `distance_from` when the entry has a
    place; and the slugs of those that are not (or no longer) published."""
    found = (
        Program.objects.published()
        .for_listing()
        .in_bulk([entry.slug for entry in entries], field_name="slug")
    )
    programs, missing = [], []
    for entry in entries:
        program = found.get(entry.slug)
        if program is None:
            missing.append(entry.slug)
            continue
        program.distance_miles = program.distance_from = None
        if entry.place is not None:
            program.distance_miles = geo.great_circle_miles(
                entry.place.lat, entry.place.lng, program.latitude, program.longitude
            )
            program.distance_from = entry.place.label
        programs.append(program)
    return programs, missing
