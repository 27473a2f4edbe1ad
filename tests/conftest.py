import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clear_cache(monkeypatch):
    """Cached searches live in the cache, the vocabulary and the compiled search conditions in
    the process: start afresh, with the cache believed up."""
    from programs import vocabulary_cache

    monkeypatch.setattr("iopfinder.cache._down_until", 0.0)
    monkeypatch.setattr("programs.filtersets._kept_conditions", (None, {}))
    cache.clear()
    vocabulary_cache.forget()
    yield
    cache.clear()
    vocabulary_cache.forget()


@pytest.fixture(autouse=True)
def _english_first():
    """Each test starts in English: a request to `/es/...` leaves Spanish active in its thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def manage_py():
    """Run `manage.py ARGS` in a fresh process with the real settings and the given DJANGO_*
    environment (none inherited), as a deployment would start it."""

    def run(*args, **env):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        environment.update(env, DJANGO_SETTINGS_MODULE="iopfinder.settings")
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def reference_data(transactional_db):
    """The vocabularies, states and Curators group that migration 0002 loads.

    Live-server and other transactional tests run in real transactions, and Django empties
    every table after each; loading again (an upsert) gives each test the rows that the
    migrations gave the database.
    """
    from django.apps import apps

    migration = importlib.import_module("programs.migrations.0002_vocabularies_and_curators")
    migration.load(apps, None)
    migration.create_curators(apps, None)
