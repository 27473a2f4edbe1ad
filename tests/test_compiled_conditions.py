"""A search's conditions compiled once in the process (ProgramFilterSet._compiled): the next
search that asks the same finds what it would have found compiling its own, whatever changed
in between (the vocabulary, the day), and a compiled condition is never read under another
table's alias."""

import datetime

import pytest
from django.utils import timezone

from programs import filtersets
from programs.filtersets import ProgramFilterSet
from programs.models import Program, State, Term

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
    monkeypatch.setattr(filtersets, "_kept_conditions", (None, {}))
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


def test_openings_confirmed_are_fresh_by_each_days_date(client, compiles, monkeypatch, settings):
    today = timezone.localdate()
    program = ProgramFactory(name="Confirmed a while ago")
    track = track_create(program, "Evening", EVENING)
    track.next_start = today + datetime.timedelta(days=3)
    track.availability_confirmed = today - datetime.timedelta(days=settings.AVAILABILITY_FRESH_DAYS)
    track.save()
    starts_by = (today + datetime.timedelta(days=7)).isoformat()
    assert search(client, near="22902", starts_by=starts_by) == ["Confirmed a while ago"]
    # A day later the same confirmation is too old, and the same search says so.
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + datetime.timedelta(days=1))
    assert search(client, near="22902", starts_by=starts_by) == []


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
