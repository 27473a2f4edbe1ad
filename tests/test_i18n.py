"""Spanish throughout: `/es/...` pages in Spanish, English unprefixed (CONTRACT), the API and
exports at one address, a language switch that keeps the search, hreflang alternates, the
sitemap in both languages, Spanish formats, and error codes rather than sentences."""

import datetime
import re

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from programs.filtersets import ProgramFilterSet
from programs.models import Program

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(
        name="Evening Recovery Program",
        slug="evening",
        description="Group help in the evening.",
        availability="waitlist",
        waitlist_weeks=2,
        last_verified=timezone.localdate() - datetime.timedelta(days=3),
        terms={"payment": ["medicaid", "sliding-scale"], "therapy": ["cbt"], "language": ["es"]},
        tracks={"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")]},
    )


def html_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/es/", "/es/programs/?near=22902", "/es/programs/evening/", "/es/shortlist/"],
)
def test_spanish_pages_are_spanish(client, program, path):
    html = html_of(client, path)
    assert '<html lang="es">' in html
    assert "Llame o envíe un mensaje de texto al" in html and 'href="tel:988"' in html
    assert "In crisis?" not in html and "Search programs" not in html


@pytest.mark.parametrize("path", ["/", "/programs/?near=22902", "/programs/evening/"])
def test_english_pages_stay_english_and_unprefixed(client, program, path):
    html = html_of(client, path)
    assert '<html lang="en">' in html
    assert "In crisis? Call or text" in html


def test_an_unprefixed_page_is_english_whatever_the_browser_asks(client, program):
    html = client.get("/programs/evening/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en">' in html and "About the program" in html


def test_the_program_page_says_its_schedule_in_spanish(client, program):
    html = html_of(client, "/es/programs/evening/")
    assert "Sobre el programa" in html and "Lista de espera" in html
    assert "(cerca de 2 semanas)" in html
    assert "lun, mié 18:00–21:00, 6 h/semana" not in html  # a page shows tracks in a table
    assert "<td>18:00</td><td>21:00</td>" in html and '<th scope="row">Lunes</th>' in html
    assert "Terapia cognitivo-conductual (TCC)" in html
    assert "Medicaid, Tarifa según ingresos" in html and "Español" in html
    verified = program.last_verified
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]  # fmt: skip
    assert f"Revisado el {verified.day} de {months[verified.month - 1]} de {verified.year}" in html


def test_a_track_summary_in_each_language(program):
    track = Program.objects.for_listing().get(pk=program.pk).tracks.all()[0]
    assert track.summary() == "Mon, Wed 6-9 pm, 6 h/week"
    with translation.override("es"):
        assert track.summary() == "lun, mié 18:00–21:00, 6 h/semana"


def test_a_search_in_spanish_keeps_its_links_in_spanish(client, program):
    html = html_of(client, "/es/programs/?near=22902&therapy=cbt")
    assert "1 programa cerca de Charlottesville, VA 22902" in html
    assert 'href="/es/programs/evening/"' in html
    assert "Terapia cognitivo-conductual (TCC)" in html  # the chip
    assert 'action="/es/programs/"' in html
    assert "lun, mié 18:00–21:00, 6 h/semana" in html  # the card's track
    assert 'href="/programs.csv?near=22902&amp;therapy=cbt"' in html  # exports: one address


def test_the_language_switch_keeps_the_search(client, program):
    english = html_of(client, "/programs/?near=22902&therapy=cbt")
    switch = re.search(
        r'<a class="language-switch" href="([^"]+)" lang="es" hreflang="es">', english
    )
    assert switch and switch[1] == "/es/programs/?near=22902&amp;therapy=cbt"
    spanish = html_of(client, "/es/programs/?near=22902&therapy=cbt")
    switch = re.search(
        r'<a class="language-switch" href="([^"]+)" lang="en" hreflang="en">', spanish
    )
    assert switch and switch[1] == "/programs/?near=22902&amp;therapy=cbt"
    # Each address's translations are worked out once a process; each search keeps its own.
    english = html_of(client, "/programs/?near=22902&therapy=dbt")
    assert 'href="/es/programs/?near=22902&amp;therapy=dbt" lang="es"' in english
    english = html_of(client, "/programs/")
    assert '<a class="language-switch" href="/es/programs/" lang="es"' in english


def test_a_missing_page_offers_each_languages_home_page_without_its_query(client):
    html = client.get("/no-such-page/?near=22902").content.decode()
    assert '<a class="language-switch" href="/es/" lang="es"' in html
    html = client.get("/no-such-page/?near=10001").content.decode()
    assert '<a class="language-switch" href="/es/" lang="es"' in html


def test_every_page_names_its_translations(client, program):
    html = html_of(client, "/es/programs/evening/")
    links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert links == {
        "en": "http://testserver/programs/evening/",
        "es": "http://testserver/es/programs/evening/",
        "x-default": "http://testserver/programs/evening/",
    }


