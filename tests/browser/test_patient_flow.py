"""A patient on a phone (390x844): places as people type them, no dead ends, free time."""

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
