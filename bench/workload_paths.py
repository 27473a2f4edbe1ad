"""The load test's request paths: the same seeded searches as the in-process workload."""

import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def write_paths(directory, count=600, seed=7):
    """Write the results-page and API paths, one a line, for bench/paths.lua."""
    sys.path.insert(0, str(ROOT))
    from workload import searches  # place resolution only: no database needed

    html, api = Path(directory) / "paths-html.txt", Path(directory) / "paths-api.txt"
    workload = searches(count, seed)
    html.write_text("".join(f"/programs/?{urlencode(params)}\n" for _, params in workload))
    api.write_text("".join(f"/api/programs/?{urlencode(params)}\n" for _, params in workload))
    return html, api
