"""The guide on a phone (390x844), in Spanish: from the first question to the results, the crisis
lines first for someone who is not safe, and no serious accessibility fault in either language."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture
def programs(settings, reference_data):
    settings.MAP_TILE_URL = ""
    ProgramFactory(
        name="Harbor Evening IOP",
        slug="harbor-evening",
        terms={"payment": ["medicaid"], "language": ["es"]},
        tracks={"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")]},
    )
    ProgramFactory(
        name="Sunrise Morning IOP",
        slug="sunrise-morning",
        terms={"payment": ["medicaid"], "language": ["es"]},
        tracks={"Morning": [("tue", "09:00", "12:00"), ("thu", "09:00", "12:00")]},
    )


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def next_question(page):
    page.get_by_role("button", name="Siguiente").click()


def test_spanish_guide_on_a_phone_from_first_question_to_results(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/es/guide/")
    assert page.locator("h1").inner_text() == "¿Está a salvo en este momento?"
    assert page.get_by_text("Pregunta 1 de 8").is_visible()
    assert fits_the_screen(page)
    page.get_by_label("Sí", exact=True).check()
    next_question(page)

    page.wait_for_url("**/es/guide/where/?*")
    assert page.locator(".guide-crisis").count() == 0
    page.get_by_label("Código postal, o ciudad y estado").fill("charlottesville va")
    page.keyboard.press("Enter")  # Enter answers: "Siguiente" is the form's first button

    page.wait_for_url("**/es/guide/need/?*")
    page.get_by_label("Alcohol o drogas").check()
    next_question(page)

    page.wait_for_url("**/es/guide/when/?*")
    page.get_by_label(
        "Tardes y noches entre semana (después de las 5 p. m.) y fines de semana"
    ).check()
    assert fits_the_screen(page)
    next_question(page)

    page.wait_for_url("**/es/guide/payment/?*")
    page.get_by_label("Medicaid").check()
    next_question(page)

    page.wait_for_url("**/es/guide/leaving/?*")
    page.get_by_role("button", name="Saltar esta pregunta").click()

    page.wait_for_url("**/es/guide/age/?*")
    page.get_by_label("Edad en años").fill("treinta y cuatro")
    next_question(page)
    assert page.get_by_text("Escriba la edad con números, como 34.").is_visible()
    page.get_by_label("Edad en años").fill("34")
    next_question(page)

    page.wait_for_url("**/es/guide/language/?*")
    assert page.get_by_text("Pregunta 8 de 8").is_visible()
    page.get_by_label("Idioma").select_option(label="Español")
    next_question(page)

    page.wait_for_url("**/es/guide/done/?*")
    assert page.locator("h1").inner_text() == "Su búsqueda está lista"
    assert "programa intensivo ambulatorio" in page.locator(".guide-iop").inner_text()
    page.get_by_role("link", name="Ver programas").click()

    page.wait_for_url("**/programs/?*")
    assert sorted(parse_qsl(urlsplit(page.url).query)) == [
        ("age", "34"),
        ("free", "mon-fri@17:00-23:59;sat-sun"),
        ("language", "es"),
        ("near", "charlottesville va"),
        ("need", "substance-use"),
        ("payment", "medicaid"),
    ]
    assert page.locator(".program-card h3 a").all_inner_texts() == ["Harbor Evening IOP"]


def test_not_safe_shows_988_first_and_still_lets_the_person_go_on(live_server, new_page, programs):
    """Without JavaScript the next page opens with the lines (tests/test_guide.py checks)."""
    page = new_page(**PHONE)
    page.goto(live_server.url + "/es/guide/")
    crisis = page.locator(".guide-crisis")
    assert not crisis.is_visible()
    page.get_by_label("No lo sé").check()
    # With JavaScript the lines show at once, above the question, before anything is sent.
    assert crisis.is_visible() and crisis.locator("a").first.is_visible()
    page.get_by_label("Sí", exact=True).check()
    assert not crisis.is_visible()
    page.get_by_label("No", exact=True).check()
    assert crisis.is_visible()
    next_question(page)

    page.wait_for_url("**/es/guide/where/?*")
    first_link = page.locator("main a").first
    assert first_link.get_attribute("href") == "tel:988"
    assert first_link.inner_text() == "Llame al 988"
    # On the phone's first screen, above the question, with call, text and 911.
    box = crisis.bounding_box()
    assert box["y"] + box["height"] <= 844
    assert box["y"] < page.locator("h1").bounding_box()["y"]
    hrefs = crisis.locator("a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert hrefs == ["tel:988", "sms:988", "tel:911"]

    page.get_by_label("Código postal, o ciudad y estado").fill("22902")
    next_question(page)
    page.wait_for_url("**/es/guide/need/?*")
    assert page.locator("main a").first.get_attribute("href") == "tel:988"


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize(
    "path",
    [
        "/guide/",
        "/guide/where/?safe=no",
        "/guide/where/?near=springfield&go=next",
        "/guide/when/",
        "/guide/payment/?payment=medicaid",
        "/guide/age/?age=x&go=next",
        "/guide/language/",
        "/guide/done/?near=22902&need=co-occurring&payment=medicaid&age=34&safe=unsure",
    ],
)
def test_no_serious_or_critical_accessibility_violations(
    live_server, new_page, programs, prefix, path
):
    page = new_page(bypass_csp=True, **PHONE)  # axe is injected as a script
    page.goto(live_server.url + prefix + path)
    assert serious_violations(page) == []
    assert fits_the_screen(page)
