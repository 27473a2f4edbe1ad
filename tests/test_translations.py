"""The Spanish catalogue (locale/es/LC_MESSAGES/django.po): it compiles, every entry a public
page uses is translated and none is fuzzy, it holds every string the code marks, and the
committed .mo is the compiled .po (a clone serves Spanish without gettext installed).

Entries used only by /manage/ and the admin (English-only for now) may stay untranslated.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# Where strings of the English-only pages live: /manage/ (staff) and the admin.
NOT_PUBLIC = (
    "staff/",
    "templates/staff/",
    "templates/admin/",
    "programs/admin.py",
    "iopfinder/admin.py",
)
# The same as `make messages` (an app with its own locale/, e.g. guide/, keeps its strings there).
MAKEMESSAGES_IGNORE = [".venv/*", "staticfiles/*", "bench/*", "tests/*"]


def needs_gettext(program):
    if shutil.which(program) is None:
        message = f"{program} not found: apt-get install -y gettext"
        if os.environ.get("REQUIRE_GETTEXT") == "1":
            pytest.fail(message)
        pytest.skip(message)


def is_public(entry):
    return any(not path.startswith(NOT_PUBLIC) for path, _line in entry.occurrences)


def is_translated(entry):
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO))


def test_the_catalogue_compiles(tmp_path):
    needs_gettext("msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_public_entry_is_translated_and_none_is_fuzzy(catalogue):
    assert not catalogue.metadata_is_fuzzy
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags and is_public(entry)]
    untranslated = [
        entry.msgid for entry in catalogue if is_public(entry) and not is_translated(entry)
    ]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_the_committed_mo_is_the_compiled_po(catalogue):
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in polib.mofile(str(MO))
        if entry.msgid
    }
    expected = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in catalogue.translated_entries()
    }
    assert compiled == expected, "run `make messages` and commit locale/es/LC_MESSAGES/django.mo"


def test_the_catalogue_holds_every_string_the_code_marks(tmp_path, catalogue):
    """`makemessages` over a copy of the code finds no public string the catalogue lacks."""
    needs_gettext("xgettext")
    copy = tmp_path / "site"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".*_cache",
            ".hypothesis",
            "data",
            "tests",
            "bench",
            "staticfiles",
            "*.sqlite3",
            "__pycache__",
        ),
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="iopfinder.settings", DJANGO_DEBUG="1")
    ignore = [argument for pattern in MAKEMESSAGES_IGNORE for argument in ("--ignore", pattern)]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", *ignore],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    translated = {(entry.msgctxt, entry.msgid) for entry in catalogue if is_translated(entry)}
    missing = [
        entry.msgid
        for entry in fresh
        if is_public(entry) and (entry.msgctxt, entry.msgid) not in translated
    ]
    assert not missing, f"run `make messages` and translate: {missing}"
