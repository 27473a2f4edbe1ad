"""invite_provider PROGRAM_SLUG EMAIL: email a one-time /manage/ sign-in link (CONTRACT)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import MaxLengthValidator, validate_email

from programs.models import Program
from staff import services


class Command(BaseCommand):
    help = (
        "Invite EMAIL to keep the listings of the provider that runs PROGRAM_SLUG: emails a "
        "one-time sign-in link for /manage/ (valid 7 days) and prints it on its last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("program_slug")
        parser.add_argument("email")
        parser.add_argument(
            "--base-url", help="The site's address in the link (default: the SITE_URL setting)."
        )

    def handle(self, *args, program_slug, email, base_url=None, **options):
        program = Program.objects.select_related("provider").filter(slug=program_slug).first()
        if program is None:
            raise CommandError(f"No program with the slug {program_slug!r}.")
        longest = get_user_model()._meta.get_field("email").max_length
        try:
            validate_email(email)
            MaxLengthValidator(longest)(email)
        except ValidationError:
            raise CommandError(
                f"{email[:80]!r} is not an email address of at most {longest} characters."
            )
        try:
            invitation = services.staff_invite(
                provider=program.provider, email=email, base_url=base_url
            )
        except services.InviteError as error:
            raise CommandError(str(error))
        self.stdout.write(
            f"Invited {invitation.membership.user.email} to keep the listings of "
            f"{program.provider.name} ({program.provider.programs.count()} program(s)). "
            "Sign-in link:"
        )
        self.stdout.write(invitation.link)
        if not invitation.sent:
            self.stderr.write(
                "The invitation email could not be sent (the mail server did not take it): "
                "send them the link above yourself."
            )
