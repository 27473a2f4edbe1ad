"""Reusable reads of the catalogue: every search condition is a QuerySet method here."""

import datetime
import math
import uuid
from contextlib import nullcontext, suppress
from functools import cache, partial, reduce
from operator import and_, or_

import orjson
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DatabaseError, OperationalError, connections, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OrderBy,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.base import ModelState
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import (
    Contains,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThanOrEqual,
)
from django.db.models.signals import post_init, pre_init
from django.db.models.sql import Query
from django.db.models.sql.where import AND
from django.utils import dateparse, timezone

from iopfinder.database import statement_time_box

from . import geo
from .expressions import (
    LATITUDE_CELLS_PER_DEGREE,
    EqualsAny,
    HeaviestTrackMinutes,
    LatitudeCell,
    LightestTrackMinutes,
    NotTrue,
    ProgramSearchText,
    SearchTextColumn,
    TermSet,
)
from .schedule import END_OF_DAY, WEEKDAY_SLUGS
from .vocabulary_cache import forget as forget_vocabulary
from .vocabulary_cache import vocabulary

# `q`: at most this many words are searched for; a single character is not searched for (it
# is in nearly every listing, and no index can find it).
MAX_SEARCH_WORDS = 10
# The length of a word the trigram indexes of `q` can find (pg_trgm's trigrams).
TRIGRAM = 3


def search_words(text):
    """The words of a `q` that matching_text looks for."""
    return [word for word in text.split() if len(word) > 1][:MAX_SEARCH_WORDS]


def _meets_on_none_of(days):
    """A condition on a track's summary: no session on any of `days` (0 = Monday), read
    from the days' spans. For `free`, which reads those spans anyway: where its windows leave
    out a day or two (weekdays during the day), PostgreSQL planned the spans' test better than
    `_meets_only_on`'s bitmasks (106-124 ms against 133-139 without a place at 100,000).
    """
    return Q(**{f"{WEEKDAY_SLUGS[day]}_start__isnull": True for day in days})


EVERY_DAY = 0b1111111  # the `days` bitmask of a track that meets every day


def _meets_only_on(days):
    """A condition on a track's summary: every session on one of `days` (0 = Monday).

    Written as the `days` bitmasks that allow (every subset of `days`, at most 64), not as a
    bit test: the database counts how many tracks have each bitmask (PostgreSQL's statistics
    of the column) and finds them by index (trackschedule_days_idx). Searches for one or two
    days, which few tracks meet, then read those tracks and not every track of the place's
    programs: a chip's count of such a search at 100,000 programs took 13-31 ms, now under 1.
    A bit test had PostgreSQL guess one track in two hundred whatever the days; the days'
    spans (`mon_start IS NULL`, ...) are not in any index.
    """
    allowed = sum(1 << day for day in set(days))
    if allowed == EVERY_DAY:
        return Q()  # no condition: an IN of all 128 bitmasks only misleads the planner
    masks, mask = [], allowed
    while True:  # each subset of `allowed`, from itself down to none
        masks.append(mask)
        if not mask:
            break
        mask = (mask - 1) & allowed
    return Q(days__in=sorted(masks))


# PostgreSQL's SQLSTATE for a statement stopped by its statement_timeout.
QUERY_CANCELED = "57014"

NOON = datetime.time(12, 0)
FIVE_PM = datetime.time(17, 0)


# What an import remembers of each program's source record (SAMHSA's directory: 2.5 KB a
# program, two thirds of its document), which no listing shows. Left out of listing documents,
# a page's 20 cost PostgreSQL 0.5 ms less to build on the real directory, and Python less to
# read; a program built from one loads it if asked (a deferred field).
LEFT_OUT_OF_LISTINGS = frozenset({"source_notes"})


class TermQuerySet(models.QuerySet):
    """Vocabulary terms."""

    def of_kind(self, kind):
        return self.filter(kind=kind)


class TrackQuerySet(models.QuerySet):
    """Queries over tracks."""

    def with_weekly_minutes(self):
        """Annotate `weekly_minutes`: the sum of the track's sessions (null without sessions)."""
        from .models import Session

        weekly_minutes = (
            Session.objects.filter(track=OuterRef("pk"))
            .order_by()
            .values("track")
            .annotate(total=Sum("duration_minutes"))
            .values("total")
        )
        return self.annotate(weekly_minutes=Subquery(weekly_minutes))

    def starting_by(self, date, *, confirmed_since):
        """Tracks a person could start by `date`: the next start is on or before it, or the
        track admits on a rolling basis and has openings; stated on or after `confirmed_since`
        (older availability counts as not listed)."""
        return self.filter(
            Q(next_start__lte=date) | Q(rolling_admission=True, openings__gt=0),
            availability_confirmed__gte=confirmed_since,
        )


# The widest circle beside which `near(virtual="include")` looks the licensed list up by key.
LICENSED_BY_KEY_MILES = 250


