"""The one parser of search parameters, shared by the results page and the JSON API."""

import datetime
from functools import cached_property, partial, reduce
from operator import methodcaller, or_

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, Window
from django.http import QueryDict
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from . import freetime, geo
from .expressions import CompiledCondition
from .models import WEEKDAY_SLUGS, Program
from .querysets import (
    CountOf,
    CountWhere,
    NotOneTable,
    counts_at_once,
    search_words,
    where_sql,
)
from .term_kinds import TERM_KINDS
from .vocabularies import NEEDS
from .vocabulary_cache import vocabulary

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# More values than any vocabulary has slugs: a person ticking every box stays under it.
MAX_VALUES_PER_PARAMETER = 50

WEEKDAYS = list(zip(WEEKDAY_SLUGS, WEEKDAYS_ABBR.values(), strict=True))
TIMES_OF_DAY = [
    ("morning", _("Morning (starts before noon)")),
    ("afternoon", _("Afternoon (starts noon to 5 pm)")),
    ("evening", _("Evening (starts 5 pm or later)")),
]
VIRTUAL_CHOICES = [
    ("exclude", _("Only places I can go to")),
    ("include", _("Also online programs that can treat people in my state")),
    ("only", _("Only online programs that can treat people in my state")),
]
SORT_CHOICES = [
    ("distance", _("Distance")),
    ("name", _("Name")),
    ("hours", _("Hours per week")),
    ("verified", _("Recently verified")),
]
# Facts many listings have not given yet, and the parameters that ask about them: a search
# that uses them also says how many programs are left out for not listing them.
UNLISTED_FACTS = {
    "schedule": (
        "days",
        "free",
        "start_after",
        "end_before",
        "time_of_day",
        "hours_min",
        "hours_max",
    ),
    "availability": ("starts_by",),
    "step_down": ("step_down_from",),
}
UNLISTED_PARAMETERS = {name for names in UNLISTED_FACTS.values() for name in names}
# How a results page names those facts ("12 more programs have not listed their schedule").
UNLISTED_FACT_LABELS = {
    "schedule": _("schedule"),
    "availability": _("openings"),
    "step_down": _("step-down care"),
}
# The conditions a results page shows as removable chips, in the order people think of them;
# ALL-of parameters give one chip a value ("without DBT"), the others one chip each.
CHIP_PARAMETERS = [
    "need", "therapy", "step_down_from", "age", "free", "days", "time_of_day", "start_after",
    "end_before", "hours_min", "hours_max", "starts_by", "payment", "population", "language",
    "format", "accepting", "q",
]  # fmt: skip
SPLIT_CHIP_PARAMETERS = {"need", "therapy"}
CHIP_LABELS = {
    "age": lambda value, field: gettext("Age %(age)s") % {"age": value},
    "free": lambda value, field: gettext("Fits your free time"),
    "start_after": lambda value, field: (
        gettext("Starts at or after %(time)s") % {"time": f"{value:%H:%M}"}
    ),
    "end_before": lambda value, field: gettext("Ends by %(time)s") % {"time": f"{value:%H:%M}"},
    "hours_min": lambda value, field: (
        gettext("At least %(hours)s hours a week") % {"hours": f"{value:g}"}
    ),
    "hours_max": lambda value, field: (
        gettext("At most %(hours)s hours a week") % {"hours": f"{value:g}"}
    ),
    "q": lambda value, field: f"“{value}”",
    "accepting": lambda value, field: gettext("Has openings or a waitlist"),
    "starts_by": lambda value, field: (
        gettext("Can start by %(date)s") % {"date": date_format(value, gettext("M j"))}
    ),
    "step_down_from": lambda value, field: (
        gettext("Takes people leaving %(levels)s")
        % {
            "levels": gettext(" or ").join(
                str(dict(field.choices).get(item, item)).lower() for item in value
            )
        }
    ),
}
# The steps of a search (ProgramFilterSet._narrowings) whose condition is compiled once for the
# search, not kept in the process: its place (few searches share one; its key names it all the
# same) and the filter set's own queryset. Every other step's key holds all its condition
# depends on (the parameter's value, the day where it reads the date), with the vocabulary.
SEARCH_OWN_STEPS = {"base", "place", "outside circle"}
# How many conditions a process keeps compiled: when full it starts afresh, as the form classes
# do. A term's condition takes a few hundred bytes, the longest `q` (ten words) 5.3 KB: at most
# about 5 MB a worker, whatever a client sends.
KEPT_CONDITIONS = 1000
_kept_conditions = (None, {})  # (vocabulary, {(database, step key): where_sql or NotOneTable})


def _place_key(place):
    """What of a place its steps' conditions depend on, for their keys."""
    return (place.lat, place.lng, place.state)