def test_a_missing_page_in_spanish_is_a_spanish_404(client):
    response = client.get("/es/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="es">' in html and "No encontramos esa página" in html
    assert 'href="/es/programs/"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/es/api/programs/",
        "/es/api/programs/evening/",
        "/es/hsds/services/",
        "/es/programs.csv",
        "/es/shortlist.csv",
        "/es/admin/",
        "/es/manage/",
        "/es/healthz",
        "/es/sitemap.xml",
        "/es/robots.txt",
    ],
)
def test_the_api_exports_and_site_files_have_one_address(client, program, path):
    assert client.get(path).status_code == 404
    assert client.get(path.removeprefix("/es")).status_code in {200, 302}


def test_the_api_keeps_its_slugs_and_english_names(client, program):
    body = client.get("/api/programs/evening/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert body["url"] == "http://testserver/programs/evening/"
    assert body["availability"] == "waitlist" and body["payment"] == ["medicaid", "sliding-scale"]
    errors = client.get("/api/programs/?near=Atlantis%2C+VA").json()["errors"]
    assert errors["near"] == ["We could not find Atlantis in Virginia. Try its ZIP code."]


def test_the_sitemap_lists_both_languages(client, program):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/programs/evening/</loc>" in sitemap
    assert "<loc>http://testserver/es/programs/evening/</loc>" in sitemap
    assert 'hreflang="es" href="http://testserver/es/programs/evening/"' in sitemap
    assert 'hreflang="x-default" href="http://testserver/programs/evening/"' in sitemap
    assert "<loc>http://testserver/es/</loc>" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /programs/?\n" in robots and "Disallow: /es/programs/?\n" in robots


def test_the_search_cache_never_answers_spanish_with_english(client, program, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    assert "1 program near" in html_of(client, "/programs/?near=22902")
    assert "1 programa cerca de" in html_of(client, "/es/programs/?near=22902")
    assert "1 program near" in html_of(client, "/programs/?near=22902")


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"near": "Atlantis, VA"}, "near", "unknown_city"),
        ({"near": "99999"}, "near", "unknown_zip"),
        ({"near": "New Hampshire"}, "near", "state_only"),
        ({"near": "springfield"}, "near", "ambiguous_place"),
        ({"near": "Richmond, XX"}, "near", "unknown_state"),
        ({"lat": "38"}, "lng", "lng_without_lat"),
        ({"sort": "distance"}, "sort", "distance_without_place"),
        ({"hours_min": "12", "hours_max": "9"}, "hours_max", "hours_max_below_min"),
        ({"start_after": "6pm"}, "start_after", "invalid"),
        ({"therapy": "reiki"}, "therapy", "invalid_choice"),
        ({"free": "mon-fri at 5"}, "free", "invalid_free_time"),
    ],
)
def test_search_errors_carry_codes_in_every_language(query, field, code):
    for language in ("en", "es"):
        with translation.override(language):
            data = QueryDict(mutable=True)
            data.update(query)
            search = ProgramFilterSet(data, queryset=Program.objects.all())
            assert not search.is_valid()
            assert [error.code for error in search.form.errors.as_data()[field]] == [code]


def test_a_bad_search_in_spanish_says_what_is_wrong_in_spanish(client, program):
    html = html_of(client, "/es/programs/?near=Atlantis%2C+VA")
    assert "No encontramos Atlantis en Virginia. Pruebe con su código postal." in html
    assert "Revise su búsqueda" in html


def test_the_report_form_in_spanish(client, program):
    response = client.post("/es/programs/evening/corrections/", {"message": "no"})
    assert response.status_code == 400
    assert response.context["correction_form"].has_error("message", code="too_short")
    html = response.content.decode()
    assert "Cuéntenos un poco más sobre lo que está mal." in html
    assert '<a class="language-switch" href="/programs/evening/" lang="en"' in html
    response = client.post(
        "/es/programs/evening/corrections/", {"message": "The phone number is wrong."}
    )
    assert response.status_code == 302 and response["Location"] == "/es/programs/evening/#report"
    assert "Gracias. Un revisor va a mirar estos datos." in html_of(client, "/es/programs/evening/")


# Words a Spanish page shares with its English twin that are not English left untranslated:
# names (IOP Finder, FindTreatment.gov, Medicaid, places, languages that keep their name) and
# words both languages spell alike.
SHARED_WORDS = {
    "Atlantis", "Charlottesville", "Virginia", "Crisis", "crisis", "Find", "Finder", "Treatment",
    "Medicaid", "Medicare", "Matrix", "English", "Espa", "Hindi", "Hmong", "Navajo", "Virtual",
    "cookie", "cookies", "mental", "hospital", "alcohol", "confirm", "Program", "Provider",
}  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/programs/?near=22902",
        "/programs/?near=22902&therapy=dbt&hours_min=3&time_of_day=evening",
        "/programs/evening/",
        "/programs/?near=Atlantis%2C+VA",
        "/no-such-page/",
        "/shortlist/",
    ],
)
def test_no_english_is_left_on_a_spanish_page(client, program, path):
    from .test_readability import visible_text

    def words(text):
        return set(re.findall(r"[A-Za-z][a-z]{3,}", text))

    data = words(" ".join([program.name, program.description, program.street, "Provider"]))
    english = words(visible_text(client.get(path).content.decode()))
    spanish = words(visible_text(client.get(f"/es{path}").content.decode()))
    assert english & spanish - SHARED_WORDS - data == set()
