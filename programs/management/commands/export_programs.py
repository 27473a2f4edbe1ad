"""`manage.py export_programs [--status published|all] [FILE]`."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from programs.services import programs_export


class Command(BaseCommand):
    help = (
        "Write the directory as the JSON list that import_programs reads, to FILE or standard "
        "output. Published programs only unless --status all."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write (default: standard output)")
        parser.add_argument("--status", choices=["published", "all"], default="published")

    def handle(self, *args, file, status, **options):
        documents = programs_export(status=status)
        text = json.dumps(documents, indent=2, ensure_ascii=False) + "\n"
        if file in (None, "-"):
            sys.stdout.write(text)
            return
        try:
            with open(file, "w", encoding="utf-8") as output:
                output.write(text)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.")
        self.stderr.write(f"Exported {len(documents)} program(s) to {file}.")