class ProgramQuerySet(models.QuerySet):
    """Queries over programs; each search condition of the contract is one method."""

    def published(self):
        """Only what the public may see."""
        return self.filter(status=self.model.Status.PUBLISHED)

    def for_listing(self):
        """Everything a result card, a program page or a JSON document shows, in constant
        queries: one per prefetched relation, whatever the number of programs."""
        from .models import Term, Track

        return self.select_related("provider", "state").prefetch_related(
            Prefetch("terms", queryset=Term.objects.order_by("kind", "position", "slug")),
            Prefetch("tracks", queryset=Track.objects.prefetch_related("sessions")),
            "virtual_states",
        )

    def with_all_terms(self, term_ids):
        """Programs that have every one of the terms (e.g. ALL of the therapies asked for)."""
        if not term_ids:
            return self
        if self._postgresql():
            return self.filter(TermSet("all", term_ids))
        through = self.model.terms.through
        queryset = self
        for term_id in term_ids:
            queryset = queryset.filter(
                Exists(through.objects.filter(program_id=OuterRef("pk"), term_id=term_id))
            )
        return queryset

    def with_any_term(self, term_ids):
        """Programs that have at least one of the terms."""
        return self.filter(self.any_term(term_ids))

    def any_term(self, term_ids):
        """A condition: the program has at least one of the terms (PostgreSQL: of its term
        set, expressions.TermSet; SQLite: an EXISTS on programs_program_terms)."""
        if self._postgresql():
            return TermSet("any", term_ids)
        through = self.model.terms.through
        return Exists(through.objects.filter(program_id=OuterRef("pk"), term_id__in=term_ids))

    def _postgresql(self):
        return connections[self.db].vendor == "postgresql"

    def treating(self, needs):
        """Programs that treat ALL the needs (substance-use, mental-health, co-occurring)."""
        fields = {
            "substance-use": "treats_substance_use",
            "mental-health": "treats_mental_health",
            "co-occurring": "co_occurring",
        }
        return self.filter(**{fields[need]: True for need in needs})

    def for_age(self, age):
        """Programs whose age range includes `age` (an open end admits any age)."""
        return self.filter(
            Q(min_age__isnull=True) | Q(min_age__lte=age),
            Q(max_age__isnull=True) | Q(max_age__gte=age),
        )

    def accepting(self):
        """Programs taking patients now or onto a waitlist."""
        return self.filter(
            availability__in=[self.model.Availability.OPEN, self.model.Availability.WAITLIST]
        )

    def matching_text(self, text):
        """Programs whose name, provider, description or city holds every word of `text`, in
        any case (search_words: at most ten, single characters left out).

        On PostgreSQL trigram indexes (migrations 0008, 0012) on the program's stored text and
        the provider's name find words of three characters or more without reading every
        program: a word that no listing holds took 370 ms at 100,000 programs. A shorter word
        has no trigram: through the index it fetched every program and checked it again (ten
        two-letter words, 260 ms), so it is looked for with `strpos`, which no index serves, on
        the programs the longer words (searched first) leave, in their stored text.
        """
        from django.contrib.postgres.expressions import ArraySubquery

        from .models import Provider

        def holds(text, pattern, indexed):
            if indexed:
                return Contains(text, pattern)
            return GreaterThan(StrIndex(text, pattern), 0)

        postgres = self._postgresql()
        searched = SearchTextColumn if postgres else ProgramSearchText
        queryset = self
        for word in sorted(search_words(text), key=len, reverse=True):
            pattern = Upper(Value(word))
            indexed = len(word) >= TRIGRAM
            providers = (
                Provider.objects.filter(holds(Upper("name"), pattern, indexed))
                .order_by()
                .values("pk")
            )
            by_provider = (
                EqualsAny(F("provider_id"), ArraySubquery(providers))
                if postgres
                else Q(provider_id__in=providers)
            )
            queryset = queryset.filter(Q(holds(searched(), pattern, indexed)) | Q(by_provider))
        return queryset

    def with_track_matching(self, **conditions):
        """Programs with ONE track that meets every schedule condition at once (track_matching)."""
        return self.filter(self.track_matching(**conditions))

    def track_matching(
        self,
        *,
        days=None,
        start_after=None,
        end_before=None,
        time_of_day=None,
        hours_min=None,
        hours_max=None,
        free=None,
        starts_by=None,
        confirmed_since=None,
    ):
        """A condition: the program has ONE track that meets every schedule condition at once.

        `free` is a list of FreeWindow (programs.freetime): every session must lie inside
        one window on its day.

        A track qualifies when it has sessions, none of its sessions breaks a time condition,
        and its weekly hours lie in the range. With `starts_by`, the track must also let a
        person start by that date (its next start is on or before it, or it admits on a rolling
        basis and has openings), as confirmed on or after `confirmed_since`.
        """
        from .models import TrackSchedule

        # PostgreSQL: the bounds of the weekly hours as comparisons on the program (kept by the
        # database, migrations 0010 and 0016, and in the place index). Some track has at least
        # N hours exactly when the heaviest has, at most N when the lightest has: alone, one
        # bound is the whole condition; with others, it spares the candidates that fail it a
        # probe of their tracks.
        least = float(hours_min) * 60 if hours_min is not None else None
        most = float(hours_max) * 60 if hours_max is not None else None
        bounds = []
        if self._postgresql():
            if least is not None:
                bounds.append(Q(GreaterThanOrEqual(HeaviestTrackMinutes(), least)))
            if most is not None:
                bounds.append(Q(LessThanOrEqual(LightestTrackMinutes(), most)))
        hours_only = not (days or start_after or end_before or time_of_day or free or starts_by)
        if hours_only and len(bounds) == 1:
            return bounds[0]

        # Each track's sessions summed up (TrackSchedule, kept by the database): every time
        # condition is a comparison on one row a track, and a track with no sessions has none.
        tracks = TrackSchedule.objects.filter(program=OuterRef("pk"))
        if days:
            tracks = tracks.filter(_meets_only_on(days))
        if start_after is not None:
            tracks = tracks.filter(earliest_start__gte=start_after)
        if end_before is not None:
            tracks = tracks.filter(latest_end__lte=end_before)
        if time_of_day == "morning":
            tracks = tracks.filter(latest_start__lt=NOON)
        elif time_of_day == "afternoon":
            # The first start is before 5 pm too, as the last is: said outright, it lets the
            # database find such tracks by their first start (trackschedule_start_idx).
            tracks = tracks.filter(
                earliest_start__gte=NOON, earliest_start__lt=FIVE_PM, latest_start__lt=FIVE_PM
            )
        elif time_of_day == "evening":
            tracks = tracks.filter(earliest_start__gte=FIVE_PM)
        if least is not None:
            tracks = tracks.filter(weekly_minutes__gte=least)
        if most is not None:
            tracks = tracks.filter(weekly_minutes__lte=most)
        if free:
            tracks = tracks.filter(self._fits_free(free))
        if starts_by is not None:
            tracks = tracks.filter(
                Q(track__next_start__lte=starts_by)
                | Q(track__rolling_admission=True, track__openings__gt=0),
                track__availability_confirmed__gte=confirmed_since,
            )
        return reduce(and_, bounds) & Exists(tracks) if bounds else Exists(tracks)

    @staticmethod
    def _fits_free(free):
        """A condition on a track's summary: every session lies inside one of the `free`
        windows (programs.freetime.FreeWindow) on its day.

        Each day's span (its earliest start, its latest end) must lie inside the day's window,
        and the track must not meet on a day no window covers. Where several windows share a
        day (`mon@08:00-10:00`, `mon@17:00-22:00`) a span inside one of them is enough; only
        a span that reaches across from one to another has that day's sessions read.
        """
        from .models import Session

        by_day = {day: [window for window in free if day in window.days] for day in range(7)}
        condition = _meets_on_none_of(day for day, windows in by_day.items() if not windows)
        for day, windows in by_day.items():
            if not windows:
                continue
            start, end = f"{WEEKDAY_SLUGS[day]}_start", f"{WEEKDAY_SLUGS[day]}_end"
            if any(w.start == datetime.time.min and w.end >= END_OF_DAY for w in windows):
                # Free all day: any span lies inside it. Written out, the condition would only
                # make PostgreSQL expect fewer tracks than match and choose a worse plan.
                continue
            within = [
                Q(**{f"{start}__gte": window.start, f"{end}__lte": window.end})
                for window in windows
            ]
            if len(windows) > 1:
                # Checked last, for the few tracks whose span the others leave in doubt.
                outside = Session.objects.filter(track=OuterRef("track"), day=day).exclude(
                    reduce(or_, [Q(start__gte=w.start, end__lte=w.end) for w in windows])
                )
                earliest = min(window.start for window in windows)
                latest = max(window.end for window in windows)
                within.append(
                    Q(**{f"{start}__gte": earliest, f"{end}__lte": latest}) & ~Exists(outside)
                )
            condition &= reduce(or_, [Q(**{f"{start}__isnull": True}), *within])
        return condition

    def fact_listed(self, fact, *, today):
        """A condition: the program has listed `fact` (CONTRACT "Facts not listed"):
        "schedule" a session on some track, "availability" a track's openings or next start
        confirmed within AVAILABILITY_FRESH_DAYS of `today`, "step_down" a step-down level."""
        from django.conf import settings

        from .models import Term, Track, TrackSchedule

        if fact == "schedule":
            if self._postgresql():
                return Q(IsNull(LightestTrackMinutes(), False))
            return Exists(TrackSchedule.objects.filter(program=OuterRef("pk")))
        if fact == "availability":
            fresh = today - datetime.timedelta(days=settings.AVAILABILITY_FRESH_DAYS)
            return Exists(
                Track.objects.filter(program=OuterRef("pk"), availability_confirmed__gte=fresh)
            )
        if self._postgresql():
            levels = [pk for kind, _slug, pk, _name in vocabulary() if kind == Term.Kind.STEP_DOWN]
            return TermSet("any", levels)
        through = self.model.terms.through
        return Exists(
            through.objects.filter(program_id=OuterRef("pk"), term__kind=Term.Kind.STEP_DOWN)
        )

    def licensed_in(self, state, *, by_key=False):
        """Virtual and hybrid programs licensed to serve patients in `state` (none for a place
        in no state). `by_key`: the state's list looked up in the programs' key index, for an
        OR beside a small enough radius (`near(virtual="include")`)."""
        from django.contrib.postgres.expressions import ArraySubquery

        if not state:
            return Q(pk__in=[])
        through = self.model.virtual_states.through
        licensed = through.objects.filter(state_id=state).values("program_id")
        if by_key and self._postgresql():
            # The list as an array the program's key index looks up: the database reads the
            # box's programs and the list's (a BitmapOr of the two indexes). As `IN (subquery)`
            # no index serves the OR, and it read every program: at 100,000 programs, 10 miles
            # around a ZIP of Iowa with an evening schedule, 100-110 ms against 20-26 ms; 25-300
            # miles of New York, Chicago, Iowa or San Francisco, 34-65 against 14-60 ms; but
            # 500 miles, 63-73 against 156-214 (the box's programs read through the heap).
            # Alone, `IN` stays: the planner may then start from the schedule's or the terms'
            # index when they are the narrower (a Wednesday-only count: 0.2 ms against 9 ms
            # through the list), which the array would not let it do (docs/performance.md,
            # "Sixth round").
            listed = Q(EqualsAny(F("pk"), ArraySubquery(licensed)))
        else:
            # One uncorrelated list of the state's licensed programs, hashed once.
            listed = Q(pk__in=licensed)
        return Q(format__in=self.model.REMOTE_FORMATS) & listed

    def near(self, place, radius_miles, virtual="exclude"):
        """Programs within `radius_miles` of `place`, annotated with `distance_miles`.

        A bounding box on the indexed coordinates narrows the rows; the exact great-circle
        distance decides. `virtual="include"` adds virtual and hybrid programs licensed in the
        place's state wherever they are; `"only"` keeps just those. The distance of a program
        matched only by its licence is null.
        """
        in_radius, distance = self._circle(place, radius_miles)
        if virtual == "exclude":
            return self.filter(in_radius).annotate(distance_miles=distance)
        # Beside a circle of up to LICENSED_BY_KEY_MILES, the licensed list is looked up by
        # key (licensed_in); a wider circle's box holds too many programs to read through the
        # heap, and one pass over the place index, every program, costs less.
        by_key = virtual == "include" and radius_miles <= LICENSED_BY_KEY_MILES
        licensed = self.licensed_in(place.state, by_key=by_key)
        condition = in_radius | licensed if virtual == "include" else licensed
        return self.filter(condition).annotate(
            distance_miles=Case(When(in_radius, then=distance), default=None)
        )

    def licensed_beyond(self, place, radius_miles):
        """Virtual and hybrid programs licensed in the place's state that lie outside its
        circle: what `near(virtual="include")` adds to `near(virtual="exclude")`, with the
        null distance it gives them.

        Outside is "in the circle is not true" rather than `near(virtual="only")`'s distance
        tested for null: PostgreSQL took that to leave 0.5 % of the programs where it leaves
        nearly all, and so read every remote program holding a search's language or payment
        (1,317 for Vietnamese near Bar Harbor, ME, at 100,000 programs: 4.7 ms warm) where
        starting from the state's licensed list (931) takes 2.9 ms (docs/performance.md,
        "Eighth round")."""
        licensed = self.licensed_in(place.state)
        in_radius, _ = self._circle(place, radius_miles)
        return self.filter(licensed, NotTrue(in_radius)).annotate(
            distance_miles=Value(None, output_field=models.FloatField())
        )

    def _circle(self, place, radius_miles):
        """A condition: the program lies within `radius_miles` of `place`; and its distance."""
        distance = geo.distance_expression(place.lat, place.lng)
        in_box = self._in_box(place, radius_miles)
        return in_box & Q(LessThanOrEqual(distance, float(radius_miles))), distance

    def _in_box(self, place, radius_miles):
        """A condition: the program lies in the box around `place` that holds the circle.

        PostgreSQL reads it as the latitude bands the box spans (LatitudeCell) and, in each,
        the longitudes in the box, from the index on both (migration 0014): an index on
        latitude then longitude read every program of the box's latitudes across the whole
        country (27,000 at 100 miles around Davenport, at 100,000 programs, for the 2,400 in
        the box) and compared their longitudes one by one.
        """
        if not self._postgresql():
            return geo.bounding_box_q(place.lat, place.lng, radius_miles)
        lat_min, lat_max, longitudes = geo.bounding_box(place.lat, place.lng, radius_miles)
        cells = range(
            math.floor(lat_min * LATITUDE_CELLS_PER_DEGREE),
            math.floor(lat_max * LATITUDE_CELLS_PER_DEGREE) + 1,
        )
        return Q(In(LatitudeCell(), list(cells))) & geo.longitudes_q(longitudes)

    def where_compiled(self, condition):
        """This queryset with `condition` (expressions.CompiledCondition, compiled before)
        added to its WHERE as written. `filter()` resolved it as an expression and wrapped it
        in a lookup whose SQL is the condition's own: 44 µs a condition, where this takes 7,
        and a search adds four or five."""
        if self.query.is_sliced:
            raise TypeError("Cannot filter a query once a slice has been taken.")
        queryset = self._chain()
        queryset.query.where.add(condition, AND)
        return queryset

    def virtual_only(self):
        """Virtual and hybrid programs (used when no place narrows them by state)."""
        return self.filter(format__in=self.model.REMOTE_FORMATS)

    def order_by_distance(self):
        return self.order_by(F("distance_miles").asc(nulls_last=True), "name", "pk")

    def order_by_weekly_hours(self):
        """Programs by their lightest track's weekly hours (programs without tracks last).

        PostgreSQL keeps it on the program (expressions.LightestTrackMinutes); SQLite reads
        each program's track summaries, lightest first in their index.
        """
        from .models import TrackSchedule

        if self._postgresql():
            lightest = LightestTrackMinutes()
        else:
            lightest = Subquery(
                TrackSchedule.objects.filter(program=OuterRef("pk"))
                .order_by("weekly_minutes")
                .values("weekly_minutes")[:1]
            )
        return self.annotate(lightest_track_minutes=lightest).order_by(
            F("lightest_track_minutes").asc(nulls_last=True), "name", "pk"
        )

    def order_by_verified(self):
        return self.order_by(F("last_verified").desc(nulls_last=True), "name", "pk")

    def with_track_outside_hours(self, hours_min, hours_max):
        """Programs with a track outside the weekly hours range, or a track with no sessions."""
        from .models import Track

        tracks = Track.objects.with_weekly_minutes().filter(
            Q(weekly_minutes__lt=hours_min * 60)
            | Q(weekly_minutes__gt=hours_max * 60)
            | Q(weekly_minutes__isnull=True)
        )
        return self.filter(pk__in=tracks.values("program"))

    def catalogue_summary(self, *, stale_after_days, today):
        """What the listings are and how fresh: how many, from which source editions, how many
        verified within `stale_after_days`. One aggregate query, a row a source edition (the
        sources that have a name people read: see `sources.source_label`): the
        catalogue is read once (two queries read it twice, 160 ms at 100,000 programs)."""
        from . import sources

        cutoff = today - datetime.timedelta(days=stale_after_days)
        rows = (
            self.order_by()
            .values("source", "source_edition")
            .annotate(
                count=Count("pk"),
                verified=Count("pk", filter=Q(last_verified__gte=cutoff)),
                demo=Count("pk", filter=Q(is_demo=True)),
            )
        )
        totals = {"total": 0, "verified": 0, "demo": 0}
        by_source = []
        for row in rows:
            totals["total"] += row["count"]
            totals["verified"] += row.pop("verified")
            totals["demo"] += row.pop("demo")
            # Named sources only: an IOP Finder export names none of its own.
            label = sources.source_label(row["source"], row["source_edition"])
            if label:
                by_source.append({"label": label, **row})
        by_source.sort(key=lambda row: (-row["count"], row["source"], row["source_edition"]))
        return {**totals, "sources": by_source, "stale_after_days": stale_after_days}

    def last_change(self):
        """When any program last changed: a cheap version of the catalogue for caches."""
        return self.aggregate(last=models.Max("updated"))["last"]

    def needing_verification(self, stale_after_days, today):
        """Programs never verified, or not verified within `stale_after_days` of `today`."""
        cutoff = today - datetime.timedelta(days=stale_after_days)
        return self.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))

    def ranked_for_listing(
        self,
        start,
        stop,
        *,
        counts=None,
        left_out=LEFT_OUT_OF_LISTINGS,
        vocabulary=None,
        **annotations,
    ):
        """Rows `start` to `stop` (None: to the end) of this ordered search as the programs'
        listing documents (ListingDocument, without the program's fields `left_out`), each
        with its `distance_miles`; the ranked rows (`pk`, `distance_miles` and the given
        annotations' values, as the database gives them); and {name: value} of `counts`
        (CountOf or CountWhere), counted in the same statement whether or not the search has
        rows. The documents' terms are named from `vocabulary` (the process's, by default).

        One statement on either database, whatever the page: the search ranks the matches
        reading only narrow columns and keeps its rows; a query around it builds the documents
        of those rows only, in the ranking's order. In the ranking query itself, PostgreSQL
        built the documents of every row an OFFSET skipped (page 50 of 100 within 500 miles:
        5,000 for 100, 650 ms) and SQLite one for every match. One statement is one snapshot:
        a program archived or deleted meanwhile is wholly on the page or not on it.
        """
        connection = connections[self.db]
        columns = [*annotations]
        if "distance_miles" in self.query.annotations:
            columns.append("distance_miles")
        ranked = self.annotate(**annotations)
        if ranked.ordered and not ranked.query.order_by:  # the model's own order, written out
            ranked = ranked.order_by(*self.model._meta.ordering)
        totals = [
            name
            for name, annotation in annotations.items()
            if isinstance(annotation, Window) and not annotation.partition_by
        ]
        if totals and ranked.query.order_by:
            # A total over every match is the same on every row: ordering by it first changes
            # nothing but tells PostgreSQL that every match is read before the first row is
            # returned. Otherwise a LIMIT makes it plan as if it could stop early: it walked
            # the name index probing each of 100,000 programs' tracks (200 ms) where hashing
            # the few matching tracks took 19 ms.
            ranked = ranked.order_by(*totals, *ranked.query.order_by)
        # The ranking's order again, for the query around it: each term a column of the
        # ranking (the ones it has already, or one more).
        extra, order = {}, []
        for position, term in enumerate(ranked.query.order_by):
            if isinstance(term, str):
                term = F(term[1:]).desc() if term.startswith("-") else F(term).asc()
            elif not isinstance(term, OrderBy):
                term = term.asc()
            name = getattr(term.expression, "name", None)
            if name == "pk":
                name = "listing_key"
            elif name not in columns:
                name = f"rank_{position}"
                extra[name] = term.expression
            nulls = " NULLS FIRST" if term.nulls_first else " NULLS LAST" if term.nulls_last else ""
            order.append(f'ranked."{name}" {"DESC" if term.descending else "ASC"}{nulls}')
        keys = ranked.annotate(listing_key=F("pk"), **extra).values(
            *columns, "listing_key", *extra
        )[start:stop]
        # Not elided when it can match nothing (a point in no state, `virtual=only`): the
        # statement still runs, and finds no row.
        sql, params = keys.query.get_compiler(connection=connection, elide_empty=False).as_sql()
        document = program_document_sql(
            'ranked."listing_key"', connection.vendor, left_out=left_out
        )
        counts = counts or {}
        if counts:
            # The counts beside the rows, and once without them when there are none: a search
            # that found nothing still says how many programs have not listed what it asks.
            parts, count_params = [], []
            for name, count in counts.items():
                count_sql, part_params = count.as_sql(None, connection)
                parts.append(f"{count_sql} AS {connection.ops.quote_name(name)}")
                count_params.extend(part_params)
            statement = (
                f"SELECT counted.*, ranked.*, {document} FROM (SELECT {', '.join(parts)}) counted"
                f" LEFT JOIN ({sql}) ranked ON 1 = 1"
            )
            params = (*count_params, *params)
        else:
            statement = f"SELECT ranked.*, {document} FROM ({sql}) ranked"
        if order:
            statement += f" ORDER BY {', '.join(order)}"
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            fetched = cursor.fetchall()
            names = [column[0] for column in cursor.description[len(counts) : -1]]
        counted = dict(zip(counts, fetched[0][: len(counts)], strict=True)) if counts else {}
        rows, texts = [], []
        for fetched_row in fetched:
            row = dict(zip(names, fetched_row[len(counts) : -1], strict=True))
            row["pk"] = row.pop("listing_key")
            if row["pk"] is None:
                continue  # the counts' row of a search without rows
            rows.append(row)
            texts.append(fetched_row[-1])
        if None in texts:
            rows, texts = self._built_in_full(rows, texts, left_out)
        documents = [
            ListingDocument(text, distance_miles=row.get("distance_miles"))
            for row, text in zip(rows, texts, strict=True)
        ]
        _name_terms(documents, vocabulary)
        return documents, rows, counted

    def _built_in_full(self, rows, texts, left_out):
        """The documents the statement could not read from the stored parts (a program
        written with triggers off has none: migration 0018), built by a statement of their
        own; a program deleted in between is left out, with its row."""
        connection = connections[self.db]
        missing = [row["pk"] for row, text in zip(rows, texts, strict=True) if text is None]
        document = program_document_sql(
            "listed_program.id", connection.vendor, left_out=left_out, stored=False
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT listed_program.id, {document} FROM programs_program listed_program"
                " WHERE listed_program.id = ANY(%s)",
                [missing],
            )
            built = dict(cursor.fetchall())
        kept = [
            (row, text if text is not None else built[row["pk"]])
            for row, text in zip(rows, texts, strict=True)
            if text is not None or row["pk"] in built
        ]
        return [row for row, _text in kept], [text for _row, text in kept]

    def listing_documents(self, *, left_out=LEFT_OUT_OF_LISTINGS):
        """Every program of this queryset, in its order, as listing documents (one statement),
        without the program's fields `left_out`."""
        return self.ranked_for_listing(0, None, left_out=left_out)[0]

    def from_documents(self, documents):
        """Programs from their listing documents, read for listing without a further query
        (`listing_from_documents`)."""
        return listing_from_documents(documents, using=self.db)

    def first_for_listing(self, limit):
        """The first `limit` programs of this ordered search as a list, each read in full for
        listing and keeping its `distance_miles`."""
        return self.from_documents(self.ranked_for_listing(0, limit)[0])


