"""One test per search parameter, on a small hand-made dataset: which programs come back."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from iopfinder.database import RequestTimeBudget
from programs.filtersets import ProgramFilterSet
from programs.models import Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

CHARLOTTESVILLE = (38.0266, -78.4805)  # ZIP 22902's centroid
RICHMOND = (37.5407, -77.4360)  # about 63 miles east
STAUNTON = (38.1496, -79.0717)  # about 33 miles west
SEATTLE = (47.6062, -122.3321)


def search(**params):
    """The names of the programs a search returns, in order."""
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return [program.name for program in filterset.qs]


def errors(**params):
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert not filterset.is_valid()
    return filterset.errors


def at(point, **kwargs):
    return ProgramFactory(latitude=point[0], longitude=point[1], **kwargs)


MORNING_12H = [(day, "09:00", "12:00") for day in ("mon", "tue", "wed", "thu")]
EVENING_9H = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]
WEEKEND_8H = [("sat", "09:00", "13:00"), ("sun", "09:00", "13:00")]
AFTERNOON_9H = [("tue", "13:00", "16:00"), ("thu", "13:00", "16:00"), ("fri", "12:00", "15:00")]


@pytest.fixture
def dataset():
    """Five published programs and one draft, with known facts."""
    at(
        CHARLOTTESVILLE,
        name="A Two Tracks",
        treats_substance_use=True,
        treats_mental_health=True,
        co_occurring=True,
        terms={
            "therapy": ["cbt", "dbt"],
            "payment": ["medicaid"],
            "language": ["en", "es"],
            "population": ["women"],
            "step_down": ["residential"],
        },
        tracks={"Morning": MORNING_12H, "Evening": EVENING_9H},
        min_age=18,
        last_verified=datetime.date(2026, 1, 1),
    )
    at(
        CHARLOTTESVILLE,
        name="B Weekend",
        treats_substance_use=True,
        terms={"therapy": ["cbt"], "payment": ["self-pay"], "language": ["en"]},
        tracks={"Weekend": WEEKEND_8H},
        min_age=13,
        max_age=17,
        availability="waitlist",
        waitlist_weeks=2,
        last_verified=datetime.date(2026, 6, 1),
    )
    at(
        RICHMOND,
        name="C Richmond Hybrid",
        treats_substance_use=False,
        treats_mental_health=True,
        format="hybrid",
        virtual_states=["VA"],
        terms={"therapy": ["dbt"], "payment": ["medicare", "medicaid"], "step_down": ["php"]},
        tracks={"Afternoon": AFTERNOON_9H},
        availability="full",
        description="Dialectical skills for teens and adults.",
        last_verified=None,
    )
    at(
        SEATTLE,
        name="D Seattle Virtual",
        format="virtual",
        virtual_states=["VA", "WA"],
        city="Seattle",
        terms={"payment": ["private-insurance"], "step_down": ["inpatient"]},
        tracks={"Evening": EVENING_9H},
    )
    at(SEATTLE, name="E Seattle In Person", city="Seattle")
    at(CHARLOTTESVILLE, name="Z Draft", status=Program.Status.DRAFT, terms={"therapy": ["cbt"]})


ALL_PUBLISHED = [
    "A Two Tracks",
    "B Weekend",
    "C Richmond Hybrid",
    "D Seattle Virtual",
    "E Seattle In Person",
]


def test_no_parameters_lists_every_published_program_by_name(dataset):
    assert search() == ALL_PUBLISHED


def test_near_a_zip_with_the_default_radius(dataset):
    assert search(near="22902") == ["A Two Tracks", "B Weekend"]


def test_radius_widens_the_search(dataset):
    assert search(near="22902", radius="70") == ["A Two Tracks", "B Weekend", "C Richmond Hybrid"]


def test_near_a_city_with_its_state_code_or_name(dataset):
    assert search(near="Charlottesville, VA") == ["A Two Tracks", "B Weekend"]
    assert search(near="charlottesville, virginia", radius="70")[-1] == "C Richmond Hybrid"


def test_near_lat_lng_and_the_lat_lng_parameters(dataset):
    assert search(near="37.54,-77.44", radius="5") == ["C Richmond Hybrid"]
    assert search(lat="37.54", lng="-77.44", radius="5") == ["C Richmond Hybrid"]


def test_virtual_include_adds_programs_licensed_in_the_state(dataset):
    assert search(near="22902", virtual="include") == [
        "A Two Tracks",
        "B Weekend",
        "C Richmond Hybrid",
        "D Seattle Virtual",
    ]


@pytest.mark.parametrize("radius", ["10", "250", "251", "500"])
def test_virtual_include_within_a_small_or_a_wide_circle(dataset, radius):
    """Up to 250 miles the licensed list is looked up by key, beyond it read in one pass
    (ProgramQuerySet.near): the same programs either way, the licensed ones without a
    distance."""
    filterset = ProgramFilterSet(
        {"near": "22902", "radius": radius, "virtual": "include"},
        queryset=Program.objects.published(),
    )
    assert filterset.is_valid()
    found = {program.name: program.distance_miles for program in filterset.qs}
    assert set(found) == {"A Two Tracks", "B Weekend", "C Richmond Hybrid", "D Seattle Virtual"}
    assert found["D Seattle Virtual"] is None  # licensed in VA, far outside any circle
    assert (found["C Richmond Hybrid"] is None) == (radius == "10")  # licensed; in 63 miles


def test_virtual_only_returns_only_licensed_virtual_and_hybrid_programs(dataset):
    assert search(near="22902", virtual="only") == ["C Richmond Hybrid", "D Seattle Virtual"]
    assert search(near="98101", virtual="only") == ["D Seattle Virtual"]


def test_virtual_exclude_is_the_default(dataset):
    assert search(near="22902", virtual="exclude") == search(near="22902")


def test_q_matches_words_in_name_provider_description_or_city(dataset):
    assert search(q="seattle") == ["D Seattle Virtual", "E Seattle In Person"]
    assert search(q="dialectical teens") == ["C Richmond Hybrid"]
    assert search(q="weekend nowhere") == []


def test_need_requires_all_given_needs(dataset):
    assert search(need=["mental-health"]) == ["A Two Tracks", "C Richmond Hybrid"]
    assert search(need=["mental-health", "substance-use"]) == ["A Two Tracks"]
    assert search(need=["co-occurring"]) == ["A Two Tracks"]


def test_therapy_requires_all_given_therapies(dataset):
    assert search(therapy=["cbt"]) == ["A Two Tracks", "B Weekend"]
    assert search(therapy=["cbt", "dbt"]) == ["A Two Tracks"]


def test_payment_accepts_any_given_option(dataset):
    assert search(payment=["medicare"]) == ["C Richmond Hybrid"]
    assert search(payment=["medicare", "self-pay"]) == ["B Weekend", "C Richmond Hybrid"]


def test_population_accepts_any(dataset):
    assert search(population=["women", "veterans"]) == ["A Two Tracks"]


def test_language_accepts_any(dataset):
    assert search(language=["es"]) == ["A Two Tracks"]
    assert search(language=["es", "en"]) == ["A Two Tracks", "B Weekend"]


def test_format_accepts_any(dataset):
    assert search(format=["virtual", "hybrid"]) == ["C Richmond Hybrid", "D Seattle Virtual"]


def test_step_down_from_accepts_any(dataset):
    assert search(step_down_from=["residential", "php"]) == ["A Two Tracks", "C Richmond Hybrid"]


def test_age_within_the_programs_range(dataset):
    assert "B Weekend" in search(age="15")
    assert "A Two Tracks" not in search(age="15")
    assert "B Weekend" not in search(age="18")
    assert search(age="18")[0] == "A Two Tracks"


def test_accepting_leaves_out_full_programs(dataset):
    assert "C Richmond Hybrid" not in search(accepting="1")
    assert "B Weekend" in search(accepting="1")  # a waitlist still accepts


def test_days_needs_a_track_entirely_on_those_days(dataset):
    assert search(days=["sat", "sun"]) == ["B Weekend"]
    assert search(days=["mon", "tue", "thu"]) == ["A Two Tracks", "D Seattle Virtual"]
    assert search(days=["mon", "tue"]) == []


def test_start_after(dataset):
    assert search(start_after="17:00") == ["A Two Tracks", "D Seattle Virtual"]
    assert search(start_after="12:00") == ["A Two Tracks", "C Richmond Hybrid", "D Seattle Virtual"]


def test_end_before(dataset):
    assert search(end_before="13:00") == ["A Two Tracks", "B Weekend"]
    assert search(end_before="12:59") == ["A Two Tracks"]


def test_time_of_day(dataset):
    assert search(time_of_day="morning") == ["A Two Tracks", "B Weekend"]
    assert search(time_of_day="afternoon") == ["C Richmond Hybrid"]
    assert search(time_of_day="evening") == ["A Two Tracks", "D Seattle Virtual"]


def test_hours_min_and_max(dataset):
    assert search(hours_min="10") == ["A Two Tracks"]
    assert search(hours_max="8.5") == ["B Weekend"]
    assert search(hours_min="9", hours_max="9") == [
        "A Two Tracks",
        "C Richmond Hybrid",
        "D Seattle Virtual",
    ]


def test_one_track_must_meet_every_schedule_condition(dataset):
    # A's morning track has 12 h, its evening track 9 h: neither is an evening track of 12 h.
    assert search(time_of_day="evening", hours_min="12") == []
    assert search(time_of_day="morning", hours_min="12") == ["A Two Tracks"]
    assert search(days=["mon", "tue", "thu"], start_after="18:00", hours_max="9") == [
        "A Two Tracks",
        "D Seattle Virtual",
    ]


def test_sort_by_distance_is_the_default_with_a_place(dataset):
    assert search(near="37.54,-77.44", radius="100") == [
        "C Richmond Hybrid",
        "A Two Tracks",
        "B Weekend",
    ]


def test_sort_by_name_hours_and_verified(dataset):
    assert search(near="22902", radius="100", sort="name") == [
        "A Two Tracks",
        "B Weekend",
        "C Richmond Hybrid",
    ]
    # By the lightest track: B 8 h, then 9 h (A's evening, C, D) by name; E has no tracks.
    assert search(sort="hours") == [
        "B Weekend",
        "A Two Tracks",
        "C Richmond Hybrid",
        "D Seattle Virtual",
        "E Seattle In Person",
    ]
    assert search(sort="verified")[:2] == ["D Seattle Virtual", "E Seattle In Person"]
    assert search(sort="verified")[-1] == "C Richmond Hybrid"  # never verified: last


def test_drafts_and_archived_programs_never_come_back(dataset):
    assert "Z Draft" not in search(therapy=["cbt"])
    assert "Z Draft" not in search(near="22902")


@pytest.mark.parametrize(
    "params,field",
    [
        ({"near": "Atlantis"}, "near"),
        ({"near": "Springfield"}, "near"),
        ({"near": "00000"}, "near"),
        ({"near": "Nowhere, VA"}, "near"),
        ({"near": "Charlottesville, XX"}, "near"),
        ({"near": "91,0"}, "near"),
        ({"lat": "38"}, "lng"),
        ({"lat": "abc", "lng": "1"}, "lat"),
        ({"lat": "nan", "lng": "1"}, "lat"),
        ({"near": "22902", "radius": "0"}, "radius"),
        ({"near": "22902", "radius": "501"}, "radius"),
        ({"near": "22902", "radius": "inf"}, "radius"),
        ({"virtual": "sometimes"}, "virtual"),
        ({"need": ["everything"]}, "need"),
        ({"therapy": ["cbt", "astrology"]}, "therapy"),
        ({"payment": ["bitcoin"]}, "payment"),
        ({"population": ["martians"]}, "population"),
        ({"language": ["xx"]}, "language"),
        ({"format": ["telepathy"]}, "format"),
        ({"step_down_from": ["jail"]}, "step_down_from"),
        ({"age": "121"}, "age"),
        ({"age": "-1"}, "age"),
        ({"age": "12.5"}, "age"),
        ({"accepting": "yes"}, "accepting"),
        ({"days": ["funday"]}, "days"),
        ({"start_after": "25:00"}, "start_after"),
        ({"end_before": "6pm"}, "end_before"),
        ({"time_of_day": "night"}, "time_of_day"),
        ({"hours_min": "61"}, "hours_min"),
        ({"hours_max": "-1"}, "hours_max"),
        ({"hours_min": "12", "hours_max": "9"}, "hours_max"),
        ({"sort": "random"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_bad_values_are_errors_on_their_parameter(params, field):
    assert field in errors(**params)


# free: the hours a person is free


def _free_search(*values):
    return ProgramFilterSet({"free": list(values)}, queryset=Program.objects.all())


def slugs(filterset):
    assert filterset.is_valid(), filterset.errors
    return sorted(program.slug for program in filterset.qs)


def test_free_time_finds_the_track_a_nine_to_five_worker_can_attend():
    ProgramFactory(
        slug="evenings-and-saturday",
        tracks={
            "Evening": [
                ("mon", "18:00", "21:00"),
                ("wed", "18:00", "21:00"),
                ("sat", "09:00", "12:00"),
            ]
        },
    )
    ProgramFactory(slug="days", tracks={"Day": [("tue", "10:00", "13:00")]})
    ProgramFactory(slug="late-evening", tracks={"Late": [("thu", "20:00", "23:00")]})
    ProgramFactory(slug="no-schedule")
    # "Evening" wants every session to start at 17:00 or later: the Saturday morning fails it.
    evening = ProgramFilterSet({"time_of_day": "evening"}, queryset=Program.objects.all())
    assert slugs(evening) == ["late-evening"]
    weekday_evenings_and_weekends = _free_search("mon-fri@17:00-23:59;sat-sun")
    assert slugs(weekday_evenings_and_weekends) == ["evenings-and-saturday", "late-evening"]
    assert slugs(_free_search("mon-fri@17:00-22:00", "sat@08:00-12:00")) == [
        "evenings-and-saturday"
    ]
    assert slugs(_free_search("tue,thu@08:00-23:30")) == ["days", "late-evening"]
    assert slugs(_free_search("sat-mon")) == []  # wraps the week: sat, sun, mon


def test_free_time_and_hours_are_met_by_one_track():
    ProgramFactory(
        slug="two-tracks",
        tracks={
            "Morning": [(day, "09:00", "13:00") for day in ["mon", "tue", "wed"]],  # 12 h
            "Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")],  # 6 h
        },
    )
    search = ProgramFilterSet(
        {"free": ["mon-fri@17:00-22:00"], "hours_min": "9"}, queryset=Program.objects.all()
    )
    assert slugs(search) == []


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("funday", "invalid_day"),
        ("mon@25:00-26:00", "invalid_time"),
        ("mon@12:00-11:00", "free_time_order"),
        ("mon-fri at 5", "invalid_free_time"),
        ("mon-", "invalid_day"),
    ],
)
def test_bad_free_time_is_an_error_with_a_code(value, code):
    search = _free_search(value)
    assert not search.is_valid()
    assert [error.code for error in search.form.errors.as_data()["free"]] == [code]


def test_a_search_that_finds_nothing_still_counts_the_unlisted_in_its_one_statement(
    client, settings
):
    settings.SEARCH_CACHE_SECONDS = 0
    ProgramFactory(slug="morning", tracks={"Morning": [("mon", "09:00", "12:00")]})
    ProgramFactory(slug="unlisted-1")
    ProgramFactory(slug="unlisted-2")
    with CaptureQueriesContext(connection) as statements:
        body = client.get("/api/programs/", {"near": "22902", "time_of_day": "evening"}).json()
    assert body["count"] == 0 and body["results"] == []
    assert body["unlisted"]["count"] == 2
    # One statement reads the programs (besides, in a test's transaction, the vocabulary).
    assert len([q for q in statements if "programs_program" in q["sql"]]) == 1


def test_free_time_is_a_schedule_fact_programs_may_not_have_listed(client):
    ProgramFactory(slug="evening", tracks={"Evening": [("mon", "18:00", "21:00")]})
    ProgramFactory(slug="unlisted")
    body = client.get("/api/programs/", {"near": "22902", "free": "mon-fri@17:00-22:00"}).json()
    assert [p["slug"] for p in body["results"]] == ["evening"]
    assert body["unlisted"]["count"] == 1


# No dead ends: the conditions in force, and what removing each brings back


def slow_ways_out(monkeypatch):
    """Each way out's count made to take 200 ms in the database (a stand-in for a whole
    country's programs counted several ways)."""
    ways_out = ProgramFilterSet._ways_out

    def sleep(queryset):
        return queryset.extra(where=["(SELECT pg_sleep(0.2)) IS NOT NULL"])

    def slow(self):
        ways = ways_out(self)
        for way in ways:
            way["steps"] = [*way["steps"], (("sleep",), sleep)]
        return ways

    monkeypatch.setattr(ProgramFilterSet, "_ways_out", slow)


