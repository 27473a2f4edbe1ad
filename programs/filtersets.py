"""The one parser of search parameters, shared by the results page and the JSON API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, Window

from iopfinder.database import read_snapshot

from . import geo
from .models import WEEKDAY_SLUGS, Program, Term
from .vocabularies import NEEDS

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# More values than any vocabulary has slugs: a person ticking every box stays under it.
MAX_VALUES_PER_PARAMETER = 50

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


class DistinctMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """A repeatable parameter whose repeats count once, with at most MAX_VALUES_PER_PARAMETER
    distinct values (Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS in all).

    `therapy=cbt` sent 330 times used to become 330 SQL conditions and hold a worker for 30 s.
    """

    def to_python(self, value):
        values = list(dict.fromkeys(super().to_python(value)))
        if len(values) > MAX_VALUES_PER_PARAMETER:
            raise ValidationError(
                "Give at most %(limit)s values.",
                code="too_many_values",
                params={"limit": MAX_VALUES_PER_PARAMETER},
            )
        return values


class RepeatableFilter(django_filters.MultipleChoiceFilter):
    """A parameter that may be given several times (`therapy=cbt&therapy=dbt`)."""

    field_class = DistinctMultipleChoiceField


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
    need = RepeatableFilter(
        label="Treats", choices=NEEDS, method="filter_need", widget=forms.CheckboxSelectMultiple
    )
    therapy = RepeatableFilter(
        label="Therapies (all of)", method="filter_all_terms", widget=forms.CheckboxSelectMultiple
    )
    step_down_from = RepeatableFilter(
        label="Accepts step-down from",
        method="filter_any_term",
        widget=forms.CheckboxSelectMultiple,
    )
    age = IntegerFilter(label="Age", min_value=0, max_value=120, method="filter_age")
    # When
    days = RepeatableFilter(
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
    # Paying
    payment = RepeatableFilter(
        label="Payment (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    # Preferences
    population = RepeatableFilter(
        label="Groups for (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    language = RepeatableFilter(
        label="Language (any of)", method="filter_any_term", widget=forms.CheckboxSelectMultiple
    )
    format = RepeatableFilter(
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
        data = self.form.cleaned_data
        for name, value in data.items():
            if name in self.filters:  # page and page_size are not filters
                queryset = self.filters[name].filter(queryset, value)
        schedule = {
            name: data.get(name)
            for name in ("start_after", "end_before", "time_of_day", "hours_min", "hours_max")
        }
        if data.get("days"):
            schedule["days"] = [WEEKDAY_SLUGS.index(slug) for slug in data["days"]]
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
        with read_snapshot():  # a program archived between the two steps must not show
            ranked = list(
                self.qs.annotate(total_count=Window(Count("pk"))).values(*columns)[
                    offset : offset + page_size
                ]
            )
            if not ranked and number > 1:
                raise EmptyPage("That page is past the last page of results.")
            programs = self.queryset.for_listing().in_bulk([row["pk"] for row in ranked])
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
