"""`make bench`: search speed at 10,000 and 100,000 programs on PostgreSQL, and under load.

1. Seeds each size into a PostgreSQL database of its own (kept between runs; reseeded when
   its size or the migrations changed).
2. Runs bench/workload.py in process: 300 seeded searches, half results pages, half API calls,
   p50/p95/p99 and SQL queries per request, and the naive baseline on a few of them.
3. Serves the 100,000-program database with gunicorn and loads it with wrk (Debian's) for
   60 seconds at 50 connections: the results page, the API, then /healthz as the ceiling.
4. Writes bench/results/latest.json and prints a summary with the targets.

5. Measures uncached search side by side with /healthz (bench/sidebyside.py): gunicorn with 2
   workers, 150 searches from one client, each after a /healthz, on every database, BENCH_RUNS
   times (default 3, for the spread), and wrk at 50 connections on the largest; SQL statements
   per request counted in process.

Environment: BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_SIZES (default
"10000,100000"), BENCH_LOAD_SECONDS (default 60), BENCH_CONNECTIONS (default 50), BENCH_REDIS
(default redis://127.0.0.1:6379/15: the app servers' shared cache during the load test, if it
answers; emptied before each load phase), BENCH_RUNS (default 3), BENCH_DB_PREFIX (default
iopfinder_bench), BENCH_PORT (default 8150), BENCH_CACHED (default 1: the load test with the
search cache on), BENCH_NAIVE (default 1: the naive baseline, 3 minutes).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if size]
# The real programs `make run` loads (SAMHSA's 2023 directory), measured beside the seeded sizes.
REAL = os.environ.get("BENCH_REAL", "1") == "1"
DIRECTORY = ROOT / "data" / "samhsa" / "national-directory-su-facilities-2023.xlsx"
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
NAIVE = {10_000: 10, 100_000: 3}
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PREFIX = os.environ.get("BENCH_DB_PREFIX", "iopfinder_bench")
CACHED = os.environ.get("BENCH_CACHED", "1") == "1"
NAIVE_ON = os.environ.get("BENCH_NAIVE", "1") == "1"
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "iopfinder.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_SECURE": "0",
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
}


def say(message):
    print(message, flush=True)


def manage(*args, database, capture=False):
    env = {**ENV, "DATABASE_URL": f"{PG}/{database}"}
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
        capture_output=capture,
    )  # fmt: skip


def psql(sql, database="postgres"):
    result = subprocess.run(
        ["psql", f"{PG}/{database}", "-Atc", sql], capture_output=True, text=True
    )
    return result.stdout.strip() if result.returncode == 0 else None


# docs/performance.md, "PostgreSQL on a 2-core box": per database, since the server is shared
# (shared_buffers needs postgresql.conf and a restart; not changed here).
PG_SETTINGS = {
    "random_page_cost": "1.1",
    "effective_cache_size": "'4GB'",
    "work_mem": "'16MB'",
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
}


def tune(database):
    for name, value in PG_SETTINGS.items():
        psql(f"ALTER DATABASE {database} SET {name} = {value}")


def prepare(size):
    """A database with `size` seeded programs; returns the seconds seeding took (None if kept)."""
    database = f"{PREFIX}_{size}"
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        psql(f"CREATE DATABASE {database}")
    tune(database)
    manage("migrate", "--noinput", "-v0", database=database)
    count = psql("SELECT count(*) FROM programs_program WHERE status = 'published'", database)
    if count == str(size):
        say(f"  {database}: {size} programs already seeded")
        vacuum(database)
        return database, None
    say(f"  {database}: seeding {size} programs ...")
    started = time.perf_counter()
    manage("seed_demo", "--programs", str(size), "--seed", "1", database=database, capture=True)
    seconds = round(time.perf_counter() - started, 1)
    say(f"  seeded in {seconds} s")
    vacuum(database)
    return database, seconds


def vacuum(database):
    """Statistics and the visibility map up to date, as autovacuum would leave them in time: a
    migration that rewrites a table (0014) leaves no page all-visible, and PostgreSQL then
    plans heap reads where index-only scans are meant."""
    psql("VACUUM ANALYZE", database)


def prepare_real():
    """A database with SAMHSA's directory imported as published listings."""
    database = f"{PREFIX}_real"
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") != "1":
        psql(f"CREATE DATABASE {database}")
    tune(database)
    manage("migrate", "--noinput", "-v0", database=database)
    say(f"  {database}: importing SAMHSA's 2023 directory ...")
    started = time.perf_counter()
    manage(
        "import_programs", str(DIRECTORY), "--format", "samhsa-directory", "--status",
        "published", database=database, capture=True,
    )  # fmt: skip
    say(f"  imported (or found unchanged) in {time.perf_counter() - started:.1f} s")
    vacuum(database)
    return database