def show_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def assert_slow_counts_are_left_out(client, settings, monkeypatch):
    settings.SEARCH_CACHE_SECONDS = 0
    settings.SEARCH_COUNTS_TIMEOUT_MS = 50
    at(CHARLOTTESVILLE, slug="cbt", terms={"therapy": ["cbt"]})
    at(CHARLOTTESVILLE, slug="no-schedule", terms={"therapy": ["cbt", "dbt"]})
    slow_ways_out(monkeypatch)
    usual = show_statement_timeout()
    params = {"near": "22902", "therapy": ["cbt", "dbt"], "time_of_day": "evening"}
    with CaptureQueriesContext(connection) as statements:
        response = client.get("/programs/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search within 50 miles" in html and "Dialectical behavior therapy" in html
    assert "more" not in html.split('class="conditions"')[1].split("</div>")[0]  # no counts
    # Programs that have not listed their schedule are still a way out, with their number:
    # counted in the page's own statement (even when it finds nothing), not among the counts
    # that ran out of time, and not counted again alone.
    assert "1 more program nearby has not listed its schedule: call them to ask" in html
    assert not [q["sql"] for q in statements if '"__count"' in q["sql"]]  # no count of its own
    assert show_statement_timeout() == usual  # the counts' own timeout did not stay behind

    settings.SEARCH_COUNTS_TIMEOUT_MS = 1000
    monkeypatch.undo()
    html = client.get("/programs/", params).content.decode()
    assert "without it: 1 more" in html  # dbt: cbt comes back
    assert show_statement_timeout() == usual  # put back by the statement that counted


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statement timeout"
)


