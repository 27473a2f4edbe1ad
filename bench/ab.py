"""Two checkouts of the site measured against each other at the same moments of the machine.

On a shared machine the same code measured twice an hour apart differs by 10-30 %, more than
most single changes buy. This serves checkout A and checkout B side by side (gunicorn, 2
workers each, the search cache off, the same database), then sends each search of the
workload to both, in an order that alternates, and loads them with wrk in alternating phases:
whatever the machine does meanwhile, both see it.

    .venv/bin/python bench/ab.py /path/to/checkout-a /path/to/checkout-b iopfinder_bench_100000 \
        --searches 300 --phases 4 --load 10

Each checkout needs its own `.venv` (a symlink to this one will do if the requirements are the
same) and `staticfiles` (collectstatic). Prints p50/p95 of pages and API calls for each, and
the requests a second of each wrk phase.
"""

import argparse
import http.client
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import wrk  # noqa: E402
from sidebyside import serve, timed  # noqa: E402
from workload import percentile, searches  # noqa: E402
from workload_paths import write_paths  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("database")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--phases", type=int, default=4, help="wrk phases each, alternating")
    parser.add_argument("--load", type=int, default=10, help="wrk seconds a phase")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8160")))
    args = parser.parse_args()

    ports = {"A": args.port, "B": args.port + 1}
    servers = []
    try:
        servers.append(serve(args.database, ports["A"], checkout=args.a))
        servers.append(serve(args.database, ports["B"], checkout=args.b))
        connections = {
            name: http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for name, port in ports.items()
        }
        for path, params in searches(20, args.seed + 1):  # warm both
            for connection in connections.values():
                timed(connection, f"{path}?{urlencode(params)}")
        times = {(name, kind): [] for name in ports for kind in ("html", "api")}
        for index, (path, params) in enumerate(searches(args.searches, args.seed)):
            kind = "html" if path == "/programs/" else "api"
            for name in ("A", "B") if index % 2 == 0 else ("B", "A"):
                elapsed, _ = timed(connections[name], f"{path}?{urlencode(params)}")
                times[name, kind].append(elapsed)
        for name in ports:
            row = "  ".join(
                f"{kind} p50 {percentile(times[name, kind], 0.5):6.2f}"
                f" p95 {percentile(times[name, kind], 0.95):6.2f} ms"
                for kind in ("html", "api")
            )
            print(f"{name} ({[args.a, args.b][name == 'B']}): {row}", flush=True)
        results_dir = ROOT / "bench" / "results"
        results_dir.mkdir(exist_ok=True)
        html_paths, api_paths = write_paths(results_dir)
        for phase in range(args.phases):
            order = ("A", "B") if phase % 2 == 0 else ("B", "A")
            for kind, paths in (("html", html_paths), ("api", api_paths)):
                rates = {
                    name: wrk(f"http://127.0.0.1:{ports[name]}", paths, args.load) for name in order
                }
                print(
                    f"phase {phase + 1} {kind}: "
                    + "  ".join(
                        f"{name} {rates[name]['requests_per_second']:7.1f}/s"
                        f" ({rates[name]['non_2xx'] + rates[name]['socket_errors']} errors)"
                        for name in ("A", "B")
                    ),
                    flush=True,
                )
    finally:
        for server in servers:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
