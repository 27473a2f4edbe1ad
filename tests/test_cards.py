"""Result cards (programs.cards): what a person sees is what the program is now, in their
language, with nothing a listing holds read as HTML."""

import datetime

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from programs import cards
from programs.models import Program, Provider, Session, Term

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


def test_a_card_shows_what_people_decide_by(client, harbor):
    shown = card(client)
    assert f'<a href="/programs/{harbor.slug}/">Harbor IOP</a>' in shown
    assert 'Phone <a href="tel:+14345550100">434-555-0100</a>' in shown
    assert "<dt>Payment</dt><dd>Medicaid</dd>" in shown
    assert "<li><strong>Evening:</strong> Mon 6-9 pm, 3 h/week</li>" in shown
    assert card(client) == shown


def test_nothing_a_listing_holds_is_read_as_html(client, harbor):
    harbor.name = "Harbor <script>alert(1)</script> IOP"
    harbor.city = 'Char"lottesville'
    harbor.phone = '434-555-0100" onclick="x'
    harbor.save()
    Provider.objects.filter(pk=harbor.provider_id).update(name="<b>Bold</b> & Co")
    harbor.tracks.update(name="<i>Evening</i>")
    page = client.get("/programs/", {"near": "22902"}).content.decode()
    shown = page[page.index('<article class="program-card">') : page.index("</article>")]
    assert "<script>" not in shown and "Harbor &lt;script&gt;alert(1)&lt;/script&gt; IOP" in shown
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in shown and "<i>" not in shown
    assert "Char&quot;lottesville" in shown
    assert '<a href="tel:+14345550100">434-555-0100&quot; onclick=&quot;x</a>' in shown
    assert "Harbor &lt;script&gt;" in page[page.index('<form class="shortlist-add"') :]


def test_a_card_without_a_schedule_says_whom_to_call(client, harbor):
    harbor.tracks.all().delete()
    shown = card(client)
    assert 'Schedule not listed: call <a href="tel:+14345550100">434-555-0100</a> to ask.' in shown


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


def test_openings_are_written_in_the_readers_language_with_the_wait():
    program = ProgramFactory.build(availability=Program.Availability.WAITLIST, waitlist_weeks=3)
    assert program.availability_display == "Waitlist (about 3 weeks)"
    program.waitlist_weeks = 1
    assert program.availability_display == "Waitlist (about 1 week)"
    program.availability = Program.Availability.OPEN
    assert program.availability_display == "Accepting patients"
    with translation.override("es"):
        assert program.availability_display == str(Program.Availability.OPEN.label)
        assert program.availability_display != "Accepting patients"
        assert program.availability_display == "Recibe pacientes"  # the catalogue's words
        program.availability = Program.Availability.WAITLIST
        assert program.availability_display == "Lista de espera (cerca de 1 semana)"
    program.availability = Program.Availability.OPEN
    program.availability = "unknown"  # not validated yet: shown as Django shows it
    assert program.availability_display == "unknown"


def test_an_imported_listing_nobody_confirmed_does_not_claim_openings(client, harbor):
    # SAMHSA's directory says nothing about openings: the import's "open" is no claim.
    Program.objects.filter(pk=harbor.pk).update(
        source="samhsa-directory", source_edition="2023", last_verified=None
    )
    shown = card(client)
    assert '<dd class="availability-unlisted">Not listed: ask when you call</dd>' in shown
    assert "Accepting patients" not in shown
    spanish = card(client, "/es/programs/")
    assert "No consta: pregunte al llamar" in spanish
    assert "Fuente: Directorio 2023 de SAMHSA. El programa aún no lo confirma" in spanish
    page = client.get(f"/programs/{harbor.slug}/").content.decode()
    assert "Not listed: ask when you call" in page and "Accepting patients" not in page
    # The API keeps the contract's value, and `accepting=1` (not full) still finds it.
    found = client.get("/api/programs/", {"near": "22902", "accepting": "1"}).json()
    assert [item["availability"] for item in found["results"]] == ["open"]
    # Confirming the listing confirms "Not listed"; once someone states the openings (or sets
    # a waitlist), they are a claim.
    Program.objects.filter(pk=harbor.pk).update(last_verified=datetime.date.today())
    assert '<dd class="availability-unlisted">' in card(client)
    Program.objects.filter(pk=harbor.pk).update(availability_stated=datetime.date.today())
    assert '<dd class="availability-open">Accepting patients</dd>' in card(client)
    Program.objects.filter(pk=harbor.pk).update(
        last_verified=None, availability_stated=None, availability=Program.Availability.WAITLIST
    )
    assert '<dd class="availability-waitlist">Waitlist</dd>' in card(client)


def test_a_listing_entered_by_hand_states_its_openings():
    program = ProgramFactory.build(source="", last_verified=None)
    assert program.availability_listed
    assert program.availability_display == "Accepting patients"


# Distances two points in the US can be apart: 0, or more than the doubles' spacing near a
# latitude (floatformat writes a denormal such as 2e-311 back as it is, in scientific notation).
@given(miles=st.one_of(st.just(0.0), st.floats(min_value=1e-9, max_value=6000)))
@example(miles=0.05)
@example(miles=12.25)
@example(miles=2.675)
def test_a_distance_is_written_as_floatformat_writes_it_in_each_language(miles):
    for language in ("en", "es"):
        with translation.override(language):
            assert cards._miles_in(language, cards._tenths(miles)) == floatformat(miles, 1)


def test_licensed_in_your_state_is_said_only_when_a_place_was_searched(client, harbor):
    Program.objects.filter(pk=harbor.pk).update(
        format="virtual", city="Seattle", state="WA", zip="98101", latitude=47.61, longitude=-122.33
    )
    harbor.virtual_states.set(["VA"])
    # Found from Charlottesville because it treats Virginians remotely: "your state" is VA.
    assert "Virtual (licensed in your state)" in card(client, virtual="include")
    # Found by its name, from nowhere: no state is the searcher's.
    page = client.get("/programs/", {"q": "harbor"}).content.decode()
    assert "Seattle, WA" in page and "licensed in your state" not in page


def test_a_card_says_what_each_track_has_open_while_it_is_current(client, harbor):
    from programs.models import Track

    today = datetime.date.today()
    Track.objects.filter(program=harbor).update(
        openings=3, next_start=today + datetime.timedelta(days=3), availability_confirmed=today
    )
    start = f"{today + datetime.timedelta(days=3):%B} {(today + datetime.timedelta(days=3)).day}"
    shown = card(client)
    assert (
        "<li><strong>Evening:</strong> Mon 6-9 pm, 3 h/week"
        f'<span class="openings"> · 3 openings · next start {start}</span></li>'
    ) in shown
    assert "3 cupos · próximo inicio" in card(client, "/es/programs/")
    # Confirmed longer ago than AVAILABILITY_FRESH_DAYS: the card no longer says it.
    Track.objects.filter(program=harbor).update(
        availability_confirmed=today - datetime.timedelta(days=60)
    )
    assert 'class="openings"' not in card(client)
