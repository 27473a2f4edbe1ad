"""Public corrections: stored for curators, never applied by themselves, and hard to abuse."""

import pytest
from django.test import Client
from django.urls import reverse

from programs.models import Correction, Program

from .factories import ProgramFactory, curator_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(slug="harbor-iop", phone="757-555-0101")


def report(client, message="The phone number is wrong: it is now 757-555-0199.", **extra):
    return client.post(
        reverse("programs:correction_create", args=["harbor-iop"]),
        {"message": message, "contact": "", **extra},
        REMOTE_ADDR="203.0.113.5",
    )


def test_a_report_is_stored_for_curators_and_does_not_change_the_listing(client, program):
    response = report(client)
    assert response.status_code == 302
    assert response["Location"] == "/programs/harbor-iop/#report"
    correction = Correction.objects.get()
    assert correction.program == program and correction.status == "open"
    assert "757-555-0199" in correction.message
    program.refresh_from_db()
    assert program.phone == "757-555-0101"
    page = client.get(response["Location"]).content.decode()
    # The thank-you stands at the form the person just sent, not at the top of the page.
    report_section = page[page.index('id="report"') :]
    assert "A curator will check this listing" in report_section


def test_an_empty_or_too_long_report_is_refused_with_a_message(client, program):
    response = report(client, message="  ")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = report(client, message="x" * 2001)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert Correction.objects.count() == 0


def test_a_filled_honeypot_is_refused(client, program):
    assert report(client, website="http://spam.example").status_code == 400
    assert Correction.objects.count() == 0


def test_reports_are_rate_limited_per_client(client, program, settings):
    settings.CORRECTIONS_PER_HOUR = 3
    for _ in range(3):
        assert report(client).status_code == 302
    response = report(client)
    assert response.status_code == 429
    errors = response.context["correction_form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["rate_limited"]
    assert 'role="alert"' in response.content.decode()  # and the visitor is told
    assert Correction.objects.count() == 3
    # Another client is not held back.
    other = Client()
    assert (
        other.post(
            reverse("programs:correction_create", args=["harbor-iop"]),
            {"message": "Closed on Fridays now."},
            REMOTE_ADDR="198.51.100.7",
        ).status_code
        == 302
    )


def test_csrf_is_enforced(program):
    client = Client(enforce_csrf_checks=True)
    response = report(client)
    assert response.status_code == 403
    assert Correction.objects.count() == 0
    page = client.get("/programs/harbor-iop/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("programs:correction_create", args=["harbor-iop"]),
        {"message": "Wrong hours listed.", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_reports_on_unpublished_programs_are_not_found(client):
    ProgramFactory(slug="harbor-iop", status=Program.Status.DRAFT)
    assert report(client).status_code == 404


def test_get_is_not_allowed(client, program):
    assert client.get(reverse("programs:correction_create", args=["harbor-iop"])).status_code == 405


def test_the_report_is_shown_escaped_in_the_admin_and_curators_resolve_it(client, program):
    hostile = '<script>alert("x")</script> hours changed'
    report(client, message=hostile)
    curator = curator_create()
    client.force_login(curator)
    correction = Correction.objects.get()
    for url in [
        reverse("admin:programs_correction_changelist"),
        reverse("admin:programs_correction_change", args=[correction.pk]),
    ]:
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in html
        assert '<script>alert("x")</script>' not in html
    client.post(
        reverse("admin:programs_correction_changelist"),
        {"action": "resolve", "_selected_action": [correction.pk]},
    )
    correction.refresh_from_db()
    assert correction.status == "resolved" and correction.resolved_by == curator


def test_a_curator_resolves_a_report_with_what_was_done_and_the_listing_remembers(client, program):
    report(client, message="The evening track moved to Tuesdays.")
    curator = curator_create(username="carol")
    client.force_login(curator)
    correction = Correction.objects.get()
    url = reverse("admin:programs_correction_change", args=[correction.pk])
    page = client.get(url).content.decode()
    # Which listing, whose and where: many share a name.
    assert program.provider.name in page and f"{program.city}, {program.state_id}" in page
    response = client.post(
        url, {"status": "resolved", "resolution": "Called them: moved the track to Tuesdays."}
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "resolved" and correction.resolved_by == curator
    assert correction.resolved_at is not None
    record = program.history.latest()
    assert record.history_user == curator
    assert record.history_change_reason == (
        f"Report #{correction.pk} resolved: Called them: moved the track to Tuesdays."
    )
    history = client.get(reverse("admin:programs_program_history", args=[program.pk]))
    assert "Called them: moved the track to Tuesdays." in history.content.decode()
    # Reopened: nobody has resolved it any more.
    client.post(url, {"status": "open", "resolution": correction.resolution})
    correction.refresh_from_db()
    assert correction.status == "open"
    assert correction.resolved_at is None and correction.resolved_by is None
