"""The database itself refuses invalid rows, whatever code writes them."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from programs.models import Program, Session, Term, Track
from programs.vocabularies import LANGUAGES, PAYMENTS, POPULATIONS, STEP_DOWN_LEVELS, THERAPIES

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db


def refused(**changes):
    """Whether saving a program with `changes` is refused by the database."""
    program = ProgramFactory()
    try:
        with transaction.atomic():
            Program.objects.filter(pk=program.pk).update(**changes)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    "changes",
    [
        {"latitude": 90.5},
        {"latitude": -91},
        {"longitude": 180.01},
        {"longitude": -200},
        {"min_age": 121},
        {"max_age": 130},
        {"min_age": 30, "max_age": 20},
        {"waitlist_weeks": -1},
        {"status": "deleted"},
        {"format": "fax"},
        {"availability": "maybe"},
    ],
)
def test_invalid_program_rows_are_refused(changes):
    assert refused(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"latitude": 90, "longitude": -180},
        {"min_age": 0, "max_age": 120},
        {"min_age": 18, "max_age": 18},
        {"min_age": 18, "max_age": None},
        {"waitlist_weeks": 0},
    ],
)
def test_valid_edge_values_are_accepted(changes):
    assert not refused(**changes)


def test_two_programs_cannot_share_a_slug():
    ProgramFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(slug="same")


@pytest.mark.parametrize("start,end", [("18:00", "18:00"), ("21:00", "18:00")])
def test_a_session_must_end_after_it_starts(start, end):
    track = Track.objects.create(program=ProgramFactory(), name="Evening")
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(
            track=track,
            day=0,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
        )


def test_a_session_day_must_be_a_weekday():
    track = Track.objects.create(program=ProgramFactory(), name="Evening")
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(track=track, day=7, start=datetime.time(9), end=datetime.time(12))


def test_weekly_hours_are_computed_by_the_database_from_the_sessions():
    program = ProgramFactory()
    track = track_create(
        program,
        "Evening",
        [("mon", "18:00", "21:00"), ("tue", "18:00", "21:30"), ("thu", "17:45", "21:00")],
    )
    assert Track.objects.with_weekly_minutes().get(pk=track.pk).weekly_minutes == 180 + 210 + 195
    assert Track.objects.prefetch_related("sessions").get(pk=track.pk).hours_per_week == 9.75
    # Changing a session changes the hours: nothing stored can disagree.
    Session.objects.filter(track=track, day=1).update(end=datetime.time(21, 0))
    assert Track.objects.with_weekly_minutes().get(pk=track.pk).weekly_minutes == 180 + 180 + 195


# The vocabularies as the public contract (CONTRACT.md) spells them, written out here rather than read from
# programs/vocabularies.py, so that the test compares the database with the contract.
CONTRACT_SLUGS = {
    "therapy": {
        "cbt", "dbt", "mindfulness", "act", "motivational-interviewing", "contingency-management",
        "relapse-prevention", "trauma-focused", "family-therapy", "twelve-step", "matrix-model",
        "group-therapy", "individual-therapy", "medication-management", "moud",
    },
    "payment": {
        "medicaid", "medicare", "private-insurance", "tricare", "va", "ihs-tribal",
        "state-funded", "self-pay", "sliding-scale", "payment-assistance", "free",
    },
    "population": {
        "adolescents", "young-adults", "seniors", "veterans", "active-military", "lgbtq", "women",
        "men", "pregnant-postpartum", "criminal-justice", "trauma-survivors",
        "deaf-hard-of-hearing", "professionals",
    },
    "step_down": {"inpatient", "residential", "php"},
}  # fmt: skip
# The contract lists these language codes and says "...": more may follow.
CONTRACT_LANGUAGES = {
    "en", "es", "zh", "vi", "ko", "ru", "ar", "fr", "ht", "pt", "tl", "pl", "de", "it", "ja",
    "hi", "fa", "he", "el", "nv", "ase", "hmn",
}  # fmt: skip


def test_the_migrations_load_exactly_the_contract_vocabularies():
    def loaded(kind):
        return set(Term.objects.filter(kind=kind).values_list("slug", flat=True))

    for kind, slugs in CONTRACT_SLUGS.items():
        assert loaded(kind) == slugs
    assert loaded("language") >= CONTRACT_LANGUAGES

    expected = {
        "therapy": THERAPIES,
        "payment": PAYMENTS,
        "population": POPULATIONS,
        "language": LANGUAGES,
        "step_down": STEP_DOWN_LEVELS,
    }
    for kind, entries in expected.items():
        assert set(Term.objects.filter(kind=kind).values_list("slug", flat=True)) == {
            slug for slug, _ in entries
        }
    assert {"cbt", "moud", "twelve-step"} <= set(
        Term.objects.filter(kind="therapy").values_list("slug", flat=True)
    )
    assert {"ase", "hmn", "nv"} <= set(
        Term.objects.filter(kind="language").values_list("slug", flat=True)
    )