@postgresql_only
def test_counts_that_take_too_long_are_left_out_and_the_page_still_answers(
    client, settings, monkeypatch
):
    """Inside a transaction (this test's): a savepoint keeps the cancelled count from
    aborting it."""
    assert_slow_counts_are_left_out(client, settings, monkeypatch)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("budget_slack_ms", [RequestTimeBudget.SLACK_MS, 0])
def test_counts_keep_their_time_box_as_a_request_runs_and_past_the_budget_slack(
    client, settings, monkeypatch, reference_data, budget_slack_ms
):
    """As requests run, outside a transaction; and once the request's budget lowers every
    statement's timeout to what it has left (RequestTimeBudget, past its slack), which must
    not raise the counts' shorter one."""
    monkeypatch.setattr(RequestTimeBudget, "SLACK_MS", budget_slack_ms)
    assert_slow_counts_are_left_out(client, settings, monkeypatch)


def test_each_condition_says_how_many_programs_its_removal_brings_back(
    django_assert_max_num_queries,
):
    at(CHARLOTTESVILLE, slug="dbt-medicaid", terms={"therapy": ["dbt"], "payment": ["medicaid"]})
    at(CHARLOTTESVILLE, slug="cbt-medicaid", terms={"therapy": ["cbt"], "payment": ["medicaid"]})
    at(
        CHARLOTTESVILLE,
        slug="cbt-dbt-private",
        terms={"therapy": ["cbt", "dbt"], "payment": ["private-insurance"]},
    )
    at(
        RICHMOND,
        slug="richmond-cbt-dbt-medicaid",
        terms={"therapy": ["cbt", "dbt"], "payment": ["medicaid"]},
    )
    at(SEATTLE, slug="seattle", terms={"therapy": ["cbt", "dbt"], "payment": ["medicaid"]})
    filterset = ProgramFilterSet(
        {"near": "22902", "therapy": ["cbt", "dbt"], "payment": ["medicaid"]},
        queryset=Program.objects.published(),
    )
    assert filterset.is_valid() and filterset.qs.count() == 0
    # One statement for every count (and on PostgreSQL one giving it its time box, and the
    # savepoints that keep this test's transaction whole if it runs out).
    with django_assert_max_num_queries(4 if connection.vendor == "postgresql" else 1):
        conditions = filterset.conditions(count=0)
    chips = {chip["label"]: chip["more"] for chip in conditions["chips"]}
    assert chips == {
        "Cognitive behavioral therapy (CBT)": 1,  # dbt-medicaid
        "Dialectical behavior therapy (DBT)": 1,  # cbt-medicaid
        "Medicaid": 1,  # cbt-dbt-private
    }
    ways = {way["label"]: way["more"] for way in conditions["ways_out"]}
    assert ways == {
        "Search within 50 miles": 0,
        "Include virtual programs licensed in VA": 0,
    }
    without_dbt = next(c for c in conditions["chips"] if "DBT" in c["label"])["parameters"]
    assert without_dbt.getlist("therapy") == ["cbt"] and without_dbt["near"] == "22902"
    wider = ProgramFilterSet(
        {"near": "22902", "radius": "100", "therapy": ["cbt", "dbt"], "payment": ["medicaid"]},
        queryset=Program.objects.published(),
    )
    assert [p.slug for p in wider.qs] == ["richmond-cbt-dbt-medicaid"]


