"""The benchmark's search workload, run in process through Django's test client.

Run by bench/run.py with DATABASE_URL pointing at a seeded database; prints one JSON object.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iopfinder.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

FILTERS = [
    ("need", lambda rng: rng.choice(["substance-use", "mental-health", "co-occurring"])),
    ("payment", lambda rng: rng.choice(["medicaid", "medicare", "private-insurance", "self-pay"])),
    ("therapy", lambda rng: rng.choice(["cbt", "dbt", "relapse-prevention", "group-therapy"])),
    ("time_of_day", lambda rng: rng.choice(["morning", "afternoon", "evening"])),
    ("days", lambda rng: rng.choice(["mon", "tue", "wed", "thu", "sat"])),
    ("hours_min", lambda rng: rng.choice(["9", "10", "12"])),
    ("accepting", lambda rng: "1"),
    ("step_down_from", lambda rng: rng.choice(["residential", "php", "inpatient"])),
    ("language", lambda rng: rng.choice(["es", "zh", "vi"])),
    ("format", lambda rng: rng.choice(["in-person", "hybrid"])),
]


def searches(count, seed):
    """A fixed list of (path, params) for a seed: half results pages, half API calls."""
    from programs.geo import gazetteer

    rng = random.Random(seed)
    places = gazetteer()
    # Street ZIP codes, as every round before post-office-only towns were found: the same
    # seed gives the same searches.
    zips = sorted(
        entry.zip
        for key, entries in places.by_city.items()
        if key not in places.post_office_towns
        for entry in entries
    )
    workload = []
    for index in range(count):
        params = {
            "near": rng.choice(zips),
            "radius": str(rng.choice([5, 10, 25, 50, 100])),
            "sort": "distance",
        }
        for name, value in rng.sample(FILTERS, rng.randint(0, 4)):
            params[name] = value(rng)
        path = "/programs/" if index % 2 == 0 else "/api/programs/"
        workload.append((path, params))
    return workload


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(times_ms, queries):
    return {
        "requests": len(times_ms),
        "p50_ms": round(percentile(times_ms, 0.50), 2),
        "p95_ms": round(percentile(times_ms, 0.95), 2),
        "p99_ms": round(percentile(times_ms, 0.99), 2),
        "mean_ms": round(statistics.fmean(times_ms), 2),
        "queries_max": max(queries),
        "queries_mean": round(statistics.fmean(queries), 2),
    }


def run_searches(workload, warmup=20):
    from django.db import connection
    from django.test import Client

    client = Client()
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    for path, params in workload[:warmup]:  # warm caches: gazetteer, templates, connection
        client.get(path, params)
    results = {"/programs/": ([], []), "/api/programs/": ([], [])}
    statuses = {}
    with connection.execute_wrapper(count):
        for path, params in workload:
            counter["n"] = 0
            started = time.perf_counter()
            response = client.get(path, params)
            elapsed = (time.perf_counter() - started) * 1000
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            results[path][0].append(elapsed)
            results[path][1].append(counter["n"])
    return {
        "html": summary(*results["/programs/"]),
        "api": summary(*results["/api/programs/"]),
        "all": summary(
            results["/programs/"][0] + results["/api/programs/"][0],
            results["/programs/"][1] + results["/api/programs/"][1],
        ),
        "statuses": statuses,
    }


def naive_search(params):
    """The baseline: load every published program, compute distances with geopy, filter in Python."""
    from geopy.distance import great_circle

    from programs.geo import place_resolve
    from programs.models import Program

    place = place_resolve(params["near"])
    radius = float(params["radius"])
    matches = []
    for program in (
        Program.objects.published()
        .select_related("provider")
        .prefetch_related("terms", "tracks__sessions")
    ):
        distance = great_circle((place.lat, place.lng), (program.latitude, program.longitude)).miles
        if distance > radius:
            continue
        slugs = {term.slug for term in program.terms.all()}
        if "payment" in params and params["payment"] not in slugs:
            continue
        if "therapy" in params and params["therapy"] not in slugs:
            continue
        if "step_down_from" in params and params["step_down_from"] not in slugs:
            continue
        if "language" in params and params["language"] not in slugs:
            continue
        if "format" in params and program.format != params["format"]:
            continue
        if "accepting" in params and program.availability == "full":
            continue
        need = params.get("need")
        if need == "substance-use" and not program.treats_substance_use:
            continue
        if need == "mental-health" and not program.treats_mental_health:
            continue
        if need == "co-occurring" and not program.co_occurring:
            continue
        if not _naive_track_ok(program, params):
            continue
        matches.append((distance, program.name, program))
    matches.sort(key=lambda match: match[:2])
    return [program for _, _, program in matches[:20]]


def _naive_track_ok(program, params):
    schedule = {key: params[key] for key in ("time_of_day", "days", "hours_min") if key in params}
    if not schedule:
        return True
    for track in program.tracks.all():
        sessions = list(track.sessions.all())
        if not sessions:
            continue
        ok = True
        if "days" in schedule:
            ok &= all(session.day_slug == schedule["days"] for session in sessions)
        if "time_of_day" in schedule:
            hours = [session.start.hour for session in sessions]
            band = {
                "morning": lambda h: h < 12,
                "afternoon": lambda h: 12 <= h < 17,
                "evening": lambda h: h >= 17,
            }
            ok &= all(band[schedule["time_of_day"]](h) for h in hours)
        if "hours_min" in schedule:
            ok &= track.hours_per_week >= float(schedule["hours_min"])
        if ok:
            return True
    return False


def run_naive(workload, limit):
    times = []
    api_workload = [params for path, params in workload if path == "/api/programs/"][:limit]
    for params in api_workload:
        started = time.perf_counter()
        naive_search(params)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "requests": len(times),
        "mean_ms": round(statistics.fmean(times), 2),
        "p50_ms": round(percentile(times, 0.5), 2),
    }, api_workload


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--naive", type=int, default=10, help="how many searches the naive baseline runs"
    )
    args = parser.parse_args()

    from django.test import Client

    import iopfinder.wsgi  # noqa: F401  the process as gunicorn runs it (django.setup, warm_up)
    from programs.models import Program

    workload = searches(args.searches, args.seed)
    result = {
        "programs": Program.objects.published().count(),
        "searches": args.searches,
        "seed": args.seed,
    }
    result.update(run_searches(workload))
    if args.naive:
        naive, naive_workload = run_naive(workload, args.naive)
        # The same searches through the real code, for a like-for-like ratio.
        client, fast = Client(), []
        for params in naive_workload:
            started = time.perf_counter()
            client.get("/api/programs/", params)
            fast.append((time.perf_counter() - started) * 1000)
        naive["indexed_mean_ms"] = round(statistics.fmean(fast), 2)
        naive["ratio"] = round(naive["mean_ms"] / naive["indexed_mean_ms"], 1)
        result["naive"] = naive
    print(json.dumps(result))


if __name__ == "__main__":
    main()