class CountOf(models.Expression):
    """How many rows a queryset has, as a scalar subquery of another query. It depends on no
    row of the outer query, so the database counts it once (PostgreSQL: an InitPlan).

    With `at_most`, counting stops there: the database reads no more rows than that, and the
    count is `at_most` for any queryset that has at least as many.
    """

    def __init__(self, queryset, *, at_most=None):
        super().__init__(output_field=models.IntegerField())
        self.queryset = queryset.order_by().values("pk")
        if at_most is not None:
            self.queryset = self.queryset[:at_most]

    def as_sql(self, compiler, connection, **extra_context):
        compiler = self.queryset.query.get_compiler(connection=connection, elide_empty=False)
        sql, params = compiler.as_sql()  # a queryset that can match nothing counts 0
        return f"(SELECT COUNT(*) FROM ({sql}) counted)", params


class NotOneTable(ValueError):
    """A queryset whose condition reads more than its own table (a join)."""


def where_sql(queryset):
    """The WHERE condition of a queryset of one table (no join, slice or grouping) as (sql,
    params), its columns named by the table; None when it has none. Conditions compiled
    alone this way can be joined with AND into other queries of the same table (CountWhere):
    the same SQL as one queryset filtered by each in turn. NotOneTable for any other."""
    query = queryset.query
    # A join a filter asked for and then left unused stays in alias_map with no reference
    # (a provider's name looked up in a subquery, for `q`): FROM leaves it out, and so here.
    used = [alias for alias in query.alias_map if query.alias_refcount[alias]]
    where = query.where
    if (
        len(used) > 1
        or query.extra_tables
        or query.is_sliced
        or query.combinator
        or query.group_by
        or where.contains_aggregate
        or where.contains_over_clause
    ):
        raise NotOneTable("where_sql takes a condition on one table")
    compiler = query.get_compiler(using=queryset.db)
    try:
        return compiler.compile(query.where)
    except FullResultSet:
        return None
    except EmptyResultSet:
        return "1 = 0", ()


