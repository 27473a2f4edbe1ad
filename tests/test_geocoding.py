"""geocode_programs with a fake geopy geocoder: never the network."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from programs.models import GeocodedAddress, Program

from .factories import ProgramFactory
from .fakes import FakeGeocoder

pytestmark = pytest.mark.django_db

ADDRESS = "800 Preston Avenue, Charlottesville, VA 22903, USA"


@pytest.fixture(autouse=True)
def fake_geocoder(settings):
    settings.GEOCODER = "tests.fakes.FakeGeocoder"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    FakeGeocoder.answers = {ADDRESS: (38.0375, -78.4890)}
    FakeGeocoder.asked = []
    FakeGeocoder.down = False
    return FakeGeocoder


def geocode(*args):
    out = StringIO()
    call_command("geocode_programs", *args, stdout=out)
    return out.getvalue()


def at_zip_centre(**kwargs):
    return ProgramFactory(location_precision="zip", latitude=38.03, longitude=-78.48, **kwargs)


def test_a_found_address_moves_the_listing_from_its_zip_centre():
    program = at_zip_centre(slug="harbor")
    output = geocode("--missing-only")
    assert (
        "placed 1, not found 0, too far from their ZIP 0, geocoder failed 0 (1 geocoder requests"
        in output
    )
    program.refresh_from_db()
    assert (program.latitude, program.longitude) == (38.0375, -78.4890)
    assert program.location_precision == "address"


def test_an_unknown_address_or_a_distant_match_keeps_the_zip_centre(fake_geocoder):
    lost = at_zip_centre(slug="lost", street="1 Nowhere Road")
    far = at_zip_centre(slug="far", street="2 Elsewhere Road")
    fake_geocoder.answers["2 Elsewhere Road, Charlottesville, VA 22903, USA"] = (36.1, -80.2)
    output = geocode()
    assert "placed 0, not found 1, too far from their ZIP 1, " in output
    for program in (lost, far):
        program.refresh_from_db()
        assert (program.latitude, program.longitude, program.location_precision) == (
            38.03,
            -78.48,
            "zip",
        )


def test_answers_are_cached_so_an_address_is_asked_once(fake_geocoder):
    at_zip_centre(slug="one")
    geocode()
    Program.objects.update(location_precision="zip")
    output = geocode()
    assert fake_geocoder.asked == [ADDRESS]
    assert "(0 geocoder requests, the rest from the cache)" in output
    assert GeocodedAddress.objects.get().found


def test_missing_only_and_limit_choose_the_listings(fake_geocoder):
    ProgramFactory(slug="already-placed")  # location_precision "address"
    for n in range(3):
        at_zip_centre(slug=f"centre-{n}", street=f"{n} Main Street")
    geocode("--missing-only", "--limit", "2")
    assert len(fake_geocoder.asked) == 2
    assert all("Main Street" in query for query in fake_geocoder.asked)


def test_nominatim_without_a_user_agent_is_refused(settings):
    settings.GEOCODER, settings.GEOCODER_USER_AGENT = "nominatim", ""
    with pytest.raises(CommandError, match="GEOCODER_USER_AGENT"):
        geocode()


def test_a_geocoder_outage_is_not_cached_as_not_found(fake_geocoder):
    program = at_zip_centre(slug="harbor")
    fake_geocoder.down = True
    assert "geocoder failed 1" in geocode()
    assert not GeocodedAddress.objects.exists()
    fake_geocoder.down = False
    assert "placed 1" in geocode()
    program.refresh_from_db()
    assert program.location_precision == "address"
