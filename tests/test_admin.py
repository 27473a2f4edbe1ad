"""The curators' admin, through its own pages and form posts."""

import datetime

import pytest
import zipcodes
from django.urls import reverse

from programs.models import Program, Provider, Term

from .factories import ProgramFactory, UserFactory, curator_create, track_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    client.force_login(curator_create())
    return client


def test_curator_sees_changelist_search_filters_and_add_page(curator_client):
    ProgramFactory(name="Evening Recovery IOP", city="Richmond", zip="23220")
    ProgramFactory(name="Morning Program", status=Program.Status.DRAFT)
    changelist = reverse("admin:programs_program_changelist")

    response = curator_client.get(changelist)
    assert response.status_code == 200
    assert b"Evening Recovery IOP" in response.content and b"Morning Program" in response.content

    response = curator_client.get(changelist, {"q": "Richmond"})
    assert b"Evening Recovery IOP" in response.content
    assert b"Morning Program" not in response.content
    response = curator_client.get(changelist, {"q": "23220"})
    assert b"Evening Recovery IOP" in response.content
    Program.objects.filter(name="Evening Recovery IOP").update(
        intake_phone="804-555-0142", street="12 Cary Street"
    )
    for number_or_street in ["804-555-0142", "Cary Street"]:
        response = curator_client.get(changelist, {"q": number_or_street})
        assert b"Evening Recovery IOP" in response.content
        assert b"Morning Program" not in response.content

    for params in [
        {"status__exact": "draft"},
        {"format__exact": "virtual"},
        {"availability__exact": "open"},
        {"state__code__exact": "VA"},
        {"verification": "needed"},
        {"asam": "outside"},
        {"last_verified__gte": "2020-01-01"},
    ]:
        assert curator_client.get(changelist, params).status_code == 200
    drafts = curator_client.get(changelist, {"status__exact": "draft"})
    assert b"Morning Program" in drafts.content and b"Evening Recovery IOP" not in drafts.content

    assert curator_client.get(reverse("admin:programs_program_add")).status_code == 200


def _program_form(provider, **overrides):
    therapies = Term.objects.filter(kind="therapy", slug__in=["cbt", "dbt"])
    data = {
        "name": "Harbor Evening IOP",
        "slug": "harbor-evening-iop",
        "provider": provider.pk,
        "status": "published",
        "description": "Group and individual therapy.",
        "street": "1 Main St",
        "city": "Norfolk",
        "state": "VA",
        "zip": "23510",
        "latitude": "36.85",
        "longitude": "-76.29",
        "phone": "757-555-0101",
        "intake_phone": "757-555-0102",
        "website": "https://harbor.example.org/",
        "treats_substance_use": "on",
        "co_occurring": "",
        "format": "hybrid",
        "virtual_states": ["VA", "NC"],
        "therapies": [t.pk for t in therapies],
        "payments": [Term.objects.get(kind="payment", slug="medicaid").pk],
        "step_down_levels": [Term.objects.get(kind="step_down", slug="residential").pk],
        "min_age": "18",
        "max_age": "",
        "availability": "waitlist",
        "waitlist_weeks": "2",
        "last_verified": "",
        "curator_notes": "",
        "tracks-TOTAL_FORMS": "2",
        "tracks-INITIAL_FORMS": "0",
        "tracks-MIN_NUM_FORMS": "0",
        "tracks-MAX_NUM_FORMS": "1000",
        "tracks-0-name": "Morning",
        "tracks-0-position": "0",
        "tracks-0-day_0": "09:00-12:00",
        "tracks-0-day_2": "09:00-12:00",
        "tracks-0-day_4": "9-12",
        "tracks-1-name": "Evening",
        "tracks-1-position": "1",
        "tracks-1-day_1": "18:00-21:00",
        "tracks-1-day_3": "18:00-21:30",
    }
    data.update(overrides)
    return data


