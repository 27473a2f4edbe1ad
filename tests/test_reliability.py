"""What a hostile afternoon found (issue 10), in process: each test failed before its fix.

The faults that need a real server (slow clients, outages, races) are in `tests/test_probe.py`.
"""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path

from programs.filtersets import MAX_VALUES_PER_PARAMETER

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def ranking_sql(client, query):
    """The SQL of the query that ranks a search's results."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/programs/?{query}")
    assert response.status_code == 200, response.content
    return next(q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper())


def test_a_repeated_value_counts_once(client):
    ProgramFactory(slug="harbor", terms={"therapy": ["cbt", "dbt"], "payment": ["medicaid"]})
    once = ranking_sql(client, "therapy=cbt&payment=medicaid")
    repeated = ranking_sql(client, "therapy=cbt&" * 330 + "payment=medicaid&" * 40)
    assert repeated == once
    body = client.get("/api/programs/?" + "therapy=cbt&" * 330).json()
    assert [program["slug"] for program in body["results"]] == ["harbor"]


def test_too_many_values_for_one_parameter_are_refused(client):
    values = "&".join(f"language=x{n}" for n in range(MAX_VALUES_PER_PARAMETER + 1))
    response = client.get(f"/api/programs/?{values}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["language"]
    assert client.get(f"/programs/?{values}").status_code == 200


def sleep(request):
    """A query that takes too long, as a runaway search would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("finished")


urlpatterns = [path("sleep", sleep), path("api/sleep", sleep)]
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout"
)


@postgresql_only
@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_runaway_query_is_stopped_with_a_plain_503(client, settings):
    assert settings.STATEMENT_TIMEOUT_MS == 2000
    response = client.get("/sleep")
    assert response.status_code == 503
    assert "988" in response.content.decode() and "finished" not in response.content.decode()
    assert response["Retry-After"]
    response = client.get("/api/sleep")
    assert response.status_code == 503 and "errors" in response.json()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_writes_to_a_read_only_database_answer_503(client, reference_data):
    """As during a failover or maintenance: reads still work, writes answer 503."""
    ProgramFactory(slug="harbor")
    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    try:
        assert client.get("/programs/harbor/").status_code == 200
        response = client.post("/programs/harbor/corrections/", {"message": "The phone changed."})
        assert response.status_code == 503
        assert "temporarily unavailable" in response.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = off")
