"""`q`: every word in a program's name, provider, description or city, in any case; served by
trigram indexes on PostgreSQL."""

import pytest
from django.db import connection

from programs.models import Program, Provider

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def found(client, q, **params):
    response = client.get("/api/programs/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return sorted(program["name"] for program in response.json()["results"])


@pytest.fixture
def listings():
    blue = Provider.objects.create(name="Blue Ridge Behavioral Health")
    ProgramFactory(name="Evening IOP", provider=blue, city="Charlottesville", description="")
    ProgramFactory(
        name="Peña Adolescent IOP", city="Richmond", description="Dialectical therapy; 100% teens"
    )
    ProgramFactory(name="Harbor_Light", city="Norfolk", description="Relapse prevention")


def test_each_word_may_be_anywhere_in_any_case(client, listings):
    assert found(client, "blue ridge") == ["Evening IOP"]  # the provider's name
    assert found(client, "RIDGE evening") == ["Evening IOP"]  # provider and program
    assert found(client, "dialectical richmond") == ["Peña Adolescent IOP"]
    assert found(client, "charlottesville iop") == ["Evening IOP"]
    assert found(client, "ridge richmond") == []


def test_pattern_characters_are_plain_text(client, listings):
    assert found(client, "100%") == ["Peña Adolescent IOP"]
    assert found(client, "c_arlottesville") == []  # `_` is not "any character"
    assert found(client, "harbor_light") == ["Harbor_Light"]
    assert found(client, "%%") == [] and found(client, "r%t") == []


def test_words_with_accents(client, listings):
    assert found(client, "peña") == ["Peña Adolescent IOP"]


def test_single_characters_are_not_searched_for(client, listings):
    everything = found(client, "")
    assert found(client, "a e i") == everything
    assert found(client, "a ridge") == ["Evening IOP"]


def test_two_letter_words_are_found_beside_longer_ones(client, listings):
    """Words too short for a trigram are checked another way: same answers, any case."""
    assert found(client, "IO") == ["Evening IOP", "Harbor_Light", "Peña Adolescent IOP"]
    assert found(client, "ri io") == ["Evening IOP", "Peña Adolescent IOP"]  # Ridge; Richmond
    assert found(client, "Ri evening") == ["Evening IOP"]
    assert found(client, "lu") == ["Evening IOP"]  # only in the provider's name: Blue
    assert found(client, "0%") == ["Peña Adolescent IOP"]  # still plain text
    assert found(client, "r_") == ["Harbor_Light"]
    assert found(client, "zq evening") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_the_trigram_indexes_serve_the_search(listings):
    """The program's stored text (a generated column) and the provider's name, each with its
    trigram index."""
    queryset = Program.objects.matching_text("dialectical ridge")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: make it choose
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "program_search_text_trgm_idx" in plan and "provider_name_trgm_idx" in plan, plan


def test_a_text_of_single_characters_is_no_condition_to_remove(client, listings):
    page = client.get("/programs/", {"q": "a e"}).content.decode()
    assert "“a e”" not in page and 'class="chip"' not in page
    page = client.get("/programs/", {"q": "a ridge"}).content.decode()
    assert "“a ridge”" in page
