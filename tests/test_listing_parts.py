"""PostgreSQL keeps what a listing shows of each program's licensed states and tracks as one
JSON text beside it (`programs_listing_parts`, migration 0018, kept by triggers), and search
results read it instead of building it (the provider is read with the program): the stored
parts agree with the tables however they are written, and what a client sees follows every
change at once."""

import datetime
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from programs import services
from programs.models import Program, Provider, Session, State, Track
from programs.querysets import program_document_sql

from .concurrency import started_elsewhere, transaction_held_open
from .factories import ProgramFactory, track_create
from .test_samhsa_directory import HARBOR, RIVER, write_workbook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stored parts"),
]


def assert_parts_agree():
    """Every program's document read with its stored parts is the one built from the tables,
    and no parts are kept for a program that is gone."""
    stored = program_document_sql("p0.id", "postgresql", left_out=())
    built = program_document_sql("p0.id", "postgresql", left_out=(), stored=False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p0.id, {stored}, {built} FROM programs_program p0")
        for pk, from_parts, from_tables in cursor.fetchall():
            assert from_parts is not None, f"program {pk} has no stored parts"
            assert json.loads(from_parts) == json.loads(from_tables), pk
        cursor.execute(
            "SELECT count(*) FROM programs_listing_parts l"
            " WHERE NOT EXISTS (SELECT 1 FROM programs_program p WHERE p.id = l.program_id)"
        )
        assert cursor.fetchone() == (0,)


def shown(slug):
    """A program as the API shows it."""
    response = Client().get(f"/api/programs/{slug}/")
    assert response.status_code == 200
    return response.json()


def schedule_shown(slug):
    """The tracks of a program as the API shows them: name and session times."""
    result = shown(slug)
    return [
        (track["name"], [(s["day"], s["start"], s["end"]) for s in track["sessions"]])
        for track in result["tracks"]
    ]


def test_tracks_and_sessions_written_one_by_one_show_at_once():
    program = ProgramFactory(slug="harbor-iop", name="Harbor IOP")
    assert_parts_agree()
    evening = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    assert_parts_agree()
    assert schedule_shown("harbor-iop") == [("Evening", [("mon", "18:00", "21:00")])]
    session = evening.sessions.get()
    session.start = datetime.time(17, 30)
    session.save()
    Session.objects.create(track=evening, day=2, start=datetime.time(18), end=datetime.time(21))
    track_create(program, "Day", [("tue", "09:00", "12:00")], position=1)
    assert_parts_agree()
    assert schedule_shown("harbor-iop") == [
        ("Evening", [("mon", "17:30", "21:00"), ("wed", "18:00", "21:00")]),
        ("Day", [("tue", "09:00", "12:00")]),
    ]
    evening.name = "Evenings"
    evening.save()
    session.delete()
    assert_parts_agree()
    assert schedule_shown("harbor-iop")[0] == ("Evenings", [("wed", "18:00", "21:00")])
    evening.delete()
    assert_parts_agree()
    assert schedule_shown("harbor-iop") == [("Day", [("tue", "09:00", "12:00")])]


def test_a_provider_its_programs_and_their_licensed_states_show_at_once():
    harbor = ProgramFactory(slug="harbor-iop", name="Harbor IOP", format=Program.Format.VIRTUAL)
    river = ProgramFactory(slug="river-iop", name="River IOP", provider=harbor.provider)
    provider = harbor.provider
    provider.name = "Harbor Health, Inc."
    provider.save()
    assert_parts_agree()
    assert shown("harbor-iop")["provider"]["name"] == "Harbor Health, Inc."
    assert shown("river-iop")["provider"]["name"] == "Harbor Health, Inc."
    other = Provider.objects.create(name="River Behavioral")
    river.provider = other
    river.save()
    Provider.objects.filter(pk=provider.pk).update(website="https://harbor.example")
    assert_parts_agree()
    harbor.virtual_states.add("VA", "MD")
    assert_parts_agree()
    harbor.virtual_states.remove("VA")
    State.objects.filter(code="MD").update(name="Maryland (MD)")
    assert_parts_agree()
    assert shown("harbor-iop")["virtual_states"] == ["MD"]
    assert shown("river-iop")["provider"]["name"] == "River Behavioral"
    harbor.virtual_states.clear()
    river.delete()
    assert_parts_agree()


def test_a_state_written_after_the_rows_that_name_it_shows():
    """Foreign keys are checked at commit: in one transaction a program may be licensed in a
    state before the state's row is written (fixtures, raw SQL), or the state deleted and
    written again under another name."""
    harbor = ProgramFactory(slug="harbor-iop", format=Program.Format.VIRTUAL)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs_program_virtual_states (program_id, state_id) VALUES (%s, 'ZZ')",
            [harbor.pk],
        )
        cursor.execute("INSERT INTO programs_state (code, name) VALUES ('ZZ', 'Zedland')")
        cursor.execute("DELETE FROM programs_state WHERE code = 'ZZ'")
        cursor.execute("INSERT INTO programs_state (code, name) VALUES ('ZZ', 'Zed Territory')")
    assert_parts_agree()


