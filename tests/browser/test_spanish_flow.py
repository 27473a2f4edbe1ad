"""A Spanish reader on a phone (390x844): the home page, a search and a program page under
/es/, in Spanish throughout, the switch to English keeping the search, and no serious or
critical accessibility violation (axe)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "es-US"}


@pytest.fixture
def programs(settings, reference_data):
    settings.MAP_TILE_URL = ""
    ProgramFactory(
        name="Evenings and Saturday IOP",
        slug="evenings-saturday",
        availability="waitlist",
        waitlist_weeks=3,
        terms={"payment": ["medicaid"], "therapy": ["cbt"], "language": ["es"]},
        tracks={
            "Working people": [
                ("mon", "18:00", "21:00"),
                ("wed", "18:00", "21:00"),
                ("sat", "09:00", "12:00"),
            ]
        },
    )
    ProgramFactory(
        name="Daytime IOP",
        slug="daytime",
        terms={"payment": ["medicaid"], "therapy": ["dbt"]},
        tracks={"Day": [("tue", "09:00", "13:00"), ("thu", "09:00", "13:00")]},
    )


def names(page):
    return sorted(page.locator(".program-card h3 a").all_inner_texts())


def test_a_search_from_the_spanish_home_page(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/es/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Llame o envíe un mensaje de texto al 988" in page.locator(".crisis-banner").inner_text()
    page.get_by_label("Código postal o ciudad y estado").fill("charlottesville va")
    page.get_by_label("Consumo de sustancias").check()
    page.get_by_role("button", name="Buscar", exact=True).click()
    page.wait_for_url("**/es/programs/?*")
    assert names(page) == ["Daytime IOP", "Evenings and Saturday IOP"]
    assert (
        "2 programas cerca de Charlottesville, VA" in page.locator("#results-heading").inner_text()
    )


def test_a_spanish_search_by_free_time_then_in_english(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/es/programs/?near=22902")
    page.get_by_label("Noches entre semana y fines de semana").check()
    page.locator("form.filters").get_by_role("button", name="Ver programas").click()
    page.wait_for_url("**/es/programs/?*free=*")
    assert names(page) == ["Evenings and Saturday IOP"]
    card = page.locator(".program-card").first.inner_text()
    assert "lun, mié 18:00–21:00; sáb 09:00–12:00, 9 h/semana" in card
    assert "Lista de espera (cerca de 3 semanas)" in card
    assert "Se ajusta a su tiempo libre" in page.locator(".chips").inner_text()
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/programs/?*free=*")
    assert "/es/" not in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    assert names(page) == ["Evenings and Saturday IOP"]
    assert "Fits your free time" in page.locator(".chips").inner_text()


def test_a_spanish_program_page(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/es/programs/evenings-saturday/")
    assert page.get_by_role("heading", name="Sobre el programa").is_visible()
    schedule = page.locator("table.schedule").inner_text()
    assert "Lunes" in schedule and "18:00" in schedule and "21:00" in schedule
    assert "Terapia cognitivo-conductual (TCC)" in page.locator(".program-detail").inner_text()
    page.get_by_role("button", name="Añadir a mi lista").click()
    page.get_by_role("link", name="Ver la lista (1)").click()
    page.wait_for_url("**/es/shortlist/")
    assert page.get_by_role("heading", name="Su lista").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/es/",
        "/es/programs/?near=22902",
        "/es/programs/?near=22902&therapy=cbt&therapy=dbt",
        "/es/programs/?near=Atlantis",
        "/es/programs/evenings-saturday/",
    ],
)
def test_no_serious_accessibility_violations_in_spanish(live_server, new_page, programs, path):
    page = new_page(bypass_csp=True, **PHONE)  # axe is injected as a script
    page.goto(live_server.url + path)
    results = Axe().run(page)
    serious = [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def test_the_spanish_maps_controls_speak_spanish(live_server, new_page, programs):
    page = new_page()
    page.goto(live_server.url + "/es/programs/?near=22902")
    page.wait_for_selector("#map.map-ready")
    assert page.get_by_role("button", name="Acercar").is_visible()
    assert page.get_by_role("button", name="Alejar").is_visible()
    attribution = page.locator(".leaflet-control-attribution")
    assert "JavaScript" not in attribution.inner_html()
    page.locator("#map .map-number").last.click()  # the two share a place: the top one
    close = page.locator(".leaflet-popup-close-button")
    close.wait_for()
    assert (
        close.get_attribute("aria-label") == "Cerrar" and close.get_attribute("title") == "Cerrar"
    )
