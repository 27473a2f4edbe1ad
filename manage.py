#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def load_checkout_env(path):
    """Read KEY=value lines from this checkout's .env (written by `make` with DJANGO_DEBUG=1).

    Only manage.py reads it, and only for variables not already set: a developer can run
    `manage.py shell` without exporting anything, while gunicorn and the tests never see it.
    """
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        key, separator, value = line.strip().partition("=")
        if separator and key and not key.startswith("#"):
            os.environ.setdefault(key.strip(), value.strip())


def main():
    load_checkout_env(Path(__file__).resolve().parent / ".env")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iopfinder.settings")
    # Requests get a statement timeout (settings.STATEMENT_TIMEOUT_MS); migrations, imports and
    # seeding 100,000 programs may take longer.
    os.environ.setdefault("DJANGO_STATEMENT_TIMEOUT_MS", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
