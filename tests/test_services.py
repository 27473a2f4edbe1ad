"""The services (every write to the catalogue), tested directly: the admin, /manage/ and the
commands only call them (tests/test_curation.py, test_staff.py, test_import_export.py)."""

import datetime

import pytest
from django.utils import timezone

from programs import schedule, services
from programs.models import Correction, Program

from .factories import ProgramFactory, UserFactory, track_create

pytestmark = pytest.mark.django_db


def test_time_ranges_are_parsed_sorted_and_formatted_back():
    ranges = schedule.time_ranges_parse(" 18:00-21:00, 9:30 – 12 ")
    assert ranges == [
        (datetime.time(9, 30), datetime.time(12)),
        (datetime.time(18), datetime.time(21)),
    ]
    assert schedule.time_ranges_format(ranges) == "09:30-12:00, 18:00-21:00"
    assert schedule.time_ranges_parse("") == []


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("6pm-9pm", "18:00-21:00"),
        ("5:30pm-8:30pm", "17:30-20:30"),
        ("5:30-8:30 pm", "17:30-20:30"),  # the start takes the end's half of the day
        ("11-1pm", "11:00-13:00"),  # ... unless that would end before it starts
        ("9am-12pm", "09:00-12:00"),
        ("10:00 AM - 1:00 PM", "10:00-13:00"),
        ("6 p.m. to 9 p.m.", "18:00-21:00"),
        ("12am-1am", "00:00-01:00"),
    ],
)
def test_time_ranges_on_the_twelve_hour_clock_are_read_as_people_write_them(text, written):
    assert schedule.time_ranges_format(schedule.time_ranges_parse(text)) == written


@pytest.mark.parametrize(
    "text",
    ["13pm-14pm", "9pm-5pm", "0am-1am", "25:00-26:00", "18:00-18:00", "21:00-18:00",
     "9-12, 11-13"],
)  # fmt: skip
def test_time_ranges_that_make_no_sense_are_refused(text):
    with pytest.raises(schedule.ScheduleError):
        schedule.time_ranges_parse(text)


def test_setting_a_schedule_replaces_the_sessions_and_marks_the_listing_changed():
    program = ProgramFactory()
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    before = Program.objects.get(pk=program.pk).updated
    user = UserFactory()
    services.track_schedule_set(
        track=track,
        sessions=[
            (1, datetime.time(9), datetime.time(12)),
            (3, datetime.time(9), datetime.time(12)),
        ],
        user=user,
    )
    assert sorted(track.sessions.values_list("day", "start")) == [
        (1, datetime.time(9)),
        (3, datetime.time(9)),
    ]
    assert Program.objects.get(pk=program.pk).updated > before
    assert track.sessions.first().history.first().history_user == user


def test_publishing_and_archiving_record_who_and_why():
    curator = UserFactory()
    draft = ProgramFactory(status=Program.Status.DRAFT)
    services.programs_publish(programs=[draft], user=curator)
    draft.refresh_from_db()
    assert draft.status == Program.Status.PUBLISHED
    record = draft.history.first()
    assert (record.history_user, record.history_change_reason) == (curator, "Published.")
    services.programs_archive(programs=Program.objects.filter(pk=draft.pk), user=curator)
    draft.refresh_from_db()
    assert draft.status == Program.Status.ARCHIVED
    assert draft.history.first().history_change_reason == "Archived."


def test_verifying_dates_the_listing_and_says_who_confirmed_it():
    stale = ProgramFactory(last_verified=datetime.date(2024, 1, 2), verified_by_role="")
    curator = UserFactory()
    services.programs_verify(programs=[stale], user=curator)
    stale.refresh_from_db()
    assert stale.last_verified == timezone.localdate()
    assert (stale.verified_by, stale.verified_by_role) == (curator, Program.VerifiedBy.CURATOR)
    staff = UserFactory()
    services.program_verify_by_provider(program=stale, user=staff)
    stale.refresh_from_db()
    assert (stale.verified_by, stale.verified_by_role) == (staff, Program.VerifiedBy.PROVIDER)


def test_availability_is_confirmed_today_and_moves_the_listings_version():
    program = ProgramFactory()
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    version = services.program_version(Program.objects.get(pk=program.pk))
    services.track_availability_set(
        track=track, openings=3, next_start=datetime.date(2027, 1, 4), rolling_admission=False
    )
    track.refresh_from_db()
    assert (track.openings, track.next_start) == (3, datetime.date(2027, 1, 4))
    assert track.availability_confirmed == timezone.localdate()
    assert services.program_version(Program.objects.get(pk=program.pk)) != version


def test_a_correction_never_changes_the_listing_and_is_resolved_by_a_curator():
    program = ProgramFactory(phone="434-555-0100")
    correction = services.correction_create(
        program=program, message="The phone number is 434-555-0199.", contact=""
    )
    program.refresh_from_db()
    assert program.phone == "434-555-0100"
    curator = UserFactory()
    assert services.corrections_resolve(corrections=[correction], user=curator) == 1
    correction.refresh_from_db()
    assert (correction.status, correction.resolved_by) == (Correction.Status.RESOLVED, curator)