def test_curator_saves_a_whole_program_with_two_tracks_and_five_sessions(curator_client):
    provider = Provider.objects.create(name="Harbor Health")
    response = curator_client.post(reverse("admin:programs_program_add"), _program_form(provider))
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )

    program = Program.objects.prefetch_related("tracks__sessions").get(slug="harbor-evening-iop")
    assert [t.name for t in program.tracks.all()] == ["Morning", "Evening"]
    morning, evening = program.tracks.all()
    assert [(s.day_slug, f"{s.start:%H:%M}", f"{s.end:%H:%M}") for s in morning.sessions.all()] == [
        ("mon", "09:00", "12:00"),
        ("wed", "09:00", "12:00"),
        ("fri", "09:00", "12:00"),
    ]
    assert morning.hours_per_week == 9
    assert evening.hours_per_week == 6.5
    assert sorted(t.slug for t in program.therapies) == ["cbt", "dbt"]
    assert [t.slug for t in program.payments] == ["medicaid"]
    assert [t.slug for t in program.step_down_levels] == ["residential"]
    assert sorted(s.code for s in program.virtual_states.all()) == ["NC", "VA"]
    # The evening track is under 9 hours a week: the curator is warned.
    followed = curator_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert "outside 9-20 hours per week".lower() in followed.content.decode().lower()


def test_a_time_zone_that_is_none_is_refused_next_to_its_field(curator_client):
    provider = Provider.objects.create(name="Harbor Health")
    data = _program_form(provider, time_zone="Eastern")
    response = curator_client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("time_zone", "invalid_time_zone")
    assert not Program.objects.filter(slug="harbor-evening-iop").exists()


def test_bad_session_times_are_shown_next_to_the_day_and_nothing_is_saved(curator_client):
    provider = Provider.objects.create(name="Harbor Health")
    data = _program_form(provider, **{"tracks-1-day_3": "21:00-18:00"})
    response = curator_client.post(reverse("admin:programs_program_add"), data)
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not Program.objects.filter(slug="harbor-evening-iop").exists()


