"""PostgreSQL keeps each program's terms also as one array (`programs_program.term_ids`,
migration 0009, kept by triggers) and searches terms through it (expressions.TermSet): the
array agrees with programs_program_terms however terms are written, and search with it agrees
with search through the terms table."""

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Exists, OuterRef

from programs import services
from programs.filtersets import ProgramFilterSet
from programs.models import Program, Provider, Term

from .concurrency import started_elsewhere, transaction_held_open
from .factories import ProgramFactory
from .test_samhsa_directory import HARBOR, RIVER, write_workbook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's term sets"),
]

Through = Program.terms.through


def term(kind, slug):
    return Term.objects.get(kind=kind, slug=slug)


def assert_sets_agree():
    stored = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, term_ids FROM programs_program")
        stored = {pk: list(ids) for pk, ids in cursor.fetchall()}
    expected = {pk: [] for pk in stored}
    for program_id, term_id in Through.objects.order_by("term_id").values_list(
        "program_id", "term_id"
    ):
        expected[program_id].append(term_id)
    assert stored == expected


def found(**params):
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


def found_through_the_table(kind, slugs, every):
    """The same search written with EXISTS on programs_program_terms."""
    queryset = Program.objects.published()
    ids = list(Term.objects.filter(kind=kind, slug__in=slugs).values_list("pk", flat=True))
    if every:
        for term_id in ids:
            queryset = queryset.filter(
                Exists(Through.objects.filter(program_id=OuterRef("pk"), term_id=term_id))
            )
    else:
        queryset = queryset.filter(
            Exists(Through.objects.filter(program_id=OuterRef("pk"), term_id__in=ids))
        )
    return set(queryset.values_list("slug", flat=True))


SEARCHES = [  # (parameter, kind, slugs, every one of them)
    ("therapy", "therapy", ["cbt"], True),
    ("therapy", "therapy", ["cbt", "dbt"], True),
    ("payment", "payment", ["medicaid", "self-pay"], False),
    ("language", "language", ["es", "vi"], False),
    ("step_down_from", "step_down", ["residential", "php"], False),
]


def assert_search_agrees():
    for parameter, kind, slugs, every in SEARCHES:
        assert found(**{parameter: slugs}) == found_through_the_table(kind, slugs, every), slugs


def test_terms_added_removed_set_and_cleared_keep_the_set_true():
    program = ProgramFactory(slug="harbor", terms={"therapy": ["cbt"]})
    ProgramFactory(slug="river")
    assert_sets_agree()
    program.terms.add(term("therapy", "dbt"), term("payment", "medicaid"))
    assert_sets_agree()
    assert found(therapy=["cbt", "dbt"]) == {"harbor"}
    program.terms.remove(term("therapy", "cbt"))
    assert_sets_agree()
    assert found(therapy=["cbt"]) == set()
    program.terms.set([term("payment", "self-pay")])
    assert_sets_agree()
    assert found(payment=["medicaid", "self-pay"]) == {"harbor"}
    program.terms.clear()
    assert_sets_agree()
    assert found(payment=["self-pay"]) == set()


def test_bulk_and_raw_writes_and_a_deleted_term_keep_the_set_true():
    harbor, river = ProgramFactory(slug="harbor"), ProgramFactory(slug="river")
    cbt, dbt = term("therapy", "cbt"), term("therapy", "dbt")
    Through.objects.bulk_create(
        [Through(program=harbor, term=cbt), Through(program=river, term=cbt),
         Through(program=river, term=dbt)]
    )  # fmt: skip
    assert_sets_agree()
    assert found(therapy=["cbt", "dbt"]) == {"river"}
    Through.objects.filter(program=river, term=dbt).update(program=harbor)  # moved
    assert_sets_agree()
    assert found(therapy=["cbt", "dbt"]) == {"harbor"}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs_program_terms (program_id, term_id) VALUES (%s, %s)",
            [river.pk, dbt.pk],
        )
    assert_sets_agree()
    dbt.delete()  # its rows go with it
    assert_sets_agree()
    assert found(therapy=["cbt"]) == {"harbor", "river"}


def test_the_demo_seeder_and_imports_keep_the_set_true_and_search_agrees(tmp_path):
    services.demo_programs_seed(count=60, seed=7)
    assert_sets_agree()
    assert_search_agrees()
    rng = random.Random(7)
    programs = list(Program.objects.order_by("pk"))
    terms = list(Term.objects.all())
    for program in rng.sample(programs, 15):
        program.terms.set(rng.sample(terms, 6))
    assert_sets_agree()
    assert_search_agrees()

    workbook = write_workbook(tmp_path / "directory-2023.xlsx", [HARBOR, RIVER])
    call_command(
        "import_programs", str(workbook), "--format", "samhsa-directory", "--status",
        "published", stdout=StringIO(),
    )  # fmt: skip
    assert_sets_agree()
    assert_search_agrees()
    services.demo_programs_delete()
    assert_sets_agree()


def test_a_term_condition_inside_a_subquery_follows_its_alias():
    """Under a query of providers, a condition left on "programs_program" would not compile."""
    both = Provider.objects.create(name="Both")
    one = Provider.objects.create(name="One")
    ProgramFactory(slug="harbor", provider=both, terms={"therapy": ["cbt", "dbt"]})
    ProgramFactory(slug="river", provider=one, terms={"therapy": ["cbt"]})
    ids = [term("therapy", "cbt").pk, term("therapy", "dbt").pk]
    every = Provider.objects.filter(
        Exists(Program.objects.filter(provider=OuterRef("pk")).with_all_terms(ids))
    )
    assert list(every.values_list("name", flat=True)) == ["Both"]
    assert "U0.term_ids" in str(every.query)
    some = Provider.objects.filter(pk__in=Program.objects.with_any_term(ids[1:]).values("provider"))
    assert list(some.values_list("name", flat=True)) == ["Both"]


@pytest.mark.django_db(transaction=True)
def test_truncating_the_terms_table_empties_every_set(reference_data):
    ProgramFactory(slug="harbor", terms={"therapy": ["cbt"]})
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE programs_program_terms")
    assert_sets_agree()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_terms_to_one_program_at_once_keep_both(reference_data):
    """The refresh locks the program first: the second waits and counts the first's row."""
    program = ProgramFactory(slug="harbor")
    cbt, dbt = term("therapy", "cbt"), term("therapy", "dbt")
    with transaction_held_open(lambda: program.terms.add(cbt)):
        second = started_elsewhere(lambda: program.terms.add(dbt))
        second.join(0.5)
        assert second.is_alive()  # blocked on the first's lock
    second.join(5)
    assert_sets_agree()
    with connection.cursor() as cursor:
        cursor.execute("SELECT term_ids FROM programs_program WHERE id = %s", [program.pk])
        assert sorted(cursor.fetchone()[0]) == sorted([cbt.pk, dbt.pk])