class CountWhere:
    """How many rows of `model`'s table meet every condition of `conditions` ((sql, params)
    of where_sql), counted as CountOf counts a queryset: stopping at `at_most` if given.

    For counts of searches that differ by one condition (the chips of a search with few
    results): each condition is compiled once for all of them instead of once a search. Five
    chips meant building and compiling seven querysets of five or six conditions each, 2-4 ms
    of a page's Python (docs/performance.md, "Sixth round").
    """

    def __init__(self, model, conditions, *, at_most=None):
        self.model = model
        self.conditions = [condition for condition in conditions if condition is not None]
        self.at_most = at_most

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        key = f"{table}.{quote(self.model._meta.pk.column)}"
        where = " AND ".join(f"({sql})" for sql, _params in self.conditions) or "1 = 1"
        limit = f" LIMIT {int(self.at_most)}" if self.at_most is not None else ""
        params = [param for _sql, condition_params in self.conditions for param in condition_params]
        return (
            f"(SELECT COUNT(*) FROM (SELECT {key} FROM {table} WHERE {where}{limit}) counted)",
            params,
        )


def counts_at_once(querysets, using="default", *, timeout_ms=None):
    """{name: how many rows} of several querysets (or CountOf and CountWhere, to count up to a
    limit), counted in one statement (one round trip).

    With `timeout_ms` (PostgreSQL), None when counting takes longer than that: for counts that
    help a page but are not its answer. That costs one statement more, not two: the statement
    that sets the short timeout reads the session's own, and the statement that counts puts it
    back as it runs (a statement keeps the timeout it started with); only a count stopped by
    the timeout, whose change is rolled back with it, needs a statement of its own for that.
    """
    if not querysets:
        return {}
    connection = connections[using]
    parts, params = [], []
    for queryset in querysets.values():
        count = queryset if isinstance(queryset, (CountOf, CountWhere)) else CountOf(queryset)
        sql, part_params = count.as_sql(None, connection)
        parts.append(sql)
        params.extend(part_params)
    if timeout_ms is None or connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            row = cursor.fetchone()
        return dict(zip(querysets, row, strict=True))
    with statement_time_box(timeout_ms, using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'),"
            " set_config('statement_timeout', %s, false)",
            [str(int(timeout_ms))],
        )
        usual = cursor.fetchone()[0]
        restored = False
        try:
            # Inside a transaction (a caller's atomic block), a savepoint keeps a cancelled
            # count from aborting it.
            with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
                cursor.execute(
                    f"SELECT set_config('statement_timeout', %s, false), {', '.join(parts)}",
                    [usual, *params],
                )
                row = cursor.fetchone()[1:]
            restored = True
        except OperationalError as error:
            # Stopped by this timeout, or by the request's whole budget running out
            # (iopfinder.database.RequestTimeBudget): then the next statement is stopped too.
            if getattr(error.__cause__, "sqlstate", None) != QUERY_CANCELED:
                raise
            row = None
        finally:
            if not restored:
                with suppress(DatabaseError):  # a lost connection: its own error stands
                    cursor.execute("SELECT set_config('statement_timeout', %s, false)", [usual])
    return None if row is None else dict(zip(querysets, row, strict=True))


