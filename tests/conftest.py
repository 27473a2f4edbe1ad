import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits, login throttling and cached searches live in the cache: start afresh."""
    cache.clear()
    yield
    cache.clear()


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