def test_counts_stop_past_the_most_worth_saying(client, monkeypatch):
    """Past MOST_MORE_COUNTED more programs a chip or a way out says "over N more": the
    database stops counting there."""
    monkeypatch.setattr("programs.filtersets.MOST_MORE_COUNTED", 2)
    for n in range(4):
        at(CHARLOTTESVILLE, slug=f"cbt-{n}", terms={"therapy": ["cbt"]})
    at(CHARLOTTESVILLE, slug="dbt", terms={"therapy": ["dbt"]})
    for n in range(3):
        at(STAUNTON, slug=f"staunton-{n}", terms={"therapy": ["cbt"], "payment": ["medicaid"]})
    search = {"near": "22902", "therapy": ["cbt"], "payment": ["medicaid"]}
    filterset = ProgramFilterSet(search, queryset=Program.objects.published())
    assert filterset.is_valid() and filterset.qs.count() == 0
    conditions = filterset.conditions(count=0)
    chips = {c["label"]: (c["more"], c["more_at_least"]) for c in conditions["chips"]}
    assert chips == {
        "Cognitive behavioral therapy (CBT)": (0, False),  # dbt has no Medicaid either
        "Medicaid": (2, True),  # the four cbt programs
    }
    ways = {w["label"]: (w["more"], w["more_at_least"]) for w in conditions["ways_out"]}
    assert ways["Search within 50 miles"] == (2, True)  # the three in Staunton
    page = client.get("/programs/", search).content.decode()
    assert "without it: over 2 more" in page and "without it: no more" in page
    assert "Search within 50 miles</a>: over 2 more" in page
    monkeypatch.setattr("programs.filtersets.MOST_MORE_COUNTED", 3)
    conditions = ProgramFilterSet(search, queryset=Program.objects.published())
    assert conditions.is_valid()
    ways = {w["label"]: w["more"] for w in conditions.conditions(count=0)["ways_out"]}
    assert ways["Search within 50 miles"] == 3  # exactly three: counted, not "over"


