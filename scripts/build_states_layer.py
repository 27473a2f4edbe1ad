"""Build static/geo/us-states.json, the map's background when no tile server is configured.

Input: the Census Bureau's 2010 cartographic boundary file of the states (public domain),
gz_2010_us_040_00_500k.json (2.4 MB). Output: the same 52 outlines simplified with the
Douglas-Peucker algorithm and rounded to 0.01 degrees (about 1 km), small enough to serve
as a static file. Run once when the source changes:

    python scripts/build_states_layer.py path/to/gz_2010_us_040_00_500k.json
"""

import json
import sys
from pathlib import Path

TOLERANCE = 0.02  # degrees: about 2 km, invisible at the zooms a state outline is seen
OUTPUT = Path(__file__).resolve().parents[1] / "static" / "geo" / "us-states.json"


def _distance(point, start, end):
    """Distance from `point` to the segment start-end (planar; fine at this tolerance)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points, tolerance=TOLERANCE):
    """Douglas-Peucker, iterative (rings of thousands of points)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, largest = None, tolerance
        for i in range(first + 1, last):
            distance = _distance(points[i], points[first], points[last])
            if distance > largest:
                index, largest = i, distance
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring(points):
    simplified = [[round(x, 2), round(y, 2)] for x, y in simplify(points)]
    deduplicated = [p for i, p in enumerate(simplified) if i == 0 or p != simplified[i - 1]]
    return deduplicated if len(deduplicated) >= 4 else None


def main(source):
    features = []
    for feature in json.loads(Path(source).read_text(encoding="latin-1"))["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        kept = []
        for polygon in polygons:
            rings = [r for r in (ring(points) for points in polygon) if r]
            if rings:
                kept.append(rings)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": feature["properties"]["NAME"]},
                "geometry": {"type": "MultiPolygon", "coordinates": kept},
            }
        )
    document = {"type": "FeatureCollection", "features": features}
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(document, separators=(",", ":")))
    print(f"{OUTPUT}: {len(features)} states, {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1])
