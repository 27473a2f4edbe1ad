"""invite_provider and send_verification_reminders, and the mail settings they rely on."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from iopfinder.settings import email_url_parse
from programs.models import Program
from staff.models import Membership

from .factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_invite_provider_mails_and_prints_a_link_that_signs_in(settings):
    settings.SITE_URL = "http://testserver"
    program = ProgramFactory(slug="harbor")
    output = run("invite_provider", "harbor", "lead@harbor.example.org")
    link = output.strip().splitlines()[-1]
    assert link.startswith("http://testserver/manage/sign-in/?sesame=")
    assert mail.outbox[-1].to == ["lead@harbor.example.org"] and link in mail.outbox[-1].body
    membership = Membership.objects.get()
    assert membership.provider == program.provider

    client = Client()
    token = link.split("sesame=")[1]
    assert client.post(reverse("manage:sign_in"), {"sesame": token}).status_code == 302
    assert client.get(reverse("manage:program", args=["harbor"])).status_code == 200


def test_invite_provider_refuses_bad_input():
    ProgramFactory(slug="harbor")
    with pytest.raises(CommandError, match="No program"):
        run("invite_provider", "nowhere", "a@example.org")
    with pytest.raises(CommandError, match="not an email"):
        run("invite_provider", "harbor", "not-an-email")
    with pytest.raises(CommandError, match="at most 254 characters"):
        run("invite_provider", "harbor", "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example.org")
    UserFactory(is_staff=True, email="curator@example.org")
    with pytest.raises(CommandError, match="curator"):
        run("invite_provider", "harbor", "curator@example.org")
    assert not mail.outbox


def test_reminders_go_to_staff_of_listings_not_verified_for_150_days_once_a_day():
    today = datetime.date.today()
    member = MembershipFactory()
    stale = ProgramFactory(
        provider=member.provider, name="Stale IOP", last_verified=today - datetime.timedelta(151)
    )
    ProgramFactory(
        provider=member.provider, name="Fresh IOP", last_verified=today - datetime.timedelta(149)
    )
    ProgramFactory(
        provider=member.provider,
        name="Archived IOP",
        last_verified=None,
        status=Program.Status.ARCHIVED,
    )
    ProgramFactory(name="Nobody's IOP", last_verified=None)  # no staff to remind
    colleague = MembershipFactory(provider=member.provider)

    assert "Sent 2 reminder" in run("send_verification_reminders")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [member.user.email, colleague.user.email]
    )
    body = mail.outbox[0].body
    assert "Stale IOP" in body and "Fresh IOP" not in body and "Archived IOP" not in body
    assert "/manage/sign-in/?sesame=" in body

    assert "Sent 0 reminder" in run("send_verification_reminders")
    assert len(mail.outbox) == 2
    stale.last_verified = None
    stale.save()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console:", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        (
            "smtp+tls://user:secret@smtp.example.org:587",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "smtp.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "user",
                "EMAIL_HOST_PASSWORD": "secret",
                "EMAIL_USE_TLS": True,
            },
        ),
        ("smtp+ssl://smtp.example.org:465", {"EMAIL_USE_SSL": True, "EMAIL_PORT": 465}),
        ("smtp://localhost:25", {"EMAIL_USE_TLS": False, "EMAIL_HOST": "localhost"}),
    ],
)
def test_email_url_is_read(url, expected):
    parsed = email_url_parse(url)
    assert {key: parsed[key] for key in expected} == expected


def test_email_url_configures_the_site(manage_py):
    result = manage_py(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_USE_TLS)",
        DJANGO_DEBUG="1",
        EMAIL_URL="smtp+tls://u:p@mail.example.org:587",
    )
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "True",
    ], result.stderr
    result = manage_py(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND)",
        DJANGO_DEBUG="1",
    )
    assert (
        result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.console.EmailBackend"
    )


def test_email_url_file_writes_mail_to_its_folder(manage_py, tmp_path):
    result = manage_py(
        "sendtestemail", "someone@example.org", DJANGO_DEBUG="1", EMAIL_URL=f"file://{tmp_path}"
    )
    assert result.returncode == 0, result.stderr
    [written] = list(tmp_path.iterdir())
    assert "someone@example.org" in written.read_text()