@pytest.mark.parametrize(
    "params",
    [
        {"near": "22902", "therapy": ["cbt", "dbt"], "payment": "self-pay"},
        {"near": "22902", "radius": "10", "days": "sat", "need": "mental-health"},
        {"near": "22902", "time_of_day": "evening", "step_down_from": "php", "accepting": "1"},
        {"near": "22902", "q": "skills teens", "format": "hybrid", "age": "15"},
        {"near": "22902", "q": "zz", "language": "es"},  # a word too short for trigrams
        {"near": "22902", "virtual": "only", "therapy": "dbt", "hours_min": "10"},
        {
            "near": "Seattle, WA",
            "radius": "5",
            "free": "mon-fri@17:00-23:59;sat-sun",
            "population": "women",
        },
        {"therapy": ["cbt", "dbt"], "payment": "medicare", "virtual": "only"},
        {"start_after": "17:00", "end_before": "20:00", "language": "es"},
    ],
)
def test_each_number_a_chip_or_a_way_out_shows_is_what_its_link_brings_back(dataset, params):
    """Each count of a search with few results, compiled condition by condition, agrees with
    the search its link runs: that search's results less this one's (for a way out that adds
    programs, what it adds)."""

    def total(parameters):
        filterset = ProgramFilterSet(parameters, queryset=Program.objects.published())
        assert filterset.is_valid(), filterset.errors
        return filterset.qs.count()

    filterset = ProgramFilterSet(
        QueryDict(urlencode(params, doseq=True)), queryset=Program.objects.published()
    )
    assert filterset.is_valid(), filterset.errors
    count = filterset.qs.count()
    assert count < 5  # few results: the counts are shown
    conditions = filterset.conditions(count=count)
    assert conditions["chips"]
    for item in [*conditions["chips"], *conditions["ways_out"]]:
        assert item["more_at_least"] is False
        assert item["more"] == total(item["parameters"]) - count, item["label"]


