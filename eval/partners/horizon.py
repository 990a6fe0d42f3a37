"""Back-test of the partner finder on real Horizon Europe consortia (issue 19).

Train on the projects that started 2021–2023, test on the consortia of 2024 with at least three
members known in training. For each sampled test consortium, hide one known member (fixed seed) and
query as a grant office would: the other known members plus the call topic's code and title
(`topics.csv`). Record where the hidden member ranks; compare in the same run with five baselines.

The records come from the CORDIS loader itself (`ingest.cordis.load_cordis`), so the finder sees the
projects exactly as a store holds them; its index is built from the training projects only.

    .venv/bin/python -m eval.partners.horizon                    # 1500 consortia, seed 19
    .venv/bin/python -m eval.partners.horizon --sample 0 --json  # every test consortium
    .venv/bin/python -m eval.partners.horizon --bench            # + latency/throughput, full HE graph
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import sys
import time
from pathlib import Path

from eval.partners.harness import (
    Data,
    Methods,
    bench,
    best_baseline_ratio,
    evaluate,
    hide,
    print_summary,
    split,
)
from graph.partners import PartnerIndex, PartnerQuery

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "cordis" / "horizon-europe-2021-2024"
TRAIN, TEST = (2021, 2023), (2024, 2024)


def read_horizon(folder: Path, cache: Path | None = None) -> Data:
    """The Horizon Europe extract as the CORDIS loader reads it, plus each project's call topic."""
    if cache is not None and cache.exists():
        with cache.open("rb") as f:
            data: Data = pickle.load(f)
            return data
    from ingest.cordis import load_cordis

    batch = load_cordis(folder)
    call: dict[str, tuple[str, str]] = {}
    with (folder / "topics.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            call.setdefault(f"horizon:{r['projectID']}", (r["topic"], r["title"]))
    data = Data(
        actors={a.id: a for a in batch.actors},
        projects={p.id: p for p in batch.projects},
        participations=list(batch.participations),
        call=call,
    )
    if cache is not None:
        with cache.open("wb") as f:
            pickle.dump(data, f)
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the CORDIS Horizon Europe folder")
    ap.add_argument("--sample", type=int, default=1500, help="test consortia to sample (0: all)")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the read records (re-runs)")
    ap.add_argument("--bench", action="store_true", help="also measure latency and batch throughput")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "project.csv").exists():
        print(f"no CORDIS Horizon Europe extract at {args.data}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    data = read_horizon(args.data, args.cache)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    index, all_cases, history = split(data, TRAIN, TEST)
    t_index = time.perf_counter() - t0
    cases = hide(all_cases, history, args.sample, args.seed)
    t0 = time.perf_counter()
    methods = Methods(index, use_text=True)
    results = evaluate(index, cases, methods.all())
    t_eval = time.perf_counter() - t0
    best, ratio = best_baseline_ratio(results)
    out: dict[str, object] = {
        "data": str(args.data),
        "train_years": TRAIN,
        "test_years": TEST,
        "train_projects": len(index.projects),
        "train_actors": len(index.actors),
        "test_consortia": len(all_cases),
        "sampled": len(cases),
        "seed": args.seed,
        "results": results,
        "best_baseline": best,
        "finder_vs_best_baseline_hit@10": ratio,
        "seconds": {"read": round(t_read, 1), "index": round(t_index, 1), "evaluate": round(t_eval, 1)},
    }
    if args.bench:
        full = PartnerIndex(data.actors.values(), data.projects.values(), data.participations)
        qs = [
            PartnerQuery(members=c.query_members, topic=c.title, topic_codes=[c.code], top=10)
            for c in hide(all_cases, history, 100, args.seed + 1)
        ]
        out["bench_full_horizon"] = bench(full, qs)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print_summary(out, results, len(cases), args.seed, "horizon")
    return 0


if __name__ == "__main__":
    sys.exit(main())