def test_editing_a_track_replaces_its_sessions_and_history_records_the_change(curator_client):
    program = ProgramFactory(name="Old name")
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    url = reverse("admin:programs_program_change", args=[program.pk])
    assert "17:00" not in curator_client.get(url).content.decode()
    data = _program_form(
        program.provider,
        name="New name",
        slug=program.slug,
        **{
            "tracks-TOTAL_FORMS": "1",
            "tracks-INITIAL_FORMS": "1",
            "tracks-0-id": str(track.pk),
            "tracks-0-program": str(program.pk),
            "tracks-0-name": "Evening",
            "tracks-0-position": "0",
            "tracks-0-day_0": "17:00-20:00",
            "tracks-0-day_2": "17:00-20:00",
            "tracks-0-day_4": "17:00-20:00",
            "tracks-0-day_1": "",
            "tracks-0-day_3": "",
        },
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "New name"
    track = program.tracks.prefetch_related("sessions").get()
    assert [s.day_slug for s in track.sessions.all()] == ["mon", "wed", "fri"]
    assert track.hours_per_week == 9

    history = curator_client.get(reverse("admin:programs_program_history", args=[program.pk]))
    text = history.content.decode()
    assert "Name" in text and "Changed" in text


def test_a_curator_who_changes_the_openings_states_them(curator_client):
    program = ProgramFactory(source="samhsa-directory", last_verified=None, availability="waitlist")
    url = reverse("admin:programs_program_change", args=[program.pk])
    tracks = {"tracks-TOTAL_FORMS": "0", "tracks-INITIAL_FORMS": "0"}
    form = _program_form(program.provider, slug=program.slug, **tracks)
    response = curator_client.post(url, {**form, "availability": "open", "waitlist_weeks": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    # Back to the "open" an import holds, but now a curator's word: not "Not listed".
    assert program.availability == "open" and program.availability_stated == datetime.date.today()
    assert program.availability_listed
    changelist = curator_client.get(reverse("admin:programs_program_changelist"))
    assert "Accepting patients" in changelist.content.decode()

    # A save that leaves the openings as they are does not restate them.
    Program.objects.filter(pk=program.pk).update(availability_stated=None)
    form = _program_form(program.provider, slug=program.slug, name="Renamed", **tracks)
    curator_client.post(url, {**form, "availability": "open", "waitlist_weeks": ""})
    program.refresh_from_db()
    assert program.name == "Renamed" and program.availability_stated is None
    assert not program.availability_listed
    changelist = curator_client.get(reverse("admin:programs_program_changelist"))
    assert "Not listed: ask when you call" in changelist.content.decode()


def test_actions_publish_archive_and_mark_verified(curator_client):
    user = curator_create()
    curator_client.force_login(user)
    old = datetime.date(2024, 1, 1)
    draft = ProgramFactory(status=Program.Status.DRAFT, last_verified=old)
    changelist = reverse("admin:programs_program_changelist")

    def act(action):
        return curator_client.post(
            # The draft has no tracks: publishing it needs the confirmation.
            changelist,
            {"action": action, "_selected_action": [draft.pk], "confirm": "yes"},
            follow=True,
        )

    assert act("publish").status_code == 200
    draft.refresh_from_db()
    assert draft.status == Program.Status.PUBLISHED

    act("mark_verified")
    draft.refresh_from_db()
    assert draft.last_verified == datetime.date.today()
    assert draft.verified_by == user

    act("archive")
    draft.refresh_from_db()
    assert draft.status == Program.Status.ARCHIVED
    # One history for every change: each action is a record with who and why.
    records = list(draft.history.order_by("history_date", "history_id"))
    assert [(r.history_change_reason, r.history_user) for r in records[-3:]] == [
        ("Published.", user),
        ("Verified by a curator.", user),
        ("Archived.", user),
    ]


def test_admin_index_counts_listings_that_need_verification(curator_client):
    ProgramFactory(last_verified=datetime.date(2020, 1, 1))
    ProgramFactory(last_verified=None)
    ProgramFactory()
    response = curator_client.get(reverse("admin:index"))
    assert response.context["needs_verification_count"] == 2
    assert "2 listings need verification" in response.content.decode()


def test_staff_outside_the_curators_group_gets_no_access(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 403
    assert client.get(reverse("admin:programs_program_add")).status_code == 403


def test_curators_cannot_reach_users_groups_or_permissions(curator_client):
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert (
        curator_client.get(
            reverse("admin:programs_program_delete", args=[ProgramFactory().pk])
        ).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_empty_point_is_filled_from_the_zip_code(curator_client):
    provider = Provider.objects.create(name="Harbor Health")
    response = curator_client.post(
        reverse("admin:programs_program_add"),
        _program_form(provider, latitude="", longitude="", time_zone=""),
    )
    assert response.status_code == 302
    program = Program.objects.get(slug="harbor-evening-iop")
    centroid = zipcodes.matching("23510")[0]
    assert (program.latitude, program.longitude) == (
        float(centroid["lat"]),
        float(centroid["long"]),
    )
    assert program.location_precision == "zip" and program.time_zone == "America/New_York"


def test_an_unknown_zip_without_a_point_is_refused_next_to_the_zip(curator_client):
    provider = Provider.objects.create(name="Harbor Health")
    response = curator_client.post(
        reverse("admin:programs_program_add"),
        _program_form(provider, latitude="", longitude="", zip="00000"),
    )
    assert response.status_code == 200
    assert "zip" in response.context["adminform"].form.errors
    assert not Program.objects.exists()


def test_ids_that_are_not_ids_are_refused_not_a_server_error(curator_client):
    program = ProgramFactory(last_verified=None)
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    for url in [
        *[f"/admin/programs/program/{object_id}/history/" for object_id in ["abc", "%00", "1.5"]],
        "/admin/programs/track/abc/history/",
        "/admin/programs/program/abc/history/1/",
        f"/admin/programs/program/{program.pk}/history/abc/",
        f"/admin/programs/track/{track.pk}/history/abc/",
    ]:
        assert curator_client.get(url).status_code == 404, url
    changelist = reverse("admin:programs_program_changelist")
    for action in ["publish", "archive", "mark_verified"]:
        response = curator_client.post(
            changelist, {"action": action, "_selected_action": ["abc", str(program.pk)]}
        )
        assert response.status_code == 302, action
    program.refresh_from_db()
    assert program.status == "published" and program.last_verified is None
    followed = curator_client.get(changelist).content.decode()
    assert "Nothing was done: the selection was not a list of rows." in followed
    corrections = reverse("admin:programs_correction_changelist")
    response = curator_client.post(corrections, {"action": "resolve", "_selected_action": "x"})
    assert response.status_code == 302


def test_a_curator_records_a_tracks_openings_heard_on_the_phone(curator_client, client):
    program = ProgramFactory(slug="harbor")
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    other = track_create(ProgramFactory(slug="cove"), "Day", [("tue", "09:00", "12:00")])
    # The program's page links to its tracks on the Tracks page, where openings are edited.
    page = curator_client.get(reverse("admin:programs_program_change", args=[program.pk]))
    tracks_url = reverse("admin:programs_track_changelist") + "?q=harbor"
    assert tracks_url in page.content.decode()
    listed = curator_client.get(tracks_url).content.decode()
    assert 'name="form-0-openings"' in listed and "Day" not in listed
    rows = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(track.pk),
        "form-0-openings": "3",
        "form-0-next_start": "",
        "_save": "Save",
    }
    before = Program.objects.get(pk=program.pk).updated
    response = curator_client.post(tracks_url, rows)
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.openings == 3 and track.availability_confirmed == datetime.date.today()
    # Saved as program staff's are: cached searches see it at once.
    assert Program.objects.get(pk=program.pk).updated > before
    assert "3 openings" in client.get(program.get_absolute_url()).content.decode()
    other.refresh_from_db()
    assert other.openings is None and other.availability_confirmed is None
    # More than a track can hold is refused next to the field; nothing is saved.
    for wrong in [{"form-0-openings": "5000"}, {"form-0-next_start": "2020-01-01"}]:
        response = curator_client.post(tracks_url, {**rows, **wrong})
        assert response.status_code == 200, wrong
    track.refresh_from_db()
    assert track.openings == 3 and track.next_start is None
    assert "delete_selected" not in curator_client.get(tracks_url).content.decode()


def test_providers_sharing_a_name_are_told_apart_by_their_towns(curator_client):
    philadelphia = Provider.objects.create(name="Merakey Parkside")
    petersburg = Provider.objects.create(name="Merakey Parkside")
    ProgramFactory(provider=philadelphia, city="Philadelphia", state_id="PA", zip="19104")
    ProgramFactory(provider=petersburg, city="Petersburg", state_id="VA", zip="23803")
    ProgramFactory(provider=philadelphia, city="Norristown", state_id="PA", zip="19401")
    changelist = reverse("admin:programs_provider_changelist")
    response = curator_client.get(changelist, {"q": "merakey philadelphia"})
    page = response.content.decode()
    assert "Norristown, PA; Philadelphia, PA" in page and "Petersburg, VA" not in page
    # Searching by the programs' ZIP codes joins them again: still two programs, not four.
    [found] = curator_client.get(changelist, {"q": "merakey 19"}).context["cl"].result_list
    assert found.program_count == 2
    # The picker a curator invites program staff with says where each one is.
    found = curator_client.get(
        "/admin/autocomplete/",
        {"app_label": "staff", "model_name": "membership", "field_name": "provider",
         "term": "merakey"},
    ).json()  # fmt: skip
    assert sorted(result["text"] for result in found["results"]) == [
        "Merakey Parkside (Norristown, PA; Philadelphia, PA)",
        "Merakey Parkside (Petersburg, VA)",
    ]


def test_the_weekly_hours_check_does_not_pass_a_listing_without_tracks(curator_client):
    program = ProgramFactory()
    url = reverse("admin:programs_program_change", args=[program.pk])
    page = curator_client.get(url).content.decode()
    assert "No tracks: the listing gives no schedule to check." in page
    assert "Every track is within" not in page
    track_create(program, "Evening", [("mon", "09:00", "12:00"), ("wed", "09:00", "12:00"),
                                      ("fri", "09:00", "12:00")])  # fmt: skip
    assert "Every track is within" in curator_client.get(url).content.decode()