def _listed_fields(model, left_out=frozenset()):
    """A model's concrete fields, but those `left_out` (names): what a document holds of it."""
    return [field for field in model._meta.concrete_fields if field.name not in left_out]


def program_document_sql(program_sql, vendor, *, left_out=LEFT_OUT_OF_LISTINGS, stored=True):
    """SQL for everything a listing shows of the program whose id is `program_sql`, as one
    JSON text: [program, term ids, provider, licensed states, tracks with their sessions], the
    program's columns those of its model without the fields `left_out`. A page of results gets
    its documents in the statement that ranks it (ranked_for_listing) instead of five more
    queries. The JSON API writes its documents from them (ListingDocument,
    programs.serializers); `listing_from_documents` turns them into model instances for
    templates, as if their relations were prefetched.

    PostgreSQL reads the states and tracks as its triggers keep them (migration 0018), NULL
    for a program without that row; with `stored=False` it builds them with the function the
    triggers store (programs_listing_parts_of). SQLite builds them."""
    if vendor == "postgresql":
        return _document_postgresql(program_sql, left_out, stored=stored)
    if vendor == "sqlite":
        return _document_sqlite(program_sql, left_out)
    raise NotImplementedError(f"No program documents for {vendor}")


def _document_postgresql(program_sql, left_out, *, stored):
    from .models import Program

    columns = ", ".join(f'p."{field.column}"' for field in _listed_fields(Program, left_out))
    program = f"(SELECT row_to_json(listed) FROM (SELECT {columns}) listed)"
    # The term ids the program's row keeps (migration 0009), named in Python from the
    # vocabulary (ranked_for_listing): joining the terms to build them took a third of the
    # documents' time. The states and tracks ([states, tracks]) as the triggers store them, or
    # built by the function that makes what they store (migration 0018): one SQL for both.
    parts = (
        "JOIN programs_listing_parts l ON l.program_id = p.id"
        if stored
        else "CROSS JOIN LATERAL programs_listing_parts_of(ARRAY[p.id]) l"
    )
    # '[program, terms, provider, ' and the parts' '[states, tracks]' without its '['.
    return (
        f"(SELECT '[' || {program}::text || ',' || to_json(p.term_ids)::text || ',' ||"
        " row_to_json(pr)::text || ',' || substr(l.parts, 2)"
        f" FROM programs_program p JOIN programs_provider pr ON pr.id = p.provider_id {parts}"
        f" WHERE p.id = {program_sql})"
    )


