"""The catalogue: providers, their intensive outpatient programs, tracks and sessions."""

import datetime
import re
import uuid
import zoneinfo
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import get_language, gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .expressions import SessionMinutes
from .geo import time_zones
from .links import is_phone_number, slug_url
from .querysets import ProgramQuerySet, TermQuerySet, TrackQuerySet
from .schedule import WEEKDAY_SLUGS

# ASAM level 2.1 for adults: 9 to 20 hours of structured services a week.
ASAM_ADULT_WEEKLY_HOURS = (9, 20)
# The most hours a week a track may list at all (the contract's range, 0-60; outside ASAM's
# it is a warning).
TRACK_HOURS_MAX = 60
# "December 14", a format the catalogue translates ("14 de diciembre").
MONTH_DAY = gettext_noop("F j")


def validate_phone(value):
    """A number people can dial, as listings write it (links.is_phone_number)."""
    if value and not is_phone_number(value):
        raise ValidationError(
            _("Enter a phone number people can dial, e.g. 434-555-0100 or 434-555-0100 x12."),
            code="invalid_phone",
        )


def validate_time_zone(value):
    """An IANA time zone name ("America/Chicago"): session times are read in it."""
    if value and value not in time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone, such as America/Chicago."),
            code="invalid_time_zone",
            params={"value": value},
        )


# A page a browser opens: not ftp:, which URLField takes.
validate_web_address = URLValidator(schemes=["http", "https"])
validate_zip = RegexValidator(
    r"^\d{5}(-\d{4})?$", _("Enter a ZIP code of 5 digits (or ZIP+4)."), code="invalid_zip"
)


def time_display(value, with_meridiem=True):
    """A time as people write it: "6 pm", "9:30 am"."""
    hour = value.hour % 12 or 12
    text = f"{hour}" if value.minute == 0 else f"{hour}:{value.minute:02d}"
    if with_meridiem:
        text += " am" if value.hour < 12 else " pm"
    return text


def time_zone_abbreviation(name):
    """What clocks in an IANA time zone show today ("EST", "AKDT"); "" for an unknown zone."""
    try:
        return timezone.now().astimezone(zoneinfo.ZoneInfo(name)).strftime("%Z") if name else ""
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""


def availability_is_current(confirmed, today):
    """Whether openings confirmed on `confirmed` (a date, or None) still count on `today`:
    within settings.AVAILABILITY_FRESH_DAYS."""
    if confirmed is None:
        return False
    return today - confirmed <= datetime.timedelta(days=settings.AVAILABILITY_FRESH_DAYS)


def availability_as_listed(stated, confirmed, today):
    """A track's `stated` openings, next start and rolling admission while they are current
    (availability_is_current); once they are not, each counts as not listed (None)."""
    if availability_is_current(confirmed, today):
        return stated
    return dict.fromkeys(stated)


def weekly_hours(minutes):
    """A track's hours a week from its sessions' minutes (None counts as none), to two
    decimals: the one rule for pages, summaries and the API."""
    return round(sum(minute or 0 for minute in minutes) / 60, 2)


def time_range_display(start, end):
    """A session's times as people write them: "6-9 pm", "11:30 am-1 pm" in English; in other
    languages the 24-hour clock of their formats ("18:00–21:00")."""
    if not (get_language() or "en").startswith("en"):
        return f"{formats.time_format(start)}–{formats.time_format(end)}"
    same_half = (start.hour < 12) == (end.hour < 12)
    return f"{time_display(start, with_meridiem=not same_half)}-{time_display(end)}"


class Term(models.Model):
    """One entry of a controlled vocabulary: a therapy, payment option, population, language
    or step-down level. One table keeps the catalogue's many-valued facts in one join."""

    class Kind(models.TextChoices):
        THERAPY = "therapy", "Therapy"
        PAYMENT = "payment", "Payment"
        POPULATION = "population", "Population"
        LANGUAGE = "language", "Language"
        STEP_DOWN = "step_down", "Step-down level"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="term_kind_slug_unique"),
        ]

    def __str__(self):
        # The vocabularies' labels are in the catalogue (programs/vocabularies.py); a name a
        # curator typed shows as typed.
        return gettext(self.name)


