"""Curators review what programs ask to change, and invite program staff, in the admin."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from programs.models import Program, State
from staff import services
from staff.models import Membership, PendingChange

from .factories import MembershipFactory, ProgramFactory, UserFactory, curator_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    client.force_login(curator_create(username="carol"))
    return client


def _ask(program, user, **changes):
    data = {
        name: getattr(program, name)
        for name in [*services.LIVE_FIELDS, *services.REVIEWED_FIELDS]
        if name not in ("state", "virtual_states")
    }
    data.update(state=program.state, virtual_states=list(program.virtual_states.all()))
    data.update({name: [] for name in services.TERM_FIELDS})
    data.update(changes)
    return services.program_details_submit(program=program, user=user, data=data)


def test_the_queue_lists_waiting_changes_and_approval_applies_them_with_history(
    curator_client, django_capture_on_commit_callbacks
):
    member = MembershipFactory()
    program = ProgramFactory(provider=member.provider, phone="434-555-0100")
    change = _ask(program, member.user, phone="434-555-0999", name="Harbor IOP")
    changelist = curator_client.get(reverse("admin:staff_pendingchange_changelist"))
    assert changelist.status_code == 200
    assert program.name in changelist.content.decode()

    url = reverse("admin:staff_pendingchange_change", args=[change.pk])
    page = curator_client.get(url).content.decode()
    assert "434-555-0100" in page and "434-555-0999" in page
    # The review shows the listing as it is now, not as it was when the change was asked for.
    Program.objects.filter(pk=program.pk).update(phone="434-555-0123")
    page = curator_client.get(url).content.decode()
    assert "434-555-0123" in page and "434-555-0100" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(url, {"decision": "approve", "note": "Checked by phone."})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [member.user.email]
    assert "is live" in mail.outbox[-1].subject and "Checked by phone." in mail.outbox[-1].body
    program.refresh_from_db()
    assert (program.phone, program.name) == ("434-555-0999", "Harbor IOP")
    change.refresh_from_db()
    assert change.status == PendingChange.Status.APPROVED
    assert change.note == "Checked by phone." and change.reviewed_by.username == "carol"
    record = program.history.latest()
    assert record.history_user.username == "carol"
    assert member.user.email in record.history_change_reason
    # Reviewed changes leave the queue (waiting changes are its default view).
    changelist = curator_client.get(reverse("admin:staff_pendingchange_changelist"))
    assert list(changelist.context["cl"].result_list) == []
    # A decided change cannot be decided again.
    curator_client.post(url, {"decision": "reject", "note": "x"})
    change.refresh_from_db()
    assert change.status == PendingChange.Status.APPROVED


def test_rejecting_keeps_the_listing(curator_client, django_capture_on_commit_callbacks):
    member = MembershipFactory()
    program = ProgramFactory(provider=member.provider, website="https://old.example.org/")
    change = _ask(program, member.user, website="https://spam.example.com/")
    url = reverse("admin:staff_pendingchange_change", args=[change.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(url, {"decision": "reject", "note": "Not theirs."})
    assert response.status_code == 302
    assert "was not applied" in mail.outbox[-1].subject and "Not theirs." in mail.outbox[-1].body
    program.refresh_from_db()
    assert program.website == "https://old.example.org/"
    change.refresh_from_db()
    assert change.status == PendingChange.Status.REJECTED
    # The program sees the decision and the note.
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("manage:program", args=[program.slug])).content.decode()
    assert "Rejected (website)" in page and "Not theirs." in page


def test_an_approved_new_address_moves_the_marker_to_the_zip(curator_client):
    member = MembershipFactory()
    program = ProgramFactory(provider=member.provider)
    change = _ask(
        program,
        member.user,
        street="1 Main St",
        city="Norfolk",
        zip="23510",
        format="hybrid",
        virtual_states=list(State.objects.filter(code__in=["VA", "NC"])),
    )
    assert change.changes["virtual_states"] == ["NC", "VA"]
    services.pending_change_approve(change=change, user=UserFactory(is_staff=True))
    program.refresh_from_db()
    assert program.city == "Norfolk" and program.location_precision == "zip"
    assert abs(program.latitude - 36.85) < 0.2
    assert sorted(s.code for s in program.virtual_states.all()) == ["NC", "VA"]


def test_a_curator_invites_from_the_providers_page(curator_client):
    program = ProgramFactory()
    provider_page = curator_client.get(
        reverse("admin:programs_provider_change", args=[program.provider.pk])
    ).content.decode()
    invite_url = reverse("admin:staff_membership_add") + f"?provider={program.provider.pk}"
    assert invite_url in provider_page.replace("&amp;", "&")
    assert curator_client.get(invite_url).status_code == 200
    response = curator_client.post(
        reverse("admin:staff_membership_add"),
        {"provider": program.provider.pk, "email": "new@harbor.example.org"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get()
    assert membership.user.email == "new@harbor.example.org"
    assert not membership.user.is_staff and not membership.user.has_usable_password()
    assert membership.invited_by.username == "carol"
    assert "/manage/sign-in/?sesame=" in mail.outbox[-1].body


def test_curators_cannot_invite_an_admin_account(curator_client):
    program = ProgramFactory()
    admin = UserFactory(is_staff=True, email="boss@example.org")
    response = curator_client.post(
        reverse("admin:staff_membership_add"),
        {"provider": program.provider.pk, "email": admin.email},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("email", "curator_account")
    assert not Membership.objects.exists() and not mail.outbox


def test_staff_never_reach_the_admin(client):
    member = MembershipFactory()
    client.force_login(member.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Program.objects.count() == 0


def test_the_admin_index_counts_changes_waiting_for_review(curator_client):
    member = MembershipFactory()
    program = ProgramFactory(provider=member.provider)
    _ask(program, member.user, phone="434-555-0999")
    response = curator_client.get(reverse("admin:index"))
    assert response.context["pending_changes_count"] == 1
    assert "1 change from programs</a> waits for review" in response.content.decode()