def _document_sqlite(program_sql, left_out):
    from .models import Program, Provider

    # json_group_array keeps the order of the subquery it reads (SQLite 3.40 has no ORDER BY
    # inside aggregates); json() marks each row as JSON again across the subquery.
    def agg(row, order, source):
        return (
            f"(SELECT json_group_array(json(r)) FROM (SELECT {row} AS r {source} ORDER BY {order}))"
        )

    def row(model, alias, left_out=frozenset()):
        pairs = []
        for field in _listed_fields(model, left_out):
            value = f'{alias}."{field.column}"'
            if isinstance(field, models.JSONField):
                value = f"json({value})"
            elif isinstance(field, models.FloatField):
                # SQLite writes a real in JSON with 15 significant digits (-85.01100000000001
                # as -85.011); 17 give the stored value back exactly, as PostgreSQL's do.
                exact = f"json(printf('%%!.17g', {value}))"  # % doubled: the SQL takes params
                value = f"CASE WHEN {value} IS NULL THEN NULL ELSE {exact} END"
            pairs.append(f"'{field.column}', {value}")
        return f"json_object({', '.join(pairs)})"

    sessions = agg(
        'json_array(s.id, s.day, s.start, s."end", s.duration_minutes)',
        "s.day, s.start, s.id",
        "FROM programs_session s WHERE s.track_id = k.id",
    )
    tracks = agg(
        "json_array(k.id, k.name, k.position, k.openings, k.next_start, "
        f"k.rolling_admission, k.availability_confirmed, json({sessions}))",
        "k.position, k.id",
        "FROM programs_track k WHERE k.program_id = p.id",
    )
    terms = (
        "(SELECT json_group_array(pt.term_id) FROM programs_program_terms pt "
        "WHERE pt.program_id = p.id)"
    )
    states = agg(
        "json_array(st.code, st.name)",
        "st.code",
        "FROM programs_program_virtual_states v JOIN programs_state st ON st.code = v.state_id "
        "WHERE v.program_id = p.id",
    )
    return (
        f"(SELECT json_array({row(Program, 'p', left_out)}, json({terms}), {row(Provider, 'pr')}, "
        f"json({states}), json({tracks})) FROM programs_program p "
        f"JOIN programs_provider pr ON pr.id = p.provider_id WHERE p.id = {program_sql})"
    )