class State(models.Model):
    """A US state or territory, keyed by its two-letter postal code."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


# A part of a street address that names a place inside the building, or a post office box:
# "Suite 100", "Building 6", "2nd Floor", "#310", "PO Box 12".
_UNIT = re.compile(
    r"\s*(?:suite|suites|ste|unit|apt|apartment|room|rm|floor|fl|bldg|building|dept|#"
    r"|\d+(?:st|nd|rd|th)\s+floor|p\.?\s*o\.?\s*box)\b",
    re.IGNORECASE,
)


class Provider(models.Model):
    """The organization that runs one or more programs."""

    uuid = models.UUIDField("HSDS organization ID", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True, validators=[validate_web_address])
    is_demo = models.BooleanField("demo provider", default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="provider_name_idx")]

    def __str__(self):
        return self.name


class Program(models.Model):
    """An intensive outpatient program (ASAM level 2.1) at one location.

    On PostgreSQL the table also has `term_ids`, the program's terms as one sorted array, which
    is no field here: database triggers keep it (migration 0009), search reads it
    (expressions.TermSet) and listing documents carry it (`row_to_json`); Django never writes it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Format(models.TextChoices):
        IN_PERSON = "in-person", _("In person")
        VIRTUAL = "virtual", _("Virtual")
        HYBRID = "hybrid", _("Hybrid")

    # Formats that can treat patients at a distance, in the states they are licensed in.
    REMOTE_FORMATS = (Format.VIRTUAL, Format.HYBRID)

    class Availability(models.TextChoices):
        OPEN = "open", _("Accepting patients")
        WAITLIST = "waitlist", _("Waitlist")
        FULL = "full", _("Full")

    class LocationPrecision(models.TextChoices):
        ADDRESS = "address", "Street address"
        ZIP = "zip", "ZIP code centroid (approximate)"

    class VerifiedBy(models.TextChoices):
        CURATOR = "curator", "A curator"
        PROVIDER = "provider", "The program"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    uuid = models.UUIDField("HSDS service ID", default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True)

    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    zip = models.CharField("ZIP code", max_length=10, blank=True, validators=[validate_zip])
    latitude = models.FloatField()
    longitude = models.FloatField()
    location_precision = models.CharField(
        max_length=10,
        choices=LocationPrecision.choices,
        default=LocationPrecision.ADDRESS,
        help_text="Where the marker stands: the geocoded street address, or the ZIP's centre.",
    )
    time_zone = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA time zone of the location (e.g. America/New_York); session times are "
        "local to it. Filled from the ZIP code when left empty.",
    )

    phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    intake_phone = models.CharField(max_length=40, blank=True, validators=[validate_phone])
    website = models.URLField(max_length=300, blank=True, validators=[validate_web_address])

    treats_substance_use = models.BooleanField(default=False)
    treats_mental_health = models.BooleanField(default=False)
    co_occurring = models.BooleanField(
        "integrated co-occurring treatment",
        default=False,
        help_text="Treats substance use and mental health together (dual diagnosis).",
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)
    virtual_states = models.ManyToManyField(
        State,
        blank=True,
        related_name="virtual_programs",
        help_text="States where the program is licensed to treat patients by telehealth.",
    )
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)

    availability = models.CharField(
        max_length=10, choices=Availability.choices, default=Availability.OPEN
    )
    waitlist_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    # An imported listing's availability says nothing until someone states it
    # (availability_listed).
    availability_stated = models.DateField(
        "availability stated",
        null=True,
        blank=True,
        help_text="When the program or a curator last said whether it takes new patients.",
    )

    terms = models.ManyToManyField(Term, blank=True, related_name="programs")

    last_verified = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_by_role = models.CharField(
        "verified by",
        max_length=10,
        choices=VerifiedBy.choices,
        blank=True,
        help_text="Who confirmed the listing last: a curator or the program itself.",
    )
    is_demo = models.BooleanField(
        "demo listing", default=False, help_text="Made up by seed_demo; not a real program."
    )
    # Where an imported listing comes from (programs.sources names the sources); empty for
    # listings entered by hand. The key stays the same from one edition of a source to the next.
    source = models.CharField(max_length=30, blank=True)
    source_key = models.CharField("ID in the source", max_length=64, blank=True)
    source_edition = models.CharField(max_length=20, blank=True)
    source_missing = models.CharField(
        "missing from source edition",
        max_length=20,
        blank=True,
        help_text="The newest edition of the source that no longer lists this program.",
    )
    other_levels_of_care = models.JSONField(
        default=list,
        blank=True,
        help_text="Other levels of care the facility offers (residential, partial "
        "hospitalization, detox...), by name.",
    )
    licenses = models.JSONField(
        "licenses and accreditations", default=list, blank=True, help_text="By name."
    )
    source_notes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Imported values with no counterpart in our vocabularies, for curators.",
    )
    curator_notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()
    # One history of every change, by curators, programs and imports, with who and when.
    history = HistoricalRecords(
        m2m_fields=["terms", "virtual_states"], excluded_fields=["created", "updated"]
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="program_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180),
                name="program_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(min_age__gte=0, min_age__lte=120),
                name="program_min_age_range",
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=0, max_age__lte=120),
                name="program_max_age_range",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=models.F("max_age")),
                name="program_min_age_lte_max_age",
            ),
            models.CheckConstraint(
                condition=Q(waitlist_weeks__isnull=True) | Q(waitlist_weeks__gte=0),
                name="program_waitlist_weeks_nonnegative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="program_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["in-person", "virtual", "hybrid"]),
                name="program_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(availability__in=["open", "waitlist", "full"]),
                name="program_availability_valid",
            ),
            models.CheckConstraint(
                condition=Q(location_precision__in=["address", "zip"]),
                name="program_location_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(verified_by_role__in=["", "curator", "provider"]),
                name="program_verified_by_role_valid",
            ),
            models.UniqueConstraint(
                fields=["source", "source_key"],
                condition=~Q(source_key=""),
                name="program_source_key_unique",
            ),
        ]
        indexes = [
            # The radius search's bounding box over published listings. On PostgreSQL it also
            # carries the columns search filters and ranks by, so ranking reads no table rows;
            # migrations 0009 and 0010 rebuild it there with the hidden columns `term_ids` and
            # `lightest_track_minutes` too (a change here must keep them).
            models.Index(
                fields=["latitude", "longitude"],
                include=[
                    "id",
                    "name",
                    "treats_substance_use",
                    "treats_mental_health",
                    "co_occurring",
                    "availability",
                    "format",
                    "min_age",
                    "max_age",
                ],
                condition=Q(status="published"),
                name="program_published_latlng_idx",
            ),
            models.Index(fields=["status", "name"], name="program_status_name_idx"),
            # Every published program by key with the name it is sorted by: a search without a
            # place reads this instead of the table (100,000 programs in 10 ms on PostgreSQL),
            # and hashes the programs its tracks match against it instead of fetching each
            # from the table (the weekday-evenings preset, 68,000 matches: 230 -> 117 ms).
            models.Index(
                fields=["id"],
                include=["name"],
                condition=Q(status="published"),
                name="program_published_id_idx",
            ),
            # HSDS pages: published programs by slug, the keys of any page read from the index.
            models.Index(
                fields=["slug"], condition=Q(status="published"), name="program_published_slug_idx"
            ),
            models.Index(fields=["last_verified"], name="program_last_verified_idx"),
            models.Index(fields=["updated"], name="program_updated_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("programs:detail", self.slug)

    def _terms(self, kind):
        return [term for term in self.terms.all() if term.kind == kind]

    @property
    def therapies(self):
        return self._terms(Term.Kind.THERAPY)

    @property
    def payments(self):
        return self._terms(Term.Kind.PAYMENT)

    @property
    def populations(self):
        return self._terms(Term.Kind.POPULATION)

    @property
    def languages(self):
        return self._terms(Term.Kind.LANGUAGE)

    @property
    def step_down_levels(self):
        return self._terms(Term.Kind.STEP_DOWN)

    @property
    def is_stale(self):
        """True when nobody has verified the listing within STALE_AFTER_DAYS."""
        if self.last_verified is None:
            return True
        age = timezone.localdate() - self.last_verified
        return age > datetime.timedelta(days=settings.STALE_AFTER_DAYS)

    @property
    def directions_url(self):
        """OpenStreetMap's directions to the program: to its street address when its point is
        only its ZIP code's centre (every imported listing: the route would end up to miles
        away), else to its point."""
        # The building, without its suite or floor, which routing services cannot find.
        street = ", ".join(part.strip() for part in self.street.split(",") if not _UNIT.match(part))
        if self.location_precision == self.LocationPrecision.ZIP and street:
            destination = f"{street}, {self.city}, {self.state_id} {self.zip}"
        else:
            destination = f"{self.latitude},{self.longitude}"
        return "https://www.openstreetmap.org/directions?" + urlencode({"to": destination})

    # Changing either states the program's openings (availability_stated), whoever does.
    OPENINGS_FIELDS = frozenset({"availability", "waitlist_weeks"})

    @property
    def availability_listed(self):
        """Whether `availability` says something: an imported listing holds the import's
        "open" because the source says nothing about openings (SAMHSA's directory never
        does), which must not read as "Accepting patients". A listing entered by hand, set to
        a waitlist or full, or whose openings the program or a curator stated
        (`availability_stated`) has said it. Confirming a listing ("Everything here is still
        accurate") does not: the listing it confirms said "Not listed"."""
        return bool(
            self.availability_stated
            or not self.source
            or self.availability != self.Availability.OPEN
        )

    @property
    def availability_display(self):
        """Whether the program takes patients, in words, with the wait when it gives one:
        "Waitlist (about 3 weeks)"; "Not listed: ask when you call" when the listing has not said
        (availability_listed)."""
        if not self.availability_listed:
            return gettext("Not listed: ask when you call")
        # The label as get_availability_display() gives it, without its building a dict of
        # the field's choices on every call (a tenth of a result card's time).
        try:
            text = str(self.Availability(self.availability).label)
        except ValueError:  # not a choice (an instance not yet validated): the value itself
            text = self.get_availability_display()
        if self.availability == self.Availability.WAITLIST and self.waitlist_weeks is not None:
            weeks = self.waitlist_weeks
            text += " " + ngettext("(about %(weeks)s week)", "(about %(weeks)s weeks)", weeks) % {
                "weeks": weeks
            }
        return text

    @property
    def ages_display(self):
        """The age range in words; "Ages not stated" when the listing gives neither end."""
        low, high = self.min_age, self.max_age
        if low is None and high is None:
            return gettext("Ages not stated")
        if not low and high is None:
            return gettext("All ages")
        if high is None:
            return gettext("%(low)d and over") % {"low": low}
        if not low:
            return gettext("Up to %(high)d") % {"high": high}
        return gettext("%(low)d to %(high)d") % {"low": low, "high": high}

    @property
    def contact_phone(self):
        """The number to call about joining: intake if listed, else the main line."""
        return self.intake_phone or self.phone

    @property
    def source_label(self):
        """Where the listing comes from, in words ("SAMHSA's 2023 directory"); "" by hand."""
        from .sources import source_label

        return source_label(self.source, self.source_edition)

    @property
    def time_zone_abbreviation(self):
        """The program's time zone as clocks there show it today ("EST", "PDT"); "" unknown."""
        return time_zone_abbreviation(self.time_zone)

    def hours_outside_asam_range(self):
        """Tracks whose weekly hours fall outside ASAM's 9-20 hours for adult IOPs."""
        low, high = ASAM_ADULT_WEEKLY_HOURS
        return [track for track in self.tracks.all() if not low <= track.hours_per_week <= high]


class Track(models.Model):
    """One schedule a patient can attend (e.g. the evening track). A patient attends one."""

    # Indexed by track_program_id_idx, which leads with it.
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="tracks", db_index=False
    )
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    # Openings change weekly: they count only while `availability_confirmed` is recent
    # (settings.AVAILABILITY_FRESH_DAYS).
    openings = models.PositiveSmallIntegerField(null=True, blank=True)
    next_start = models.DateField("next start date", null=True, blank=True)
    rolling_admission = models.BooleanField(default=False)
    availability_confirmed = models.DateField(null=True, blank=True)

    objects = TrackQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["program", "id"], name="track_program_id_idx")]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="track_program_name_unique"),
            models.CheckConstraint(
                condition=Q(openings__isnull=True) | Q(openings__lte=1000),
                name="track_openings_range",
            ),
        ]

    def __str__(self):
        return self.name

    def stated_availability(self):
        """Openings, next start and rolling admission as last stated, however old."""
        return {
            "openings": self.openings,
            "next_start": self.next_start.isoformat() if self.next_start else None,
            "rolling_admission": self.rolling_admission,
        }

    def openings_words(self, date_format=MONTH_DAY):
        """What the track has open, in words, while its program's word is current
        (availability_is_current): ["3 openings", "next start December 14", "rolling
        admission"]; [] when it has said nothing lately. Cards, the program page and the
        comparison all say it so; `date_format` is a format the catalogue translates."""
        if not self.availability_is_current:
            return []
        words = []
        if self.openings is not None:
            words.append(
                ngettext("%(counter)s opening", "%(counter)s openings", self.openings)
                % {"counter": self.openings}
            )
        if self.next_start:
            date = formats.date_format(self.next_start, gettext(date_format))
            words.append(gettext("next start %(date)s") % {"date": date})
        if self.rolling_admission:
            words.append(gettext("rolling admission"))
        return words

    @property
    def availability_is_current(self):
        """Whether the program confirmed the openings within AVAILABILITY_FRESH_DAYS."""
        return availability_is_current(self.availability_confirmed, timezone.localdate())

    def current_availability(self):
        """`stated_availability`, or nothing listed (None) once it is no longer current."""
        return availability_as_listed(
            self.stated_availability(), self.availability_confirmed, timezone.localdate()
        )

    @property
    def hours_per_week(self):
        """Weekly hours, always the sum of the track's sessions (never stored apart)."""
        return weekly_hours(session.duration_minutes for session in self.sessions.all())

    def summary(self):
        """What people decide by, e.g. "Mon, Wed, Thu 6-9 pm, 9 h/week"."""
        return _schedule_summary(
            get_language(),
            tuple(
                (session.day, session.start, session.end, session.duration_minutes)
                for session in self.sessions.all()
            ),
        )