def _narrowing_all(model, narrow):
    """What builds every program of `model` narrowed by `narrow`, when it is called: a step's
    queryset to compile, built only if its condition is not compiled yet."""
    return lambda: narrow(model.objects.all())


class NotCompiled:
    """A condition not compiled yet (None is one that holds for every row)."""


def _conditions_of(filterset):
    """The conditions kept compiled in the process for `filterset`'s database and vocabulary
    (the slugs a condition names become term ids): {step key: where_sql or NotOneTable}."""
    global _kept_conditions
    vocabulary, kept = _kept_conditions
    if vocabulary is not filterset._vocabulary:
        if vocabulary != filterset._vocabulary:
            kept = {}
        # The same rows read again: kept with the new tuple, compared by identity from now on.
        _kept_conditions = (filterset._vocabulary, kept)
    if len(kept) >= KEPT_CONDITIONS:
        kept.clear()
    return kept


# Below this many results, each chip says how many programs removing it would bring back.
FEW_RESULTS = 5
# ... unless there are more chips than this: each count is a subquery of the whole search over
# the place's programs, and a search of every therapy and every language (30 chips and more)
# took over 2 s at 100,000 programs. Its chips are then shown without counts.
MAX_COUNTED_CHIPS = 12
# Those counts stop past this many more programs ("without it: over 100 more"): a search without
# one of its conditions often matches thousands, and counting them all took PostgreSQL 4-7 ms a chip
# at 100,000 programs where stopping at a hundred took 1 ms.
MOST_MORE_COUNTED = 100
WIDER_RADIUS_MILES = 50
# A search without a place, or with a radius wider than this, reads the whole catalogue: such
# searches are admitted one at a time on a server (`is_wide_search`, iopfinder/admission.py).
LOCAL_RADIUS_MILES = 100
TERM_PARAMETERS = {kind.parameter: kind.kind for kind in TERM_KINDS}


def is_wide_search(request):
    """Whether the search in `request.GET` may read the whole catalogue: no place (`near`, or
    `lat` and `lng`), or a radius beyond LOCAL_RADIUS_MILES. Parsed leniently: a bad radius is
    the FilterSet's to report, and counts as wide here."""
    query = request.GET
    if not (query.get("near", "").strip() or query.get("lat", "").strip()):
        return True
    radius = query.get("radius", "").strip()
    if not radius:
        return False
    try:
        return not float(radius) <= LOCAL_RADIUS_MILES
    except ValueError:
        return True


class ProgramSearchForm(forms.Form):
    """Checks that concern several parameters at once, and resolves the place."""

    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    place = None
    place_suggestions = ()
    # A field of this form is written the same whenever it holds the same value (and has no
    # errors), so the page keeps it as written (programs_extras.form_field): its choices change
    # only with the vocabulary, which makes a new form class (get_form_class).
    fields_written_by_value = True

    def clean(self):
        cleaned = super().clean()
        near = cleaned.get("near")
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        self.place, self.place_suggestions = None, ()
        if lat is not None or lng is not None:
            if lat is None:
                self.add_error(
                    "lat", ValidationError(_("Give lat together with lng."), code="lat_without_lng")
                )
            elif lng is None:
                self.add_error(
                    "lng", ValidationError(_("Give lng together with lat."), code="lng_without_lat")
                )
            elif near:
                self.add_error(
                    "near",
                    ValidationError(
                        _("Give either a place or lat and lng, not both."), code="place_and_point"
                    ),
                )
            else:
                try:
                    self.place = geo.place_from_point(lat, lng)
                except geo.PlaceError as error:
                    self.add_error("lat", error.validation_error())
        elif near:
            try:
                self.place = geo.place_resolve(near)
            except geo.PlaceError as error:
                self.add_error("near", error.validation_error())
                self.place_suggestions = error.suggestions

        if cleaned.get("sort") == "distance" and self.place is None and not self.has_error("near"):
            self.add_error(
                "sort",
                ValidationError(
                    _("Sorting by distance needs a place: enter a ZIP code or city."),
                    code="distance_without_place",
                ),
            )
        hours_min, hours_max = cleaned.get("hours_min"), cleaned.get("hours_max")
        if hours_min is not None and hours_max is not None and hours_min > hours_max:
            self.add_error(
                "hours_max",
                ValidationError(
                    _("The most hours must not be fewer than the fewest hours."),
                    code="hours_max_below_min",
                ),
            )
        start_after, end_before = cleaned.get("start_after"), cleaned.get("end_before")
        if start_after is not None and end_before is not None and end_before <= start_after:
            # No session can start at or after one time and end by an earlier one.
            self.add_error(
                "end_before",
                ValidationError(
                    _("Sessions must end later than they start: give an end after %(start)s."),
                    code="end_before_start",
                    params={"start": f"{start_after:%H:%M}"},
                ),
            )
        return cleaned


