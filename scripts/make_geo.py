"""Regenerate graph/data/counties.csv and municipalities.csv from the official code lists.

Usage: python scripts/make_geo.py ../shared/data/geo
Counties: SCB län codes and names, NUTS 3 code and a centroid (lon/lat) of the county's largest
polygon in Eurostat GISCO's NUTS 3 shapes (for placing counties on a map).
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
from pathlib import Path


def ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2
    return (cx / (6 * a), cy / (6 * a), abs(a)) if a else (ring[0][0], ring[0][1], 0.0)


def main(src: Path, out: Path) -> None:
    shapes = json.loads((src / "sweden-nuts3.geojson").read_text(encoding="utf-8"))
    by_name: dict[str, tuple[str, float, float]] = {}
    for f in shapes["features"]:
        polys = f["geometry"]["coordinates"]
        best = max((ring_centroid(p[0]) for p in polys), key=lambda c: c[2])
        by_name[f["properties"]["NUTS_NAME"]] = (f["properties"]["NUTS_ID"], best[0], best[1])
    with (
        (src / "counties.csv").open(encoding="utf-8") as fh,
        (out / "counties.csv").open("w", newline="") as o,
    ):
        w = csv.writer(o)
        w.writerow(["code", "name", "short_name", "nuts3", "lon", "lat"])
        for row in csv.DictReader(fh):
            nuts, lon, lat = by_name[row["county_name"]]
            w.writerow(
                [
                    row["county_code"],
                    row["county_name"],
                    row["county_name_short"],
                    nuts,
                    f"{lon:.4f}",
                    f"{lat:.4f}",
                ]
            )
    with (
        (src / "municipalities.csv").open(encoding="utf-8") as fh,
        (out / "municipalities.csv").open("w", newline="") as o,
    ):
        w = csv.writer(o)
        w.writerow(["code", "name", "short_name", "county_code"])
        for row in csv.DictReader(fh):
            w.writerow(
                [
                    row["municipality_code"],
                    row["municipality_name"],
                    row["municipality_name_short"],
                    row["county_code"],
                ]
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parents[1] / "graph" / "data")