def test_a_search_leaves_the_shared_filters_and_fields_as_they_were(dataset, client):
    """Each search copies the FilterSet's filters and its form's fields shallowly
    (FilterCopies, SharedFields): what a search sets on its copies stays on them."""
    base = ProgramFilterSet.base_filters
    choices = {
        name: list(field.choices)
        for name, field in ProgramFilterSet(
            {}, queryset=Program.objects.published()
        ).form.fields.items()
        if hasattr(field, "choices")
    }
    for params in [{"near": "22902", "therapy": ["cbt"]}, {"payment": ["medicaid"], "q": "x"}]:
        filterset = ProgramFilterSet(params, queryset=Program.objects.published())
        assert filterset.is_valid()
        list(filterset.qs)
        assert all(filterset.filters[name] is not base[name] for name in base)
        assert all(filterset.filters[name].parent is filterset for name in base)
    for name, filter_ in base.items():
        assert not hasattr(filter_, "parent") and not hasattr(filter_, "_field"), name
        assert "choices" not in filter_.extra or name not in ("therapy", "payment"), name
    fresh = ProgramFilterSet({}, queryset=Program.objects.published()).form.fields
    assert {name: list(fresh[name].choices) for name in choices} == choices
    # What a person sees: the shared labels stay in the language of each page that shows them.
    for path, label in [
        ("/es/programs/", "Terapia cognitivo-conductual (TCC)"),
        ("/programs/", "Cognitive behavioral therapy (CBT)"),
        ("/es/programs/", "Terapia cognitivo-conductual (TCC)"),
    ]:
        assert label in client.get(path, {"therapy": "cbt"}).content.decode()


