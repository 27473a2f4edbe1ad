"""The curators' admin: whole programs on one page, verification and review of corrections."""

import dataclasses
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from iopfinder.admin import IdsChecked

from . import schedule, services
from .forms import TrackOpeningsForm
from .geo import point_time_zone
from .models import (
    ASAM_ADULT_WEEKLY_HOURS,
    Correction,
    Program,
    Provider,
    Session,
    State,
    Term,
    Track,
)
from .sources.base import zip_location, zip_time_zone
from .term_kinds import TERM_KINDS

TERM_FIELDS = {kind.field: kind.kind for kind in TERM_KINDS}


def _terms_field(kind, label=None):
    return forms.ModelMultipleChoiceField(
        Term.objects.of_kind(kind),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
    )


class ProgramAdminForm(forms.ModelForm):
    """A program with its vocabulary terms as one checkbox list per kind."""

    therapies = _terms_field(Term.Kind.THERAPY)
    payments = _terms_field(Term.Kind.PAYMENT, "Payment accepted")
    populations = _terms_field(Term.Kind.POPULATION, "Populations with a dedicated group or track")
    languages = _terms_field(Term.Kind.LANGUAGE)
    step_down_levels = _terms_field(Term.Kind.STEP_DOWN, "Accepts patients stepping down from")
    # The listing as the curator loaded it: a save over someone else's newer change is refused.
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    publish_anyway = forms.BooleanField(
        required=False,
        label=gettext_lazy("Publish without tracks or ages"),
        help_text=gettext_lazy("Tick to publish a listing that gives no schedule or no ages."),
    )

    class Meta:
        model = Program
        # Terms are edited through the per-kind fields above; verification by the verify
        # action; where the point came from follows from how it was given.
        exclude = ["terms", "verified_by", "verified_by_role", "location_precision"]  # noqa: DJ006

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].required = False
            self.fields[name].help_text = "Leave empty to place the program at its ZIP's centre."
        if self.instance.pk:
            terms = list(self.instance.terms.all())
            for name, kind in TERM_FIELDS.items():
                self.initial.setdefault(name, [term.pk for term in terms if term.kind == kind])
            self.initial["version"] = services.program_version(self.instance)

    def clean(self):
        cleaned = super().clean()
        self._check_not_stale(cleaned)
        self._confirm_publishing(cleaned)
        if cleaned.get("format") == Program.Format.IN_PERSON and cleaned.get("virtual_states"):
            self.add_error(
                "virtual_states", "Only virtual and hybrid programs serve states remotely."
            )
        self._locate(cleaned)
        changed = {*self.changed_data}
        if Program.OPENINGS_FIELDS & changed and "availability_stated" not in changed:
            # A curator who changes the openings has stated them (Program.availability_listed).
            cleaned["availability_stated"] = timezone.localdate()
        return cleaned

    def _check_not_stale(self, cleaned):
        """Refuse a save over a change made since this form was loaded (a second curator's
        save would otherwise silently put back what the first one changed)."""
        loaded = cleaned.get("version")
        if not (self.instance.pk and loaded):
            return
        current = Program.objects.filter(pk=self.instance.pk).first()
        if current is not None and services.program_version(current) != loaded:
            raise ValidationError(
                gettext_lazy(
                    "Someone else changed this listing after you opened it. Your changes were "
                    "not saved: open the listing again to see theirs, then make yours."
                ),
                code="stale",
            )

    def _confirm_publishing(self, cleaned):
        """Publishing a listing with no tracks or no ages needs a tick in "publish anyway"."""
        publishing = cleaned.get("status") == Program.Status.PUBLISHED and (
            not self.instance.pk or "status" in self.changed_data
        )
        if not publishing or cleaned.get("publish_anyway"):
            return
        total = self.data.get("tracks-TOTAL_FORMS") or "0"
        has_tracks = any(
            self.data.get(f"tracks-{i}-name", "").strip()
            and not self.data.get(f"tracks-{i}-DELETE")
            for i in range(min(int(total) if total.isdigit() else 0, 1000))
        )
        has_ages = cleaned.get("min_age") is not None or cleaned.get("max_age") is not None
        missing = [
            str(label)
            for label, present in (
                (gettext_lazy("no tracks"), has_tracks),
                (gettext_lazy("no ages"), has_ages),
            )
            if not present
        ]
        if missing:
            self.add_error(
                "publish_anyway",
                ValidationError(
                    gettext_lazy("This listing has %(missing)s. Tick the box to publish anyway."),
                    code="confirm_publish",
                    params={"missing": str(gettext_lazy(" and ")).join(missing)},
                ),
            )

    def _locate(self, cleaned):
        """Fill an empty point (and time zone) from the ZIP code, offline."""
        lat, lng, zip_code = cleaned.get("latitude"), cleaned.get("longitude"), cleaned.get("zip")
        if lat is None and lng is None:
            try:
                cleaned["latitude"], cleaned["longitude"], zone = zip_location(zip_code)
            except ValueError:
                self.add_error(
                    "zip", "Enter a ZIP code we know, or the latitude and longitude yourself."
                )
                return
            self.instance.location_precision = Program.LocationPrecision.ZIP
            cleaned["time_zone"] = cleaned.get("time_zone") or zone
        elif lat is None or lng is None:
            self.add_error("latitude" if lat is None else "longitude", "Give both or neither.")
            return
        elif {"latitude", "longitude"} & set(self.changed_data):
            self.instance.location_precision = Program.LocationPrecision.ADDRESS
        if not cleaned.get("time_zone"):
            cleaned["time_zone"] = zip_time_zone(zip_code) or point_time_zone(
                cleaned["latitude"], cleaned["longitude"]
            )

    def _save_m2m(self):
        super()._save_m2m()
        self.instance.terms.set([term for name in TERM_FIELDS for term in self.cleaned_data[name]])