def _name_terms(documents, kept=None):
    """Each document's term ids as the terms' listed values, from the vocabulary `kept` (the
    process's by default). A term it lacks (made and given to a program since it was read,
    in another process) has it read again, once; a term gone by then is left out."""
    if not documents:
        return
    kept, read_again = (kept if kept is not None else vocabulary()), False
    for document in documents:
        listed = kept.listed(document.terms)
        if listed is None and not read_again:
            forget_vocabulary()
            kept, read_again = vocabulary(), True
            listed = kept.listed(document.terms)
        if listed is None:
            listed = kept.listed([pk for pk in document.terms if pk in kept.by_id])
        document.terms = listed


class ListingDocument:
    """What a listing shows of a program, as the database built it (program_document_sql) and
    as plain values: `program` and `provider` (column -> value, as either database writes it
    in JSON), `terms` ([id, kind, slug, name, position], in the terms' order; the database
    gives their ids, ranked_for_listing names them), `states` ([code, name]) and `tracks`
    ([id, name, position, openings, next_start, rolling_admission, availability_confirmed,
    sessions], each session [id, day, start, end, duration_minutes]), in the listing's orders;
    with the `distance_miles` of the search that found it.

    The JSON API writes its documents from these (programs.serializers) and pages build model
    instances from them (`listing_from_documents`).
    """

    __slots__ = ("distance_miles", "program", "provider", "states", "terms", "tracks")

    def __init__(self, text, *, distance_miles=None):
        self.program, self.terms, self.provider, self.states, self.tracks = orjson.loads(text)
        self.distance_miles = distance_miles


