"""The data `make run` loads (SAMHSA's 2023 directory), as a patient meets it in a browser."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIRECTORY = (
    Path(__file__).resolve().parents[2] / "data/samhsa/national-directory-su-facilities-2023.xlsx"
)


@pytest.fixture
def directory(settings, reference_data):
    settings.MAP_TILE_URL = ""  # no tiles from outside this machine
    # An import runs as a command, without the requests' 2 s statement timeout (manage.py);
    # here too: the database's refresh of 5,735 listings' term sets after they are copied in
    # took over 2 s on a busy machine. The connection's own timeout comes back after.
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    try:
        call_command(
            "import_programs",
            str(DIRECTORY),
            "--format",
            "samhsa-directory",
            "--status",
            "published",
            stdout=StringIO(),
        )
    finally:
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")


def test_a_real_program_without_a_schedule_says_so_and_search_offers_the_wider_list(
    live_server, new_page, directory
):
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    assert "from SAMHSA's 2023 directory" in page.locator("#data-heading + p").inner_text()
    page.get_by_label("ZIP code or city, state").fill("22903")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/programs/?*")
    first = page.locator(".program-card").first
    assert "Schedule not listed" in first.inner_text()
    assert "From SAMHSA's 2023 directory; not yet confirmed by the program" in first.inner_text()
    assert first.locator(".distance").inner_text().startswith("about ")

    first.locator("h3 a").click()
    page.wait_for_url("**/programs/*/")
    schedule = page.locator("#schedule-heading + .unlisted").inner_text()
    assert schedule.startswith("Schedule not listed: call")
    assert page.locator(".map-note").inner_text().startswith("The marker is approximate")

    # An evening search: no real listing has a schedule yet, so the page says how many were
    # left out and links to the wider search.
    page.goto(live_server.url + "/programs/?near=22903&time_of_day=evening")
    assert "0 programs" in page.locator("#results-heading").inner_text()
    note = page.locator(".unlisted-note")
    assert "have not listed their schedule: call them to ask" in note.inner_text()
    note.get_by_role("link").click()
    page.wait_for_url("**/programs/?near=22903")
    assert page.locator(".program-card").count() > 0
