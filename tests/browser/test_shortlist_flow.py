"""A referring clinician in a real browser: search, shortlist three programs, compare them,
print the referral sheet to PDF, and share the list."""

import csv
import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from programs.models import Program
from tests.factories import ProgramFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EVENING = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]
PROGRAMS = {
    "Rivanna Teen IOP": "434-555-0111",
    "Monticello Family Recovery": "434-555-0122",
    "Blue Ridge Bilingual IOP": "434-555-0133",
}


@pytest.fixture
def programs(settings, reference_data):
    settings.MAP_TILE_URL = ""  # no tiles from outside this machine
    for position, (name, phone) in enumerate(PROGRAMS.items()):
        ProgramFactory(
            name=name,
            intake_phone=phone,
            min_age=13,
            max_age=18,
            terms={"payment": ["private-insurance"], "language": ["en", "es"]},
            tracks={"Evening": EVENING},
            latitude=38.03 + position / 100,
        )
    ProgramFactory(name="=cmd|' /C calc'!A0", latitude=38.05)


def card(page, name):
    return page.locator(".program-card", has=page.get_by_role("link", name=name, exact=True))


def names_on(page, selector):
    return sorted(page.locator(selector).all_inner_texts())


def pdf_text(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_shortlist_compare_print_and_share(live_server, new_page, programs):
    page = new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code or city, state").fill("22902")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/programs/?*")
    assert "radius=" not in page.url and "lat=" not in page.url  # empty fields dropped

    for name in PROGRAMS:
        card(page, name).get_by_role("button", name="Add to shortlist").click()
        expect_text = f"{name} is on your shortlist."
        card(page, name).locator("[data-shortlist-status]").get_by_text(expect_text).wait_for()
    assert page.url.split("?")[0].endswith("/programs/")  # no reload, no navigation
    # Back on the (cached, shared) results later, the cards say what is already added.
    page.reload()
    for name in PROGRAMS:
        card(page, name).locator("[data-shortlist-status]").get_by_text(
            "On your shortlist."
        ).wait_for()
        assert card(page, name).get_by_role("button", name="Add to shortlist").is_disabled()

    page.goto(live_server.url + "/shortlist/compare/")
    assert names_on(page, "table.compare thead th a") == sorted(PROGRAMS)
    assert "from Charlottesville, VA 22902" in page.locator("table.compare").inner_text()

    page.goto(live_server.url + "/shortlist/sheet/")
    page.get_by_label("Note for the patient").fill("Call Monday morning.")
    for paper in ("Letter", "A4"):
        pages, text = pdf_text(page.pdf(format=paper))
        assert pages == 1, paper
        for name, phone in PROGRAMS.items():
            assert name in text and phone in text, (paper, name)
        assert "988" in text and "Call Monday morning." in text and "Printed" in text
        assert "Compare side by side" not in text  # screen-only links stay off paper

    page.goto(live_server.url + "/shortlist/")
    share_url = page.locator("[data-share-url]").input_value()
    assert "?p=" in share_url and "22902" not in share_url
    stranger = new_page()
    stranger.goto(share_url)
    assert names_on(stranger, ".shortlist-item h2") == sorted(PROGRAMS)


def test_adding_works_without_javascript(live_server, new_page, programs):
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + "/programs/?near=22902")
    card(page, "Rivanna Teen IOP").get_by_role("button", name="Add to shortlist").click()
    page.wait_for_url("**/shortlist/?back=*")
    assert names_on(page, ".shortlist-item h2") == ["Rivanna Teen IOP"]
    page.get_by_role("link", name="Back to your search").click()
    page.wait_for_url("**/programs/?near=22902")


def test_search_csv_parses_and_neutralizes_formulas(live_server, new_page, programs):
    page = new_page()
    response = page.request.get(live_server.url + "/programs.csv?near=22902")
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert len(rows) == 4
    assert "'=cmd|' /C calc'!A0" in [row["name"] for row in rows]


@pytest.mark.parametrize("path", ["/shortlist/", "/shortlist/compare/", "/shortlist/sheet/"])
def test_no_serious_or_critical_accessibility_violations(live_server, new_page, programs, path):
    page = new_page(bypass_csp=True)  # axe is injected as a script
    page.goto(live_server.url + "/programs/?near=22902")
    for name in PROGRAMS:
        card(page, name).get_by_role("button", name="Add to shortlist").click()
        card(page, name).locator("[data-shortlist-status] a").wait_for()
    page.goto(live_server.url + path)
    results = Axe().run(page)
    serious = [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def test_four_full_listings_and_a_note_fit_one_page_of_letter_and_of_a4(
    live_server, new_page, reference_data
):
    payments = ["medicaid", "medicare", "private-insurance", "tricare", "sliding-scale"]
    morning = [(day, "09:00", "12:00") for day in ("mon", "tue", "wed", "thu")]
    slugs = []
    for number in range(4):
        program = ProgramFactory(
            name=f"Piedmont Behavioral Health Intensive Outpatient Program {number}",
            street="1200 Emmet Street North, Suite 300",
            intake_phone="434-555-0150",
            website="https://www.piedmont-behavioral-health.example.org/programs/iop",
            terms={"payment": payments},
            tracks={"Morning": morning, "Evening": EVENING},
        )
        slugs.append(program.slug)
    page = new_page()
    page.goto(live_server.url + "/shortlist/sheet/?p=" + ",".join(slugs))
    page.get_by_label("Note for the patient").fill("Start with the first one.\n" * 4)
    for paper in ("Letter", "A4"):
        pages, text = pdf_text(page.pdf(format=paper))
        assert pages == 1, paper
        assert text.count("Piedmont Behavioral Health") == 4


def test_results_print_as_a_clean_list_with_phones(live_server, new_page, programs):
    page = new_page()
    page.goto(live_server.url + "/programs/?near=22902")
    _pages, text = pdf_text(page.pdf(format="Letter"))
    for name, phone in PROGRAMS.items():
        assert name in text and phone in text
    for screen_only in ("Refine your search", "Show programs", "Add to shortlist", "Download"):
        assert screen_only not in text


def test_the_printed_sheets_labels_never_run_into_their_values(live_server, new_page, programs):
    slugs = ",".join(Program.objects.values_list("slug", flat=True)[:4])
    page = new_page()
    page.emulate_media(media="print")
    for language in ("", "/es"):  # "Modalidad" and "Admisión" are longer than their English
        page.goto(f"{live_server.url}{language}/shortlist/sheet/?p={slugs}")
        cramped = page.evaluate(
            """() => [...document.querySelectorAll('.sheet-program dt')]
                .filter(dt => dt.scrollWidth > dt.clientWidth
                    || dt.getBoundingClientRect().right > dt.nextElementSibling.getBoundingClientRect().left)
                .map(dt => dt.textContent)"""
        )
        assert cramped == [], language