@lru_cache(maxsize=4096)
def _schedule_summary(language, sessions):
    """Track.summary's text for `sessions` ((day, start, end, minutes), in week order) in
    `language`, which must be the active one (the cache's key; the active language is what
    translates). Kept per process: it depends on nothing else, and the same few schedules
    recur across a page's tracks and the next page's; written afresh, a 20-card page spent
    about 1 ms of its cards' 5 on translating weekdays (docs/performance.md, "Sixth round")."""
    if not sessions:
        return gettext("No sessions listed")
    slots = {}  # time slot -> the days it runs, in week order
    for day, start, end, _minutes in sessions:
        slots.setdefault((start, end), []).append(str(WEEKDAYS_ABBR[day]))
    parts = [
        f"{', '.join(days)} {time_range_display(start, end)}"
        for (start, end), days in slots.items()  # in week order of each slot's first day
    ]
    hours = weekly_hours(minutes for *_times, minutes in sessions)
    return gettext("%(sessions)s, %(hours)s h/week") % {
        "sessions": "; ".join(parts),
        "hours": formats.number_format(f"{hours:g}"),
    }


class Session(models.Model):
    """A weekly session of a track: a weekday and a start and end time."""

    class Day(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    # Indexed by session_track_day_idx, which leads with it.
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    start = models.TimeField()
    end = models.TimeField()
    duration_minutes = models.GeneratedField(
        expression=SessionMinutes("end", "start"),
        output_field=models.IntegerField(),
        db_persist=True,
    )

    history = HistoricalRecords(excluded_fields=["duration_minutes"])

    class Meta:
        ordering = ["day", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="session_end_after_start"
            ),
            models.CheckConstraint(condition=Q(day__gte=0, day__lte=6), name="session_day_valid"),
        ]
        indexes = [
            # Schedule filters read a track's sessions from this index alone (PostgreSQL).
            models.Index(
                fields=["track", "day", "start"],
                include=["id", "end", "duration_minutes"],
                name="session_track_day_idx",
            )
        ]

    def __str__(self):
        return f"{self.get_day_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def day_slug(self):
        return WEEKDAY_SLUGS[self.day]


