"""A patient on a phone (390x844): places as people type them, no dead ends, free time."""

from urllib.parse import urlencode

import pytest

from tests.factories import ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}}


@pytest.fixture
def programs(settings, reference_data):
    settings.MAP_TILE_URL = ""
    ProgramFactory(
        name="Evenings and Saturday IOP",
        slug="evenings-saturday",
        terms={"payment": ["medicaid"], "therapy": ["cbt"]},
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


def test_a_city_typed_without_a_comma_finds_programs(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/")
    page.get_by_label("ZIP code or city, state").fill("charlottesville va")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/programs/?*")
    assert names(page) == ["Daytime IOP", "Evenings and Saturday IOP"]
    assert "near Charlottesville, VA" in page.locator("#results-heading").inner_text()


def test_a_city_many_states_have_offers_them(live_server, new_page, programs):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/programs/?near=springfield")
    suggestions = page.locator(".suggestions a")
    assert suggestions.first.inner_text() == "Springfield, MA"
    assert "Springfield, IL" in suggestions.all_inner_texts()


def test_zero_results_show_which_condition_emptied_them_and_one_click_brings_results_back(
    live_server, new_page, programs
):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/programs/?near=22902&therapy=cbt&therapy=dbt&payment=medicaid")
    assert "0 programs" in page.locator("#results-heading").inner_text()
    chips = page.locator(".chips li")
    texts = chips.all_inner_texts()
    assert any("Dialectical behavior therapy" in t and "without it: 1 more" in t for t in texts)
    page.get_by_role("link", name="Remove Dialectical behavior therapy (DBT)").click()
    page.wait_for_url("**therapy=cbt*")
    assert names(page) == ["Evenings and Saturday IOP"]


def test_free_time_finds_the_evening_and_saturday_track_that_evening_drops(
    live_server, new_page, programs
):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/programs/?near=22902&time_of_day=evening")
    assert names(page) == []
    page.goto(live_server.url + "/programs/?near=22902")
    page.get_by_label("Weekday evenings and weekends").check()
    page.locator("form.filters").get_by_role("button", name="Show programs").click()
    page.wait_for_url("**free=*")
    assert names(page) == ["Evenings and Saturday IOP"]


@pytest.mark.parametrize(
    "path", ["/", "/programs/?near=22902", "/programs/evenings-saturday/", "/shortlist/"]
)
def test_no_request_leaves_the_site_with_the_default_settings(
    live_server, new_page, programs, path
):
    page = new_page(**PHONE)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + path)
    summary = page.get_by_text("Show map")
    if summary.count():
        summary.click()
        page.wait_for_selector("#map.map-ready")
    page.wait_for_load_state("networkidle")
    assert requests and all(url.startswith(live_server.url) for url in requests), requests


@pytest.mark.parametrize(
    "path",
    [
        "/programs/?near=22902",
        "/programs/?near=22902&therapy=cbt&therapy=dbt",
        "/programs/daytime/",
    ],
)
def test_no_serious_accessibility_violations_on_a_phone(live_server, new_page, programs, path):
    from axe_playwright_python.sync_playwright import Axe

    page = new_page(bypass_csp=True, **PHONE)
    page.goto(live_server.url + path)
    results = Axe().run(page)
    serious = [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


@pytest.mark.parametrize(
    "query",
    [
        {"near": "22902", "q": "a" * 150},  # a long word comes back in a chip
        {"near": "x" * 99},  # and in the place's error
    ],
)
def test_long_words_typed_into_the_search_never_widen_the_page_on_a_phone(
    live_server, new_page, programs, query
):
    page = new_page(**PHONE)
    page.goto(live_server.url + "/programs/?" + urlencode(query))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_without_javascript_a_place_typed_after_using_my_location_is_searched(
    live_server, new_page, programs
):
    page = new_page(java_script_enabled=False, **PHONE)
    page.goto(live_server.url + "/programs/?lat=38.03&lng=-78.48")
    page.locator("#filters").get_by_label("ZIP code or city, state").fill("22902")
    page.locator("#filters").get_by_role("button", name="Show programs").click()
    assert names(page) == ["Daytime IOP", "Evenings and Saturday IOP"]
    assert "near Charlottesville, VA 22902" in page.locator("#results-heading").inner_text()
    assert "lat=" not in page.url


@pytest.mark.parametrize(
    ("free", "kept"),
    [
        (["tue,thu@08:00-12:00"], "tue,thu@08:00-12:00"),  # a free time of one's own
        (["mon-fri@06:00-12:00", "sat-sun"], "mon-fri@06:00-12:00;sat-sun"),  # two presets
    ],
)
def test_the_form_keeps_free_time_it_has_no_preset_for(live_server, new_page, programs, free, kept):
    page = new_page(java_script_enabled=False, **PHONE)
    query = urlencode([("near", "22902"), *[("free", value) for value in free]])
    page.goto(f"{live_server.url}/programs/?{query}")
    before = names(page)
    own = page.locator("#filters").get_by_label(f"As you gave it: {kept}")
    assert own.is_checked()
    page.locator("#filters").get_by_role("button", name="Show programs").click()
    assert names(page) == before
    assert urlencode({"free": kept}) in page.url
    # A preset picked instead replaces it.
    page.locator("#filters").get_by_label("Weekends only").check()
    page.locator("#filters").get_by_role("button", name="Show programs").click()
    assert "free=sat-sun" in page.url and "08%3A00" not in page.url
