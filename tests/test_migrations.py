from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_the_migrations_load_the_vocabularies_and_states_of_vocabularies_py():
    """Migration 0002 holds its vocabularies frozen; a change to programs/vocabularies.py needs a
    data migration of its own, or the database and the code would disagree."""
    from programs import vocabularies
    from programs.models import State, Term

    expected = {
        "therapy": vocabularies.THERAPIES,
        "payment": vocabularies.PAYMENTS,
        "population": vocabularies.POPULATIONS,
        "language": vocabularies.LANGUAGES,
        "step_down": vocabularies.STEP_DOWN_LEVELS,
    }
    for kind, entries in expected.items():
        loaded = list(
            Term.objects.filter(kind=kind).order_by("position").values_list("slug", "name")
        )
        assert loaded == [(slug, str(name)) for slug, name in entries], kind
    assert set(State.objects.values_list("code", "name")) == {
        (code, str(name)) for code, name in vocabularies.US_STATES
    }


@pytest.mark.django_db
def test_listings_confirmed_before_openings_were_stated_keep_showing_them():
    """Migration 0019: confirming an imported listing used to make its "open" a claim."""
    import datetime
    from importlib import import_module

    from django.apps import apps

    from programs.models import Program

    from .factories import ProgramFactory

    migration = import_module("programs.migrations.0019_program_availability_stated")
    day = datetime.date(2026, 11, 2)
    confirmed = ProgramFactory(source="samhsa-directory", last_verified=day)
    unconfirmed = ProgramFactory(source="samhsa-directory", last_verified=None)
    waitlist = ProgramFactory(source="samhsa-directory", last_verified=day, availability="waitlist")
    by_hand = ProgramFactory(source="", last_verified=day)
    migration.stated_when_verified(apps, None)
    stated = dict(Program.objects.values_list("pk", "availability_stated"))
    assert stated == {confirmed.pk: day, unconfirmed.pk: None, waitlist.pk: None, by_hand.pk: None}
    assert all(
        program.availability_listed for program in Program.objects.exclude(pk=unconfirmed.pk)
    )
