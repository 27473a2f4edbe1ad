"""A search's conditions compiled once in the process (ProgramFilterSet._compiled): the next
search that asks the same finds what it would have found compiling its own, whatever changed
in between (the vocabulary, the day), and a compiled condition is never read under another
table's alias."""

import datetime

import pytest
from django.utils import timezone

from programs import filtersets
from programs.expressions import CompiledCondition
from programs.filtersets import ProgramFilterSet
from programs.models import Program, State, Term
from programs.querysets import where_sql

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db

EVENING = [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")]


def search(client, **params):
    body = client.get("/api/programs/", params).json()
    return sorted(result["name"] for result in body["results"])


@pytest.fixture
def compiles(monkeypatch, settings):
    """The querysets whose condition was compiled, in order; no search answered from the cache
    of responses."""
    settings.SEARCH_CACHE_SECONDS = 0
    compiled = []
    where_sql = filtersets.where_sql

    def counted(queryset):
        compiled.append(queryset)
        return where_sql(queryset)

    monkeypatch.setattr(filtersets, "where_sql", counted)
    return compiled


def test_a_condition_compiled_for_one_search_serves_the_next(client, compiles):
    ProgramFactory(name="Charlottesville Medicaid", terms={"payment": ["medicaid"]})
    ProgramFactory(name="Charlottesville cash", terms={"payment": ["self-pay"]})
    ProgramFactory(
        name="Boston Medicaid", city="Boston", state=State.objects.get(code="MA"), zip="02139",
        latitude=42.3647, longitude=-71.1042, terms={"payment": ["medicaid"]},
    )  # fmt: skip
    assert search(client, near="22902", payment="medicaid") == ["Charlottesville Medicaid"]
    first = len(compiles)
    assert first >= 1
    assert search(client, near="02139", payment="medicaid") == ["Boston Medicaid"]
    assert len(compiles) == first  # Medicaid was compiled; only the place is new, uncompiled
    assert search(client, near="22902", payment="self-pay") == ["Charlottesville cash"]
    assert len(compiles) == first + 1


def test_a_term_made_again_under_its_slug_is_searched_by_its_new_id(client, compiles):
    ProgramFactory(name="Before", terms={"payment": ["medicaid"]})
    assert search(client, near="22902", payment="medicaid") == ["Before"]
    old = Term.objects.get(kind="payment", slug="medicaid")
    old.delete()
    new = Term.objects.create(kind="payment", slug="medicaid", name="Medicaid")
    assert new.pk != old.pk
    ProgramFactory(name="After").terms.add(new)
    assert search(client, near="22902", payment="medicaid") == ["After"]


@pytest.fixture
def confirmed_a_while_ago(settings, monkeypatch):
    """A program whose evening track starts in 3 days, its openings confirmed as long ago as
    still counts as fresh today; the `starts_by` a week from today; and `next_day()`, which
    moves the clock a day on (that confirmation then too old)."""
    today = timezone.localdate()
    program = ProgramFactory(name="Confirmed a while ago")
    track = track_create(program, "Evening", EVENING)
    track.next_start = today + datetime.timedelta(days=3)
    track.availability_confirmed = today - datetime.timedelta(days=settings.AVAILABILITY_FRESH_DAYS)
    track.save()

    def next_day():
        monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))

    return (today + datetime.timedelta(days=7)).isoformat(), next_day


def test_openings_confirmed_are_fresh_by_each_days_date(client, compiles, confirmed_a_while_ago):
    starts_by, next_day = confirmed_a_while_ago
    assert search(client, near="22902", starts_by=starts_by) == ["Confirmed a while ago"]
    # A day later the same confirmation is too old, and the same search says so.
    next_day()
    assert search(client, near="22902", starts_by=starts_by) == []