def _day_field(label):
    # No placeholder: an invented "18:00-21:00" in every box reads as a schedule.
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 9, "class": "day-times"}),
    )


class TrackForm(forms.ModelForm):
    """A track with its week as one box per day, e.g. "18:00-21:00" or "6-9pm" (commas between;
    saved and shown again on the 24-hour clock)."""

    day_0 = _day_field("Mon")
    day_1 = _day_field("Tue")
    day_2 = _day_field("Wed")
    day_3 = _day_field("Thu")
    day_4 = _day_field("Fri")
    day_5 = _day_field("Sat")
    day_6 = _day_field("Sun")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            by_day = {day: [] for day, _ in Session.Day.choices}
            for session in self.instance.sessions.all():
                by_day[session.day].append((session.start, session.end))
            for day, ranges in by_day.items():
                self.initial[f"day_{day}"] = schedule.time_ranges_format(ranges)

    class Meta:
        model = Track
        fields = ["name", "position"]

    def clean(self):
        cleaned = super().clean()
        sessions = []
        for day, _ in Session.Day.choices:
            try:
                ranges = schedule.time_ranges_parse(cleaned.get(f"day_{day}", ""))
            except schedule.ScheduleError as error:
                self.add_error(f"day_{day}", str(error))
                continue
            sessions.extend((day, start, end) for start, end in ranges)
        if not sessions and cleaned.get("name") and not cleaned.get("DELETE"):
            raise forms.ValidationError("Give the track at least one session.")
        self.sessions = sessions
        return cleaned


class TrackInline(admin.TabularInline):
    """Tracks, one row each, one box a weekday: "18:00-21:00", commas between sessions."""

    model = Track
    form = TrackForm
    extra = 2
    fields = ["name", *[f"day_{day}" for day, _ in Session.Day.choices], "position", "weekly_hours"]
    readonly_fields = ["weekly_hours"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sessions")

    @admin.display(description="h/week")
    def weekly_hours(self, track):
        return f"{track.hours_per_week:g}" if track.pk else "–"


class _NullsAsEmpty(HistoricalRecordContextHelper):
    """simple_history's changes between records, where a foreign key that was empty (no one
    had verified the listing) reads as empty, not as "Deleted user (pk=None)"."""

    def context_for_delta_changes(self, delta):
        def value(side):
            return None if isinstance(side, DeletedObject) and side.pk is None else side

        changes = [
            dataclasses.replace(change, old=value(change.old), new=value(change.new))
            for change in delta.changes
        ]
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))


class NeedsVerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [
            ("needed", f"Needs verification (over {settings.STALE_AFTER_DAYS} days)"),
            ("current", "Verified recently"),
        ]

    def queryset(self, request, queryset):
        stale = Program.objects.needing_verification(
            settings.STALE_AFTER_DAYS, timezone.localdate()
        )
        if self.value() == "needed":
            return queryset.filter(pk__in=stale.values("pk"))
        if self.value() == "current":
            return queryset.exclude(pk__in=stale.values("pk"))
        return queryset


