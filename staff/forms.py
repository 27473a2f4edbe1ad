"""Forms program staff fill in at /manage/. Errors carry codes; labels are translatable."""

import datetime
import itertools

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from programs.models import (
    TRACK_HOURS_MAX,
    Program,
    Session,
    State,
    Term,
    validate_zip,
)
from programs.services import program_version
from programs.sources.base import zip_location

from .services import LIVE_FIELDS, REVIEWED_FIELDS, TERM_FIELDS

# Weekly hours a track may list at all (ASAM's range for IOPs is narrower: a warning).
TRACK_HOURS_RANGE = (0, TRACK_HOURS_MAX)
# Time boxes shown a weekday beyond the sessions already listed on it.
EMPTY_SLOTS_A_DAY = 1
MIN_SLOTS_A_DAY = 2


class SignInLinkRequestForm(forms.Form):
    """Ask for a new sign-in link."""

    email = forms.EmailField(label=_("Your work email"), max_length=254)


def _time_field(label):
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class TrackScheduleForm(forms.Form):
    """A track's name and week: one row a weekday, a start and an end time a session."""

    name = forms.CharField(label=_("Track name"), max_length=100)

    def __init__(self, *args, program, track=None, **kwargs):
        self.program, self.track = program, track
        sessions = list(track.sessions.all()) if track else []
        by_day = {day: [] for day, _ in Session.Day.choices}
        for session in sessions:
            by_day[session.day].append(session)
        initial = kwargs.setdefault("initial", {})
        if track:
            initial.setdefault("name", track.name)
        super().__init__(*args, **kwargs)
        self.slots = {}
        for day, _label in Session.Day.choices:
            count = max(len(by_day[day]) + EMPTY_SLOTS_A_DAY, MIN_SLOTS_A_DAY)
            if self.is_bound:  # keep every box the person sent
                while f"d{day}_s{count}_start" in self.data or f"d{day}_s{count}_end" in self.data:
                    count += 1
            self.slots[day] = count
            for slot in range(count):
                self.fields[f"d{day}_s{slot}_start"] = _time_field(_("Starts"))
                self.fields[f"d{day}_s{slot}_end"] = _time_field(_("Ends"))
                if slot < len(by_day[day]):
                    self.initial[f"d{day}_s{slot}_start"] = by_day[day][slot].start
                    self.initial[f"d{day}_s{slot}_end"] = by_day[day][slot].end

    def days(self):
        """For the template: (day label, [(start field, end field), ...]) a weekday."""
        return [
            (
                label,
                [
                    (self[f"d{day}_s{slot}_start"], self[f"d{day}_s{slot}_end"])
                    for slot in range(self.slots[day])
                ],
            )
            for day, label in Session.Day.choices
        ]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.program.tracks.filter(name__iexact=name)
        if self.track:
            others = others.exclude(pk=self.track.pk)
        if others.exists():
            raise ValidationError(
                _("Another track of this program has that name."), code="duplicate_name"
            )
        return name

    def clean(self):
        cleaned = super().clean()
        self.sessions = []
        for day, _label in Session.Day.choices:
            day_sessions = []
            for slot in range(self.slots[day]):
                start_name, end_name = f"d{day}_s{slot}_start", f"d{day}_s{slot}_end"
                if self.has_error(start_name) or self.has_error(end_name):
                    continue
                start, end = cleaned.get(start_name), cleaned.get(end_name)
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    self.add_error(
                        end_name if end is None else start_name,
                        ValidationError(
                            _("Give both the start and the end time."), code="incomplete"
                        ),
                    )
                    continue
                if end <= start:
                    self.add_error(
                        end_name,
                        ValidationError(
                            _("The session must end after it starts."), code="end_before_start"
                        ),
                    )
                    continue
                day_sessions.append((start, end, end_name))
            day_sessions.sort()
            for (_s, previous_end, _n), (start, _e, end_name) in itertools.pairwise(day_sessions):
                if start < previous_end:
                    self.add_error(
                        end_name,
                        ValidationError(
                            _("This session overlaps another one on the same day."),
                            code="overlap",
                        ),
                    )
            self.sessions.extend((day, start, end) for start, end, _n in day_sessions)
        if self.errors:
            return cleaned
        if not self.sessions:
            raise ValidationError(_("Give the track at least one session."), code="no_sessions")
        minutes = sum(_minutes(start, end) for _d, start, end in self.sessions)
        low, high = TRACK_HOURS_RANGE
        if not low < minutes / 60 <= high:
            raise ValidationError(
                _("A track lists between %(low)s and %(high)s hours a week."),
                code="hours_range",
                params={"low": low, "high": high},
            )
        return cleaned


