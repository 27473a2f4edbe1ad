"""Program staff at /manage/: signing in, keeping their own listings and nobody else's."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from programs.models import Program, Term, Track
from staff import services
from staff.models import PendingChange

from .factories import MembershipFactory, ProgramFactory, UserFactory, track_create

pytestmark = pytest.mark.django_db

EVENING = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]


@pytest.fixture
def member():
    return MembershipFactory()


@pytest.fixture
def program(member):
    program = ProgramFactory(provider=member.provider, slug="harbor", min_age=18)
    track_create(program, "Evening", EVENING)
    return program


@pytest.fixture
def staff_client(client, member):
    client.force_login(member.user)
    return client


def _link_token(link):
    return re.search(r"sesame=([^&\s]+)", link)[1]


def _details(program, **overrides):
    """The details form as the page posts it, with every field as it is now."""
    data = {
        "name": program.name,
        "street": program.street,
        "city": program.city,
        "state": program.state_id,
        "zip": program.zip,
        "phone": program.phone,
        "intake_phone": program.intake_phone,
        "website": program.website,
        "format": program.format,
        "description": program.description,
        "treats_substance_use": "on" if program.treats_substance_use else "",
        "min_age": program.min_age if program.min_age is not None else "",
        "max_age": program.max_age if program.max_age is not None else "",
        "availability": program.availability,
        "waitlist_weeks": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value not in ("", None)}


# Signing in


def test_the_invitation_link_signs_in_once_after_a_button_press(client, program):
    _membership, link, *_ = services.staff_invite(
        provider=program.provider, email="Lead@Harbor.example.org"
    )
    assert mail.outbox[-1].to == ["lead@harbor.example.org"]
    assert link in mail.outbox[-1].body
    token = _link_token(link)
    url = reverse("manage:sign_in")

    # Opening the link (as a mail scanner would) does not use it up.
    page = client.get(url, {"sesame": token})
    assert page.status_code == 200 and b'name="sesame"' in page.content
    assert client.get(url, {"sesame": token}).status_code == 200

    response = client.post(url, {"sesame": token})
    assert response.status_code == 302 and response.url == reverse("manage:index")
    assert client.get(reverse("manage:index")).status_code == 200
    assert client.session.get_expiry_age() <= 8 * 3600

    client.logout()
    again = client.post(url, {"sesame": token})
    assert again.status_code == 400 and again.context["link_failed"]
    assert client.get(reverse("manage:index")).status_code == 302


def test_links_expire_after_seven_days(client, program, settings):
    _membership, link, *_ = services.staff_invite(provider=program.provider, email="a@example.org")
    token = _link_token(link)
    from sesame import tokens_v2

    signed_at = timezone.now() - datetime.timedelta(days=7, minutes=1)
    from unittest import mock

    with mock.patch.object(tokens_v2, "time") as clock:
        clock.time.return_value = signed_at.timestamp()
        from sesame.utils import get_token

        old = get_token(_membership.user)
    assert client.post(reverse("manage:sign_in"), {"sesame": old}).status_code == 400
    assert client.post(reverse("manage:sign_in"), {"sesame": token}).status_code == 302


def test_a_bad_token_and_a_curator_token_sign_nobody_in(client, program):
    url = reverse("manage:sign_in")
    assert client.post(url, {"sesame": "not-a-token"}).status_code == 400
    curator = UserFactory(is_staff=True)
    MembershipFactory(user=curator, provider=program.provider)
    link = services.sign_in_link(curator)
    assert client.post(url, {"sesame": _link_token(link)}).status_code == 400
    with pytest.raises(services.InviteError):
        services.staff_invite(provider=program.provider, email=curator.email)


def test_asking_for_a_new_link_mails_members_only_and_is_rate_limited(client, member, settings):
    settings.SIGN_IN_LINKS_PER_HOUR = 2
    url = reverse("manage:sign_in")
    response = client.post(url, {"email": member.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "sesame=" in mail.outbox[0].body
    client.post(url, {"email": "stranger@example.org"})
    assert len(mail.outbox) == 1  # same answer, no mail
    limited = client.post(url, {"email": member.user.email})
    assert limited.status_code == 429
    assert len(mail.outbox) == 1
    assert client.post(url, {"email": "not an email"}).status_code == 400


def test_staff_pages_need_a_signed_in_member(client, program):
    response = client.get(reverse("manage:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("manage:sign_in"))
    client.force_login(UserFactory())
    assert client.get(reverse("manage:index")).status_code == 403


def test_forms_need_csrf(member, program):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    url = reverse("manage:program_verify", args=[program.slug])
    assert client.post(url).status_code == 403
    program.refresh_from_db()
    assert program.verified_by_role == Program.VerifiedBy.CURATOR


# Only their own listings


def test_every_manage_url_of_another_providers_program_is_404_and_posts_change_nothing(
    staff_client, program
):
    other = ProgramFactory(slug="elsewhere", phone="804-555-0199")
    track = track_create(other, "Morning", [("mon", "09:00", "12:00")])
    before = Program.objects.get(pk=other.pk)
    urls = [
        reverse("manage:program", args=[other.slug]),
        reverse("manage:program_details", args=[other.slug]),
        reverse("manage:program_verify", args=[other.slug]),
        reverse("manage:track_add", args=[other.slug]),
        reverse("manage:track_edit", args=[other.slug, track.pk]),
        reverse("manage:track_availability", args=[other.slug, track.pk]),
        reverse("manage:track_delete", args=[other.slug, track.pk]),
        # Their own program's URL with the other program's track.
        reverse("manage:track_edit", args=[program.slug, track.pk]),
        reverse("manage:track_availability", args=[program.slug, track.pk]),
        reverse("manage:track_delete", args=[program.slug, track.pk]),
    ]
    post = {
        "name": "Taken",
        "phone": "000",
        "d0_s0_start": "08:00",
        "d0_s0_end": "09:00",
        f"track-{track.pk}-openings": "5",
    }
    for url in urls:
        assert staff_client.get(url).status_code == 404, url
        assert staff_client.post(url, post).status_code == 404, url
    after = Program.objects.get(pk=other.pk)
    assert (after.phone, after.last_verified, after.verified_by_role, after.updated) == (
        before.phone,
        before.last_verified,
        before.verified_by_role,
        before.updated,
    )
    track.refresh_from_db()
    assert track.openings is None and track.sessions.count() == 1
    assert not PendingChange.objects.exists()
    assert staff_client.get(reverse("manage:index")).context["programs"].get() == program


def test_the_index_lists_every_program_of_their_providers(staff_client, member, program):
    ProgramFactory(provider=member.provider, name="Second site", status=Program.Status.DRAFT)
    ProgramFactory(name="Not theirs")
    names = [p.name for p in staff_client.get(reverse("manage:index")).context["programs"]]
    assert sorted(names) == sorted([program.name, "Second site"])


# Openings and "still accurate"


def test_saving_openings_confirms_them_today(staff_client, member, program):
    track = program.tracks.get()
    next_week = timezone.localdate() + datetime.timedelta(days=7)
    response = staff_client.post(
        reverse("manage:track_availability", args=[program.slug, track.pk]),
        {
            f"track-{track.pk}-openings": "3",
            f"track-{track.pk}-next_start": next_week.isoformat(),
            f"track-{track.pk}-rolling_admission": "on",
        },
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert (track.openings, track.next_start, track.rolling_admission) == (3, next_week, True)
    assert track.availability_confirmed == timezone.localdate()
    assert track.history.latest().history_user == member.user
    api = staff_client.get(reverse("programs_api:api_detail", args=[program.slug])).json()
    assert api["tracks"][0]["openings"] == 3
    assert api["tracks"][0]["availability_confirmed"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    ("openings", "next_start", "field", "code"),
    [
        ("-1", "", "openings", "min_value"),
        ("", "2001-01-01", "next_start", "past"),
        ("many", "", "openings", "invalid"),
        ("1001", "", "openings", "max_value"),
    ],
)
def test_bad_openings_are_refused_next_to_the_field(
    staff_client, program, openings, next_start, field, code
):
    track = program.tracks.get()
    response = staff_client.post(
        reverse("manage:track_availability", args=[program.slug, track.pk]),
        {f"track-{track.pk}-openings": openings, f"track-{track.pk}-next_start": next_start},
    )
    assert response.status_code == 400
    form = next(row["form"] for row in response.context["tracks"] if row["track"] == track)
    assert form.has_error(field, code)
    track.refresh_from_db()
    assert track.openings is None and track.availability_confirmed is None


def test_still_accurate_verifies_today_by_the_program(staff_client, member, program):
    program.last_verified = datetime.date(2025, 1, 1)
    program.save()
    response = staff_client.post(reverse("manage:program_verify", args=[program.slug]))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.last_verified == timezone.localdate()
    assert program.verified_by == member.user
    assert program.verified_by_role == Program.VerifiedBy.PROVIDER
    page = staff_client.get(program.get_absolute_url()).content.decode()
    assert f"Verified {timezone.localdate():%B} {timezone.localdate().day}" in page
    assert "by the program" in page
    assert (
        staff_client.get(reverse("manage:program_verify", args=[program.slug])).status_code == 405
    )


# Schedules


def _schedule(name="Evening", **slots):
    return {"name": name, **slots}


def test_a_schedule_is_one_row_a_weekday_with_several_sessions_a_day(staff_client, program):
    track = program.tracks.get()
    url = reverse("manage:track_edit", args=[program.slug, track.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="time"' in html and "placeholder" not in html
    assert 'value="18:00"' in html
    response = staff_client.post(
        url,
        _schedule(
            d0_s0_start="09:00",
            d0_s0_end="11:00",
            d0_s1_start="13:00",
            d0_s1_end="15:00",
            d2_s0_start="09:00",
            d2_s0_end="12:00",
            d4_s0_start="09:00",
            d4_s0_end="12:00",
        ),
    )
    assert response.status_code == 302
    track = Track.objects.prefetch_related("sessions").get(pk=track.pk)
    assert [(s.day_slug, f"{s.start:%H:%M}") for s in track.sessions.all()] == [
        ("mon", "09:00"),
        ("mon", "13:00"),
        ("wed", "09:00"),
        ("fri", "09:00"),
    ]
    assert track.hours_per_week == 10
    # A day with two sessions shows three pairs of boxes next time.
    form = staff_client.get(url).context["form"]
    assert form.slots[0] == 3 and form.slots[1] == 2


def test_a_new_track_and_the_asam_warning(staff_client, program):
    response = staff_client.post(
        reverse("manage:track_add", args=[program.slug]),
        _schedule("Weekend", d5_s0_start="09:00", d5_s0_end="12:00"),
    )
    assert response.status_code == 302
    track = program.tracks.get(name="Weekend")
    assert track.position == 1 and track.hours_per_week == 3
    page = staff_client.get(reverse("manage:program", args=[program.slug])).content.decode()
    assert "Outside the 9-20 hours a week" in page


@pytest.mark.parametrize(
    ("slots", "field", "code"),
    [
        ({"d0_s0_start": "21:00", "d0_s0_end": "18:00"}, "d0_s0_end", "end_before_start"),
        (
            {
                "d0_s0_start": "18:00",
                "d0_s0_end": "21:00",
                "d0_s1_start": "20:00",
                "d0_s1_end": "22:00",
            },
            "d0_s1_end",
            "overlap",
        ),
        ({"d0_s0_start": "18:00"}, "d0_s0_end", "incomplete"),
        ({"d0_s0_start": "25:00", "d0_s0_end": "26:00"}, "d0_s0_start", "invalid"),
        ({}, NON_FIELD_ERRORS, "no_sessions"),
        (
            {f"d{day}_s0_start": "00:00" for day in range(7)}
            | {f"d{day}_s0_end": "23:00" for day in range(7)},
            NON_FIELD_ERRORS,
            "hours_range",
        ),
    ],
)
def test_bad_schedules_are_refused_with_a_message_and_nothing_saved(
    staff_client, program, slots, field, code
):
    track = program.tracks.get()
    response = staff_client.post(
        reverse("manage:track_edit", args=[program.slug, track.pk]), _schedule(**slots)
    )
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code)
    assert [s.day_slug for s in track.sessions.all()] == ["mon", "tue", "thu"]


def test_a_track_name_is_unique_within_the_program(staff_client, program):
    response = staff_client.post(
        reverse("manage:track_add", args=[program.slug]),
        _schedule("evening", d5_s0_start="09:00", d5_s0_end="12:00"),
    )
    assert response.context["form"].has_error("name", "duplicate_name")


def test_removing_a_track(staff_client, program):
    track = program.tracks.get()
    url = reverse("manage:track_delete", args=[program.slug, track.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url).status_code == 302
    assert not program.tracks.exists()


# Details: some at once, some after review


def test_details_go_live_at_once_except_the_reviewed_ones(staff_client, member, program):
    url = reverse("manage:program_details", args=[program.slug])
    assert staff_client.get(url).status_code == 200
    cbt = Term.objects.get(kind="therapy", slug="cbt")
    php = Term.objects.get(kind="step_down", slug="php")
    response = staff_client.post(
        url,
        _details(
            program,
            phone="434-555-0999",
            description="Now with family groups.",
            max_age="64",
            therapies=[cbt.pk],
            step_down_levels=[php.pk],
            version=staff_client.get(url).context["form"].initial["version"],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    program.refresh_from_db()
    assert program.description == "Now with family groups."
    assert program.max_age == 64
    assert [t.slug for t in program.therapies] == ["cbt"]
    assert [t.slug for t in program.step_down_levels] == ["php"]
    assert program.phone == "434-555-0100"  # waits for a curator
    change = PendingChange.objects.get()
    assert change.changes == {"phone": "434-555-0999"}
    assert change.previous == {"phone": "434-555-0100"}
    assert change.submitted_by == member.user
    page = staff_client.get(reverse("manage:program", args=[program.slug])).content.decode()
    assert "Waiting for a curator" in page and "434-555-0999" in page
    public = staff_client.get(program.get_absolute_url()).content.decode()
    assert "434-555-0999" not in public

    # Asking again replaces what was asked, field by field; asking for what is there drops it.
    staff_client.post(
        url, _details(program, phone="434-555-0100", website="https://new.example.org/")
    )
    change = PendingChange.objects.get()
    assert change.changes == {"website": "https://new.example.org/"}


def test_bad_details_are_refused_with_codes(staff_client, program):
    url = reverse("manage:program_details", args=[program.slug])
    response = staff_client.post(url, _details(program, min_age="30", max_age="20"))
    assert response.status_code == 400
    assert response.context["form"].has_error("max_age", "age_order")
    response = staff_client.post(url, _details(program, max_age="130"))
    assert response.context["form"].has_error("max_age", "max_value")
    response = staff_client.post(url, _details(program, virtual_states=["VA"]))
    assert response.context["form"].has_error("virtual_states", "in_person_remote")
    for field, value, code in [
        ("zip", "ZZ", "invalid_zip"),
        ("zip", "1234", "invalid_zip"),
        ("zip", "00000", "unknown_zip"),
        ("phone", "call us maybe", "invalid_phone"),
        ("intake_phone", "javascript:alert(1)", "invalid_phone"),
        ("website", "ftp://x.org", "invalid"),
    ]:
        response = staff_client.post(url, _details(program, **{field: value}))
        assert response.status_code == 400, (field, value)
        assert response.context["form"].has_error(field, code), (field, value)
    assert not PendingChange.objects.exists()
    for phone in ["(434) 555-0199 x12", "1-800-GET-HELP"]:
        response = staff_client.post(url, _details(program, intake_phone=phone))
        assert response.status_code == 302, phone


def test_a_details_form_loaded_before_another_change_is_refused(staff_client, program):
    url = reverse("manage:program_details", args=[program.slug])
    version = staff_client.get(url).context["form"].initial["version"]
    Program.objects.filter(pk=program.pk).update(
        description="A curator's edit", updated=timezone.now() + datetime.timedelta(seconds=1)
    )
    response = staff_client.post(url, _details(program, description="Mine", version=version))
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "stale")
    program.refresh_from_db()
    assert program.description == "A curator's edit"


def test_the_program_states_the_openings_its_imported_listing_left_unsaid(staff_client, program):
    # SAMHSA's directory says nothing about openings: the import's "open" is nobody's claim.
    Program.objects.filter(pk=program.pk).update(source="samhsa-directory", last_verified=None)
    program.refresh_from_db()
    overview = staff_client.get(reverse("manage:program", args=[program.slug])).content.decode()
    assert "Openings: <strong>Not listed</strong>" in overview
    # "Everything here is still accurate" confirms that: it claims no openings.
    staff_client.post(reverse("manage:program_verify", args=[program.slug]))
    program.refresh_from_db()
    assert program.last_verified == timezone.localdate() and not program.availability_listed
    url = reverse("manage:program_details", args=[program.slug])
    form = staff_client.get(url).content.decode()
    assert '<option value="" selected>Not listed yet: choose one</option>' in form
    assert "Not listed: ask when you call" in form  # what people see until the program chooses

    # Saving other details with "Not listed" left as it is claims nothing.
    response = staff_client.post(url, _details(program, availability="", description="Groups."))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.description == "Groups." and program.availability_stated is None
    public = staff_client.get(program.get_absolute_url()).content.decode()
    assert "Not listed: ask when you call" in public

    # Choosing "Accepting", the value the import already holds, is the program's word.
    staff_client.post(url, _details(program, availability="open"))
    program.refresh_from_db()
    assert program.availability_stated == timezone.localdate()
    public = staff_client.get(program.get_absolute_url()).content.decode()
    assert "Accepting patients" in public and "Not listed: ask when you call" not in public
    assert '<option value="open" selected>' in staff_client.get(url).content.decode()
    overview = staff_client.get(reverse("manage:program", args=[program.slug])).content.decode()
    assert "Not listed" not in overview


def test_a_waitlist_ended_by_the_program_reads_as_accepting(staff_client, program):
    Program.objects.filter(pk=program.pk).update(
        source="samhsa-directory", last_verified=None, availability="waitlist"
    )
    program.refresh_from_db()
    assert program.availability_listed  # a waitlist is a claim, whoever made it
    url = reverse("manage:program_details", args=[program.slug])
    staff_client.post(url, _details(program, availability="open"))
    program.refresh_from_db()
    assert program.availability == "open" and program.availability_listed


def test_availability_confirmed_long_ago_is_shown_as_such_on_the_public_page(client):
    program = ProgramFactory()
    track = track_create(program, "Evening", [("mon", "18:00", "21:00")])
    track.openings, track.availability_confirmed = 4, timezone.localdate()
    track.save()
    page = client.get(program.get_absolute_url()).content.decode()
    assert "4 openings" in page
    track.availability_confirmed = timezone.localdate() - datetime.timedelta(days=15)
    track.save()
    page = client.get(program.get_absolute_url()).content.decode()
    assert "4 openings" not in page
    assert "Openings last confirmed" in page


def test_sign_in_tokens_are_never_recorded(client, program, caplog):
    from axes.models import AccessAttempt

    _membership, link, *_ = services.staff_invite(provider=program.provider, email="a@example.org")
    token = _link_token(link)
    client.post(reverse("manage:sign_in"), {"sesame": token})
    client.logout()
    client.post(reverse("manage:sign_in"), {"sesame": token})  # used: a failed sign-in
    attempts = list(AccessAttempt.objects.values_list("get_data", "post_data"))
    assert attempts and token not in str(attempts)
    assert token not in caplog.text


def test_robots_keep_out_of_manage(client):
    assert "Disallow: /manage/" in client.get("/robots.txt").content.decode()