class AsamHoursFilter(admin.SimpleListFilter):
    title = "weekly hours"
    parameter_name = "asam"

    def lookups(self, request, model_admin):
        return [("outside", "A track outside 9-20 h/week")]

    def queryset(self, request, queryset):
        if self.value() == "outside":
            return queryset.with_track_outside_hours(*ASAM_ADULT_WEEKLY_HOURS)
        return queryset


@admin.register(Program)
class ProgramAdmin(IdsChecked, SimpleHistoryAdmin):
    form = ProgramAdminForm
    object_history_template = "admin/programs/program/object_history.html"
    inlines = [TrackInline]
    list_display = [
        "name",
        "provider",
        "city",
        "state",
        "status",
        "format",
        "openings",
        "last_verified",
        "asam_hours",
    ]
    list_filter = [
        "status",
        NeedsVerificationFilter,
        AsamHoursFilter,
        "format",
        "availability",
        "last_verified",
        "is_demo",
        "source",
        "source_missing",
        "state",
    ]
    # A curator on the phone looks a listing up by the number that called or the address.
    search_fields = [
        "name",
        "provider__name",
        "city",
        "zip",
        "slug",
        "phone",
        "intake_phone",
        "street",
    ]
    list_select_related = ["provider", "state"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["provider"]
    filter_horizontal = ["virtual_states"]
    readonly_fields = [
        "last_verified_by",
        "location_precision",
        "asam_check",
        "track_openings",
        "created",
        "updated",
        "source",
        "source_key",
        "source_edition",
        "source_missing",
        "source_notes",
    ]
    actions = ["publish", "archive", "mark_verified"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "provider",
                    "status",
                    "publish_anyway",
                    "description",
                    "is_demo",
                    "version",
                ]
            },
        ),
        (
            "Where",
            {
                "fields": [
                    "street",
                    "city",
                    "state",
                    "zip",
                    "latitude",
                    "longitude",
                    "location_precision",
                    "time_zone",
                ]
            },
        ),
        ("Contact", {"fields": ["phone", "intake_phone", "website"]}),
        (
            "What it treats and how",
            {
                "fields": [
                    "treats_substance_use",
                    "treats_mental_health",
                    "co_occurring",
                    "format",
                    "virtual_states",
                    "therapies",
                    "step_down_levels",
                    "min_age",
                    "max_age",
                    "other_levels_of_care",
                    "licenses",
                ]
            },
        ),
        ("Who and paying", {"fields": ["payments", "populations", "languages"]}),
        (
            "Openings",
            {"fields": ["availability", "waitlist_weeks", "availability_stated", "track_openings"]},
        ),
        (
            "Curation",
            {
                "fields": [
                    "asam_check",
                    "last_verified",
                    "last_verified_by",
                    "curator_notes",
                    "source",
                    "source_key",
                    "source_edition",
                    "source_missing",
                    "source_notes",
                    "created",
                    "updated",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tracks__sessions")

    def get_historical_record_context_helper(self, request, historical_record):
        return _NullsAsEmpty(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        """The listing's history, then its tracks' and sessions' (openings, schedules)."""
        program_id = self.checked_id(object_id)
        tracks = Track.history.filter(program_id=program_id).select_related("history_user")
        track_ids = {record.id for record in tracks}
        sessions = Session.history.filter(track_id__in=track_ids).select_related("history_user")
        names = {record.id: record.name for record in tracks.order_by("history_date")}
        rows = [
            {
                "record": record,
                "what": gettext_lazy(
                    "Track “%(name)s”: %(openings)s openings, next start "
                    "%(next_start)s, rolling admission %(rolling)s, confirmed %(confirmed)s"
                )
                % {
                    "name": record.name,
                    "openings": "–" if record.openings is None else record.openings,
                    "next_start": record.next_start or "–",
                    "rolling": "yes" if record.rolling_admission else "no",
                    "confirmed": record.availability_confirmed or "–",
                },
            }
            for record in tracks
        ] + [
            {
                "record": record,
                "what": f"Track “{names.get(record.track_id, '?')}”: "
                f"{Session.Day(record.day).label} {record.start:%H:%M}-{record.end:%H:%M}",
            }
            for record in sessions
        ]
        rows.sort(key=lambda row: row["record"].history_date, reverse=True)
        extra_context = {**(extra_context or {}), "track_history": rows[:500]}
        return super().history_view(request, object_id, extra_context)

    @admin.display(description="openings", ordering="availability")
    def openings(self, program):
        """As the public pages say it: an import's unstated "open" is "Not listed"."""
        return program.availability_display

    @admin.display(description="ASAM hours")
    def asam_hours(self, program):
        outside = program.hours_outside_asam_range()
        if not program.tracks.all():
            return format_html('<span title="{}">⚠ no tracks</span>', "No schedule entered")
        if outside:
            hours = ", ".join(f"{t.hours_per_week:g}" for t in outside)
            return format_html(
                '<strong class="asam-warning" title="{}">⚠ {} h/week</strong>',
                "Outside ASAM's 9-20 hours per week for adult IOPs",
                hours,
            )
        return "✓"

    @admin.display(description="tracks' openings")
    def track_openings(self, program):
        if not program.pk:
            return "–"
        url = f"{reverse('admin:programs_track_changelist')}?{urlencode({'q': program.slug})}"
        return format_html('<a href="{}">Record what each track has open</a>', url)

    @admin.display(description="Weekly hours check")
    def asam_check(self, program):
        if not program.pk:
            return "Save the program to check its tracks."
        if not program.tracks.all():
            return "No tracks: the listing gives no schedule to check."
        outside = program.hours_outside_asam_range()
        if not outside:
            return "Every track is within ASAM's 9-20 hours per week for adult IOPs."
        names = ", ".join(f"{t.name} ({t.hours_per_week:g} h/week)" for t in outside)
        return format_html(
            '<strong class="asam-warning">⚠ Outside 9-20 hours per week '
            "(ASAM level 2.1 for adults): {}</strong>",
            names,
        )

    @admin.display(description="verified by")
    def last_verified_by(self, program):
        if program.verified_by_role == Program.VerifiedBy.PROVIDER:
            return f"The program ({program.verified_by})" if program.verified_by else "The program"
        return program.verified_by or "–"

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Track:
            for track_form in formset.forms:
                track = track_form.instance
                if (
                    track.pk
                    and not track_form.cleaned_data.get("DELETE")
                    and track_form.has_changed()
                ):
                    services.track_schedule_set(
                        track=track, sessions=track_form.sessions, user=request.user
                    )

    def response_change(self, request, obj):
        self._warn_hours(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn_hours(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _warn_hours(self, request, program):
        program = Program.objects.prefetch_related("tracks__sessions").get(pk=program.pk)
        for track in program.hours_outside_asam_range():
            messages.warning(
                request,
                f"Track “{track.name}” runs {track.hours_per_week:g} hours a week, outside the "
                "9-20 hours ASAM sets for adult IOPs. Check the schedule.",
            )

    # The actions record who and why in the listing's history (services write it).

    @admin.action(description="Publish selected programs", permissions=["change"])
    def publish(self, request, queryset):
        incomplete = queryset.exclude(status=Program.Status.PUBLISHED).filter(
            Q(tracks__isnull=True) | Q(min_age__isnull=True, max_age__isnull=True)
        )
        incomplete = list(incomplete.distinct().prefetch_related("tracks"))
        if incomplete and not request.POST.get("confirm"):
            # Listings with no schedule or no ages: ask before showing them to the public.
            return TemplateResponse(
                request,
                "admin/programs/program/publish_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext_lazy("Publish listings with missing facts?"),
                    "opts": self.model._meta,
                    "queryset": queryset,
                    "incomplete": incomplete,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        programs = services.programs_publish(programs=queryset, user=request.user)
        self.message_user(request, f"Published {len(programs)} program(s).", messages.SUCCESS)

    @admin.action(description="Archive selected programs", permissions=["change"])
    def archive(self, request, queryset):
        programs = services.programs_archive(programs=queryset, user=request.user)
        self.message_user(request, f"Archived {len(programs)} program(s).", messages.SUCCESS)

    @admin.action(description="Mark selected programs verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        programs = services.programs_verify(programs=queryset, user=request.user)
        self.message_user(
            request, f"Marked {len(programs)} program(s) verified today.", messages.SUCCESS
        )


@admin.register(Track)
class TrackAdmin(IdsChecked, SimpleHistoryAdmin):
    """Every track with its openings, edited in the list as program staff state them (the
    program's page keeps the schedules: its weekday grid has no room for more columns on a
    laptop). Saved by services.track_availability_set: confirmed today, searches refreshed."""

    list_display = [
        "name", "program", "city", "openings", "next_start", "rolling_admission",
        "availability_confirmed",
    ]  # fmt: skip
    list_display_links = ["name"]
    list_editable = ["openings", "next_start", "rolling_admission"]
    list_select_related = ["program", "program__state"]
    search_fields = ["name", "program__name", "program__provider__name", "program__city",
                     "program__slug", "program__phone", "program__intake_phone"]  # fmt: skip
    list_filter = ["rolling_admission", "availability_confirmed"]
    ordering = ["program__name", "position", "pk"]
    fields = ["program", "name", "openings", "next_start", "rolling_admission",
              "availability_confirmed"]  # fmt: skip
    readonly_fields = ["program", "name", "availability_confirmed"]
    form = TrackOpeningsForm

    def get_changelist_form(self, request, **kwargs):
        return TrackOpeningsForm

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a track goes with its schedule, on its program
        return actions

    def has_add_permission(self, request):
        return False  # a track is added with its schedule, on its program's page

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        form.state(request.user)

    @admin.display(description="town", ordering="program__city")
    def city(self, track):
        return f"{track.program.city}, {track.program.state_id}"


PLACES_ONLY = Program.objects.only("provider", "city", "state").order_by("city", "pk")


@admin.register(Provider)
class ProviderAdmin(IdsChecked, admin.ModelAdmin):
    """Providers, with where their programs are: 644 of SAMHSA's provider names are shared by
    several providers ("Merakey Parkside" in Philadelphia and in Petersburg), and a curator
    inviting staff must pick the right one. Search by name and city ("merakey philadelphia")."""

    list_display = ["name", "places", "website", "program_count"]
    search_fields = ["name", "programs__city", "programs__zip"]
    ordering = ["name", "pk"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # Distinct: a search by town joins the programs a second time.
            .annotate(program_count=Count("programs", distinct=True))
            .prefetch_related(Prefetch("programs", PLACES_ONLY))
        )

    @admin.display(description="programs", ordering="program_count")
    def program_count(self, provider):
        return provider.program_count

    @admin.display(description="where")
    def places(self, provider):
        return provider_places(provider)

    def autocomplete_label(self, provider):
        """How the provider reads in the admin's provider pickers (iopfinder.admin)."""
        places = provider_places(provider)
        return f"{provider.name} ({places})" if places else provider.name


def provider_places(provider, most=3):
    """Where a provider's programs are: "Philadelphia, PA; Norristown, PA"."""
    places = list(dict.fromkeys(f"{p.city}, {p.state_id}" for p in provider.programs.all()))
    shown = "; ".join(places[:most])
    return shown + (f" and {len(places) - most} more" if len(places) > most else "")


@admin.register(Term)
class TermAdmin(IdsChecked, admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(State)
class StateAdmin(IdsChecked, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Correction)
class CorrectionAdmin(IdsChecked, admin.ModelAdmin):
    list_display = ["program", "where", "short_message", "status", "created"]
    list_filter = ["status", "created"]
    search_fields = ["program__name", "program__provider__name", "program__city", "message"]
    list_select_related = ["program", "program__provider"]
    readonly_fields = [
        "program_link", "message", "contact", "created", "resolved_at", "resolved_by",
    ]  # fmt: skip
    fields = [
        "program_link", "message", "contact", "status", "resolution", "created", "resolved_at",
        "resolved_by",
    ]  # fmt: skip
    actions = ["resolve"]

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status == Correction.Status.RESOLVED:
            # Resolved from its page as by the action (the row is still open until then): who,
            # when, what was done, and the listing's history.
            services.corrections_resolve(
                corrections=[obj], user=request.user, resolution=obj.resolution
            )
            return
        if "status" in form.changed_data and obj.status == Correction.Status.OPEN:
            obj.resolved_at = obj.resolved_by = None  # reopened: nobody has resolved it
        super().save_model(request, obj, form, change)

    @admin.display(description="program")
    def program_link(self, correction):
        program = correction.program
        url = reverse("admin:programs_program_change", args=[program.pk])
        return format_html(
            '<a href="{}">{}</a> ({}; {}, {})',
            url,
            program.name,
            program.provider.name,
            program.city,
            program.state_id,
        )

    @admin.display(description="where", ordering="program__city")
    def where(self, correction):
        return f"{correction.program.provider.name}, {correction.program.city}"

    def has_add_permission(self, request):
        return False

    @admin.display(description="what is wrong")
    def short_message(self, correction):
        return correction.message[:80] + ("…" if len(correction.message) > 80 else "")

    @admin.action(description="Mark selected corrections resolved", permissions=["change"])
    def resolve(self, request, queryset):
        count = services.corrections_resolve(corrections=queryset, user=request.user)
        self.message_user(request, f"Resolved {count} correction(s).", messages.SUCCESS)
