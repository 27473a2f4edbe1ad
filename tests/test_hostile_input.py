"""Thousands of generated and hostile query strings: never a 5xx, API errors keep their shape."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "near", "lat", "lng", "radius", "virtual", "q", "need", "therapy", "payment", "population",
    "language", "format", "step_down_from", "age", "accepting", "days", "start_after",
    "end_before", "time_of_day", "hours_min", "hours_max", "sort", "page", "page_size",
]  # fmt: skip
HOSTILE = [
    "", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-320",
    "99999999999999999999999999999999", "-0", "0x1F", "1_000", "١٢٣", "３８", "12:00:00",
    "24:00", "-1", "38.03,-78.48", "91,181", "22902", "00000", "Charlottesville, VA",
    "' OR 1=1 --", "1; DROP TABLE programs_program; --", '"; SELECT pg_sleep(5); --',
    "<script>alert(1)</script>", "javascript:alert(1)", "\x00", "a\x00b", "%00", "%",
    "%%", "\ud7ff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "🙂", "\u202e", "..", "../../etc/passwd", "{}", "[]",
    "null", "true", "cbt", "mon", "evening", "distance", "include", "1",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.text(min_size=200, max_size=3000),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.builds(lambda a, b: f"{a},{b}", st.floats(), st.floats()),
)
names = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12))
query_strings = st.lists(st.tuples(names, values), max_size=8).map(urlencode)


@pytest.fixture
def programs():
    ProgramFactory(
        slug="harbor",
        terms={"therapy": ["cbt"], "payment": ["medicaid"]},
        tracks={"Evening": [("mon", "18:00", "21:00")]},
    )
    ProgramFactory(slug="cove", format="hybrid", virtual_states=["VA"])


SETTINGS = settings(
    max_examples=1200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@SETTINGS
@given(query=query_strings)
def test_api_never_fails_and_errors_keep_their_shape(client, programs, query):
    response = client.get(f"/api/programs/?{query}")
    assert response.status_code in {200, 400, 404}, (query, response.status_code)
    body = response.json()
    if response.status_code != 200:
        assert set(body) == {"errors"}
        assert body["errors"] and all(
            isinstance(key, str)
            and isinstance(messages, list)
            and all(isinstance(m, str) for m in messages)
            for key, messages in body["errors"].items()
        )


@settings(SETTINGS, max_examples=800)
@given(query=query_strings)
def test_results_page_never_fails(client, programs, query):
    response = client.get(f"/programs/?{query}")
    if response.status_code == 302:  # empty parameters dropped: one redirect, then the page
        response = client.get(response["Location"])
    assert response.status_code in {200, 404}, (query, response.status_code)


@settings(SETTINGS, max_examples=300)
@given(slug=st.one_of(st.text(max_size=200), st.sampled_from(HOSTILE)), query=query_strings)
def test_program_pages_never_fail(client, programs, slug, query):
    from urllib.parse import quote

    for prefix in ["/programs/", "/api/programs/"]:
        response = client.get(f"{prefix}{quote(slug, safe='')}/?{query}")
        assert response.status_code < 500, (slug, response.status_code)
    response = client.post(
        f"/programs/harbor/corrections/?{query}", {"message": slug, "contact": slug}
    )
    assert response.status_code < 500


@settings(SETTINGS, max_examples=300)
@given(query=query_strings, shared=st.lists(values, max_size=4))
def test_shortlist_pages_and_csv_never_fail(client, programs, query, shared):
    response = client.get(f"/programs.csv?{query}")
    assert response.status_code in {200, 400}, (query, response.status_code)
    for path in ["/shortlist/", "/shortlist/compare/", "/shortlist/sheet/", "/shortlist.csv"]:
        response = client.get(path, {"p": shared})
        assert response.status_code == 200, (path, shared, response.status_code)
    data = {"from_label": shared, "from_lat": shared, "from_lng": shared, "next": shared}
    assert client.post("/shortlist/add/harbor/", data).status_code == 302