def workload(database, naive):
    env = {**ENV, "DATABASE_URL": f"{PG}/{database}"}
    result = subprocess.run(
        [PYTHON, "bench/workload.py", "--naive", str(naive)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wrk(url, paths_file, seconds):
    """Run wrk; requests/second, latency percentiles, and every kind of error it saw."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if paths_file:
        command += ["-s", str(ROOT / "bench" / "paths.lua")]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True,
        env={**os.environ, "WRK_PATHS": str(paths_file or "")},
    ).stdout  # fmt: skip

    def number(pattern, default=0.0):
        match = re.search(pattern, output)
        return float(match.group(1)) if match else default

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 2)

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "seconds": seconds,
        "connections": CONNECTIONS,
        "requests": int(number(r"(\d+) requests in")),
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
    }


def load_test(database, cache_seconds):
    """gunicorn as in production, loaded by wrk: results page, API, then /healthz."""
    if not shutil.which("wrk"):
        say("  wrk is not installed (apt-get install -y wrk): load test skipped")
        return None
    manage("collectstatic", "--noinput", "-v0", database=database)
    from workload_paths import write_paths  # bench/ is on sys.path

    port = free_port()
    env = {
        **ENV,
        "DATABASE_URL": f"{PG}/{database}",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "SEARCH_CACHE_SECONDS": str(cache_seconds),
    }
    redis = redis_client()
    if redis is not None:
        env["REDIS_URL"] = REDIS
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "iopfinder.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results_dir = ROOT / "bench" / "results"
        results_dir.mkdir(exist_ok=True)
        html_paths, api_paths = write_paths(results_dir)
        # Warm every worker (gazetteer, templates, connections) before measuring.
        wrk(f"{base}/healthz", None, 5)
        say(f"  results page: {LOAD_SECONDS} s at {CONNECTIONS} connections ...")
        html = cache_measured(redis, lambda: wrk(base, html_paths, LOAD_SECONDS))
        say(f"  API: {LOAD_SECONDS} s at {CONNECTIONS} connections ...")
        api = cache_measured(redis, lambda: wrk(base, api_paths, LOAD_SECONDS))
        say(f"  /healthz: {LOAD_SECONDS} s at {CONNECTIONS} connections ...")
        health = wrk(f"{base}/healthz", None, LOAD_SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "html": html,
        "api": api,
        "healthz": health,
        "workers": gunicorn_workers(),
        "cache": "redis (shared)" if redis is not None else "per-process memory",
    }


def redis_client():
    """The shared cache for the load test, or None when Redis does not answer."""
    try:
        import redis

        client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
        client.ping()
        return client
    except Exception:
        return None


def cache_measured(redis, phase):
    """Run a load phase on an empty cache and add the share of requests the cache served."""
    if redis is None:
        return phase()
    redis.flushdb()
    before = redis.info("stats")
    result = phase()
    after = redis.info("stats")
    hits = after["keyspace_hits"] - before["keyspace_hits"]
    misses = after["keyspace_misses"] - before["keyspace_misses"]
    # Every request reads one key; a miss is a search computed afresh.
    result["cache_hit_rate"] = round(hits / (hits + misses), 3) if hits + misses else None
    return result


def gunicorn_workers():
    namespace = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    return namespace["workers"]


def check(label, ok, measured):
    return {"target": label, "met": bool(ok), "measured": measured}


def targets(runs, load, side):
    large, small = runs.get(100_000), runs.get(10_000)
    rows = []
    if large and "naive" in large:
        rows.append(
            check(
                ">= 50x faster than the naive baseline (100k)",
                large["naive"]["ratio"] >= 50,
                f"{large['naive']['ratio']}x",
            )
        )
    if large and small:
        ratio = round(large["all"]["p95_ms"] / small["all"]["p95_ms"], 2)
        rows.append(check("p95 at 100k <= 2x p95 at 10k (in process)", ratio <= 2, f"{ratio}x"))
    worst = max(run["all"]["queries_max"] for run in runs.values()) if runs else None
    if worst is not None:
        rows.append(check("At most 3 SQL statements per search", worst <= 3, f"{worst} at most"))
    large_side = side.get(f"{PREFIX}_{max(SIZES)}") if SIZES else None
    if large_side:
        api, html = large_side["api_ratio"], large_side["html_ratio"]
        rows.append(check("API p95 <= 6x /healthz p95 (100k, uncached)", max(api) <= 6, f"{api}x"))
        rows.append(
            check("Page p95 <= 10x /healthz p95 (100k, uncached)", max(html) <= 10, f"{html}x")
        )
        if "api_rps" in large_side:
            rows.append(
                check(
                    "Uncached, 50 connections: API >= 320 req/s, page >= 235, 0 errors",
                    min(large_side["api_rps"]) >= 320
                    and min(large_side["html_rps"]) >= 235
                    and large_side["load_errors"] == 0,
                    f"API {large_side['api_rps']}, page {large_side['html_rps']}, "
                    f"{large_side['load_errors']} errors",
                )
            )
    small_side = side.get(f"{PREFIX}_{min(SIZES)}") if SIZES else None
    if large_side and small_side and large_side is not small_side:
        ratio = round(
            max(large_side["api_p95_ms"] + large_side["html_p95_ms"])
            / max(small_side["api_p95_ms"] + small_side["html_p95_ms"]),
            2,
        )
        rows.append(check("p95 at 100k <= 2x p95 at 10k (gunicorn)", ratio <= 2, f"{ratio}x"))
    if load:
        ceiling = load["healthz"]["requests_per_second"]
        for name in ("html", "api"):
            share = round(load[name]["requests_per_second"] / ceiling * 100, 1) if ceiling else 0
            errors = load[name]["non_2xx"] + load[name]["socket_errors"]
            rows.append(
                check(
                    f"Cached, under gunicorn, {name} >= 30% of /healthz, 0 errors",
                    share >= 30 and errors == 0,
                    f"{share}%, {errors} errors",
                )
            )
    return rows


def main():
    sys.path.insert(0, str(ROOT / "bench"))
    say("IOP Finder search benchmark")
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} cores",
        "runs": {},
        "seed_seconds": {},
    }
    # Pages render with WhiteNoise's hashed static files (DEBUG off), as in production.
    manage("collectstatic", "--noinput", "-v0", database="postgres")
    databases = {}
    for size in SIZES:
        say(f"Preparing {size} programs")
        databases[size], seconds = prepare(size)
        if seconds is not None:
            results["seed_seconds"][size] = seconds
    for size in SIZES:
        say(f"Workload at {size} programs (300 searches, naive baseline on {NAIVE.get(size, 3)})")
        results["runs"][size] = workload(databases[size], NAIVE.get(size, 3) if NAIVE_ON else 0)
    if REAL:
        say("Workload on SAMHSA's 2023 directory (300 searches)")
        results["runs"]["real"] = workload(prepare_real(), 0)
        databases["real"] = f"{PREFIX}_real"
    load = None
    if SIZES and CACHED:
        say(f"Load test at {max(SIZES)} programs under gunicorn, search cache on (60 s)")
        load = load_test(databases[max(SIZES)], cache_seconds=60)
    results["load"] = load
    say(f"Uncached search side by side with /healthz, {RUNS} runs a database")
    import sidebyside

    side_rows = sidebyside.measure(
        list(databases.values()), runs=RUNS, load_seconds=LOAD_SECONDS,
        load_on=[databases[max(SIZES)]] if SIZES else [],
        port=int(os.environ.get("BENCH_PORT", "8150")),
    )  # fmt: skip
    results["sidebyside"] = sidebyside.summary(side_rows)
    results["targets"] = targets(results["runs"], load, results["sidebyside"])

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")

    say("")
    say(f"{'programs':>9} {'kind':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for size, run in results["runs"].items():
        for kind in ("html", "api"):
            row = run[kind]
            say(
                f"{size!s:>9} {kind:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['queries_max']:>8}"
            )
        if "naive" in run:
            naive = run["naive"]
            say(
                f"{size:>9} naive baseline: {naive['mean_ms']:.0f} ms a search vs {naive['indexed_mean_ms']} ms ({naive['ratio']}x)"
            )
    sidebyside.print_table(results["sidebyside"])
    for label, run in [("cache on", load)]:
        if not run:
            continue
        say("")
        say(f"{'load, ' + label:>18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name in ("html", "api", "healthz"):
            row = run[name]
            errors = row["non_2xx"] + row["socket_errors"]
            hits = row.get("cache_hit_rate")
            hits = f"  cache hits {hits:.0%}" if hits is not None else ""
            say(
                f"{name:>18} {row['requests_per_second']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8} {errors:>7}{hits}"
            )
    say("")
    for row in results["targets"]:
        say(f"[{'met' if row['met'] else 'MISSED'}] {row['target']}: {row['measured']}")
    say(f"\nFigures written to {out / 'latest.json'}")


if __name__ == "__main__":
    main()
