"""The JSON API: the contract's exact shapes, and a 400 with the parameter for bad input."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_ten():
    return ProgramFactory(
        slug="region-ten-iop-charlottesville",
        name="Adult Intensive Outpatient",
        provider__name="Region Ten Community Services Board",
        provider__website="https://regionten.example.org/",
        description="Evening groups.",
        street="800 Preston Avenue",
        city="Charlottesville",
        zip="22903",
        latitude=38.0364,
        longitude=-78.4888,
        phone="434-972-1800",
        intake_phone="",
        website="https://regionten.example.org/iop",
        treats_substance_use=True,
        min_age=18,
        max_age=None,
        terms={
            "therapy": ["cbt", "relapse-prevention"],
            "payment": ["medicaid", "self-pay"],
            "language": ["en"],
            "step_down": ["residential"],
        },
        tracks={
            "Evening": [
                ("mon", "18:00", "21:00"),
                ("wed", "18:00", "21:00"),
                ("thu", "18:00", "21:00"),
            ]
        },
        last_verified=datetime.date(2026, 10, 1),
    )


def test_search_document_has_the_contract_shape(client, region_ten):
    response = client.get("/api/programs/", {"near": "22902"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "count",
        "page",
        "page_size",
        "next",
        "previous",
        "place",
        "unlisted",
        "results",
    }
    assert body["unlisted"] is None  # no schedule or step-down condition
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
    assert body["next"] is None and body["previous"] is None
    assert body["place"] == {
        "label": "Charlottesville, VA 22902",
        "lat": 38.0266,
        "lng": -78.4805,
        "state": "VA",
    }
    program = body["results"][0]
    assert program == {
        "slug": "region-ten-iop-charlottesville",
        "name": "Adult Intensive Outpatient",
        "provider": {
            "name": "Region Ten Community Services Board",
            "website": "https://regionten.example.org/",
        },
        "url": "http://testserver/programs/region-ten-iop-charlottesville/",
        "description": "Evening groups.",
        "address": {
            "street": "800 Preston Avenue",
            "city": "Charlottesville",
            "state": "VA",
            "zip": "22903",
        },
        "lat": 38.0364,
        "lng": -78.4888,
        "distance_miles": 0.8,
        "phone": "434-972-1800",
        "intake_phone": None,
        "website": "https://regionten.example.org/iop",
        "treats_substance_use": True,
        "treats_mental_health": False,
        "co_occurring": False,
        "format": "in-person",
        "virtual_states": [],
        "min_age": 18,
        "max_age": None,
        "availability": "open",
        "waitlist_weeks": None,
        "therapies": ["cbt", "relapse-prevention"],
        "payment": ["medicaid", "self-pay"],
        "populations": [],
        "languages": ["en"],
        "step_down_from": ["residential"],
        "tracks": [
            {
                "name": "Evening",
                "hours_per_week": 9.0,
                "sessions": [
                    {"day": "mon", "start": "18:00", "end": "21:00"},
                    {"day": "wed", "start": "18:00", "end": "21:00"},
                    {"day": "thu", "start": "18:00", "end": "21:00"},
                ],
                "openings": None,
                "next_start": None,
                "rolling_admission": None,
                "availability_confirmed": None,
            }
        ],
        "other_levels_of_care": [],
        "licenses": [],
        "time_zone": "America/New_York",
        "location_precision": "address",
        "source": None,
        "last_verified": "2026-10-01",
        "verified_by": "curator",
        "status": "published",
    }


def test_place_and_distance_are_null_without_a_place(client, region_ten):
    body = client.get("/api/programs/").json()
    assert body["place"] is None
    assert body["results"][0]["distance_miles"] is None


def test_virtual_program_matched_by_state_has_no_distance(client):
    ProgramFactory(
        slug="far-virtual", format="virtual", virtual_states=["VA"], latitude=47.6, longitude=-122.3
    )
    body = client.get("/api/programs/", {"near": "22902", "virtual": "include"}).json()
    assert [(p["slug"], p["distance_miles"]) for p in body["results"]] == [("far-virtual", None)]


def test_detail_document_is_the_same_program(client, region_ten):
    detail = client.get("/api/programs/region-ten-iop-charlottesville/").json()
    listed = client.get("/api/programs/").json()["results"][0]
    assert detail == listed


@pytest.mark.parametrize("status", [Program.Status.DRAFT, Program.Status.ARCHIVED])
def test_unpublished_programs_are_not_found(client, status):
    ProgramFactory(slug="hidden", status=status)
    response = client.get("/api/programs/hidden/")
    assert response.status_code == 404
    assert response.json() == {"errors": {"__all__": ["Not found."]}}
    assert client.get("/api/programs/").json()["count"] == 0


def test_pagination_links_keep_the_filters(client):
    for n in range(5):
        ProgramFactory(name=f"P{n}", terms={"payment": ["medicaid"]})
    body = client.get("/api/programs/", {"payment": "medicaid", "page_size": 2, "page": 2}).json()
    assert body["count"] == 5 and body["page"] == 2 and body["page_size"] == 2
    assert [p["name"] for p in body["results"]] == ["P2", "P3"]
    assert "payment=medicaid" in body["next"] and "page=3" in body["next"]
    assert "page=1" in body["previous"]
    last = client.get("/api/programs/", {"payment": "medicaid", "page_size": 2, "page": 3}).json()
    assert last["next"] is None


def test_a_page_past_the_end_is_404_with_an_error_on_page(client):
    ProgramFactory()
    response = client.get("/api/programs/", {"page": 3})
    assert response.status_code == 404
    assert "page" in response.json()["errors"]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"near": "Nowhereville, ZZ"}, "near"),
        ({"near": "99999"}, "near"),
        ({"radius": "far", "near": "22902"}, "radius"),
        ({"therapy": "astrology"}, "therapy"),
        ({"payment": "gold"}, "payment"),
        ({"language": "klingon"}, "language"),
        ({"age": "old"}, "age"),
        ({"days": "someday"}, "days"),
        ({"start_after": "noon"}, "start_after"),
        ({"hours_min": "NaN"}, "hours_min"),
        ({"sort": "price"}, "sort"),
        ({"page": "-1"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"lat": "38.0"}, "lng"),
    ],
)
def test_bad_input_is_400_with_errors_by_parameter(client, params, field):
    response = client.get("/api/programs/", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errors"}
    assert field in body["errors"]
    assert all(isinstance(message, str) and message for message in body["errors"][field])


def _query_count(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/programs/", "/programs/"])
def test_query_count_does_not_grow_with_page_size(client, url):
    for n in range(60):
        ProgramFactory(
            name=f"P{n:02d}",
            format="hybrid",
            virtual_states=["VA", "MD"],
            terms={"therapy": ["cbt"], "payment": ["medicaid"], "language": ["en", "es"]},
            tracks={"Evening": [("mon", "18:00", "21:00")], "Morning": [("tue", "09:00", "12:00")]},
        )
    params = {"near": "22902", "payment": "medicaid", "time_of_day": "evening"}
    small = _query_count(client, url, {**params, "page_size": 5})
    large = _query_count(client, url, {**params, "page_size": 50})
    assert small == large
    # vocabulary, cache version, ranking with the total, the page's programs, four prefetches,
    # and the count of programs that have not listed their schedules (`unlisted`).
    assert large <= 9


def test_a_parameter_the_api_does_not_know_is_an_error_not_everything(client):
    ProgramFactory()
    response = client.get("/api/programs/", {"insurance": "aetna", "near": "22902"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["insurance"]
    # The results page ignores it (campaign tags, old links).
    assert client.get("/programs/", {"insurance": "aetna", "utm_source": "x"}).status_code == 200


# What each sort shows, by hand (CONTRACT `sort`): Bay and Cove-9 share a place and 9 hours a
# week, the two Anchors share a name and a place; Online is licensed in Virginia, far away.
SORTED = {
    "name": ["anchor-none", "anchor-6", "bay", "cove-9", "cove-12", "delta", "online"],
    "hours": ["anchor-6", "bay", "cove-9", "cove-12", "anchor-none", "delta", "online"],
    "verified": ["bay", "cove-9", "delta", "anchor-6", "anchor-none", "cove-12", "online"],
    "distance": ["bay", "cove-9", "anchor-none", "anchor-6", "cove-12", "delta", "online"],
}


@pytest.mark.parametrize("sort", SORTED)
def test_every_sort_reads_the_same_ranking_a_page_at_a_time(client, sort):
    """Each page is ranked and read in one statement, the documents built around the ranking
    and put back in its order: the order a person expects (ties by name, then by when the
    program was listed; no schedule, never verified, or licensed but outside the circle last),
    and pages of two, read one after another, are the ranking of one page of all."""
    today = datetime.date(2026, 11, 1)
    for n, (slug, name, hours, verified) in enumerate(
        [("cove-9", "Cove", 9, today), ("anchor-none", "Anchor", None, None),
         ("cove-12", "Cove", 12, None), ("bay", "Bay", 9, today),
         ("anchor-6", "Anchor", 6, today - datetime.timedelta(days=3)),
         ("delta", "Delta", None, today)]
    ):  # fmt: skip
        days = ("mon", "wed", "fri")
        tracks = {"Main": [(day, "09:00", f"{9 + hours // 3}:00") for day in days]} if hours else {}
        ProgramFactory(
            slug=slug,
            name=name,
            latitude=38.03 + (n % 3) * 0.01,  # 22902's centre is at 38.027
            longitude=-78.48,
            last_verified=verified,
            tracks=tracks,
        )
    ProgramFactory(slug="online", name="Online", format="virtual", latitude=47.6,
                   longitude=-122.3, virtual_states=["VA"], last_verified=None)  # fmt: skip
    params = (
        {"near": "22902", "virtual": "include", "sort": sort}
        if sort == "distance"
        else {"sort": sort}
    )
    whole = client.get("/api/programs/", {**params, "page_size": 20}).json()
    assert whole["count"] == 7
    assert [p["slug"] for p in whole["results"]] == SORTED[sort]
    paged = []
    for page in range(1, 5):
        body = client.get("/api/programs/", {**params, "page_size": 2, "page": page}).json()
        paged += body["results"]
    assert [p["slug"] for p in paged] == [p["slug"] for p in whole["results"]]
    assert [p.get("distance_miles") for p in paged] == [
        p.get("distance_miles") for p in whole["results"]
    ]


@pytest.mark.parametrize("path", ["/api/programs/", "/programs/", "/programs.csv"])
def test_a_search_that_can_match_nothing_answers_with_nothing(client, path):
    """A point in no state (the Pacific) with only virtual programs: no program can match, and
    Django knows it before asking the database; the page, the API and the CSV still answer."""
    ProgramFactory(format="virtual", virtual_states=["VA"])
    response = client.get(path, {"lat": "10", "lng": "-150", "virtual": "only"})
    assert response.status_code == 200
    if path.startswith("/api/"):
        assert response.json()["count"] == 0


def test_api_documents_are_the_json_values_djangos_encoder_writes():
    """The API's answers are written by orjson (iopfinder.responses.fast_json_response): the
    same values as Django's JsonResponse, dates, decimals, UUIDs and lazy translations
    included, whatever the spacing."""
    import decimal
    import uuid

    from django.http import JsonResponse
    from django.utils.translation import gettext_lazy

    from iopfinder.responses import fast_json_response

    data = {
        "text": 'Señora Ñandú — 988 ☎ "quoted" </script>',
        "lazy": gettext_lazy("Name or words"),
        "when": datetime.datetime(2026, 12, 5, 21, 4, 5, 123456, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 5),
        "at": datetime.time(17, 30),
        "amount": decimal.Decimal("12.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "numbers": [0, -1, 2**53, 41.8858, -87.6181, 1e-7, 12.0],
        "nothing": None,
        "flags": [True, False],
    }
    fast, django_ = fast_json_response(data, status=201), JsonResponse(data, status=201)
    assert fast.status_code == 201 and fast["Content-Type"] == django_["Content-Type"]
    assert json.loads(fast.content) == json.loads(django_.content)


def test_a_time_window_that_no_session_fits_is_an_error(client):
    response = client.get("/api/programs/", {"start_after": "23:59", "end_before": "00:00"})
    assert response.status_code == 400
    assert response.json()["errors"]["end_before"] == [
        "Sessions must end later than they start: give an end after 23:59."
    ]
    ok = client.get("/api/programs/", {"start_after": "17:00", "end_before": "21:00"})
    assert ok.status_code == 200
