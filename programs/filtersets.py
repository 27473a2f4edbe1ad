"""The one parser of search parameters, shared by the results page and the JSON API."""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import geo
from .models import WEEKDAY_SLUGS, Program, Term
from .vocabularies import NEEDS

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

WEEKDAYS = [(slug, slug.capitalize()) for slug in WEEKDAY_SLUGS]
TIMES_OF_DAY = [
    ("morning", "Morning (starts before noon)"),
    ("afternoon", "Afternoon (starts noon to 5 pm)"),
    ("evening", "Evening (starts 5 pm or later)"),
]
VIRTUAL_CHOICES = [
    ("exclude", "In person nearby only"),
    ("include", "Also virtual programs licensed in my state"),
    ("only", "Only virtual programs licensed in my state"),
]
SORT_CHOICES = [
    ("distance", "Distance"),
    ("name", "Name"),
    ("hours", "Hours per week"),
    ("verified", "Recently verified"),
]
# Facts many listings have not given yet, and the parameters that ask about them: a search
# that uses them also says how many programs are left out for not listing them.
UNLISTED_FACTS = {
    "schedule": (
        "days",
        "start_after",
        "end_before",
        "time_of_day",
        "hours_min",
        "hours_max",
        "starts_by",
    ),
    "step_down": ("step_down_from",),
}
TERM_PARAMETERS = {
    "therapy": Term.Kind.THERAPY,
    "payment": Term.Kind.PAYMENT,
    "population": Term.Kind.POPULATION,
    "language": Term.Kind.LANGUAGE,
    "step_down_from": Term.Kind.STEP_DOWN,
}


class ProgramSearchForm(forms.Form):
    """Checks that concern several parameters at once, and resolves the place."""

    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    page_size = forms.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    place = None

    def clean(self):
        cleaned = super().clean()
        near = cleaned.get("near")
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        self.place = None
        if lat is not None or lng is not None:
            if lat is None:
                self.add_error("lat", "Give lat together with lng.")
            elif lng is None:
                self.add_error("lng", "Give lng together with lat.")
            elif near:
                self.add_error("near", "Give either a place or lat and lng, not both.")
            else:
                try:
                    self.place = geo.place_from_point(lat, lng)
                except geo.PlaceError as error:
                    self.add_error("lat", str(error))
        elif near:
            try:
                self.place = geo.place_resolve(near)
            except geo.PlaceError as error:
                self.add_error("near", str(error))

        if cleaned.get("sort") == "distance" and self.place is None and not self.has_error("near"):
            self.add_error("sort", "Sorting by distance needs a place: enter a ZIP code or city.")
        hours_min, hours_max = cleaned.get("hours_min"), cleaned.get("hours_max")
        if hours_min is not None and hours_max is not None and hours_min > hours_max:
            self.add_error("hours_max", "The most hours must not be fewer than the fewest hours.")
        return cleaned


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
        kwargs.setdefault("error_messages", {"invalid": "Enter a time as HH:MM, e.g. 17:30."})
        super().__init__(*args, **kwargs)


