"""What a hostile afternoon found (issue 10), in process: each test failed before its fix.

The faults that need a real server (slow clients, outages, races) are in `tests/test_probe.py`.
"""

import threading
import time

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path

from iopfinder.database import RequestTimeBudget
from programs import api
from programs.filtersets import MAX_VALUES_PER_PARAMETER
from programs.models import Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def ranking_sql(client, query):
    """The SQL of the query that ranks a search's results."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/programs/?{query}")
    assert response.status_code == 200, response.content
    return next(q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper())


def test_a_repeated_value_counts_once(client, settings):
    settings.SEARCH_CACHE_SECONDS = 0
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


def sleep_three_times(request):
    """Three statements of 0.8 s: each under the statement timeout, 2.4 s together."""
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT pg_sleep(0.8)")
    return HttpResponse("finished")


def crash(request):
    """A bug whose message quotes what the visitor sent, as `int("Charlottesville")` would."""
    int(request.GET["near"])


urlpatterns = [
    path("sleep", sleep),
    path("api/sleep", sleep),
    path("sleep-three-times", sleep_three_times),
    path("crash", crash),
]
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


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
@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_a_request_of_many_slow_statements_is_stopped_at_its_budget(client):
    started = time.monotonic()
    response = client.get("/sleep-three-times")
    assert response.status_code == 503
    assert time.monotonic() - started < 2.3
    # The connection gets its usual timeout back for the next request.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "2s"


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


def archive_cove_and_delete_harbor_elsewhere():
    """Another process's writes, committed while a search is between two of its reads."""

    def write():
        Program.objects.filter(slug="cove").update(status=Program.Status.ARCHIVED)
        Program.objects.filter(slug="harbor").delete()
        connection.close()

    other = threading.Thread(target=write)
    other.start()
    other.join()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("params", "page"),
    [
        ({}, [("anchor", "published"), ("cove", "published"), ("harbor", "published")]),
        ({"page": 2, "page_size": 2}, [("harbor", "published")]),
    ],
)
def test_a_search_racing_an_archive_and_a_delete_reads_one_snapshot(
    client, reference_data, monkeypatch, params, page
):
    """Once a search's page is read, another process archives one program and deletes another
    before the page is built: the answer is the catalogue as that one statement saw it, on the
    first page and a later one (an OFFSET's page was two statements, and needed a transaction
    of its own for that)."""
    for name in ("Anchor", "Cove", "Harbor"):
        ProgramFactory(slug=name.lower(), name=name)
    written = api.program_to_dict  # once the page is read, before its documents are

    def racing_program_to_dict(document, **kwargs):
        if not hasattr(racing_program_to_dict, "done"):
            racing_program_to_dict.done = True
            archive_cove_and_delete_harbor_elsewhere()
        return written(document, **kwargs)

    monkeypatch.setattr(api, "program_to_dict", racing_program_to_dict)
    with CaptureQueriesContext(connection) as statements:
        response = client.get("/api/programs/", params)
    assert response.status_code == 200
    # The cache's version of the catalogue, the vocabulary, then the page in one statement.
    assert len(statements) == 3 and statements[2]["sql"].startswith("SELECT ranked.*")
    body = response.json()
    assert racing_program_to_dict.done and body["count"] == 3
    assert [(p["slug"], p["status"]) for p in body["results"]] == page
    assert client.get("/api/programs/").json()["count"] == 1  # the next search sees the change


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/10",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    },
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {**settings.CACHES, **REDIS_DOWN}


def test_with_the_cache_down_searches_answer_uncached_and_healthz_says_so(client, redis_down):
    ProgramFactory(slug="harbor")
    for _ in range(2):
        assert client.get("/api/programs/?near=22902").json()["count"] == 1
        assert client.get("/programs/?near=22902").status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "cache": "down"}


def report(client, address, forwarded_for=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        "/programs/harbor/corrections/", {"message": "The phone number changed."}, **extra
    )


