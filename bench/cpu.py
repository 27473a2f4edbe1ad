"""Where a request's CPU goes under load: gunicorn's, PostgreSQL's and the load generator's.

On a machine whose cores serve the site, the database and the client alike, throughput under
load is the cores' time divided by what one request costs all three. This serves the site as
bench/sidebyside.py does (gunicorn, 2 workers, the search cache off), loads it with wrk at 50
connections, and reads the CPU time that gunicorn's processes, the database's backends and wrk
spent meanwhile (/proc/<pid>/stat, getrusage), per request, for:

- `/healthz`: one indexed read, the shortest way through the site;
- `/guide/`: a page of the site with no query, through every middleware and the template
  engine: what any HTML page costs before it does anything of its own;
- `/`: the home page (its summary cached);
- the workload's API calls and results pages (bench/workload.py, as sidebyside's wrk phases).

    .venv/bin/python bench/cpu.py iopfinder_bench_100000 --runs 2 --load 10

"ceiling" is what the machine's cores could serve a second at that cost, all of them busy with
nothing else. Prints a table and one JSON line per database (bench/results/cpu.json).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

# Connections kept for the whole run: a backend that closes and another that opens mid-phase
# would take its CPU time out of the count.
os.environ["DJANGO_CONN_MAX_AGE"] = "3600"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import psql, wrk  # noqa: E402
from sidebyside import serve  # noqa: E402
from workload_paths import write_paths  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def process_seconds(pids):
    """User and system CPU seconds the processes `pids` have spent (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def server_processes(server):
    """gunicorn's arbiter and its workers."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    return [server.pid, *map(int, children)]


def backends(database):
    """The database's backend processes (the server's connections, and nobody else's)."""
    output = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")
    if output is None:
        raise RuntimeError("psql could not list the database's connections")
    return [int(pid) for pid in output.split()]


def children_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(url, paths, seconds, server, database):
    """One wrk phase: requests a second, and CPU milliseconds a request by process kind."""
    workers, pg = server_processes(server), backends(database)
    before = process_seconds(workers), process_seconds(pg), children_seconds()
    result = wrk(url, paths, seconds)
    after = process_seconds(workers), process_seconds(pg), children_seconds()
    requests = max(result["requests"], 1)
    gunicorn, postgres, client = (
        1000 * (b - a) / requests for a, b in zip(before, after, strict=True)
    )
    cores = os.cpu_count() or 1
    total = gunicorn + postgres + client
    return {
        "requests_per_second": result["requests_per_second"],
        "errors": result["non_2xx"] + result["socket_errors"],
        "gunicorn_ms": round(gunicorn, 2),
        "postgres_ms": round(postgres, 2),
        "wrk_ms": round(client, 2),
        "total_ms": round(total, 2),
        "ceiling_per_second": round(cores * 1000 / total) if total > 0 else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("databases", nargs="+")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--load", type=int, default=10, help="wrk seconds a phase")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8190")))
    args = parser.parse_args()

    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    html_paths, api_paths = write_paths(results_dir)
    base = f"http://127.0.0.1:{args.port}"
    phases = [
        ("/healthz", f"{base}/healthz", None),
        ("/guide/", f"{base}/guide/", None),
        ("home", f"{base}/", None),
        ("API", base, api_paths),
        ("results page", base, html_paths),
    ]
    print(
        f"{'database':<24} {'request':<13} {'req/s':>7} {'gunicorn':>9} {'postgres':>9}"
        f" {'wrk':>6} {'total':>7} {'ceiling':>8} errors"
    )
    for database in args.databases:
        server = serve(database, args.port)
        try:
            wrk(base, api_paths, 3)  # every thread's connection open before counting
            rows = []
            for run in range(args.runs):
                for name, url, paths in phases:
                    row = {"database": database, "run": run + 1, "request": name}
                    row.update(measured(url, paths, args.load, server, database))
                    rows.append(row)
                    print(
                        f"{database:<24} {name:<13} {row['requests_per_second']:7.1f}"
                        f" {row['gunicorn_ms']:6.2f} ms {row['postgres_ms']:6.2f} ms"
                        f" {row['wrk_ms']:6.2f} {row['total_ms']:7.2f} {row['ceiling_per_second']!s:>8}"
                        f" {row['errors']}",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait()
        with open(results_dir / "cpu.json", "a") as out:
            out.write(json.dumps({"database": database, "rows": rows}) + "\n")


if __name__ == "__main__":
    main()
