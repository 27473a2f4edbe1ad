"""When the mail server is down: an invitation stands and says how to pass its link on, a
sign-in request answers as always, a reminder not sent is tried again; nothing ends in a 500."""

import datetime
import logging
import socket
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from staff.models import Membership, VerificationReminder

from .factories import MembershipFactory, ProgramFactory, curator_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_down(settings):
    """Django's SMTP backend, pointed at a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_an_invitation_stands_and_the_curator_gets_the_link(client, mail_server_down, caplog):
    client.force_login(curator_create())
    program = ProgramFactory()
    with caplog.at_level(logging.ERROR, logger="staff.services"):
        response = client.post(
            reverse("admin:staff_membership_add"),
            {"provider": program.provider.pk, "email": "lead@harbor.example.org"},
        )
    assert response.status_code == 302
    membership = Membership.objects.get()
    assert membership.user.email == "lead@harbor.example.org"
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "the email could not be sent" in message
    link = message.rsplit(": ", 1)[1]
    assert link.startswith("http://testserver/manage/sign-in/?sesame=")
    # The link works: the curator can pass it on.
    token = link.split("sesame=")[1]
    client.logout()
    assert client.post(reverse("manage:sign_in"), {"sesame": token}).status_code == 302
    assert client.get(reverse("manage:program", args=[program.slug])).status_code == 200
    # The log names the failure, not the address.
    assert "ConnectionRefusedError" in caplog.text and "lead@" not in caplog.text


def test_the_invite_command_prints_the_link_and_says_the_mail_did_not_go(mail_server_down):
    ProgramFactory(slug="harbor")
    out, err = StringIO(), StringIO()
    call_command("invite_provider", "harbor", "lead@harbor.example.org", stdout=out, stderr=err)
    assert "sesame=" in out.getvalue().strip().splitlines()[-1]
    assert "could not be sent" in err.getvalue()
    assert Membership.objects.exists()


def test_a_sign_in_request_answers_as_always(client, mail_server_down):
    member = MembershipFactory()
    response = client.post(reverse("manage:sign_in"), {"email": member.user.email}, follow=True)
    assert response.status_code == 200
    assert "If that address belongs to program staff" in response.content.decode()


def test_a_reminder_not_sent_is_not_recorded_and_goes_next_time(mail_server_down, settings):
    member = MembershipFactory()
    ProgramFactory(provider=member.provider, last_verified=datetime.date(2020, 1, 1))
    out = StringIO()
    call_command("send_verification_reminders", stdout=out)
    assert "Sent 0 reminder" in out.getvalue()
    assert not VerificationReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_verification_reminders", stdout=out)
    assert "Sent 1 reminder" in out.getvalue()
    assert VerificationReminder.objects.count() == 1


def test_an_existing_accounts_link_is_never_shown_to_the_curator(client, mail_server_down):
    """Someone who already keeps another provider's listings: their link would sign in as
    them, with those listings too."""
    client.force_login(curator_create())
    member = MembershipFactory()
    program = ProgramFactory()
    response = client.post(
        reverse("admin:staff_membership_add"),
        {"provider": program.provider.pk, "email": member.user.email},
    )
    assert response.status_code == 302
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "the email could not be sent" in message and "sesame=" not in message
    assert "/manage/sign-in/" in message
    assert Membership.objects.filter(user=member.user, provider=program.provider).exists()
