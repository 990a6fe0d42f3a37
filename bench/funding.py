"""How long the funding figures take on a built store: the facts (once per store version) and a query.

    .venv/bin/python bench/funding.py --db /tmp/full.db

Prints wall-clock seconds for: reading the records, `funding_facts` (attribution, EUR, S3 areas of every
participation), `funding` for Blekinge, `benchmark` and `untapped` over the facts, and `store_facts`
read back from the cache persisted beside the store (what a second CLI command pays).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from graph.analysis.funding import benchmark, county_s3_areas, funding, funding_facts, store_facts, untapped
from graph.analysis.scope import Scope
from graph.cache import clear
from graph.store.sqlite import SqliteStore


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, required=True)
    args = ap.parse_args()
    store = SqliteStore(args.db)
    t = time.perf_counter()
    actors, projects, parts = (
        list(store.iter_actors()),
        list(store.iter_projects()),
        list(store.iter_participations()),
    )
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    facts = funding_facts(actors, projects, parts)
    t_facts = time.perf_counter() - t
    t = time.perf_counter()
    funding(facts, Scope(counties=("10",)))
    t_funding = time.perf_counter() - t
    t = time.perf_counter()
    benchmark(facts, Scope(programme=("Horizon Europe",)))
    t_bench = time.perf_counter() - t
    t = time.perf_counter()
    untapped(facts, "10", county_s3_areas(store.themes(), "10"))
    t_untapped = time.perf_counter() - t
    store_facts(store)  # computed (or read) and persisted
    clear()  # forget the memory: the next read comes from the file beside the store
    t = time.perf_counter()
    store_facts(SqliteStore(args.db))
    t_cached = time.perf_counter() - t
    print(f"participations {len(parts):,}; facts {len(facts):,}; load average {os.getloadavg()[0]:.1f}")
    for name, s in [
        ("read records", t_read),
        ("funding_facts", t_facts),
        ("funding (Blekinge)", t_funding),
        ("benchmark (Horizon Europe)", t_bench),
        ("untapped (Blekinge)", t_untapped),
        ("store_facts, second store object", t_cached),
    ]:
        print(f"{name:34} {s:8.2f} s")


if __name__ == "__main__":
    main()
