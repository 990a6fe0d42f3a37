"""Exports and county report benchmark (issue 10): the Skåne report and the full graph to GEXF.

Builds (once) a store from the registry, CORDIS Horizon 2020 2014–2018 and the Interreg partner list in
../shared/data, then times each command as a user runs it: a fresh `innograph` process, wall clock.
"Cold" deletes the derived data beside the database first (`<db>.derived`, `graph.cache`), so the
whole-graph scores (sampled betweenness, PageRank, communities) are computed inside the timed run;
"warm" is the same command again with that cache in place.

    .venv/bin/python bench/export_report.py --db /tmp/bench-full.db [--repeat 3] [--all]

CPU seconds (user + system of the command and its children, e.g. Chromium for --pdf) are reported
beside wall seconds: on the shared 2-core machine other work inflates the wall clock, and on an idle
2-core machine a single-threaded run takes about its CPU time.

Targets: Skåne (12) report ≤ 10 s, full graph to GEXF ≤ 30 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
IG = str(ROOT / ".venv" / "bin" / "innograph")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and its children) of one `innograph` run."""
    c, t = _children_cpu(), time.perf_counter()
    done = subprocess.run([IG, *args], capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - t, _children_cpu() - c
    if done.returncode != 0:
        sys.exit(f"innograph {' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return wall, cpu


def build(db: Path) -> dict[str, float]:
    steps = {
        "registry": ["ingest", "registry"],
        "cordis-h2020": ["ingest", "cordis", str(SHARED / "cordis" / "h2020-2014-2018")],
        "interreg": [
            "ingest",
            "interreg",
            str(SHARED / "interreg" / "swedish-partners-interreg-2021-2027.json"),
        ],
    }
    return {name: round(run([*args, "--db", str(db)])[0], 2) for name, args in steps.items()}


def forget_derived(db: Path) -> None:
    """Delete what the store keeps beside itself (`graph.cache`: the `<db>.derived` sidecar and its
    SQLite journal files; `<db>.analysis-cache.json` before that), so the next run computes everything."""
    for p in db.parent.glob(db.name + ".derived*"):
        p.unlink(missing_ok=True)
    Path(f"{db}.analysis-cache.json").unlink(missing_ok=True)


def timed(label: str, args: list[str], db: Path, repeat: int) -> dict[str, object]:
    forget_derived(db)
    cold = run(args)
    warm = [run(args) for _ in range(repeat)]
    wall = statistics.median(w for w, _ in warm)
    cpu = statistics.median(c for _, c in warm)
    out = {
        "command": "innograph " + " ".join(args),
        "cold_wall_s": round(cold[0], 2),
        "cold_cpu_s": round(cold[1], 2),
        "warm_wall_s": round(wall, 2),
        "warm_cpu_s": round(cpu, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    print(
        f"{label:28} cold {cold[0]:6.2f} s wall {cold[1]:6.2f} s cpu   warm {wall:6.2f} s wall {cpu:6.2f} s cpu",
        file=sys.stderr,
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "innograph-bench-full.db")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="also the PDF, GraphML and XLSX exports")
    a = ap.parse_args()
    if not SHARED.exists():
        sys.exit(f"needs the real data in {SHARED}")
    built = build(a.db) if not a.db.exists() else {}
    out_dir = Path(tempfile.mkdtemp(prefix="innograph-bench-export-"))
    db = ["--db", str(a.db)]
    stats = json.loads(
        subprocess.run([IG, "stats", "--json", *db], capture_output=True, text=True, check=True).stdout
    )
    results: dict[str, object] = {
        "store": {k: stats[k] for k in ("actors", "projects", "participations")},
        "build_s": built,
        "load_before": os.getloadavg(),
        "cpus": os.cpu_count(),
        "report_skane": timed(
            "report --county 12",
            ["report", "--county", "12", "--out", str(out_dir / "r.html"), *db],
            a.db,
            a.repeat,
        ),
        "gexf_full": timed(
            "export graph gexf (full)",
            ["export", "graph", "--format", "gexf", "--out", str(out_dir / "g.gexf"), *db],
            a.db,
            a.repeat,
        ),
    }
    if a.all:
        results["report_skane_pdf"] = timed(
            "report --county 12 --pdf",
            [
                "report",
                "--county",
                "12",
                "--out",
                str(out_dir / "r.html"),
                "--pdf",
                str(out_dir / "r.pdf"),
                *db,
            ],
            a.db,
            a.repeat,
        )
        results["graphml_full"] = timed(
            "export graph graphml (full)",
            ["export", "graph", "--format", "graphml", "--out", str(out_dir / "g.graphml"), *db],
            a.db,
            a.repeat,
        )
        results["xlsx_south_sweden"] = timed(
            "export tables xlsx",
            ["export", "tables", "--format", "xlsx", "--out", str(out_dir / "t.xlsx"), *db],
            a.db,
            a.repeat,
        )
    results["sizes_bytes"] = {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
