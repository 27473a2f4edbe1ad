"""`manage.py import_programs FILE [--format programs|findtreatment] [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from programs import importers, services


class Command(BaseCommand):
    help = (
        "Import programs from a JSON file: a list of program objects (the format export_programs "
        "writes, upserted by slug) or a FindTreatment.gov locator file (IOP facilities become "
        "draft listings, updated by their FindTreatment.gov ID on re-import). All or nothing: "
        "a bad file or row is reported with its position and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON file")
        parser.add_argument(
            "--format", choices=["programs", "findtreatment"], default="programs", dest="source"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )

    def handle(self, *args, file, source, dry_run, **options):
        try:
            document = importers.load_json(file)
            if source == "findtreatment":
                rows = importers.findtreatment_rows(document)
            else:
                rows = importers.program_rows(document)
        except importers.ImportFileError as error:
            raise CommandError(f"{error} Nothing was imported.")

        listings, errors = self._parse(rows, source)
        if errors:
            for error in errors[:50]:
                self.stderr.write(str(error))
            if len(errors) > 50:
                self.stderr.write(f"... and {len(errors) - 50} more.")
            raise CommandError(f"{len(errors)} bad row(s) in {file}. Nothing was imported.")

        try:
            report = services.programs_import(
                listings=listings, source=source, dry_run=dry_run, progress=self._progress
            )
        except services.ImportRowError as error:
            raise CommandError(f"{error} Nothing was imported.")
        if not dry_run and (report.created or report.updated):
            services.catalogue_statistics_refresh()
        if self.stdout.isatty():
            self.stdout.write("")
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created {len(report.created)}, updated {len(report.updated)}, "
                f"unchanged {len(report.unchanged)}, skipped {len(report.skipped)}"
                + (" (not intensive outpatient)" if source == "findtreatment" else "")
                + "."
            )
        )
        for label, slugs in [("created", report.created), ("updated", report.updated)]:
            for slug in slugs:
                self.stdout.write(f"  {label}: {slug}")

    def _parse(self, rows, source):
        listings, errors, seen = [], [], {}
        for position, row in enumerate(rows, start=1):
            try:
                if source == "findtreatment":
                    listing = (
                        importers.listing_from_findtreatment(row)
                        if importers.findtreatment_is_iop(row)
                        else None
                    )
                    key = listing and listing["findtreatment_frid"]
                else:
                    listing = importers.listing_from_program_json(row)
                    key = listing["slug"]
            except ValueError as error:
                label = row.get("slug") or row.get("frid") if isinstance(row, dict) else None
                errors.append(importers.RowError(position, str(error), key=label))
                continue
            if key and key in seen:
                errors.append(
                    importers.RowError(
                        position, f"{key} appears again (first in row {seen[key]}).", key=key
                    )
                )
                continue
            if key:
                seen[key] = position
            listings.append((position, listing))
        return listings, errors

    def _progress(self, done, total):
        if self.stdout.isatty() and total >= 200 and (done % 50 == 0 or done == total):
            width = 30
            filled = width * done // total
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
            )
            self.stdout.flush()
