"""Factories for hand-made test data. Vocabulary terms and states come from the migrations."""

import datetime

import factory
from django.contrib.auth.models import Group, User

from programs.models import WEEKDAY_SLUGS, Program, Provider, Session, State, Term, Track


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n}")
    website = "https://provider.example.org/"


class ProgramFactory(factory.django.DjangoModelFactory):
    """A published in-person adult program in Charlottesville, VA, open, with no tracks."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Program {n:04d}")
    slug = factory.Sequence(lambda n: f"program-{n}")
    status = Program.Status.PUBLISHED
    description = "An intensive outpatient program."
    street = "800 Preston Avenue"
    city = "Charlottesville"
    state = factory.LazyFunction(lambda: State.objects.get(code="VA"))
    zip = "22903"
    latitude = 38.0364
    longitude = -78.4888
    phone = "434-555-0100"
    treats_substance_use = True
    format = Program.Format.IN_PERSON
    availability = Program.Availability.OPEN
    time_zone = "America/New_York"
    last_verified = factory.LazyFunction(datetime.date.today)
    verified_by_role = Program.VerifiedBy.CURATOR

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        """terms={"therapy": ["cbt"], "payment": ["medicaid"]}"""
        if create and extracted:
            self.terms.set(
                Term.objects.get(kind=kind, slug=slug)
                for kind, slugs in extracted.items()
                for slug in slugs
            )

    @factory.post_generation
    def virtual_states(self, create, extracted, **kwargs):
        if create and extracted:
            self.virtual_states.set(State.objects.filter(code__in=extracted))

    @factory.post_generation
    def tracks(self, create, extracted, **kwargs):
        """tracks={"Evening": [("mon", "18:00", "21:00"), ...]}"""
        if create and extracted:
            for position, (name, sessions) in enumerate(extracted.items()):
                track_create(self, name, sessions, position=position)


DAYS = WEEKDAY_SLUGS


def track_create(program, name, sessions, position=0):
    """A track with sessions given as ("mon", "18:00", "21:00")."""
    track = Track.objects.create(program=program, name=name, position=position)
    for day, start, end in sessions:
        Session.objects.create(
            track=track,
            day=DAYS.index(day),
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
        )
    return track


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A person who keeps a provider's listings at /manage/ (not an admin user)."""

    class Meta:
        model = "staff.Membership"

    user = factory.SubFactory(UserFactory)
    provider = factory.SubFactory(ProviderFactory)


def curator_create(**kwargs):
    """A staff user in the Curators group, and nothing more."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Curators"))
    return user
