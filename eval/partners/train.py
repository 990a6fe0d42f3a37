"""Learn the partner finder's ranker (`graph/partners/ranker.json`) on the back-tests' training periods only.

Queries are built exactly as in the back-tests, one period earlier, so no test consortium and no
project of a test year is ever seen: Horizon Europe projects that started 2021–2022 are the index and
the consortia of 2023 the queries; Horizon 2020 2014–2015 the index and 2016 the queries. For each
query one known member is hidden (seeded). The weights of the linear ranker
(`graph.partners.ranking`) are then set by coordinate ascent (Metzler & Croft 2007): starting from
the hand-set weights, try each weight in turn on a grid and keep the value that most raises
hit@10 + MRR over all training queries (both programmes count equally); repeat until no step helps.

    .venv/bin/python -m eval.partners.train --cache /tmp/partners   # writes ranker.json, prints the table
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

from eval.partners import backtest, horizon
from eval.partners.harness import Case, Data, hide, split
from graph.partners import PartnerQuery
from graph.partners.index import PartnerIndex
from graph.partners.ranking import FEATURES, LINEAR, MODEL_FILE, Ranker, features, linear_parts

GRID = [0.0, 0.02, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0]
GATE_GRID = [0.2, 0.4, 0.6, 0.8, 1.0]
KEEP = 300  # per query, the candidates in the top 300 of any feature (and the hidden one) are kept


Prepared = list[tuple[np.ndarray, np.ndarray, int, bool]]  # (features scaled, topic T, hidden row, has topic)


def prepare(index: PartnerIndex, cases: list[Case], text: bool) -> tuple[Prepared, int]:
    """Each query's scaled features; a query whose hidden member has no signal at all counts as a miss."""
    out: Prepared = []
    missed = 0
    for c in cases:
        members = [index.actor_pos[m] for m in c.query_members]
        q = (
            PartnerQuery(members=c.query_members, topic=c.title, topic_codes=[c.code] if c.code else [])
            if text
            else PartnerQuery(members=c.query_members, programme_parts=[c.part] if c.part else [])
        )
        pool, X, ctx = features(index, q, members)
        h = np.flatnonzero(pool == index.actor_pos[c.hidden])
        if not h.size:
            missed += 1
            continue
        n, t = linear_parts(X)
        cols = np.column_stack([n, t])
        keep = np.zeros(len(pool), bool)
        for k in range(cols.shape[1]):
            keep[np.argsort(-cols[:, k], kind="stable")[:KEEP]] = True
        keep[h[0]] = True
        rows = np.flatnonzero(keep)
        out.append(
            (
                n[rows].astype(np.float32),
                t[rows].astype(np.float32),
                int(np.flatnonzero(rows == h[0])[0]),
                ctx["has_topic"],
            )
        )
    return out, missed


def objective(data: list[tuple[Prepared, int]], w: np.ndarray, gate: float, topic: float) -> float:
    """Mean over the programmes of hit@10 + MRR (a query with no signal for its hidden member scores 0)."""
    total = 0.0
    for prepared, missed in data:
        hits = rr = 0.0
        for n, t, h, has_topic in prepared:
            g = gate + (1 - gate) * t if has_topic else 1.0
            s = g * (n @ w) + topic * t
            rank = int((s > s[h]).sum()) + 1
            hits += rank <= 10
            rr += 1.0 / rank
        k = len(prepared) + missed
        total += (hits + rr) / max(k, 1)
    return total / len(data)


def ascend(data: list[tuple[Prepared, int]], start: Ranker, rounds: int = 4) -> tuple[Ranker, float]:
    w, gate, topic = start.vector().astype(np.float32), start.gate, start.topic
    best = objective(data, w, gate, topic)
    for r in range(rounds):
        improved = False
        for k in [*range(len(LINEAR)), -1, -2]:
            grid = GATE_GRID if k == -1 else GRID
            for v in grid:
                w2, g2, t2 = w.copy(), gate, topic
                if k == -1:
                    g2 = v
                elif k == -2:
                    t2 = v
                else:
                    w2[k] = v
                f = objective(data, w2, g2, t2)
                if f > best + 1e-9:
                    best, w, gate, topic, improved = f, w2, g2, t2, True
            print(
                f"round {r + 1}, {'gate' if k == -1 else 'topic' if k == -2 else LINEAR[k]}: {best:.4f}",
                file=sys.stderr,
            )
        if not improved:
            break
    return Ranker({f: round(float(x), 4) for f, x in zip(LINEAR, w, strict=True)}, gate, topic), best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--he-sample", type=int, default=1000)
    ap.add_argument("--h2020-sample", type=int, default=800)
    ap.add_argument("--cache", type=Path, default=None, help="folder for pickles of the read records")
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    args = ap.parse_args(argv)
    he: Data = horizon.read_horizon(horizon.DEFAULT_DATA, args.cache / "he.pkl" if args.cache else None)
    h2_cache = args.cache / "h2020.pkl" if args.cache else None
    if h2_cache and h2_cache.exists():
        with h2_cache.open("rb") as f:
            h2: Data = pickle.load(f)
    else:
        h2 = backtest.read_data(backtest.DEFAULT_DATA)
        if h2_cache:
            with h2_cache.open("wb") as f:
                pickle.dump(h2, f)
    data: list[tuple[Prepared, int]] = []
    for name, d, years, text, sample, seed in (
        ("horizon", he, ((2021, 2022), (2023, 2023)), True, args.he_sample, 190),
        ("h2020", h2, ((2014, 2015), (2016, 2016)), False, args.h2020_sample, 140),
    ):
        index, cases, history = split(d, *years)
        prepared, missed = prepare(index, hide(cases, history, sample, seed), text)
        data.append((prepared, missed))
        print(
            f"{name}: {len(prepared)} queries, {missed} with no signal for the hidden member", file=sys.stderr
        )
    start = Ranker.load(args.out) if args.out.exists() else Ranker.load()
    before = objective(data, start.vector().astype(np.float32), start.gate, start.topic)
    learned, after = ascend(data, start)
    args.out.write_text(
        json.dumps(
            {
                "gate": learned.gate,
                "topic": learned.topic,
                "weights": {k: v for k, v in learned.weights.items() if v},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"hit@10 + MRR on the training queries: {before:.4f} (start) → {after:.4f} (learned)")
    print("\n| weight | value | feature |\n|---|---:|---|")
    print(
        f"| gate | {learned.gate} | share of the network score kept by a candidate with no topic evidence |"
    )
    print(f"| topic | {learned.topic} | T, the topic evidence itself |")
    for k, v in sorted(learned.weights.items(), key=lambda x: -x[1]):
        print(f"| `{k}` | {v} | {FEATURES[k]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
