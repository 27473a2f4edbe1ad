"""`manage.py geocode_programs [--missing-only] [--limit N]`."""

from django.core.management.base import BaseCommand, CommandError

from programs import geocoding
from programs.models import Program


class Command(BaseCommand):
    help = (
        "Place listings at their street address with the geopy geocoder named by GEOCODER "
        "(default Nominatim, with GEOCODER_USER_AGENT), at most one request a second, answers "
        "cached. A listing keeps its ZIP centre when its address is not found or lies more than "
        "25 miles from it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="only listings still at their ZIP's centre",
        )
        parser.add_argument("--limit", type=int, default=None, help="at most N listings")

    def handle(self, *args, missing_only, limit, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be 1 or more.")
        try:
            geocoder = geocoding.geocoder_from_settings()
        except geocoding.GeocoderSetupError as error:
            raise CommandError(str(error))
        programs = Program.objects.exclude(street="").order_by("pk")
        if missing_only:
            programs = programs.filter(location_precision=Program.LocationPrecision.ZIP)
        if limit:
            programs = programs[:limit]
        report = geocoding.programs_geocode(
            programs=programs, geocoder=geocoder, progress=self._progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"placed {len(report.placed)}, not found {len(report.not_found)}, "
                f"too far from their ZIP {len(report.too_far)}, "
                f"geocoder failed {len(report.failed)} "
                f"({report.asked} geocoder requests, the rest from the cache)."
            )
        )
        for label, slugs in [
            ("not found", report.not_found),
            ("too far", report.too_far),
            ("geocoder failed (asked again next time)", report.failed),
        ]:
            for slug in slugs[:200]:
                self.stdout.write(f"  {label}: {slug}")

    def _progress(self, done, total):
        if self.stdout.isatty() and (done % 10 == 0 or done == total):
            self.stdout.write(f"\r{done}/{total}", ending="")
            self.stdout.flush()