class SharedFields(dict):
    """The search form's fields, which each form copies (Django deep-copies them): here one
    shallow copy of each, sharing its widget, choices, messages and validators with the form
    class's. The deep copies copied every widget and list of lazily translated labels, 8 % of
    an API call's Python, and nothing changes those in place: a search's choices are fixed
    lists or the vocabulary's, set when the form class is built (get_form_class), and the page
    writes each field from attributes of its own (programs_extras.form_field)."""

    def __deepcopy__(self, memo):
        return {name: shallow_copy(field) for name, field in self.items()}


def shallow_copy(instance):
    """What `copy.copy` gives for an instance of a plain class (its attributes, not copied),
    without the pickling protocol that copy.copy goes through: a form's 26 fields took
    0.3 ms that way."""
    copied = object.__new__(type(instance))
    copied.__dict__.update(instance.__dict__)
    return copied


class DistinctMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """A repeatable parameter whose repeats count once, with at most MAX_VALUES_PER_PARAMETER
    distinct values (Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS in all).

    `therapy=cbt` sent 330 times used to become 330 SQL conditions and hold a worker for 30 s.
    """

    def to_python(self, value):
        values = list(dict.fromkeys(super().to_python(value)))
        if len(values) > MAX_VALUES_PER_PARAMETER:
            raise ValidationError(
                _("Give at most %(limit)s values."),
                code="too_many_values",
                params={"limit": MAX_VALUES_PER_PARAMETER},
            )
        return values


class RepeatableFilter(django_filters.MultipleChoiceFilter):
    """A parameter that may be given several times (`therapy=cbt&therapy=dbt`)."""

    field_class = DistinctMultipleChoiceField


class PresetRadioSelect(forms.RadioSelect):
    """Radio buttons for the presets, reading every repeat of the parameter from a URL."""

    allow_multiple_selected = True


class FreeTimeField(forms.MultipleChoiceField):
    """Repeatable free-time values; any well-formed one is accepted (presets are offered)."""

    widget = PresetRadioSelect

    def to_python(self, value):
        values = list(dict.fromkeys(super().to_python(value)))
        windows = [window for text in values for window in freetime.free_windows_parse(text)]
        if len(windows) > freetime.MAX_WINDOWS:
            raise forms.ValidationError(
                _("Give at most %(limit)s free times."),
                code="too_many_values",
                params={"limit": freetime.MAX_WINDOWS},
            )
        return windows

    def valid_value(self, value):
        return True  # checked by to_python, with a message that says what is wrong

    @staticmethod
    def joined_choice(values):
        """One value standing for several (`;` joins windows): the form offers it as a choice
        of its own when the search's free time is none of the presets."""
        return ";".join(values)


class FreeTimeFilter(django_filters.MultipleChoiceFilter):
    field_class = FreeTimeField