class ProgramFilterSet(django_filters.FilterSet):
    """Every search parameter of the contract, parsed once for HTML and JSON alike.

    Place and schedule parameters are applied together in `filter_queryset`: a radius needs
    its place, and one track must meet every schedule condition at once.
    """

    # Where
    near = django_filters.CharFilter(
        label="ZIP code or city, state", max_length=100, method="joint"
    )
    lat = FloatFilter(min_value=-90, max_value=90, method="joint")
    lng = FloatFilter(min_value=-180, max_value=180, method="joint")
    radius = FloatFilter(
        label="Within (miles)",
        min_value=geo.MIN_RADIUS_MILES,
        max_value=geo.MAX_RADIUS_MILES,
        method="joint",
        widget=forms.NumberInput(attrs={"placeholder": geo.DEFAULT_RADIUS_MILES, "step": "any"}),
    )
    virtual = django_filters.ChoiceFilter(
        label="Virtual programs", choices=VIRTUAL_CHOICES, method="joint", empty_label=None
    )
    # What for
    q = django_filters.CharFilter(label="Name or keywords", max_length=200, method="filter_text")
    need = django_filters.MultipleChoiceFilter(
        label="Treats", choices=NEEDS, method="filter_need", widget=forms.CheckboxSelectMultiple
    )
    therapy = django_filters.MultipleChoiceFilter(
        label="Therapies (all of)", method="filter_all_terms", widget=forms.CheckboxSelectMultiple
    )
    step_down_from = django_filters.MultipleChoiceFilter(
        label="Accepts step-down from",
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    age = IntegerFilter(label="Age", min_value=0, max_value=120, method="filter_age")
    # When
    days = django_filters.MultipleChoiceFilter(
        label="Days I can attend",
        choices=WEEKDAYS,
        method="joint",
        widget=forms.CheckboxSelectMultiple,
    )
    time_of_day = django_filters.ChoiceFilter(
        label="Time of day", choices=TIMES_OF_DAY, empty_label="Any time", method="joint"
    )
    start_after = TimeFilter(label="Sessions start at or after", method="joint")
    end_before = TimeFilter(label="Sessions end by", method="joint")
    hours_min = FloatFilter(
        label="At least (hours/week)", min_value=0, max_value=60, method="joint"
    )
    hours_max = FloatFilter(label="At most (hours/week)", min_value=0, max_value=60, method="joint")
    starts_by = django_filters.DateFilter(
        label=_("Can start by"),
        method="joint",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-12-07.")},
    )
    # Paying
    payment = django_filters.MultipleChoiceFilter(
        label="Payment (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    # Preferences
    population = django_filters.MultipleChoiceFilter(
        label="Groups for (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    language = django_filters.MultipleChoiceFilter(
        label="Language (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    format = django_filters.MultipleChoiceFilter(
        label="Format (any of)",
        choices=Program.Format.choices,
        method="filter_format",
        widget=forms.CheckboxSelectMultiple,
    )
    accepting = django_filters.ChoiceFilter(
        label="Openings",
        choices=[("1", "Accepting patients or waitlist")],
        empty_label="Any",
        method="filter_accepting",
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=SORT_CHOICES,
        empty_label="Distance (name without a place)",
        method="joint",
    )

    class Meta:
        model = Program
        fields = []
        form = ProgramSearchForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # One query for every vocabulary: the choices to show and the slugs to accept.
        self.term_ids = {}
        choices = {kind: [] for kind in TERM_PARAMETERS.values()}
        for term in Term.objects.order_by("kind", "position", "name"):
            self.term_ids[(term.kind, term.slug)] = term.pk
            choices[term.kind].append((term.slug, term.name))
        for parameter, kind in TERM_PARAMETERS.items():
            self.filters[parameter].extra["choices"] = choices[kind]

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
        return self._search(queryset, self.form.cleaned_data)

    def unlisted(self):
        """How many more programs match every other condition of the search but have not
        listed the facts its schedule or step-down conditions ask about (CONTRACT "Facts not
        listed"), and the parameters of that wider search; None when it asks about neither.
        """
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
        count = (
            self._search(self.queryset, others, ordered=False)
            .without_listed(schedule="schedule" in used, step_down="step_down" in used)
            .count()
        )
        wider = self.data.copy()
        for name in [*asked, "page"]:
            wider.pop(name, None)
        return {"count": count, "facts": sorted(used), "parameters": wider}

    def _search(self, queryset, data, *, ordered=True):
        for name, value in data.items():
            if name in self.filters:  # page and page_size are not filters
                queryset = self.filters[name].filter(queryset, value)
        schedule = {
            name: data.get(name)
            for name in ("start_after", "end_before", "time_of_day", "hours_min", "hours_max")
        }
        if data.get("days"):
            schedule["days"] = [WEEKDAY_SLUGS.index(slug) for slug in data["days"]]
        if data.get("starts_by"):
            schedule["starts_by"] = data["starts_by"]
            schedule["confirmed_since"] = timezone.localdate() - datetime.timedelta(
                days=settings.AVAILABILITY_FRESH_DAYS
            )
        schedule = {name: value for name, value in schedule.items() if value not in (None, "")}
        if schedule:
            queryset = queryset.with_track_matching(**schedule)

        place = self.form.place
        virtual = data.get("virtual") or "exclude"
        if place is not None:
            radius = data.get("radius") or geo.DEFAULT_RADIUS_MILES
            queryset = queryset.near(place, radius, virtual)
        elif virtual == "only":
            queryset = queryset.virtual_only()

        if not ordered:
            return queryset
        sort = data.get("sort") or ("distance" if place else "name")
        if sort == "distance":
            return queryset.order_by_distance()
        if sort == "hours":
            return queryset.order_by_weekly_hours()
        if sort == "verified":
            return queryset.order_by_verified()
        return queryset.order_by("name", "pk")

    def page(self):
        """The requested page of results, with everything a listing shows; EmptyPage past the end.

        Two steps: the search ranks matching programs reading only narrow columns, and the
        total comes with the same rows (COUNT(*) OVER ()), so filters and distances are
        computed once; then the page's programs are read in full by primary key.
        """
        page_size = self.form.cleaned_data.get("page_size") or DEFAULT_PAGE_SIZE
        number = self.form.cleaned_data.get("page") or 1
        offset = (number - 1) * page_size
        columns = ["pk", "total_count"]
        if "distance_miles" in self.qs.query.annotations:
            columns.append("distance_miles")
        ranked = list(
            self.qs.annotate(total_count=Window(Count("pk"))).values(*columns)[
                offset : offset + page_size
            ]
        )
        if not ranked and number > 1:
            raise EmptyPage("That page is past the last page of results.")
        programs = Program.objects.for_listing().in_bulk([row["pk"] for row in ranked])
        rows = []
        for row in ranked:
            program = programs[row["pk"]]
            program.distance_miles = row.get("distance_miles")
            rows.append(program)
        paginator = Paginator(self.qs, page_size)
        paginator.count = ranked[0]["total_count"] if ranked else 0  # no COUNT query of its own
        return Page(rows, number, paginator)

    def error_dict(self):
        """Errors by parameter, as the API returns them."""
        return {field: list(messages) for field, messages in self.form.errors.items()}
