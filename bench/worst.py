"""The most expensive requests we know a client can send, timed one by one, in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iopfinder_bench_100000 .venv/bin/python bench/worst.py

Each request runs three times uncached (SEARCH_CACHE_SECONDS=0) through Django's test client
with production settings; the slowest run and its database time are printed, worst first, as
JSON lines. `docs/reliability.md` has the figures.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iopfinder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["SEARCH_CACHE_SECONDS"] = "0"

THERAPIES = [
    "cbt", "dbt", "mindfulness", "act", "motivational-interviewing", "contingency-management",
    "relapse-prevention", "trauma-focused", "family-therapy", "twelve-step", "matrix-model",
    "group-therapy", "individual-therapy", "medication-management", "moud",
]  # fmt: skip
LANGUAGES = ["en", "es", "zh", "vi", "ko", "ru", "ar", "fr", "ht", "pt", "tl", "pl", "de", "it"]
SCHEDULE = "days=mon&days=tue&start_after=08:00&end_before=22:00&hours_min=1&hours_max=60"
EVENINGS = "free=mon-fri@17:00-23:59&free=sat-sun"  # the guide's first preset
TWO_WINDOWS = "free=mon,wed@08:00-12:00&free=mon-fri@17:30-21:00"


def requests():
    """(label, path) pairs: the attack from the issue, and the widest searches we could build."""
    all_therapies = "&".join(f"therapy={slug}" for slug in THERAPIES)
    all_languages = "&".join(f"language={code}" for code in LANGUAGES)
    return [
        ("therapy=cbt x330 (the attack)", "/api/programs/?" + "therapy=cbt&" * 330),
        ("all 15 therapies", f"/api/programs/?{all_therapies}"),
        ("every language, no place", f"/api/programs/?{all_languages}"),
        ("sort=hours, no place", "/api/programs/?sort=hours"),
        ("sort=hours, schedule, no place", f"/api/programs/?sort=hours&{SCHEDULE}"),
        ("schedule, no place", f"/api/programs/?{SCHEDULE}"),
        ("schedule, 500 mi of NYC", f"/api/programs/?near=10001&radius=500&{SCHEDULE}"),
        ("500 mi of NYC, page 50", "/api/programs/?near=10001&radius=500&page=50&page_size=100"),
        (
            "500 mi of NYC, virtual=include, sort=hours",
            "/api/programs/?near=10001&radius=500&virtual=include&sort=hours",
        ),
        ("q, ten one-letter words", "/api/programs/?q=a+e+i+o+u+r+s+t+n+l"),
        ("q, ten rare words", "/api/programs/?q=zq+xj+qk+vx+jz+wq+kx+zx+qj+xq"),
        ("q, 200 characters", "/api/programs/?q=" + "abcdefghij" * 20),
        (
            "everything at once, results page",
            f"/programs/?near=10001&radius=500&{all_therapies}&{all_languages}&{SCHEDULE}"
            "&q=a+e+i&sort=hours&page_size=100&accepting=1&need=substance-use",
        ),
        ("free: weekday evenings and weekends, no place", f"/api/programs/?{EVENINGS}"),
        ("free: weekdays during the day, no place", "/api/programs/?free=mon-fri@08:00-17:00"),
        ("free: two windows on one day, no place", f"/api/programs/?{TWO_WINDOWS}"),
        ("results page, free, no place", f"/programs/?{EVENINGS}"),
        ("results page, schedule, no place", f"/programs/?{SCHEDULE}"),
        (
            "results page, starts_by, evening, step-down, no place",
            "/programs/?starts_by=2026-12-20&time_of_day=evening&step_down_from=residential",
        ),
        ("results page, ten rare words", "/programs/?q=zq+xj+qk+vx+jz+wq+kx+zx+qj+xq"),
        ("API page 1,000 of 100", "/api/programs/?page_size=100&page=1000"),
        ("HSDS last page", "/hsds/services/?per_page=200&page=500"),
        ("sitemap", "/sitemap.xml"),
    ]


def main():
    import django

    django.setup()
    from django.conf import settings

    # Pages link static files by name; no collectstatic needed for timing.
    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    from django.db import connection
    from django.test import Client

    import iopfinder.wsgi  # noqa: F401  (a worker's warm-up: the gazetteer, the GC settings)

    client = Client()
    database_seconds = [0.0]

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            database_seconds[0] += time.perf_counter() - start

    results = []
    with connection.execute_wrapper(timed):
        for label, path in requests():
            runs = []
            for _ in range(3):
                database_seconds[0] = 0.0
                start = time.perf_counter()
                response = client.get(path)
                runs.append(
                    {
                        "ms": round((time.perf_counter() - start) * 1000, 1),
                        "db_ms": round(database_seconds[0] * 1000, 1),
                        "status": response.status_code,
                    }
                )
            worst = max(runs, key=lambda run: run["db_ms"])
            results.append({"request": label, **worst})
    for result in sorted(results, key=lambda result: -result["db_ms"]):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