class FloatFilter(django_filters.Filter):
    """A number with decimals; NaN and infinity are refused by the form field."""

    field_class = forms.FloatField


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class TimeFilter(django_filters.Filter):
    field_class = forms.TimeField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%H:%M"])
        kwargs.setdefault("widget", forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
        kwargs.setdefault("error_messages", {"invalid": _("Enter a time as HH:MM, e.g. 17:30.")})
        super().__init__(*args, **kwargs)


def _filtered(queryset, *, filter_, value):
    return filter_.filter(queryset, value)


class FilterCopies(dict):
    """A FilterSet's filters, which each search copies (django-filter deep-copies them): here
    one shallow copy of each, its method bound to the copy (whose `parent` is the search).
    Deep copies copied every widget and list of choices as well, 0.3 ms a search, and nothing
    changes those in place (`extra` is replaced whole, see ProgramFilterSet.get_form_class)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copied = shallow_copy(filter_)
            if filter_.method is not None:
                copied.filter = django_filters.filters.FilterMethod(copied)
            copies[name] = copied
        return copies


class ProgramFilterSet(django_filters.FilterSet):
    """Every search parameter of the contract, parsed once for HTML and JSON alike.

    Place and schedule parameters are applied together in `filter_queryset`: a radius needs
    its place, and one track must meet every schedule condition at once.
    """

    # Where
    near = django_filters.CharFilter(
        label=_("ZIP code or city, state"), max_length=100, method="joint"
    )
    lat = FloatFilter(min_value=-90, max_value=90, method="joint")
    lng = FloatFilter(min_value=-180, max_value=180, method="joint")
    radius = FloatFilter(
        label=_("How far (miles)"),
        min_value=geo.MIN_RADIUS_MILES,
        max_value=geo.MAX_RADIUS_MILES,
        method="joint",
        widget=forms.NumberInput(attrs={"placeholder": geo.DEFAULT_RADIUS_MILES, "step": "any"}),
    )
    virtual = django_filters.ChoiceFilter(
        label=_("Online programs"), choices=VIRTUAL_CHOICES, method="joint", empty_label=None
    )
    # What for
    q = django_filters.CharFilter(label=_("Name or words"), max_length=200, method="filter_text")
    need = RepeatableFilter(
        label=_("Help with"),
        choices=[(slug, gettext_lazy(label)) for slug, label in NEEDS],
        method="filter_need",
        widget=forms.CheckboxSelectMultiple,
    )
    therapy = RepeatableFilter(
        label=_("Kinds of therapy (must offer each one you tick)"),
        method="filter_all_terms",
        widget=forms.CheckboxSelectMultiple,
    )
    step_down_from = RepeatableFilter(
        label=_("Leaving care? Programs that take people coming from"),
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    age = IntegerFilter(label=_("Age"), min_value=0, max_value=120, method="filter_age")
    # When
    days = RepeatableFilter(
        label=_("Days you can attend"),
        choices=WEEKDAYS,
        method="joint",
        widget=forms.CheckboxSelectMultiple,
    )
    time_of_day = django_filters.ChoiceFilter(
        label=_("Time of day"), choices=TIMES_OF_DAY, empty_label=_("Any time"), method="joint"
    )
    free = FreeTimeFilter(
        label=_("When can you attend?"),
        choices=[("", _("Any time")), *[(value, _(label)) for value, label in freetime.PRESETS]],
        method="joint",
        help_text=_("A program qualifies when one of its tracks fits your free time."),
    )
    start_after = TimeFilter(label=_("Sessions start at or after"), method="joint")
    end_before = TimeFilter(label=_("Sessions end by"), method="joint")
    hours_min = FloatFilter(
        label=_("At least this many hours a week"), min_value=0, max_value=60, method="joint"
    )
    hours_max = FloatFilter(
        label=_("At most this many hours a week"), min_value=0, max_value=60, method="joint"
    )
    starts_by = django_filters.DateFilter(
        label=_("Can start by"),
        method="joint",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-12-07.")},
    )
    # Paying
    payment = RepeatableFilter(
        label=_("How you will pay (any of these)"),
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    # Preferences
    population = RepeatableFilter(
        label=_("Groups just for (any of these)"),
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    language = RepeatableFilter(
        label=_("Language (any of these)"),
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    format = RepeatableFilter(
        label=_("In person or online (any of these)"),
        choices=Program.Format.choices,
        method="filter_format",
        widget=forms.CheckboxSelectMultiple,
    )
    accepting = django_filters.ChoiceFilter(
        label=_("Openings"),
        choices=[("1", _("Accepting patients or waitlist"))],
        empty_label=_("Any"),
        method="filter_accepting",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        empty_label=_("Distance (name without a place)"),
        method="joint",
    )

    class Meta:
        model = Program
        fields = []
        form = ProgramSearchForm

    # The form class of each vocabulary: django-filter builds a class and all its fields for
    # every search, and only the vocabulary's choices change them.
    _form_classes = {}

    @classmethod
    def get_filters(cls):
        return FilterCopies(super().get_filters())

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self._counted = {}  # counts already read with other queries (e.g. "unlisted")
        self._conditions_sql = {}  # each condition of the counts compiled once (_count_where)
        self._narrowed_by = {}  # the FilterSet's queryset narrowed by each run of steps
        # Every vocabulary (kept in the process): the slugs to accept, the choices to show.
        self._vocabulary = vocabulary()
        self.term_ids = {(kind, slug): pk for kind, slug, pk, _name in self._vocabulary}

    def get_form_class(self):
        # Once built, the filters of later instances keep no term choices: nothing reads them
        # (chip labels read the form's fields).
        key = (type(self), self._vocabulary)
        form_class = self._form_classes.get(key)
        if form_class is None:
            choices = {kind: [] for kind in TERM_PARAMETERS.values()}
            for kind, slug, _pk, name in self._vocabulary:
                # In the language of the page that shows it, as Term's str.
                choices[kind].append((slug, gettext_lazy(name)))
            for parameter, kind in TERM_PARAMETERS.items():
                filter_ = self.filters[parameter]
                filter_.extra = {**filter_.extra, "choices": choices[kind]}  # this copy's own
            form_class = super().get_form_class()
            form_class.base_fields = SharedFields(form_class.base_fields)
            if len(self._form_classes) >= 4:  # vocabularies of the past
                self._form_classes.clear()
            self._form_classes[key] = form_class
        return form_class

    # Filters applied one by one

    def joint(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_text(self, queryset, name, value):
        return queryset.matching_text(value) if value.strip() else queryset

    def filter_need(self, queryset, name, value):
        return queryset.treating(value) if value else queryset

    def _term_ids(self, name, slugs):
        kind = TERM_PARAMETERS[name]
        return [self.term_ids[(kind, slug)] for slug in slugs]

    def filter_all_terms(self, queryset, name, value):
        return queryset.with_all_terms(self._term_ids(name, value)) if value else queryset

    def filter_any_term(self, queryset, name, value):
        return queryset.with_any_term(self._term_ids(name, value)) if value else queryset

    def filter_format(self, queryset, name, value):
        return queryset.filter(format__in=value) if value else queryset

    def filter_age(self, queryset, name, value):
        return queryset.for_age(value) if value is not None else queryset

    def filter_accepting(self, queryset, name, value):
        return queryset.accepting() if value == "1" else queryset

    # Filters applied together

    @property
    def place(self):
        """The resolved place to search around, or None."""
        return self.form.place if self.is_bound and self.is_valid() else None

    def filter_queryset(self, queryset):
        # django-filter passes a copy of self.queryset; the search narrows self.queryset
        # itself, so that the unlisted programs' search shares what it built (_search).
        return self._search(self.form.cleaned_data)

    def unlisted(self):
        """How many more programs match every other condition of the search but have not
        listed the facts its schedule or step-down conditions ask about (CONTRACT "Facts not
        listed"), and the parameters of that wider search; None when it asks about neither.

        Counted within the query of `page()` or `conditions()` when they ran first (no round
        trip of its own), else here. The count is None when `conditions()` counted it and ran
        out of time (SEARCH_COUNTS_TIMEOUT_MS): counting it again alone took as long.
        """
        unlisted = self._unlisted_search
        if unlisted is None:
            return None
        queryset, used, asked = unlisted
        count = self._counted["unlisted"] if "unlisted" in self._counted else queryset.count()
        wider = self._parameters()
        for name in [*asked, "page"]:
            wider.pop(name, None)
        return {
            "count": count,
            "facts": [fact for fact in UNLISTED_FACTS if fact in used],
            "parameters": wider,
        }

    @cached_property
    def _unlisted_search(self):
        """The programs `unlisted` counts, the facts and the parameters asked about; None when
        the search asks about no fact that listings may leave out. Built once: the page, the
        conditions and `unlisted` each read it."""
        data = self.form.cleaned_data
        used = {
            fact
            for fact, parameters in UNLISTED_FACTS.items()
            if any(data.get(name) not in (None, "", []) for name in parameters)
        }
        if not used:
            return None
        asked = {name for fact in used for name in UNLISTED_FACTS[fact]}
        others = {name: value for name, value in data.items() if name not in asked}
        today = timezone.localdate()

        def unlisted(queryset):
            # Counted: programs that meet the search's other conditions, and for each fact it
            # asks about either have not listed it or meet its conditions, and have not listed
            # one.
            programs = self.queryset.model.objects
            listed = {fact: programs.fact_listed(fact, today=today) for fact in used}
            # Checked row by row on the place's programs, an EXISTS on the program's tracks or
            # a check of its terms: an IN over every program in the country took PostgreSQL
            # 1-2 s at 100,000 programs, and an EXISTS that joined the program to itself
            # doubled the probes.
            meeting = {fact: self._meeting(fact, data) for fact in used}
            return queryset.filter(*[~listed[fact] | meeting[fact] for fact in used]).filter(
                reduce(or_, [~listed[fact] for fact in used])
            )

        # Compiled once in the process for what it asks and the day (_compiled).
        key = ("unlisted", repr(sorted((name, data.get(name)) for name in asked)), today)
        queryset = self._narrow(self._search(others, ordered=False), key, unlisted)
        return queryset, used, asked

    def _meeting(self, fact, data):
        """The condition a program meets when it matches what the search asks about `fact`."""
        programs = self.queryset.model.objects
        if fact == "step_down":
            return programs.any_term(self._term_ids("step_down_from", data["step_down_from"]))
        return programs.track_matching(
            **self._schedule({name: data.get(name) for name in UNLISTED_FACTS[fact]})
        )

    def conditions(self, count):
        """The conditions in force, as chips a person can remove: label, the parameters of the
        search without it, and, when the search found fewer than FEW_RESULTS (`count`), how
        many more programs its removal would bring back (`more`, at most MOST_MORE_COUNTED:
        `more_at_least` when there are more), and the ways out that apply ("within 50 miles",
        "include virtual programs") with theirs. Counted in one statement, each count a
        subquery over the place's programs."""
        data = self.form.cleaned_data
        chips = []
        for name in CHIP_PARAMETERS:
            value = data.get(name)
            if value in (None, "", []):
                continue
            if name == "q" and not search_words(value):
                continue  # nothing in it is searched for: no condition to remove
            values = value if name in SPLIT_CHIP_PARAMETERS else [value]
            for item in values:
                remaining = {**data}
                if name in SPLIT_CHIP_PARAMETERS:
                    remaining[name] = [v for v in value if v != item]
                else:
                    remaining[name] = None
                chips.append(
                    {
                        "label": self._chip_label(name, item),
                        "data": remaining,
                        "parameters": self._parameters_without(name, item),
                    }
                )
        if count >= FEW_RESULTS or not chips:
            return {"chips": chips, "ways_out": []}
        ways_out = self._ways_out()
        # Every count in one statement: the chips', the ways out's, and `unlisted`'s when the
        # page did not bring it. A chip's count is the search without it, planned as any
        # search is (the place's index first, then each condition's EXISTS until one fails):
        # at 100,000 programs 8-28 ms where checking the same conditions through an EXISTS on
        # the program's own key, within the place, took 32-37 ms.
        counted = chips if len(chips) <= MAX_COUNTED_CHIPS else []
        # Each counted up to one past MOST_MORE_COUNTED more than the search's own results
        # (which a chip's search, and a wider way out's, include).
        at_most = count + MOST_MORE_COUNTED + 1
        queries = {
            f"chip_{i}": self._count_where(self._narrowings(chip["data"]), at_most=at_most)
            for i, chip in enumerate(counted)
        }
        queries.update(
            {
                f"way_{i}": self._count_where(
                    way.pop("steps"),
                    at_most=at_most if way["wider"] else MOST_MORE_COUNTED + 1,
                )
                for i, way in enumerate(ways_out)
            }
        )
        unlisted = self._unlisted_search if "unlisted" not in self._counted else None
        if unlisted is not None:
            queries["unlisted"] = unlisted[0]
        # None when they took too long (a whole country's programs, counted several ways):
        # the chips and ways out stay, without their counts.
        counts = counts_at_once(queries, timeout_ms=settings.SEARCH_COUNTS_TIMEOUT_MS) or {}
        if "unlisted" in queries:
            self._counted["unlisted"] = counts.get("unlisted")  # None: not counted in time
        for i, chip in enumerate(counted):
            if f"chip_{i}" in counts:
                chip.update(self._more(counts[f"chip_{i}"] - count))
        for i, way in enumerate(ways_out):
            wider = way.pop("wider")
            more = counts[f"way_{i}"] - (count if wider else 0) if counts else None
            way.update(self._more(more))
        return {"chips": chips, "ways_out": ways_out}

    @staticmethod
    def _more(more):
        """How many more programs a change brings back, as `conditions` gives it: `more`, at
        most MOST_MORE_COUNTED, and `more_at_least` when there are more than that."""
        if more is not None and more > MOST_MORE_COUNTED:
            return {"more": MOST_MORE_COUNTED, "more_at_least": True}
        return {"more": more, "more_at_least": False}

    def _ways_out(self):
        """Wider searches that may help: a larger circle, virtual programs of the state; each
        with the `steps` (_narrowings) of what counts it and whether it is `wider` than the
        search (its count includes the search's own results) or only what it adds."""
        data, place = self.form.cleaned_data, self.form.place
        if place is None:
            return []
        ways = []
        radius = data.get("radius") or geo.DEFAULT_RADIUS_MILES
        if radius < WIDER_RADIUS_MILES:
            wider = self._narrowings({**data, "radius": WIDER_RADIUS_MILES})
            parameters = self._parameters()
            parameters["radius"] = str(WIDER_RADIUS_MILES)
            parameters.pop("page", None)
            ways.append(
                {
                    "label": gettext("Search within %(miles)s miles")
                    % {"miles": WIDER_RADIUS_MILES},
                    "steps": wider,
                    "wider": True,
                    "parameters": parameters,
                }
            )
        if (data.get("virtual") or "exclude") == "exclude" and place.state:
            # What including them adds: the licensed programs outside the circle (their
            # distance is null).
            virtual = self._narrowings(data, place=False)
            outside = methodcaller("licensed_beyond", place, radius)
            virtual.append((("outside circle", radius, *_place_key(place)), outside))
            parameters = self._parameters()
            parameters["virtual"] = "include"
            parameters.pop("page", None)
            ways.append(
                {
                    "label": gettext("Include virtual programs licensed in %(state)s")
                    % {"state": place.state},
                    "steps": virtual,
                    "wider": False,
                    "parameters": parameters,
                }
            )
        return ways

    def _parameters(self):
        """A mutable copy of the search's parameters (a QueryDict), without the page."""
        parameters = QueryDict(mutable=True)
        for name in self.data:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data[name]
            parameters.setlist(name, values if isinstance(values, list) else [values])
        parameters.pop("page", None)
        return parameters

    def _chip_label(self, name, value):
        field = self.form.fields[name]
        if name in SPLIT_CHIP_PARAMETERS:
            return str(dict(field.choices).get(value, value))
        if name in CHIP_LABELS:
            return CHIP_LABELS[name](value, field)
        choices = getattr(field, "choices", None)
        if isinstance(value, list):
            names = dict(choices or [])
            return gettext(" or ").join(str(names.get(item, item)) for item in value)
        if choices:
            return str(dict(choices).get(value, value))
        return f"{field.label}: {value}"

    def _parameters_without(self, name, value):
        parameters = self._parameters()
        parameters.pop("page", None)
        if name in SPLIT_CHIP_PARAMETERS:
            parameters.setlist(name, [v for v in parameters.getlist(name) if v != value])
        else:
            parameters.pop(name, None)
        return parameters

    def _search(self, data, *, ordered=True):
        """The FilterSet's queryset narrowed by `data` (cleaned parameters)."""
        queryset = self._narrowed(self._narrowings(data))
        if not ordered:
            return queryset
        sort = data.get("sort") or ("distance" if self.form.place else "name")
        if sort == "distance":
            return queryset.order_by_distance()
        if sort == "hours":
            return queryset.order_by_weekly_hours()
        if sort == "verified":
            return queryset.order_by_verified()
        return queryset.order_by("name", "pk")

    def _narrowed(self, steps):
        """The FilterSet's queryset narrowed by each of `steps` (_narrowings) in turn. Each run
        of steps from the first is built once for this filter set: the search of the unlisted
        programs (_unlisted_search) is the search's steps up to its place, since the steps
        about facts that listings may leave out come last."""
        queryset, keys = self.queryset, ()
        for key, narrow in steps:
            keys += (key,)
            if keys not in self._narrowed_by:
                self._narrowed_by[keys] = self._narrow(queryset, key, narrow)
            queryset = self._narrowed_by[keys]
        return queryset

    def _narrow(self, queryset, key, narrow):
        """`queryset` narrowed by one step: by its condition compiled once in the process
        (_compiled) where it has one on the programs' table alone, else as the step narrows."""
        if key[0] == "place":
            return narrow(queryset)  # it annotates the distance, which no WHERE holds
        model = self.queryset.model
        try:
            compiled = self._compiled(key, _narrowing_all(model, narrow))
        except NotOneTable:
            return narrow(queryset)
        return queryset.where_compiled(CompiledCondition(*compiled)) if compiled else queryset

    def _narrowings(self, data, *, place=True):
        """The conditions of the search `data` asks for, one step each: [(key, narrow)], where
        `narrow` takes a queryset and returns it narrowed by that condition. The same condition
        has the same key in every search of this form (a chip's search shares all but one of
        the search's), so that counts compile it once (_count_where). `place=False` leaves
        out the place's condition (the circle, or virtual programs only). The conditions on
        facts that listings may leave out (UNLISTED_FACTS) come last."""
        steps, about_facts = [], []
        for name, value in data.items():
            filter_ = self.filters.get(name)  # page and page_size are not filters
            if filter_ is None or filter_.method == "joint" or value in EMPTY_VALUES:
                continue  # applied below, or nothing to apply
            step = ((name, repr(value)), partial(_filtered, filter_=filter_, value=value))
            (about_facts if name in UNLISTED_PARAMETERS else steps).append(step)
        if place:
            where = self.form.place
            virtual = data.get("virtual") or "exclude"
            if where is not None:
                radius = data.get("radius") or geo.DEFAULT_RADIUS_MILES
                near = methodcaller("near", where, radius, virtual)
                steps.append((("place", radius, virtual, *_place_key(where)), near))
            elif virtual == "only":
                steps.append((("virtual", virtual), methodcaller("virtual_only")))
        # Last, what listings may leave out: without them, the steps are those of the search
        # that counts the unlisted programs (_unlisted_search), which shares their querysets.
        steps += about_facts
        schedule = self._schedule(data)
        if schedule:
            matching = methodcaller("with_track_matching", **schedule)
            steps.append((("schedule", repr(schedule)), matching))
        return steps

    def _count_where(self, steps, *, at_most):
        """How many of this form's programs `steps` (_narrowings) leave, counted up to
        `at_most`: CountWhere, each step's condition compiled once for every count of the
        search (kept by key); CountOf the narrowed queryset if a condition reads another table
        through a join (none of the search's own do: `q` reads providers' names in a
        subquery)."""
        model = self.queryset.model
        try:
            conditions = [self._compiled(("base",), lambda: self.queryset)]
            for key, narrow in steps:
                conditions.append(self._compiled(key, _narrowing_all(model, narrow)))
        except NotOneTable:
            return CountOf(self._narrowed(steps), at_most=at_most)
        return CountWhere(model, conditions, at_most=at_most)

    @cached_property
    def _database(self):
        # Once a search: QuerySet.db asks the database routers every time (10 µs).
        return self.queryset.db

    def _compiled(self, key, build):
        """where_sql of the queryset `build()` returns, kept by `key`: in the process for
        conditions that depend on nothing but the parameter's value and the vocabulary (every
        search asking for Medicaid compiles it once), for this search for those of its place
        and its own queryset (SEARCH_OWN_STEPS); NotOneTable, every time, for a condition that joins
        another table."""
        if key[0] in SEARCH_OWN_STEPS:
            kept = self._conditions_sql
        else:
            kept, key = _conditions_of(self), (self._database, key)
        compiled = kept.get(key, NotCompiled)
        if compiled is NotCompiled:
            try:
                compiled = where_sql(build())
            except NotOneTable:
                compiled = NotOneTable
            kept[key] = compiled
        if compiled is NotOneTable:
            raise NotOneTable(f"{key} joins another table")
        return compiled

    def _schedule(self, data):
        """The conditions of ProgramQuerySet.track_matching that `data` asks for ({}: none)."""
        schedule = {
            name: data.get(name)
            for name in ("start_after", "end_before", "time_of_day", "hours_min", "hours_max")
        }
        if data.get("free"):
            schedule["free"] = data["free"]
        if data.get("days"):
            schedule["days"] = [WEEKDAY_SLUGS.index(slug) for slug in data["days"]]
        if data.get("starts_by"):
            schedule["starts_by"] = data["starts_by"]
            schedule["confirmed_since"] = timezone.localdate() - datetime.timedelta(
                days=settings.AVAILABILITY_FRESH_DAYS
            )
        return {name: value for name, value in schedule.items() if value not in (None, "")}

    def page(self):
        """The requested page of results as listing documents (querysets.ListingDocument), with
        everything a listing shows; EmptyPage past the end.

        One statement, whatever the page: the search ranks matching programs reading only
        narrow columns, the total comes with the same rows (COUNT(*) OVER ()), the count of
        `unlisted` (when the search asks for it) with them or, within a place, beside them even
        when nothing matches; the page's programs come as documents built by the database
        (ProgramQuerySet.ranked_for_listing).
        """
        page_size = self.form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
        number = self.form.cleaned_data.get("page") or 1
        offset = (number - 1) * page_size
        annotations, counts = {"total_count": Window(Count("pk"))}, {}
        unlisted = self._unlisted_search
        if unlisted is not None and self.form.place is not None:
            # Beside the rows, even when none match: within a place the count is cheap.
            counts["unlisted"] = CountOf(unlisted[0])
        elif unlisted is not None:
            # Without a place it reads the whole catalogue (60-75 ms at 100,000 programs): with
            # the rows only, which the database skips when none match, so that a page that
            # finds nothing counts it among its counts, under their time box (conditions).
            annotations["unlisted_count"] = CountOf(unlisted[0])
        documents, ranked, counted = self.qs.ranked_for_listing(
            offset, offset + page_size, counts=counts, vocabulary=self._vocabulary, **annotations
        )
        if not ranked and number > 1:
            raise EmptyPage("That page is past the last page of results.")
        self._counted.update(counted)
        if ranked and "unlisted_count" in annotations:
            self._counted["unlisted"] = ranked[0]["unlisted_count"]
        paginator = Paginator(self.qs, page_size)
        paginator.count = ranked[0]["total_count"] if ranked else 0  # no COUNT query of its own
        return Page(documents, number, paginator)

    def place_suggestions(self):
        """The places an ambiguous `near` may mean, each with the parameters of the same search
        there: [(label, QueryDict)], largest first."""
        choices = []
        for label in self.form.place_suggestions:
            parameters = self._parameters()
            for name in ("lat", "lng", "page"):
                parameters.pop(name, None)
            parameters["near"] = label
            choices.append((label, parameters))
        return choices

    @classmethod
    def known_parameters(cls):
        """Every parameter the search understands (filters, page and page_size)."""
        return set(cls.base_filters) | set(cls._meta.form.base_fields)

    def unknown_parameters(self):
        """Parameters of the request that the search does not know, e.g. `insurance`."""
        return sorted(set(self.data) - self.known_parameters())

    def error_dict(self):
        """Errors by parameter, as the API returns them."""
        return {field: list(messages) for field, messages in self.form.errors.items()}