def _minutes(start, end):
    return (
        datetime.datetime.combine(datetime.date.min, end)
        - datetime.datetime.combine(datetime.date.min, start)
    ).seconds // 60


def _terms_field(kind, label):
    return forms.ModelMultipleChoiceField(
        Term.objects.of_kind(kind),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
    )


class ProgramDetailsForm(forms.ModelForm):
    """Everything about a listing but its tracks. Changes to REVIEWED_FIELDS wait for a
    curator; the rest go live at once (staff.services.program_details_submit)."""

    step_down_levels = _terms_field(Term.Kind.STEP_DOWN, _("Accepts patients stepping down from"))
    therapies = _terms_field(Term.Kind.THERAPY, _("Therapies"))
    payments = _terms_field(Term.Kind.PAYMENT, _("Payment accepted"))
    populations = _terms_field(Term.Kind.POPULATION, _("Groups or tracks for"))
    languages = _terms_field(Term.Kind.LANGUAGE, _("Languages"))
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Program
        fields = [*REVIEWED_FIELDS, *LIVE_FIELDS]
        labels = {
            "name": _("Program name"),
            "street": _("Street address"),
            "city": _("City"),
            "state": _("State"),
            "zip": _("ZIP code"),
            "phone": _("Main phone"),
            "intake_phone": _("Intake phone"),
            "website": _("Website"),
            "format": _("Format"),
            "virtual_states": _("States where you treat patients by telehealth"),
            "description": _("About the program"),
            "treats_substance_use": _("Treats substance use"),
            "treats_mental_health": _("Treats mental health"),
            "co_occurring": _("Integrated co-occurring treatment"),
            "min_age": _("Youngest age accepted"),
            "max_age": _("Oldest age accepted"),
            "availability": _("Taking new patients"),
            "waitlist_weeks": _("Waitlist (weeks)"),
        }
        widgets = {
            "virtual_states": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("min_age", "max_age"):  # the database's range, said next to the field
            self.fields[name].validators.append(MaxValueValidator(120))
            self.fields[name].widget.attrs.update(min=0, max=120)
        # An imported listing's "open" is the import's, not the program's: the form says "Not
        # listed" until the program chooses, and saving it so claims nothing.
        self.availability_unlisted = not self.instance.availability_listed
        if self.availability_unlisted:
            availability = self.fields["availability"]
            availability.choices = [
                ("", _("Not listed yet: choose one")),
                *Program.Availability.choices,
            ]
            availability.required = False
            self.initial["availability"] = ""
        self.fields["virtual_states"].queryset = State.objects.order_by("code")
        self.fields["state"].queryset = State.objects.order_by("code")
        terms = list(self.instance.terms.all())
        for name, kind in TERM_FIELDS.items():
            self.initial.setdefault(name, [term.pk for term in terms if term.kind == kind])
        self.initial["version"] = program_version(self.instance)
        self.reviewed_fields = [self[name] for name in REVIEWED_FIELDS]

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("version")
        current = Program.objects.filter(pk=self.instance.pk).first()
        if loaded and current is not None and program_version(current) != loaded:
            raise ValidationError(
                _(
                    "This listing changed after you opened it. Nothing was saved: check the "
                    "listing as it is now and make your change again."
                ),
                code="stale",
            )
        if cleaned.get("format") == Program.Format.IN_PERSON and cleaned.get("virtual_states"):
            self.add_error(
                "virtual_states",
                ValidationError(
                    _("Only virtual and hybrid programs treat patients in other states."),
                    code="in_person_remote",
                ),
            )
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_age",
                ValidationError(_("The oldest age is below the youngest."), code="age_order"),
            )
        return cleaned

    def clean_zip(self):
        """A ZIP code the map can place the listing by (a curator's approval moves it there)."""
        zip_code = self.cleaned_data["zip"]
        if zip_code:
            validate_zip(zip_code)  # the model's check, before the gazetteer's
            try:
                zip_location(zip_code)
            except ValueError:
                raise ValidationError(
                    _("We do not know this ZIP code. Check it, or ask us to add it."),
                    code="unknown_zip",
                )
        return zip_code