def _datetime(value):
    moment = dateparse.parse_datetime(value)
    return timezone.make_aware(moment, datetime.UTC) if timezone.is_naive(moment) else moment


def _converter(field):
    """How a column's JSON value (either database's) becomes the model's; None: as it is."""
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat
    if isinstance(field, models.TimeField):
        return datetime.time.fromisoformat
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.UUIDField):
        return uuid.UUID
    return None


@cache
def _columns(model, left_out=frozenset()):
    """A model's concrete fields' attnames, and their (column, converter) pairs, but the
    fields `left_out`; worked out once a process."""
    fields = _listed_fields(model, left_out)
    return (
        [field.attname for field in fields],
        [(field.column, _converter(field)) for field in fields],
    )


def _builder(model, using):
    """A function making `model`'s instances from `attnames` and their values: what
    `model.from_db(using, attnames, values)` returns, built without Model.__init__ setting the
    fields one by one (a third of turning a page's documents into instances): the fields of
    `attnames` set, any other deferred (loaded when read). Decided once a page: models whose
    instances someone watches being made (pre_init or post_init receivers) or that load
    themselves their own way go through from_db."""
    if model.from_db.__func__ is not models.Model.from_db.__func__ or (
        pre_init.has_listeners(model) or post_init.has_listeners(model)
    ):
        return partial(model.from_db, using)

    def build(attnames, values):
        instance = model.__new__(model)
        instance.__dict__.update(zip(attnames, values, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, using
        return instance

    return build


def _instance(model, build, document, left_out=frozenset()):
    """An instance of `model` (made by `build`, _builder's) from a row's JSON object (column ->
    value), as if read by a query; without the fields `left_out` (deferred)."""
    attnames, columns = _columns(model, left_out)
    values = []
    for column, convert in columns:
        value = document[column]
        values.append(value if convert is None or value is None else convert(value))
    return build(attnames, values)


class PrefetchedSet(models.QuerySet):
    """A relation's objects as `prefetch_related` leaves them: read (iterated, counted,
    indexed) from the list in hand; chained (filtered, ordered, `.all()` again), the related
    manager's own queryset, narrowed to the instance, read from the database.

    Made with an empty query of the related model that a page's sets share and never run (a
    related manager's queryset for each, as `prefetch_related` makes, was a fifth of turning a
    page's documents into instances)."""

    def _chain(self):
        owner, name = self._prefetched_for
        cache = owner._prefetched_objects_cache
        del cache[name]  # the manager's queryset, not this one
        try:
            return getattr(owner, name).get_queryset()
        finally:
            cache[name] = self


def _prefetched(instance, name, query, objects):
    """Fill `instance.<name>.all()` with `objects`, as prefetch_related does (PrefetchedSet;
    `query`: the related model's, empty, which the page's instances share)."""
    queryset = PrefetchedSet(query.model, query=query)
    queryset._result_cache = objects
    queryset._prefetch_done = True
    queryset._prefetched_for = (instance, name)
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def listing_from_documents(documents, *, using="default"):
    """Programs from their listing documents (ListingDocument), with their provider, terms,
    licensed states, tracks and sessions in place of prefetched ones (no further query reads
    them), each keeping its `distance_miles`."""
    from .models import Program, Provider, Session, State, Term, Track

    time, date = datetime.time.fromisoformat, datetime.date.fromisoformat
    track_fields = [
        "id", "program_id", "name", "position", "openings", "next_start", "rolling_admission",
        "availability_confirmed",
    ]  # fmt: skip
    session_fields = ["id", "track_id", "day", "start", "end", "duration_minutes"]
    shared = {}
    query = {model: Query(model) for model in (Session, Term, State, Track)}
    build = {
        model: _builder(model, using) for model in (Program, Provider, Session, State, Term, Track)
    }

    def shared_term(values):
        key = ("term", values[0])
        if key not in shared:
            shared[key] = build[Term](["id", "kind", "slug", "name", "position"], values)
        return shared[key]

    def shared_state(values):
        key = ("state", values[0])
        if key not in shared:
            shared[key] = build[State](["code", "name"], values)
        return shared[key]

    programs = []
    # What the documents left out: LEFT_OUT_OF_LISTINGS, unless their query kept it (left_out=()).
    left_out = frozenset(
        field.name
        for field in Program._meta.concrete_fields
        if documents and field.column not in documents[0].program
    )
    for document in documents:
        program = _instance(Program, build[Program], document.program, left_out)
        program.distance_miles = document.distance_miles
        provider = _instance(Provider, build[Provider], document.provider)
        program._state.fields_cache["provider"] = provider
        tracks = []
        for (
            track_id,
            name,
            position,
            openings,
            next_start,
            rolling,
            confirmed,
            sessions,
        ) in document.tracks:
            track = build[Track](
                track_fields,
                [track_id, program.pk, name, position, openings,
                 date(next_start) if next_start else None, bool(rolling),
                 date(confirmed) if confirmed else None],
            )  # fmt: skip
            track._state.fields_cache["program"] = program
            sessions = [
                build[Session](
                    session_fields, [session_id, track_id, day, time(start), time(end), minutes]
                )
                for session_id, day, start, end, minutes in sessions
            ]
            _prefetched(track, "sessions", query[Session], sessions)
            tracks.append(track)
        # Terms and states are shared by the page's programs: one instance each.
        terms = [shared_term(values) for values in document.terms]
        states = [shared_state(values) for values in document.states]
        _prefetched(program, "terms", query[Term], terms)
        _prefetched(program, "virtual_states", query[State], states)
        _prefetched(program, "tracks", query[Track], tracks)
        programs.append(program)
    return programs
