"""Uncached search measured side by side with /healthz, as the issue measures it from outside.

For each database: gunicorn with 2 workers and the search cache off; one client sends 150
varied searches (half results pages, half API calls, bench/workload.py's generator), each
right after a /healthz, so both see the same moment of a shared machine; p50/p95 of each and
the ratios to /healthz's p95. SQL round trips per request are counted in process (Django's
execute_wrapper, bench/workload.py). With --load N, wrk then loads the same server at 50
connections for N seconds on the results page, the API and /healthz. --runs repeats it all,
for the spread.

    DATABASE names: postgres databases on BENCH_PG (default postgres://postgres@127.0.0.1:5432)
    .venv/bin/python bench/sidebyside.py iopfinder_bench_10000 iopfinder_bench_100000 --runs 3

Prints a table and one JSON line per database and run (bench/results/sidebyside.json).
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import ENV, PG, PYTHON, wrk  # noqa: E402
from workload import percentile, searches  # noqa: E402


def serve(database, port, checkout=ROOT):
    """gunicorn serving `checkout` (this one by default; bench/ab.py serves two) on `database`,
    2 workers, the search cache off; returned once it answers /healthz."""
    env = {
        **ENV,
        "DATABASE_URL": f"{PG}/{database}",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "GUNICORN_WORKERS": "2",
        "SEARCH_CACHE_SECONDS": "0",
    }
    own = Path(checkout).resolve() == ROOT
    python = PYTHON if own else str(Path(checkout) / ".venv" / "bin" / "python")
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "iopfinder.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn of {checkout} did not answer")


def timed(connection, path):
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response.status


def side_by_side(port, count, seed):
    workload = searches(count, seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path, params in searches(20, seed + 1):  # warm both workers' caches and connections
        timed(connection, f"{path}?{urlencode(params)}")
        timed(connection, "/healthz")
    times = {"html": [], "api": [], "healthz": []}
    statuses = {}
    for path, params in workload:
        elapsed, _ = timed(connection, "/healthz")
        times["healthz"].append(elapsed)
        elapsed, status = timed(connection, f"{path}?{urlencode(params)}")
        times["html" if path == "/programs/" else "api"].append(elapsed)
        statuses[status] = statuses.get(status, 0) + 1
    connection.close()
    result = {
        kind: {
            "p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
            "mean_ms": round(statistics.fmean(values), 2),
        }
        for kind, values in times.items()
    }
    health = result["healthz"]["p95_ms"]
    result["api_ratio"] = round(result["api"]["p95_ms"] / health, 1)
    result["html_ratio"] = round(result["html"]["p95_ms"] / health, 1)
    result["statuses"] = statuses
    return result


def round_trips(database, count, seed):
    """SQL statements per request, counted in process over the same kind of workload."""
    env = {**ENV, "DATABASE_URL": f"{PG}/{database}", "SEARCH_CACHE_SECONDS": "0"}
    output = subprocess.run(
        [PYTHON, "bench/workload.py", "--searches", str(count), "--seed", str(seed), "--naive", "0"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    run = json.loads(output.strip().splitlines()[-1])
    return {
        "programs": run["programs"],
        "html_queries_max": run["html"]["queries_max"],
        "api_queries_max": run["api"]["queries_max"],
        "html_queries_mean": run["html"]["queries_mean"],
        "api_queries_mean": run["api"]["queries_mean"],
    }


def load(port, seconds):
    from workload_paths import write_paths

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    html_paths, api_paths = write_paths(results_dir)
    base = f"http://127.0.0.1:{port}"
    wrk(f"{base}/healthz", None, 3)
    return {
        "html": wrk(base, html_paths, seconds),
        "api": wrk(base, api_paths, seconds),
        "healthz": wrk(f"{base}/healthz", None, seconds),
    }


def measure(
    databases, *, runs=1, searches_count=150, seed=42, load_seconds=0, load_on=(), port=8150
):
    """Side-by-side rows for each database and run; wrk at 50 connections on `load_on`."""
    rows = []
    for database in databases:
        trips = round_trips(database, searches_count, seed)
        for run in range(runs):
            server = serve(database, port)
            try:
                row = {"database": database, "run": run + 1, **trips}
                row.update(side_by_side(port, searches_count, seed))
                if load_seconds and database in load_on:
                    row["load"] = load(port, load_seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def spread(values):
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"


def summary(rows):
    """Per database, over its runs: each figure as the range the runs gave."""
    by_database = {}
    for row in rows:
        by_database.setdefault(row["database"], []).append(row)
    result = {}
    for database, runs in by_database.items():
        figures = {
            "programs": runs[0]["programs"],
            "runs": len(runs),
            "api_p50_ms": [r["api"]["p50_ms"] for r in runs],
            "api_p95_ms": [r["api"]["p95_ms"] for r in runs],
            "html_p50_ms": [r["html"]["p50_ms"] for r in runs],
            "html_p95_ms": [r["html"]["p95_ms"] for r in runs],
            "healthz_p95_ms": [r["healthz"]["p95_ms"] for r in runs],
            "api_ratio": [r["api_ratio"] for r in runs],
            "html_ratio": [r["html_ratio"] for r in runs],
            "queries_max": max(runs[0]["api_queries_max"], runs[0]["html_queries_max"]),
        }
        loaded = [r["load"] for r in runs if "load" in r]
        if loaded:
            figures["api_rps"] = [x["api"]["requests_per_second"] for x in loaded]
            figures["html_rps"] = [x["html"]["requests_per_second"] for x in loaded]
            figures["healthz_rps"] = [x["healthz"]["requests_per_second"] for x in loaded]
            figures["load_errors"] = sum(
                x[k]["non_2xx"] + x[k]["socket_errors"] for x in loaded for k in ("html", "api")
            )
        result[database] = figures
    return result


def print_table(summaries):
    print()
    print(
        f"{'database':>28} {'programs':>8} {'runs':>4} {'API p50':>11} {'API p95':>11}"
        f" {'page p50':>11} {'page p95':>11} {'hz p95':>9} {'API÷hz':>9} {'page÷hz':>9}"
        f" {'SQL':>3} {'API rps':>9} {'page rps':>9} {'hz rps':>9} {'err':>3}"
    )
    for database, f in summaries.items():
        line = (
            f"{database:>28} {f['programs']:>8} {f['runs']:>4} {spread(f['api_p50_ms']):>11}"
            f" {spread(f['api_p95_ms']):>11} {spread(f['html_p50_ms']):>11}"
            f" {spread(f['html_p95_ms']):>11} {spread(f['healthz_p95_ms']):>9}"
            f" {spread(f['api_ratio']):>9} {spread(f['html_ratio']):>9} {f['queries_max']:>3}"
        )
        if "api_rps" in f:
            line += (
                f" {spread(f['api_rps']):>9} {spread(f['html_rps']):>9}"
                f" {spread(f['healthz_rps']):>9} {f['load_errors']:>3}"
            )
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("databases", nargs="+")
    parser.add_argument("--searches", type=int, default=150)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--load", type=int, default=0, help="wrk seconds a phase (0: none)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8150")))
    args = parser.parse_args()

    rows = measure(
        args.databases, runs=args.runs, searches_count=args.searches, seed=args.seed,
        load_seconds=args.load, load_on=args.databases, port=args.port,
    )  # fmt: skip
    summaries = summary(rows)
    print_table(summaries)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "sidebyside.json").write_text(
        json.dumps({"rows": rows, "summary": summaries}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