def test_the_count_of_unlisted_openings_follows_the_day(client, compiles, confirmed_a_while_ago):
    starts_by, next_day = confirmed_a_while_ago
    body = client.get("/api/programs/", {"near": "22902", "starts_by": starts_by}).json()
    assert [result["name"] for result in body["results"]] == ["Confirmed a while ago"]
    assert body["unlisted"]["count"] == 0
    next_day()
    body = client.get("/api/programs/", {"near": "22902", "starts_by": starts_by}).json()
    assert body["results"] == []
    assert body["unlisted"]["count"] == 1  # its confirmation is too old now: not listed


def _ways_out(params):
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    assert filterset.qs.count() == 0
    return {way["label"]: way["more"] for way in filterset.conditions(count=0)["ways_out"]}


def test_the_ways_out_of_a_search_count_around_its_own_place(compiles, monkeypatch):
    # Even if the place's conditions were kept in the process, their keys name the place.
    monkeypatch.setattr(filtersets, "SEARCH_OWN_STEPS", {"base"})
    for n in range(2):
        ProgramFactory(
            slug=f"va-virtual-{n}", format="virtual", virtual_states=["VA"],
            latitude=37.5407, longitude=-77.4360, terms={"therapy": ["cbt"]},
        )  # fmt: skip  # Richmond: outside 10 miles of either place
    search = {"therapy": ["cbt"], "radius": "10"}
    virginia = _ways_out({**search, "near": "22902"})
    assert virginia["Include virtual programs licensed in VA"] == 2
    washington = _ways_out({**search, "near": "Seattle, WA"})
    assert washington["Include virtual programs licensed in WA"] == 0


def test_a_compiled_condition_is_never_read_under_another_alias(compiles):
    ProgramFactory(name="Medicaid", terms={"payment": ["medicaid"]})
    ProgramFactory(name="Self-pay", terms={"payment": ["self-pay"]})
    filterset = ProgramFilterSet({"payment": ["medicaid"]}, queryset=Program.objects.published())
    assert filterset.is_valid()
    assert [program.name for program in filterset.qs] == ["Medicaid"]
    # As a subquery its table takes another alias, which the compiled SQL does not name: an
    # error, not the outer query's rows compared.
    with pytest.raises(ValueError, match="cannot be relabeled"):
        list(Program.objects.filter(pk__in=filterset.qs.values("pk")))
    # Combined with another search of the table, it keeps its alias, and its meaning.
    either = filterset.qs.order_by() | Program.objects.filter(name="Self-pay")
    assert sorted(program.name for program in either) == ["Medicaid", "Self-pay"]


def test_the_process_keeps_a_bounded_number_of_conditions(client, compiles, monkeypatch):
    monkeypatch.setattr(filtersets, "KEPT_CONDITIONS", 3)
    ProgramFactory(name="Harbor House")
    for word in ["harbor", "house", "hope", "haven", "hill", "harbour"]:
        search(client, near="22902", q=word)
        assert len(filtersets._kept_conditions[1]) <= 3
    assert search(client, near="22902", q="harbor") == ["Harbor House"]


def test_a_compiled_condition_added_as_written_is_what_filter_would_add():
    """`where_compiled` puts a compiled condition into the WHERE without filter()'s lookup
    around it: the same statement, the same programs, and no condition after a slice."""
    ProgramFactory(name="Harbor IOP", min_age=12)
    ProgramFactory(name="River IOP", min_age=18)
    adults = where_sql(Program.objects.filter(min_age__gte=18))
    queryset = Program.objects.published().order_by("name")
    added = queryset.where_compiled(CompiledCondition(*adults))
    filtered = queryset.filter(CompiledCondition(*adults))
    assert str(added.query) == str(filtered.query)
    assert [program.name for program in added] == ["River IOP"]
    assert [program.name for program in queryset] == ["Harbor IOP", "River IOP"]  # unchanged
    with pytest.raises(TypeError):
        queryset.all()[:1].where_compiled(CompiledCondition(*adults))
