"""A program keeps its own listing in a real browser: invited by a curator, signed in by the
link, openings and "still accurate" live at once, a phone change only once a curator approves."""

import importlib
import re

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import ProgramFactory, curator_create, track_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVENING = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]
MORNING = [("mon", "09:00", "12:00"), ("wed", "09:00", "12:00"), ("fri", "09:00", "12:00")]


@pytest.fixture
def listing(settings, reference_data):
    from django.apps import apps

    settings.MAP_TILE_URL = ""
    # The staff app's migration gives curators the review queue and invitations.
    importlib.import_module("staff.migrations.0002_curators_review_staff").grant(apps, None)
    program = ProgramFactory(
        name="Harbor IOP",
        slug="harbor",
        phone="434-555-0100",
        min_age=18,
        last_verified=timezone.localdate().replace(year=2025),
    )
    track_create(program, "Morning", MORNING, position=0)
    track_create(program, "Evening", EVENING, position=1)
    curator_create(username="carol")
    return program


def _admin_login(page, base):
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/admin/")


def test_invite_sign_in_update_openings_verify_and_a_reviewed_phone_change(
    live_server, new_page, listing
):
    base = live_server.url
    today = timezone.localdate()

    # A curator invites from the provider's admin page.
    admin = new_page()
    _admin_login(admin, base)
    admin.goto(f"{base}/admin/programs/provider/{listing.provider.pk}/change/")
    admin.get_by_role("link", name="Invite program staff").click()
    admin.get_by_label("Email of the person to invite").fill("lead@harbor.example.org")
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.wait_for_url("**/admin/staff/membership/")
    link = re.search(r"http://\S+/manage/sign-in/\?sesame=\S+", mail.outbox[-1].body)[0]

    # The link signs the staff member in, on a phone, without JavaScript.
    staff = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    staff.goto(link)
    staff.get_by_role("button", name="Sign in").click()
    staff.wait_for_url(base + "/manage/")
    staff.get_by_role("link", name="Harbor IOP").click()
    staff.wait_for_url("**/manage/programs/harbor/")
    width = staff.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"

    evening = staff.locator("#track-" + str(listing.tracks.get(name="Evening").pk))
    evening.get_by_label("Openings").fill("3")
    evening.get_by_role("button", name="Save openings for Evening").click()
    staff.wait_for_url("**/manage/programs/harbor/*")
    assert "Openings saved" in staff.locator(".messages").inner_text()
    staff.get_by_role("button", name="Everything here is still accurate").click()
    staff.wait_for_url("**/manage/programs/harbor/")

    public = new_page()
    public.goto(f"{base}/programs/harbor/")
    schedule = public.locator("section[aria-labelledby=schedule-heading]").inner_text()
    assert "3 openings" in schedule
    verified = public.locator("p.verified").inner_text()
    assert f"Verified {today:%B} {today.day}, {today.year} by the program" in verified

    # Every staff page fits a phone.
    for link in ["Edit schedule", "Edit details"]:
        staff.get_by_role("link", name=link).first.click()
        staff.wait_for_load_state()
        width = staff.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{staff.url} scrolls sideways on a phone ({width}px)"
        staff.go_back()

    # A phone change waits for review.
    staff.get_by_role("link", name="Edit details").click()
    staff.get_by_label("Main phone").fill("434-555-0199")
    staff.get_by_role("button", name="Save details").click()
    staff.wait_for_url("**/manage/programs/harbor/")
    assert "434-555-0199" in staff.locator(".pending").inner_text()
    public.reload()
    assert "434-555-0199" not in public.content()
    assert "434-555-0100" in public.content()

    # The curator approves it; then the public page shows it.
    admin.goto(base + "/admin/staff/pendingchange/")
    admin.get_by_role("link", name=re.compile("Harbor IOP")).click()
    admin.get_by_label("Approve: apply to the listing").check()
    admin.get_by_label("Note to the program").fill("Called the front desk.")
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.wait_for_url("**/admin/staff/pendingchange/")
    public.reload()
    assert "434-555-0199" in public.locator("#contact-heading + dl").inner_text()


def test_the_curators_track_grid_fits_a_1366_px_screen(live_server, new_page, listing):
    page = new_page(viewport={"width": 1366, "height": 768})
    _admin_login(page, live_server.url)
    response = page.goto(f"{live_server.url}/admin/programs/program/{listing.pk}/change/")
    assert response.status == 200, (response.status, page.url, response.text()[:300])
    grid = page.locator("#tracks-group table")
    grid.wait_for(timeout=30_000)  # the admin's largest page, on a busy machine
    box = grid.bounding_box()
    assert box["x"] + box["width"] <= 1366, box
    assert page.locator("#tracks-group input[placeholder]").count() == 0
    assert page.locator("#tracks-group input[value='18:00-21:00']").count() == 3
    filled = page.locator("#tracks-group input[value='18:00-21:00']").first
    assert filled.evaluate("input => input.scrollWidth <= input.clientWidth"), "times are cut off"