class TrackSchedule(models.Model):
    """What a track's sessions add up to, one row a track with sessions: the days it meets (a
    bitmask, Monday = 1), its earliest and latest start, its latest end, its weekly minutes,
    and for each weekday its earliest start and latest end that day (null: no session then).

    Schedule filters compare these columns instead of reading every session of every track.
    Written only by the database (triggers on sessions and tracks, migration 0007), in the same
    transaction as the sessions, however they are written (forms, imports, COPY); never by
    Django, so that no stale copy can overwrite it.
    """

    track = models.OneToOneField(
        Track, on_delete=models.DO_NOTHING, primary_key=True, related_name="schedule"
    )
    # Indexed by trackschedule_program_idx, which leads with it.
    program = models.ForeignKey(
        Program, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    sessions = models.PositiveSmallIntegerField()
    days = models.PositiveSmallIntegerField()
    earliest_start = models.TimeField()
    latest_start = models.TimeField()
    latest_end = models.TimeField()
    weekly_minutes = models.IntegerField()
    # Each day's span, for `free` (ProgramQuerySet.track_matching): a track fits one free
    # window a day when each day's span lies inside that day's window.
    mon_start = models.TimeField(null=True)
    mon_end = models.TimeField(null=True)
    tue_start = models.TimeField(null=True)
    tue_end = models.TimeField(null=True)
    wed_start = models.TimeField(null=True)
    wed_end = models.TimeField(null=True)
    thu_start = models.TimeField(null=True)
    thu_end = models.TimeField(null=True)
    fri_start = models.TimeField(null=True)
    fri_end = models.TimeField(null=True)
    sat_start = models.TimeField(null=True)
    sat_end = models.TimeField(null=True)
    sun_start = models.TimeField(null=True)
    sun_end = models.TimeField(null=True)

    class Meta:
        indexes = [
            # A program's tracks, lightest first, read from this index alone (PostgreSQL).
            models.Index(
                fields=["program", "weekly_minutes"],
                include=["track", "days", "earliest_start", "latest_start", "latest_end"],
                name="trackschedule_program_idx",
            ),
            # The tracks that meet only on some days, or start at some hours
            # (ProgramQuerySet.track_matching): where few tracks do, the database reads those
            # and not every track of the place's programs.
            models.Index(
                fields=["days", "program"],
                include=["weekly_minutes", "earliest_start", "latest_start", "latest_end"],
                name="trackschedule_days_idx",
            ),
            models.Index(
                fields=["earliest_start", "program"],
                include=["latest_start", "latest_end", "weekly_minutes", "days"],
                name="trackschedule_start_idx",
            ),
        ]

    def __str__(self):
        return f"{self.track_id}: {self.sessions} sessions, {self.weekly_minutes} min/week"


class Correction(models.Model):
    """A report from the public that a listing is wrong, for curators to review."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="corrections")
    message = models.TextField("what is wrong", max_length=2000)
    contact = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(
        "what was done",
        max_length=2000,
        blank=True,
        help_text="What you checked or changed (the history keeps it).",
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved"]), name="correction_status_valid"
            ),
        ]

    def __str__(self):
        return f"Correction to {self.program} ({self.get_status_display()})"


class GeocodedAddress(models.Model):
    """A geocoder's answer for an address, kept so that no address is asked twice."""

    query = models.CharField(max_length=400, unique=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "geocoded addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="geocodedaddress_point_valid",
            ),
        ]

    def __str__(self):
        return self.query

    @property
    def found(self):
        return self.latitude is not None