@pytest.mark.django_db(transaction=True)
def test_a_provider_renamed_while_a_program_moves_to_it_shows_its_new_name(reference_data):
    """The provider is read with the program, not stored with its parts: a rename that
    commits while another transaction moves a program to that provider is on the program's
    listing once both have committed."""
    harbor = ProgramFactory(slug="harbor-iop")
    other = Provider.objects.create(name="River Behavioral")
    with transaction_held_open(lambda: Program.objects.filter(pk=harbor.pk).update(provider=other)):
        Provider.objects.filter(pk=other.pk).update(name="River Behavioral Health")
    assert shown("harbor-iop")["provider"]["name"] == "River Behavioral Health"
    assert_parts_agree()


def test_bulk_and_raw_writes_keep_the_parts_true():
    programs = ProgramFactory.create_batch(3)
    tracks = Track.objects.bulk_create(
        [Track(program=program, name=f"Track {program.pk}") for program in programs]
    )
    Session.objects.bulk_create(
        [
            Session(track=track, day=0, start=datetime.time(9), end=datetime.time(12))
            for track in tracks
        ]
    )
    assert_parts_agree()
    Session.objects.filter(track__in=tracks[:2]).update(day=4)
    Track.objects.filter(pk=tracks[0].pk).update(program=programs[2])  # moved
    assert_parts_agree()
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO programs_session (track_id, day, start, "end")'
            " VALUES (%s, 5, '10:00', '11:00')",
            [tracks[1].pk],
        )
        cursor.execute("DELETE FROM programs_session WHERE track_id = %s", [tracks[2].pk])
        cursor.execute("DELETE FROM programs_track WHERE id = %s", [tracks[2].pk])
    assert_parts_agree()
    Program.objects.filter(pk=programs[0].pk).delete()
    assert_parts_agree()


def test_the_demo_seeder_and_imports_keep_the_parts_true(tmp_path):
    services.demo_programs_seed(count=40, seed=3)
    assert_parts_agree()
    rng = random.Random(3)
    for track in rng.sample(list(Track.objects.all()), 10):
        track.sessions.all().delete()
    assert_parts_agree()
    workbook = write_workbook(tmp_path / "directory-2023.xlsx", [HARBOR, RIVER])
    call_command(
        "import_programs", str(workbook), "--format", "samhsa-directory", "--status",
        "published", stdout=StringIO(),
    )  # fmt: skip
    assert_parts_agree()
    services.demo_programs_delete()
    assert_parts_agree()


def test_a_program_without_stored_parts_is_still_listed_in_full():
    """A program written with the triggers off (as by session_replication_role = replica) has
    no parts row: its document is built by a statement of its own, and it is listed whole."""
    program = ProgramFactory(slug="harbor-iop", name="Harbor IOP")
    track_create(program, "Evening", [("mon", "18:00", "21:00")])
    ProgramFactory(slug="harbor-annex", name="Harbor Annex")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM programs_listing_parts WHERE program_id = %s", [program.pk])
    assert schedule_shown("harbor-iop") == [("Evening", [("mon", "18:00", "21:00")])]
    page = Client().get("/programs/", {"q": "harbor"})
    assert page.status_code == 200
    assert "Harbor IOP" in page.text and "Harbor Annex" in page.text


@pytest.mark.django_db(transaction=True)
def test_truncating_the_tracks_makes_every_programs_parts_again(reference_data):
    program = ProgramFactory(slug="harbor-iop")
    track_create(program, "Evening", [("mon", "18:00", "21:00")])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE programs_session, programs_track CASCADE")
    assert_parts_agree()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE programs_program CASCADE")
        cursor.execute("SELECT count(*) FROM programs_listing_parts")
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_tracks_to_one_program_at_once_keep_both(reference_data):
    """The refresh locks the program first: the second waits and lists the first's track."""
    program = ProgramFactory(slug="harbor-iop")
    with transaction_held_open(
        lambda: track_create(program, "Evening", [("mon", "18:00", "21:00")])
    ):
        # One statement: without the lock, its parts would be read before the first
        # transaction commits and written after it, without the first's track.
        other = started_elsewhere(
            lambda: Track.objects.create(program=program, name="Day", position=1)
        )
        other.join(0.5)
        assert other.is_alive()  # blocked on the first's lock
    other.join(5)
    assert_parts_agree()
    assert [name for name, _sessions in schedule_shown("harbor-iop")] == ["Evening", "Day"]