def test_chips_without_counts_when_there_are_enough_results():
    for n in range(6):
        at(CHARLOTTESVILLE, slug=f"p{n}", terms={"payment": ["medicaid"]})
    filterset = ProgramFilterSet(
        {"near": "22902", "payment": ["medicaid"]}, queryset=Program.objects.published()
    )
    assert filterset.is_valid()
    conditions = filterset.conditions(count=6)
    assert [chip["label"] for chip in conditions["chips"]] == ["Medicaid"]
    assert "more" not in conditions["chips"][0] and conditions["ways_out"] == []


def test_free_time_in_two_windows_on_one_day_reads_the_sessions_of_a_span_across_them():
    """A Monday span from 09:00 to 20:00 lies in no one window of `mon@08:00-12:00` and
    `mon@17:00-21:00`: the track fits when each session lies in one of them, not when one
    lies between them. Windows that together run from midnight to midnight, with a gap, are no
    whole free day."""
    ProgramFactory(
        slug="both", tracks={"T": [("mon", "09:00", "11:00"), ("mon", "18:00", "20:00")]}
    )
    ProgramFactory(slug="gap", tracks={"T": [("mon", "09:00", "11:00"), ("mon", "13:00", "20:00")]})
    ProgramFactory(
        slug="morning", tracks={"T": [("mon", "09:00", "11:00"), ("wed", "09:00", "11:00")]}
    )
    ProgramFactory(slug="noon", tracks={"T": [("mon", "12:00", "14:00")]})
    two_windows = ("mon,wed@08:00-12:00", "mon@17:00-21:00")
    assert slugs(_free_search(*two_windows)) == ["both", "morning"]
    assert slugs(_free_search("mon,wed@00:00-11:30", "mon@18:30-23:59")) == ["morning"]
    assert slugs(_free_search("mon@00:00-12:00", "mon@12:00-23:59")) == ["both", "gap", "noon"]
    assert slugs(_free_search("mon@00:00-10:00", "mon@12:00-23:59")) == ["noon"]
    assert slugs(_free_search("mon@00:00-13:00", "mon@11:00-23:59", "wed")) == [
        "both", "gap", "morning", "noon"
    ]  # fmt: skip
