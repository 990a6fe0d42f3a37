"""Benchmark of issue 17 item 8: entity resolution of many CSV actors whose names share a first word.

    .venv/bin/python bench/resolve_blocking.py                       # 20k, 50k, 200k rows
    .venv/bin/python bench/resolve_blocking.py --rows 200000

Writes an `actors.csv` of N Swedish organisations named "Acme <word> <word> <n>" (all share the first word
"Acme", the worst case of first-word blocking; a seeded generator, so every run sees the same names; one in
fifty is a typo of an earlier name so the fuzzy rule has real work), loads it with the CSV loader and times
`commit` (entity resolution + upserts, one transaction) into a fresh SQLite file. Prints per size: rows,
parse s, commit s, of which resolution s, merges by rule. Budget: 200k rows ≤ 60 s of resolution.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.store.sqlite import SqliteStore  # noqa: E402
from ingest.csvsource import load_csv  # noqa: E402
from ingest.pipeline import commit  # noqa: E402
from ingest.resolve import Resolver  # noqa: E402

SYLLABLES = ["ka", "lo", "ri", "ven", "sto", "mar", "ne", "tu", "bel", "dra", "fi", "gon", "hul", "ix", "jo"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def write_actors(folder: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    names: list[str] = []
    with (folder / "actors.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind", "country", "county_code"])
        for i in range(rows):
            if (
                names and i % 50 == 0
            ):  # a typo of an earlier name: "Acme Kalo Venmar 12" → "Acme Kalo Vnmar 12"
                base = rng.choice(names)
                j = rng.randrange(6, len(base) - 3)
                name = base[:j] + base[j + 1 :]
            else:
                name = f"Acme {word(rng)} {word(rng)} {i}"
            names.append(name)
            w.writerow([f"bench:{i}", name, "company", "SE", ""])
    (folder / "projects.csv").write_text("id,title,programme\n", encoding="utf-8")
    (folder / "participations.csv").write_text("actor_id,project_id,role\n", encoding="utf-8")


class TimedResolver(Resolver):
    """The resolver with the time spent in `resolve` added up (the part that was quadratic)."""

    spent = 0.0

    def resolve(self, actor):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return super().resolve(actor)
        finally:
            TimedResolver.spent += time.perf_counter() - t


def run(rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_actors(folder, rows)
        t0 = time.perf_counter()
        batch = load_csv(folder)
        t1 = time.perf_counter()
        store = SqliteStore(folder / "g.db")
        store.init_schema()
        TimedResolver.spent = 0.0
        report = commit(store, batch, resolver_factory=TimedResolver)
        t2 = time.perf_counter()
        store.close()
    return {
        "rows": rows,
        "parse_s": round(t1 - t0, 1),
        "commit_s": round(t2 - t1, 1),
        "resolve_s": round(TimedResolver.spent, 1),
        "actors": report.actors.created,
        "merged": dict(sorted(report.resolved.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="*", default=[20_000, 50_000, 200_000])
    args = ap.parse_args()
    for n in args.rows:
        print(run(n), flush=True)


if __name__ == "__main__":
    main()
