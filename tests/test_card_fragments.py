"""Parts of result cards are rendered once per version of the program, language and day
(programs_extras.program_fragment): what a person sees is what the program is now."""

import pytest
from django.core.cache import caches

from programs.models import Session, Term

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor(settings):
    settings.SEARCH_CACHE_SECONDS = 0  # every page below is rendered, none read whole
    return ProgramFactory(
        name="Harbor IOP",
        phone="434-555-0100",
        terms={"payment": ["medicaid"]},
        tracks={"Evening": [("mon", "18:00", "21:00")]},
    )


def card(client, path="/programs/", **params):
    """The first result card up to its shortlist form (which holds the visitor's token)."""
    response = client.get(path, {"near": "22902", **params})
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('<article class="program-card">')
    return page[start : page.index('<form class="shortlist-add"', start)]


def test_a_card_is_the_same_from_its_kept_parts(client, harbor):
    first = card(client)
    assert len(caches["fragments"]._cache) == 3  # provider, body, facts
    assert card(client) == first
    assert "434-555-0100" in first and "Medicaid" in first and "Mon 6-9 pm" in first


def test_an_edit_shows_on_the_next_page(client, harbor):
    card(client)
    harbor.phone = "434-555-0199"
    harbor.save()
    Session.objects.filter(track__program=harbor).update(start="17:00")
    shown = card(client)
    assert "434-555-0199" in shown and "434-555-0100" not in shown
    assert "Mon 5-9 pm" in shown


def test_a_new_term_shows_on_the_next_page(client, harbor):
    assert "Self-pay" not in card(client)
    harbor.terms.add(Term.objects.get(kind="payment", slug="self-pay"))
    assert "Medicaid, Self-pay" in card(client)


def test_each_language_has_its_own_parts(client, harbor):
    english = card(client)
    spanish = card(client, "/es/programs/")
    assert "Openings" in english and "Openings" not in spanish
    assert "Lun" in spanish or "lun" in spanish
    assert card(client) == english
