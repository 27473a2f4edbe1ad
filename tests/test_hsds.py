"""Open Referral HSDS 3.0 documents validate against the official schemas in tests/data/hsds-3.0."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from programs.models import Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent / "data" / "hsds-3.0"


def validator(name):
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def page_validator():
    openapi = json.loads((SCHEMAS / "openapi.json").read_text())
    page = openapi["components"]["schemas"]["Page"]
    schema = {
        **page,
        "required": list(page["properties"]),
        "properties": {**page["properties"], "contents": {"type": "array"}},
    }
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:10]]


@pytest.fixture
def seeded():
    call_command("seed_demo", programs=30, seed=5, stdout=StringIO())
    return ProgramFactory(slug="hidden-draft", status=Program.Status.DRAFT)


def test_service_list_pages_validate_and_leave_out_drafts(client, seeded):
    items = []
    page_number = 1
    while True:
        response = client.get("/hsds/services/", {"page": page_number, "per_page": 12})
        assert response.status_code == 200
        body = response.json()
        assert_valid(page_validator(), body)
        for item in body["contents"]:
            assert_valid(validator("service_list.json"), item)
        items += body["contents"]
        if body["last_page"]:
            break
        page_number += 1
    assert body["total_items"] == 30 and body["total_pages"] == 3 and page_number == 3
    assert len({item["id"] for item in items}) == 30
    assert str(seeded.uuid) not in {item["id"] for item in items}
    by_slug = Program.objects.published().order_by("slug").values_list("uuid", flat=True)
    assert [item["id"] for item in items] == [str(uuid) for uuid in by_slug]  # in slug order
    assert body["size"] == len(body["contents"]) == 6


def test_service_documents_validate_with_schedules_languages_and_location(client, seeded):
    service_schema = validator("service.json")
    for program in Program.objects.published().for_listing():
        response = client.get(f"/hsds/services/{program.uuid}/")
        assert response.status_code == 200
        document = response.json()
        assert_valid(service_schema, document)
        slots = {
            (track.name, session.start, session.end)
            for track in program.tracks.all()
            for session in track.sessions.all()
        }
        assert len(document["schedules"]) == len(slots)
        assert {s["freq"] for s in document["schedules"]} == {"WEEKLY"}
        assert document["status"] == "active"
        assert document["assured_date"] == program.last_verified.isoformat()
        assert [lang["code"] for lang in document["languages"]] == [
            t.slug for t in program.languages
        ]
        location = document["service_at_locations"][0]["location"]
        assert (location["latitude"], location["longitude"]) == (
            program.latitude,
            program.longitude,
        )
        assert location["addresses"][0]["postal_code"] == program.zip


def test_a_schedule_is_a_weekly_recurrence_per_time_slot(client):
    program = ProgramFactory(
        tracks={
            "Evening": [
                ("mon", "18:00", "21:00"),
                ("thu", "18:00", "21:00"),
                ("sat", "09:00", "12:00"),
            ]
        }
    )
    document = client.get(f"/hsds/services/{program.uuid}/").json()
    slots = sorted((s["byday"], s["opens_at"], s["closes_at"]) for s in document["schedules"])
    assert slots == [("MO,TH", "18:00:00", "21:00:00"), ("SA", "09:00:00", "12:00:00")]
    assert client.get(f"/hsds/services/{program.uuid}/").json() == document  # stable IDs


def test_drafts_are_not_found(client, seeded):
    response = client.get(f"/hsds/services/{seeded.uuid}/")
    assert response.status_code == 404


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_page": "x"}, {"per_page": "1000"}])
def test_bad_paging_is_400(client, params):
    response = client.get("/hsds/services/", params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) <= {"page", "per_page"}
