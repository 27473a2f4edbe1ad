"""`manage.py seed_demo [--programs N] [--seed S]`: realistic, clearly labelled demo listings."""

import time

from django.core.management.base import BaseCommand, CommandError

from programs.models import Program
from programs.services import catalogue_statistics_refresh, demo_programs_seed


class Command(BaseCommand):
    help = (
        "Replace the demo listings with N made-up, published programs spread over real US ZIP "
        "centroids. The same seed gives the same programs. Real listings are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programs", type=int, default=500, help="how many (default 500)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds programs (used by `make run`)",
        )

    def handle(self, *args, programs, seed, if_empty, **options):
        if if_empty and Program.objects.exists():
            self.stdout.write("The database already holds programs: no demo data loaded.")
            return
        if not 0 <= programs <= 1_000_000:
            raise CommandError("--programs must be between 0 and 1,000,000.")
        started = time.perf_counter()
        created = demo_programs_seed(count=programs, seed=seed, progress=self._progress)
        catalogue_statistics_refresh()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {created} demo programs (seed {seed}) in {elapsed:.1f} s.")
        )

    def _progress(self, done, total):
        if self.stdout.isatty() or total >= 10_000:
            self.stdout.write(
                f"  {done}/{total} programs", ending="\r" if self.stdout.isatty() else "\n"
            )
