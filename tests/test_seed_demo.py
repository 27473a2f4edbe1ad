"""`manage.py seed_demo`: deterministic, valid, published, labelled demo listings."""

from io import StringIO

import pytest
from django.core.management import call_command

from programs.geo import gazetteer
from programs.models import Program, Provider, Track
from programs.serializers import program_to_dict

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


def seed(programs=60, seed=7):
    out = StringIO()
    call_command("seed_demo", programs=programs, seed=seed, stdout=out)
    return out.getvalue()


def documents():
    return [
        program_to_dict(document, include_location_extras=False)
        for document in Program.objects.order_by("slug").listing_documents()
    ]


def test_the_same_seed_gives_the_same_programs():
    seed(seed=7)
    first = documents()
    seed(seed=7)
    assert documents() == first
    assert len(first) == 60
    seed(seed=8)
    assert documents() != first


def test_seeded_programs_are_valid_published_labelled_demo_listings():
    output = seed(programs=80)
    assert "Seeded 80 demo programs" in output
    programs = list(Program.objects.for_listing())
    assert len(programs) == 80
    zips = gazetteer().by_zip
    for program in programs:
        program.full_clean()
        assert program.status == Program.Status.PUBLISHED
        assert program.is_demo and program.provider.is_demo
        assert program.description.startswith("Demo listing")
        assert "-555-01" in program.phone
        entry = zips[program.zip]  # a real ZIP, at its centroid
        assert (program.latitude, program.longitude) == (entry.lat, entry.lng)
        assert program.state_id == entry.state
        assert 1 <= len(program.tracks.all()) <= 3
        assert program.therapies and program.payments and program.languages
        for track in program.tracks.all():
            assert 9 <= track.hours_per_week <= 20
            assert all(s.end > s.start for s in track.sessions.all())


def test_track_hours_agree_with_sessions():
    seed(programs=50)
    for track in Track.objects.with_weekly_minutes().prefetch_related("sessions"):
        by_hand = sum(
            (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute)
            for s in track.sessions.all()
        )
        assert track.weekly_minutes == by_hand
        assert track.hours_per_week == round(by_hand / 60, 2)


def test_reseeding_replaces_demo_listings_and_keeps_real_ones():
    real = ProgramFactory(name="A real program")
    seed(programs=30)
    seed(programs=10)
    assert Program.objects.filter(is_demo=True).count() == 10
    assert Program.objects.filter(pk=real.pk).exists()
    assert Provider.objects.filter(is_demo=False).count() == 1


def test_if_empty_leaves_a_filled_database_alone():
    ProgramFactory()
    out = StringIO()
    call_command("seed_demo", "--if-empty", programs=10, stdout=out)
    assert Program.objects.count() == 1
    assert "already holds programs" in out.getvalue()
