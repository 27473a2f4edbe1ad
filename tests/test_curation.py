"""The curators' own form, from use, and one history of every change (imports included)."""

import datetime
import html
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.management import call_command
from django.urls import reverse

from programs.models import Program, Provider

from .factories import ProgramFactory, curator_create, track_create
from .test_admin import _program_form

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent / "data" / "findtreatment-locator-sample.json"


def _change_form(program, **overrides):
    """The change page's form as a browser posts it (no tracks changed)."""
    data = _program_form(
        program.provider,
        name=program.name,
        slug=program.slug,
        status=program.status,
        phone=program.phone,
        **{
            "tracks-TOTAL_FORMS": "0",
            "tracks-INITIAL_FORMS": "0",
        },
    )
    data.update(overrides)
    return data


def test_the_second_of_two_curators_saving_the_same_program_is_refused(client):
    program = ProgramFactory(phone="434-555-0100")
    url = reverse("admin:programs_program_change", args=[program.pk])
    first, second = curator_create(), curator_create()

    client.force_login(first)
    version_first = client.get(url).context["adminform"].form.initial["version"]
    client.force_login(second)
    version_second = client.get(url).context["adminform"].form.initial["version"]
    assert version_first == version_second

    client.force_login(first)
    response = client.post(url, _change_form(program, phone="434-555-0111", version=version_first))
    assert response.status_code == 302
    client.force_login(second)
    response = client.post(
        url, _change_form(program, description="Typo fixed", version=version_second)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error(NON_FIELD_ERRORS, "stale")
    program.refresh_from_db()
    assert program.phone == "434-555-0111"  # the first curator's change stands
    assert program.description != "Typo fixed"

    # Reloaded, the second curator's save goes through.
    fresh = client.get(url).context["adminform"].form.initial["version"]
    response = client.post(
        url, _change_form(program, phone="434-555-0111", description="Typo fixed", version=fresh)
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.phone, program.description) == ("434-555-0111", "Typo fixed")


@pytest.mark.parametrize(
    ("overrides", "missing"),
    [
        ({"tracks-TOTAL_FORMS": "0"}, "no tracks"),
        ({"min_age": "", "max_age": ""}, "no ages"),
    ],
)
def test_publishing_without_tracks_or_ages_asks_for_confirmation(client, overrides, missing):
    client.force_login(curator_create())
    provider = Provider.objects.create(name="Harbor Health")
    data = _program_form(provider, **overrides)
    response = client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("publish_anyway", "confirm_publish")
    assert missing in response.content.decode()
    assert not Program.objects.exists()

    response = client.post(reverse("admin:programs_program_add"), {**data, "publish_anyway": "on"})
    assert response.status_code == 302
    assert Program.objects.get().status == Program.Status.PUBLISHED


def test_a_draft_needs_no_confirmation(client):
    client.force_login(curator_create())
    provider = Provider.objects.create(name="Harbor Health")
    data = _program_form(provider, status="draft", min_age="", **{"tracks-TOTAL_FORMS": "0"})
    assert client.post(reverse("admin:programs_program_add"), data).status_code == 302


def test_the_track_grid_has_no_invented_times(client):
    client.force_login(curator_create())
    program = ProgramFactory()
    track_create(program, "Evening", [("mon", "18:00", "21:00")])
    html = client.get(reverse("admin:programs_program_change", args=[program.pk])).content.decode()
    assert 'placeholder="18:00' not in html
    from programs.admin import TrackForm

    assert not any("placeholder" in TrackForm().fields[f"day_{d}"].widget.attrs for d in range(7))
    assert html.count("18:00-21:00") == 1  # the one real session
    assert "css/admin.css" in html


def test_imports_are_in_the_history_too():
    call_command("import_programs", str(SAMPLE), "--format", "findtreatment", stdout=StringIO())
    program = Program.objects.get(source_key__startswith="ab74")
    record = program.history.get()
    assert record.history_type == "+"
    assert record.history_change_reason == "Imported from FindTreatment.gov."
    assert record.history_user is None

    Program.objects.filter(pk=program.pk).update(phone="000")
    call_command("import_programs", str(SAMPLE), "--format", "findtreatment", stdout=StringIO())
    latest = program.history.latest()
    assert latest.history_type == "~" and latest.phone != "000"
    assert program.history.count() == 2
    # Importing the same file again writes nothing, history included.
    call_command("import_programs", str(SAMPLE), "--format", "findtreatment", stdout=StringIO())
    assert program.history.count() == 2


def test_the_history_page_shows_who_changed_what(client):
    curator = curator_create(username="alice")
    client.force_login(curator)
    program = ProgramFactory()
    url = reverse("admin:programs_program_change", args=[program.pk])
    version = client.get(url).context["adminform"].form.initial["version"]
    client.post(url, _change_form(program, phone="434-555-0177", version=version))
    record = program.history.latest()
    assert record.history_user == curator and record.phone == "434-555-0177"
    page = client.get(reverse("admin:programs_program_history", args=[program.pk]))
    assert "alice" in page.content.decode()


def test_demo_listings_are_replaced_without_history(db):
    from programs import services

    services.demo_programs_seed(count=5, seed=1)
    services.demo_programs_seed(count=5, seed=2)
    assert Program.objects.filter(is_demo=True).count() == 5
    assert not Program.history.filter(is_demo=True).exists()


def test_the_publish_action_asks_before_publishing_listings_without_tracks_or_ages(client):
    client.force_login(curator_create())
    complete = ProgramFactory(status=Program.Status.DRAFT, min_age=18)
    track_create(complete, "Evening", [("mon", "18:00", "21:00")])
    bare = ProgramFactory(status=Program.Status.DRAFT, name="Bare listing")
    changelist = reverse("admin:programs_program_changelist")
    selected = {"action": "publish", "_selected_action": [complete.pk, bare.pk]}

    response = client.post(changelist, selected)
    assert response.status_code == 200
    assert "Bare listing: no tracks, no ages" in response.content.decode()
    assert set(Program.objects.values_list("status", flat=True)) == {"draft"}

    response = client.post(changelist, {**selected, "confirm": "yes"})
    assert response.status_code == 302
    assert set(Program.objects.values_list("status", flat=True)) == {"published"}


def test_the_publish_action_needs_no_confirmation_for_complete_listings(client):
    client.force_login(curator_create())
    complete = ProgramFactory(status=Program.Status.DRAFT, min_age=18)
    track_create(complete, "Evening", [("mon", "18:00", "21:00")])
    response = client.post(
        reverse("admin:programs_program_changelist"),
        {"action": "publish", "_selected_action": [complete.pk]},
    )
    assert response.status_code == 302
    complete.refresh_from_db()
    assert complete.status == Program.Status.PUBLISHED


def test_the_history_page_shows_track_and_session_changes_too(client):
    from programs import services

    curator = curator_create(username="alice")
    client.force_login(curator)
    program = ProgramFactory()
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    services.track_availability_set(
        track=track, openings=4, next_start=None, rolling_admission=True, user=curator
    )
    services.track_schedule_set(
        track=track, sessions=[(1, datetime.time(17), datetime.time(20))], user=curator
    )
    page = client.get(reverse("admin:programs_program_history", args=[program.pk]))
    rows = page.context["track_history"]
    text = " | ".join(str(row["what"]) for row in rows)
    assert "4 openings" in text and "rolling admission yes" in text
    assert "Tuesday 17:00-20:00" in text and "Monday 18:00-21:00" in text  # added, removed
    assert {row["record"].get_history_type_display() for row in rows} >= {"Created", "Deleted"}
    assert any(row["record"].history_user == curator for row in rows)
    assert "Revert" not in page.content.decode()


def test_geocoding_is_in_the_history_too(settings):
    from .fakes import FakeGeocoder

    settings.GEOCODER = "tests.fakes.FakeGeocoder"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    FakeGeocoder.answers = {
        "800 Preston Avenue, Charlottesville, VA 22903, USA": (38.0375, -78.489)
    }
    FakeGeocoder.asked = []
    program = ProgramFactory(location_precision="zip", latitude=38.03, longitude=-78.48)
    call_command("geocode_programs", "--missing-only", stdout=StringIO())
    record = program.history.latest()
    assert record.history_change_reason == "Geocoded from the street address."
    assert (record.latitude, record.location_precision) == (38.0375, "address")


def test_json_imports_are_in_the_history_too(tmp_path):
    program = ProgramFactory(slug="harbor", phone="434-555-0100")
    path = tmp_path / "directory.json"
    call_command("export_programs", str(path), stdout=StringIO())
    text = path.read_text().replace("434-555-0100", "434-555-0111")
    path.write_text(text)
    call_command("import_programs", str(path), stdout=StringIO())
    record = program.history.latest()
    assert record.history_change_reason == "Imported (IOP Finder JSON)."
    assert record.phone == "434-555-0111"


def test_the_history_page_shows_no_terms_removed_by_a_verification_or_an_import(client, tmp_path):
    """Bulk writes (verifying, publishing, importing) recorded a listing's fields without its
    terms: the history page said each one removed every therapy and payment."""
    from programs import services

    curator = curator_create(username="alice")
    client.force_login(curator)
    program = ProgramFactory(terms={"therapy": ["cbt"], "payment": ["medicaid"]})
    services.programs_verify(programs=[program], user=curator)
    services.programs_archive(programs=[program], user=curator)
    newest = program.history.latest()
    assert sorted(row.term.slug for row in newest.terms.all()) == ["cbt", "medicaid"]
    page = client.get(reverse("admin:programs_program_history", args=[program.pk]))
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert "Terms: [] → [Medicaid, Cognitive behavioral therapy (CBT)]" in text  # the factory's
    assert "→ [] " not in text  # no set emptied by the verification or the archiving


def test_a_first_verification_reads_as_one_not_as_a_deleted_user(client):
    from programs import services

    curator = curator_create(username="alice")
    client.force_login(curator)
    program = ProgramFactory(last_verified=None)
    services.programs_verify(programs=[program], user=curator)
    page = client.get(reverse("admin:programs_program_history", args=[program.pk]))
    text = page.content.decode()
    assert "Deleted user" not in text and "pk=None" not in text
    assert "alice" in text
