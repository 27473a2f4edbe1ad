"""`manage.py import_programs FILE [--format programs|findtreatment|samhsa-directory]
[--status draft|published] [--edition YEAR] [--dry-run] [--if-empty]`."""

from django.core.management.base import BaseCommand, CommandError

from programs import services, sources
from programs.models import Program
from programs.sources.base import ImportFileError, RowError, listing_merge


class Command(BaseCommand):
    help = (
        "Import programs: a JSON list of program objects (the format export_programs writes, "
        "upserted by slug), a FindTreatment.gov locator file, or SAMHSA's National Directory "
        "of Substance Use Treatment Facilities (.xlsx). Public directories give intensive "
        "outpatient facilities only, updated by their source key on re-import. All or "
        "nothing: a bad file or row is reported with its position and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the file")
        parser.add_argument(
            "--format", choices=list(sources.REGISTRY), default="programs", dest="source"
        )
        parser.add_argument(
            "--status",
            choices=[Program.Status.DRAFT, Program.Status.PUBLISHED],
            default=None,
            help="status of new listings from a public directory (default: draft)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )
        parser.add_argument(
            "--edition",
            default=None,
            help="the edition of a public directory (default: the year in the file name)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the catalogue already holds programs (for first runs)",
        )

    def handle(self, *args, file, source, status, dry_run, if_empty, edition, **options):
        if if_empty and Program.objects.exists():
            self.stdout.write("The catalogue already holds programs: nothing imported.")
            return
        module = sources.get(source)
        if status and module is sources.program_json:
            raise CommandError("--status is for public directories; a programs file has its own.")
        try:
            rows = module.read(file, edition=edition)
        except ImportFileError as error:
            raise CommandError(f"{error} Nothing was imported.")

        listings, merged, errors = self._parse(rows, module)
        if errors:
            for error in errors[:50]:
                self.stderr.write(str(error))
            if len(errors) > 50:
                self.stderr.write(f"... and {len(errors) - 50} more.")
            raise CommandError(f"{len(errors)} bad row(s) in {file}. Nothing was imported.")

        try:
            report = services.programs_import(
                listings=listings,
                source=source,
                status=status,
                dry_run=dry_run,
                progress=self._progress,
            )
        except RowError as error:
            raise CommandError(f"{error} Nothing was imported.")
        report.merged = merged
        if not dry_run and (report.created or report.updated):
            services.catalogue_statistics_refresh()
        if self.stdout.isatty():
            self.stdout.write("")
        self._report(report, module, dry_run)

    def _report(self, report, module, dry_run):
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        skipped = " (not intensive outpatient)" if module is not sources.program_json else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created {len(report.created)}, updated {len(report.updated)}, "
                f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}{skipped}, "
                f"merged {len(report.merged)}, missing from this edition {len(report.missing)}."
            )
        )
        for line in report.merged:
            self.stdout.write(f"  merged: {line}")
        for label, slugs in [
            ("created", report.created),
            ("updated", report.updated),
            ("missing from this edition (flagged for curators)", report.missing),
        ]:
            if len(slugs) > 200:
                self.stdout.write(f"  {label}: {len(slugs)} listings")
                continue
            for slug in slugs:
                self.stdout.write(f"  {label}: {slug}")

    def _parse(self, rows, module):
        """(position, listing) pairs, rows merged into an earlier one, and row errors."""
        listings, merged, errors, seen = [], [], [], {}
        for position, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                errors.append(RowError(position, "must be an object."))
                continue
            try:
                listing = module.listing(row) if module.is_iop(row) else None
            except ValueError as error:
                label = None
                if isinstance(row, dict):
                    label = row.get("slug") or row.get("frid") or row.get("name1")
                errors.append(RowError(position, str(error), key=label))
                continue
            if listing is None:
                listings.append((position, None))
                continue
            key = module.key(listing)
            if key in seen:
                first_position, first = seen[key]
                if not module.EDITION_COMPLETE:
                    errors.append(
                        RowError(
                            position, f"{key} appears again (first in row {first_position}).", key
                        )
                    )
                    continue
                # A directory that lists one facility twice: one listing, with both rows' facts.
                listing_merge(first, listing)
                merged.append(f"row {position} repeats row {first_position} ({first['slug']})")
                continue
            seen[key] = (position, listing)
            listings.append((position, listing))
        return listings, merged, errors

    def _progress(self, done, total):
        if self.stdout.isatty() and total >= 200 and (done % 50 == 0 or done == total):
            width = 30
            filled = width * done // total
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()
