"""`starts_by`: a track the person could start by a date (CONTRACT), in search and the API."""

import datetime

import pytest
from django.utils import timezone

from programs.filtersets import ProgramFilterSet
from programs.models import Program

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
EVENING = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]
MORNING = [("mon", "09:00", "12:00"), ("wed", "09:00", "12:00"), ("fri", "09:00", "12:00")]


def _track(program, name, sessions, *, confirmed_days_ago=0, **availability):
    track = track_create(program, name, sessions)
    for key, value in availability.items():
        setattr(track, key, value)
    track.availability_confirmed = TODAY - datetime.timedelta(days=confirmed_days_ago)
    track.save()
    return track


def names(params):
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return sorted(p.name for p in filterset.qs)


@pytest.fixture
def programs():
    starts_soon = ProgramFactory(name="Starts soon")
    _track(starts_soon, "Evening", EVENING, next_start=TODAY + datetime.timedelta(days=5))
    rolling = ProgramFactory(name="Rolling")
    _track(rolling, "Morning", MORNING, rolling_admission=True, openings=2)
    rolling_full = ProgramFactory(name="Rolling but full")
    _track(rolling_full, "Morning", MORNING, rolling_admission=True, openings=0)
    stale = ProgramFactory(name="Stale")
    _track(
        stale, "Evening", EVENING, next_start=TODAY + datetime.timedelta(1), confirmed_days_ago=15
    )
    later = ProgramFactory(name="Later")
    _track(later, "Evening", EVENING, next_start=TODAY + datetime.timedelta(days=30))
    ProgramFactory(name="No schedule")


def test_starts_by_matches_next_start_or_rolling_admission_with_openings(programs):
    by = (TODAY + datetime.timedelta(days=7)).isoformat()
    assert names({"starts_by": by}) == ["Rolling", "Starts soon"]
    assert names({"starts_by": (TODAY + datetime.timedelta(days=30)).isoformat()}) == [
        "Later",
        "Rolling",
        "Starts soon",
    ]


def test_one_track_must_meet_starts_by_and_the_schedule_at_once():
    program = ProgramFactory(name="Two tracks")
    _track(program, "Morning", MORNING, next_start=TODAY + datetime.timedelta(days=2))
    _track(program, "Evening", EVENING, next_start=TODAY + datetime.timedelta(days=40))
    by = (TODAY + datetime.timedelta(days=7)).isoformat()
    assert names({"starts_by": by, "time_of_day": "morning"}) == ["Two tracks"]
    assert names({"starts_by": by, "time_of_day": "evening"}) == []


def test_the_api_takes_starts_by_reports_unlisted_and_refuses_bad_dates(client, programs):
    by = (TODAY + datetime.timedelta(days=7)).isoformat()
    body = client.get("/api/programs/", {"starts_by": by}).json()
    assert sorted(p["name"] for p in body["results"]) == ["Rolling", "Starts soon"]
    # "No schedule", and "Stale": openings confirmed 15 days ago count as not listed (CONTRACT).
    assert body["unlisted"]["count"] == 2
    assert "starts_by" not in body["unlisted"]["url"]
    bad = client.get("/api/programs/", {"starts_by": "next week"})
    assert bad.status_code == 400 and "starts_by" in bad.json()["errors"]
    assert client.get("/api/programs/", {"starts_by": "2026-02-30"}).status_code == 400


def test_the_results_form_asks_can_start_by(client, programs):
    by = (TODAY + datetime.timedelta(days=7)).isoformat()
    page = client.get("/programs/", {"starts_by": by})
    html = page.content.decode()
    assert "Can start by" in html and 'type="date"' in html
    assert f'value="{by}"' in html
    assert "Starts soon" in html and "Later" not in html
    bad = client.get("/programs/", {"starts_by": "soon"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()