def test_the_correction_limit_holds_without_the_cache(client, redis_down, settings):
    """Counted in the database: neither a cache outage nor another worker resets it."""
    settings.CORRECTIONS_PER_HOUR = 2
    ProgramFactory(slug="harbor")
    assert [report(client, "203.0.113.5").status_code for _ in range(3)] == [302, 302, 429]
    response = report(client, "203.0.113.5")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.CORRECTIONS_PER_HOUR = 2
    ProgramFactory(slug="harbor")
    proxy = "10.0.0.7"
    assert report(client, proxy, "203.0.113.5").status_code == 302
    # A client cannot pick another address by sending the header itself: the proxy appends.
    assert report(client, proxy, "192.0.2.99, 203.0.113.5").status_code == 302
    assert report(client, proxy, "203.0.113.5").status_code == 429
    assert report(client, proxy, "198.51.100.7, 10.0.0.9").status_code == 302  # two proxies
    # A client that is not a trusted proxy is counted by its own address, header or not.
    assert report(client, "192.0.2.1", "203.0.113.77").status_code == 302
    assert report(client, "192.0.2.1", "203.0.113.78").status_code == 302
    assert report(client, "192.0.2.1", "203.0.113.79").status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, settings):
    settings.CORRECTIONS_PER_HOUR = 1
    ProgramFactory(slug="harbor")
    assert report(client, "10.0.0.7", "203.0.113.5").status_code == 302
    assert report(client, "10.0.0.7", "198.51.100.7").status_code == 429


def test_failed_logins_for_one_curator_do_not_lock_out_the_others(client, settings):
    from django.test import Client

    from .factories import curator_create

    curator_create(username="alice")
    curator_create(username="bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    # Bob, from the same address (behind the same proxy), is not held back.
    bob = Client()
    response = bob.post("/admin/login/", {"username": "bob", "password": "a-long-test-password"})
    assert response.status_code == 302


def test_the_search_cache_keeps_one_entry_per_search(client):
    from django.core.cache import cache

    ProgramFactory(slug="harbor")
    client.get("/programs/?therapy=cbt&therapy=dbt")
    client.get("/programs/?therapy=dbt&therapy=cbt&therapy=cbt")
    for n in range(20):  # campaign tags and junk: answered, never cached
        assert client.get(f"/programs/?therapy=cbt&utm_source=x{n}").status_code == 200
    assert len(cache._cache) == 1


def test_hsds_refuses_unicode_digits_as_a_page_number(client):
    for value in ["²", "١", "３"]:
        response = client.get("/hsds/services/", {"page": value, "per_page": value})
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"page", "per_page"}


def test_nul_characters_in_admin_filters_are_a_400(client):
    from .factories import UserFactory

    ProgramFactory(slug="harbor")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for query in ["status=%00", "status__exact=a%00b", "q=%00", "a%00=1"]:
        assert client.get(f"/admin/programs/program/?{query}").status_code == 400, query
    assert client.get("/admin/programs/program/?status=published").status_code == 200


def test_healthz_answers_over_plain_http_when_https_is_required(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.urls(__name__)
def test_a_failing_request_logs_no_query_string_and_no_parameter_value(client):
    import io
    import logging

    handler = logging.getLogger("django.request").handlers[0]  # the one settings.LOGGING sets
    output = io.StringIO()
    capture = logging.StreamHandler(output)
    capture.setFormatter(handler.formatter)
    logging.getLogger("django.request").addHandler(capture)
    client.raise_request_exception = False
    try:
        response = client.get("/crash?near=Charlottesville&need=substance-use")
    finally:
        logging.getLogger("django.request").removeHandler(capture)
    assert response.status_code == 500
    log = output.getvalue()
    assert "Internal Server Error: /crash" in log
    assert "ValueError" in log and "int(request.GET" in log  # still says what and where
    assert "Charlottesville" not in log and "substance" not in log


@postgresql_only
def test_past_its_budget_slack_a_request_still_recovers_from_a_refused_write(
    client, settings, monkeypatch
):
    """Past the slack, the request's time budget sets every statement's timeout first. A write
    the database refuses inside a savepoint (the correction limit's key claimed twice: the
    limit reached) leaves the transaction aborted until the savepoint is rolled back, and a
    `SET` before that rollback failed too: the visitor got a 500 where the limit says 429."""
    monkeypatch.setattr(RequestTimeBudget, "SLACK_MS", -1)  # every statement past the slack
    settings.CORRECTIONS_PER_HOUR = 2
    ProgramFactory(slug="harbor")
    assert [report(client, "203.0.113.9").status_code for _ in range(3)] == [302, 302, 429]


def test_a_head_request_is_answered_from_the_search_cache_as_a_get_is(
    client, django_assert_max_num_queries
):
    from django.core.cache import cache

    ProgramFactory(slug="harbor")
    cache.clear()
    client.head("/api/programs/?therapy=cbt")  # stored: a link checker costs one search
    assert len(cache._cache) == 1
    with django_assert_max_num_queries(1):  # the catalogue's version only
        assert client.get("/api/programs/?therapy=cbt").json()["count"] == 0
