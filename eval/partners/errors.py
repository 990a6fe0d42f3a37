"""Where the hidden member ranks, by its ties to the consortium: the error analysis of issue 19.

On the TRAINING period only (the Horizon Europe index of 2021–2022, every consortium of 2023 with at
least three members known there, one member hidden, seed 190 as in `eval.partners.train`), split the
queries by how many of the query's members the hidden one had already shared a project with, and give
the finder's hit@10, hit@50 and MRR in each group. No 2024 consortium is read.

    .venv/bin/python -m eval.partners.errors --cache /tmp/he.pkl
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eval.partners import horizon
from eval.partners.harness import hide, metrics, rank_of, split
from graph.partners import PartnerQuery, score

GROUPS = ("≥ 2 members", "1 member", "none")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=horizon.DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the read records (re-runs)")
    ap.add_argument("--seed", type=int, default=190)
    args = ap.parse_args(argv)
    if not (args.data / "project.csv").exists():
        print(f"no CORDIS Horizon Europe extract at {args.data}", file=sys.stderr)
        return 1
    data = horizon.read_horizon(args.data, args.cache)
    index, cases, history = split(data, (2021, 2022), (2023, 2023))
    ranks: dict[str, list[int | None]] = {g: [] for g in GROUPS}
    queries = hide(cases, history, 0, args.seed)
    for c in queries:
        members = [index.actor_pos[m] for m in c.query_members]
        h = index.actor_pos[c.hidden]
        ties = int(index.A_bin[members][:, h].sum())
        group = GROUPS[0] if ties >= 2 else GROUPS[1] if ties == 1 else GROUPS[2]
        q = PartnerQuery(members=c.query_members, topic=c.title, topic_codes=[c.code] if c.code else [])
        s = score(index, q, members)
        ranks[group].append(rank_of(index, s.score, s.eligible, c.hidden))
    print(f"{len(queries)} consortia of 2023, index 2021–2022 ({len(index.projects)} projects)")
    print("| hidden member had worked with | share | hit@10 | hit@50 | MRR |\n|---|---:|---:|---:|---:|")
    for g in GROUPS:
        m = metrics(ranks[g])
        share = len(ranks[g]) / max(len(queries), 1)
        print(f"| {g} | {share:.2f} | {m['hit@10']:.3f} | {m['hit@50']:.3f} | {m['mrr']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
