"""Facts not listed (CONTRACT): what pages and the API say about what a listing does not give."""

import datetime

import pytest

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

EVENING = {"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")]}


def imported(*, slug, **kwargs):
    """A listing as SAMHSA's directory gives it: no tracks, no step-down, never verified."""
    return ProgramFactory(
        slug=slug,
        source="samhsa-directory",
        source_key=slug,
        source_edition="2023",
        location_precision="zip",
        last_verified=None,
        verified_by_role="",
        intake_phone="434-555-0199",
        **kwargs,
    )


def test_schedule_conditions_report_programs_that_have_not_listed_a_schedule(client):
    ProgramFactory(slug="evening", tracks=EVENING)
    ProgramFactory(slug="morning", tracks={"Morning": [("tue", "09:00", "12:00")]})
    imported(slug="a")
    imported(slug="b")
    imported(slug="far", latitude=40.7, longitude=-74.0)  # New York: outside the radius
    body = client.get("/api/programs/", {"near": "22902", "time_of_day": "evening"}).json()
    assert [program["slug"] for program in body["results"]] == ["evening"]
    assert body["unlisted"]["count"] == 2  # the morning track is listed: not counted
    wider = client.get(body["unlisted"]["url"]).json()
    assert wider["count"] == 4 and wider["unlisted"] is None

    page = client.get("/programs/", {"near": "22902", "time_of_day": "evening"}).content.decode()
    assert "2 more programs nearby have not listed their schedule: call them to ask." in page
    assert 'href="/programs/?near=22902"' in page


def test_step_down_conditions_report_programs_that_have_not_said(client):
    ProgramFactory(slug="takes-residential", terms={"step_down": ["residential"]})
    imported(slug="a")
    body = client.get("/api/programs/", {"near": "22902", "step_down_from": "residential"}).json()
    assert body["count"] == 1 and body["unlisted"]["count"] == 1
    assert body["unlisted"]["url"].endswith("/api/programs/?near=22902")


def test_an_imported_listing_says_what_it_does_not_list(client):
    program = imported(slug="x", min_age=None, max_age=None)
    card = client.get("/programs/", {"near": "22902"}).content.decode()
    assert 'Schedule not listed: call <a href="tel:+14345550199">434-555-0199</a> to ask.' in card
    assert "about 0." in card or "about 1." in card  # distance to a ZIP centre is approximate
    assert "From SAMHSA&#x27;s 2023 directory; not yet confirmed by the program" in card
    page = client.get(program.get_absolute_url()).content.decode()
    assert "Ages not stated" in page and "All ages" not in page
    assert "Schedule not listed: call" in page
    assert "The marker is approximate" in page
    body = client.get(f"/api/programs/{program.slug}/").json()
    assert body["source"] == {
        "name": "SAMHSA National Directory of Substance Use Treatment Facilities",
        "edition": "2023",
        "id": "x",
    }
    assert body["location_precision"] == "zip" and body["verified_by"] is None


def test_times_carry_the_zone_when_the_searcher_is_in_another(client):
    ProgramFactory(slug="virginia", tracks=EVENING, latitude=38.03, longitude=-78.48)
    near_home = client.get("/programs/", {"near": "22902"}).content.decode()
    assert "the program's local time" not in near_home
    # Searched from Nashville (Central time), the Virginia program's times are Eastern.
    from_central = client.get(
        "/programs/", {"near": "Nashville, TN", "radius": "500"}
    ).content.decode()
    assert "(the program's local time)" in from_central


def test_openings_older_than_two_weeks_count_as_not_listed(client):
    program = ProgramFactory(slug="p", tracks=EVENING)
    track = program.tracks.get()
    track.openings, track.rolling_admission = 3, True
    track.availability_confirmed = datetime.date.today() - datetime.timedelta(days=15)
    track.save()
    body = client.get("/api/programs/p/").json()
    assert body["tracks"][0]["openings"] is None and body["tracks"][0]["rolling_admission"] is None
    track.availability_confirmed = datetime.date.today()
    track.save()
    assert client.get("/api/programs/p/").json()["tracks"][0]["openings"] == 3


def test_a_listed_fact_that_does_not_match_is_not_counted_as_unlisted(client):
    # A morning track is a listed schedule that fails "evening": whatever its step-down data,
    # it cannot match, so it is not among the programs that "have not listed" what was asked.
    ProgramFactory(slug="morning", tracks={"Morning": [("tue", "09:00", "12:00")]})
    imported(slug="nothing-listed")
    body = client.get(
        "/api/programs/",
        {"near": "22902", "time_of_day": "evening", "step_down_from": "residential"},
    ).json()
    assert body["count"] == 0 and body["unlisted"]["count"] == 1


def test_starts_by_counts_programs_whose_openings_are_not_current(client):
    program = ProgramFactory(slug="old-openings", tracks=EVENING)
    track = program.tracks.get()
    track.next_start = datetime.date.today() + datetime.timedelta(days=3)
    track.availability_confirmed = datetime.date.today() - datetime.timedelta(days=30)
    track.save()
    starts_by = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    body = client.get("/api/programs/", {"near": "22902", "starts_by": starts_by}).json()
    assert body["count"] == 0 and body["unlisted"]["count"] == 1
    track.availability_confirmed = datetime.date.today()
    track.save()
    program.save()  # as the services do: the listing changed (and the search cache sees it)
    body = client.get("/api/programs/", {"near": "22902", "starts_by": starts_by}).json()
    assert body["count"] == 1 and body["unlisted"]["count"] == 0
