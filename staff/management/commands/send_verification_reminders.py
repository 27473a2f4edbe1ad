"""send_verification_reminders: email staff of listings not verified for 150 days (CONTRACT)."""

from django.core.management.base import BaseCommand

from staff import services


class Command(BaseCommand):
    help = (
        "Email the staff of every listing not verified for 150 days, one email a person; "
        "running it again the same day sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", help="The site's address in the links (default: the SITE_URL setting)."
        )

    def handle(self, *args, base_url=None, **options):
        sent = services.verification_reminders_send(base_url=base_url)
        self.stdout.write(f"Sent {sent} reminder email(s).")
