"""Back-test of the partner finder on real Horizon 2020 consortia (issue 4).

Train on the projects that started 2014–2016, test on the consortia of 2017–2018 that have at least
three members already known in training. For each sampled test consortium, hide one known member
(fixed seed), query with the other known members and the project's programme part, and record where
the hidden member ranks. Compared in the same run with two baselines: the most active organisations
in the programme part, and Adamic–Adar from the members alone.

The evaluation reads the CORDIS CSV files itself (csv module) and builds the finder's index from
model records shaped like the CORDIS loader's (`h2020:<id>`, `cordis:<PIC>`, `part:h2020:SC5`), so
it does not need a store.

    .venv/bin/python -m eval.partners.backtest                    # 2000 consortia, seed 4
    .venv/bin/python -m eval.partners.backtest --sample 0 --json  # every test consortium
    .venv/bin/python -m eval.partners.backtest --bench            # also latency and batch throughput
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graph.model import Actor, ActorKind, Participation, Project, Role
from graph.partners import PartnerIndex, PartnerQuery

DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "cordis" / "h2020-2014-2018"
KINDS = {
    "HES": ActorKind.university,
    "REC": ActorKind.research_institute,
    "PRC": ActorKind.company,
    "PUB": ActorKind.government_agency,
    "OTH": ActorKind.other,
}
ROLES = {"coordinator": Role.coordinator, "participant": Role.partner, "partner": Role.partner}
COUNTRY_FIX = {"UK": "GB", "EL": "GR"}
LITTLE_HISTORY = 3  # a hidden member with at most this many training projects has "little history"


@dataclass
class Cordis:
    """The H2020 extract as model records, plus each project's start year and programme part."""

    actors: dict[str, Actor]
    projects: dict[str, Project]
    members: dict[str, list[str]] = field(default_factory=dict)  # project id → actor ids
    participations: list[Participation] = field(default_factory=list)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def read_cordis(folder: Path) -> Cordis:
    """Read project.csv and organization.csv of the CORDIS H2020 layout into model records."""
    projects: dict[str, Project] = {}
    for r in _rows(folder / "project.csv"):
        part = r["topics"].strip()
        start = dt.date.fromisoformat(r["startDate"]) if r["startDate"] else None
        pid = f"h2020:{r['id']}"
        projects[pid] = Project(
            id=pid,
            acronym=r["acronym"] or None,
            title=r["title"] or r["acronym"] or r["id"],
            objective=r["objective"] or None,
            programme="Horizon 2020",
            programme_part=part or None,
            start=start,
            themes=[f"part:h2020:{part}"] if part else [],
            topics=[part] if part else [],
        )
    actors: dict[str, Actor] = {}
    data = Cordis(actors=actors, projects=projects)
    seen: set[tuple[str, str]] = set()
    for r in _rows(folder / "organization.csv"):
        pic = r["organisationID"].strip()
        pid = f"h2020:{r['projectID']}"
        if not pic or pid not in projects:
            continue
        aid = f"cordis:{pic}"
        if aid not in actors:
            country = COUNTRY_FIX.get(r["country"], r["country"]) or None
            actors[aid] = Actor(
                id=aid,
                name=r["name"] or r["shortName"] or pic,
                kind=KINDS.get(r["activityType"], ActorKind.other),
                country=country if country and len(country) == 2 else None,
                pic=pic if pic.isdigit() and 6 <= len(pic) <= 12 else None,
                sme=True if r["SME"] == "true" else None,
            )
        if (aid, pid) in seen:
            continue
        seen.add((aid, pid))
        data.participations.append(
            Participation(actor_id=aid, project_id=pid, role=ROLES.get(r["role"], Role.partner))
        )
        data.members.setdefault(pid, []).append(aid)
    return data


@dataclass
class Case:
    project_id: str
    part: str
    hidden: str
    query_members: list[str]
    history: int  # training projects of the hidden member


def split(data: Cordis) -> tuple[PartnerIndex, list[Case], dict[str, int]]:
    """The training index (2014–2016) and one case per test consortium (2017–2018) with ≥ 3 known members."""
    train = {pid for pid, p in data.projects.items() if p.start and 2014 <= p.start.year <= 2016}
    test = sorted(pid for pid, p in data.projects.items() if p.start and 2017 <= p.start.year <= 2018)
    history: dict[str, int] = defaultdict(int)
    for pid in train:
        for aid in data.members.get(pid, []):
            history[aid] += 1
    parts = [x for x in data.participations if x.project_id in train]
    index = PartnerIndex((data.actors[a] for a in history), (data.projects[p] for p in sorted(train)), parts)
    cases = []
    for pid in test:
        known = sorted(a for a in set(data.members.get(pid, [])) if history.get(a, 0) > 0)
        if len(known) >= 3:
            cases.append(Case(pid, data.projects[pid].programme_part or "", "", known, 0))
    return index, cases, dict(history)


def hide(cases: list[Case], history: dict[str, int], sample: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    picked = cases if sample <= 0 or sample >= len(cases) else rng.sample(cases, sample)
    out = []
    for c in sorted(picked, key=lambda c: c.project_id):
        hidden = rng.choice(c.query_members)
        rest = [m for m in c.query_members if m != hidden]
        out.append(Case(c.project_id, c.part, hidden, rest, history[hidden]))
    return out


def rank_of(index: PartnerIndex, scores: np.ndarray, eligible: np.ndarray, hidden: str) -> int | None:
    """1-based rank of the hidden actor as the finder orders (score desc, then id); None when unscored."""
    h = index.actor_pos[hidden]
    s = scores[h]
    if not eligible[h] or s <= 0:
        return None
    better = eligible & (scores > s)
    ties = eligible & (scores == s)
    tie_before = int(ties[:h].sum())  # index.actors is sorted by id: position order is id order
    return int(better.sum()) + tie_before + 1


def query_for(c: Case) -> PartnerQuery:
    return PartnerQuery(members=c.query_members, programme_parts=[c.part] if c.part else [], top=50)


Method = Callable[[PartnerIndex, Case, list[int]], tuple[np.ndarray, np.ndarray]]


def finder(index: PartnerIndex, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
    s = index.score(query_for(c), members)
    return s.score, s.eligible


def most_active_in_topic(index: PartnerIndex, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Baseline 1: training projects in the same programme part."""
    in_part = np.array([(p.programme_part or "") == c.part for p in index.projects], dtype=float)
    scores = np.asarray(index.B @ in_part).ravel()
    eligible = np.ones(len(index.actors), bool)
    eligible[members] = False
    return scores, eligible


def adamic_adar(index: PartnerIndex, c: Case, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Baseline 2: Adamic–Adar from the members on the collaboration graph, nothing else."""
    eligible = np.ones(len(index.actors), bool)
    eligible[members] = False
    return index.adamic_adar(members), eligible


METHODS: dict[str, Method] = {
    "finder": finder,
    "most_active_in_topic": most_active_in_topic,
    "adamic_adar": adamic_adar,
}


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    if not n:
        return {"n": 0, "hit@10": 0.0, "hit@50": 0.0, "mrr": 0.0}
    return {
        "n": n,
        "hit@10": round(sum(1 for r in ranks if r is not None and r <= 10) / n, 4),
        "hit@50": round(sum(1 for r in ranks if r is not None and r <= 50) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
    }


def evaluate(index: PartnerIndex, cases: list[Case]) -> dict[str, dict[str, dict[str, float]]]:
    ranks: dict[str, dict[str, list[int | None]]] = {
        m: {"all": [], "incumbents": [], "little_history": []} for m in METHODS
    }
    for c in cases:
        members = [index.actor_pos[m] for m in c.query_members]
        group = "little_history" if c.history <= LITTLE_HISTORY else "incumbents"
        for name, method in METHODS.items():
            scores, eligible = method(index, c, members)
            r = rank_of(index, scores, eligible, c.hidden)
            ranks[name]["all"].append(r)
            ranks[name][group].append(r)
    return {m: {g: metrics(rs) for g, rs in groups.items()} for m, groups in ranks.items()}


def bench(index: PartnerIndex, cases: list[Case], n: int = 100) -> dict[str, float]:
    """Median latency of single queries with reasons (`index.find`) and batch throughput."""
    qs = [query_for(c).model_copy(update={"top": 10}) for c in cases[:n]]
    index.find(qs[0])  # warm-up
    times = []
    for q in qs:
        t0 = time.perf_counter()
        index.find(q)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for q in qs:
        index.find(q)
    total = time.perf_counter() - t0
    return {
        "queries": len(qs),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
        "batch_qps": round(len(qs) / total, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder with project.csv, organization.csv"
    )
    ap.add_argument("--sample", type=int, default=2000, help="test consortia to sample (0: all)")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--bench", action="store_true", help="also measure latency and batch throughput")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.data / "project.csv").exists():
        print(f"no CORDIS H2020 extract at {args.data}", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    data = read_cordis(args.data)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    index, all_cases, history = split(data)
    t_index = time.perf_counter() - t0
    cases = hide(all_cases, history, args.sample, args.seed)
    t0 = time.perf_counter()
    results = evaluate(index, cases)
    t_eval = time.perf_counter() - t0
    out: dict[str, object] = {
        "data": str(args.data),
        "train_projects": len(index.projects),
        "train_actors": len(index.actors),
        "test_consortia": len(all_cases),
        "sampled": len(cases),
        "seed": args.seed,
        "results": results,
        "seconds": {"read": round(t_read, 1), "index": round(t_index, 1), "evaluate": round(t_eval, 1)},
    }
    best = max(results[m]["all"]["hit@10"] for m in METHODS if m != "finder")
    out["finder_vs_best_baseline_hit@10"] = (
        round(results["finder"]["all"]["hit@10"] / best, 2) if best else None
    )
    if args.bench:
        full = PartnerIndex(data.actors.values(), data.projects.values(), data.participations)
        out["bench_full_h2020"] = bench(full, hide(all_cases, history, 100, args.seed + 1))
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"train {out['train_projects']} projects / {out['train_actors']} actors; "
        f"{out['test_consortia']} test consortia, {len(cases)} sampled (seed {args.seed})"
    )
    print(f"{'method':22} {'group':15} {'n':>5} {'hit@10':>7} {'hit@50':>7} {'MRR':>7}")
    for m, groups in results.items():
        for g, r in groups.items():
            print(f"{m:22} {g:15} {r['n']:5} {r['hit@10']:7.3f} {r['hit@50']:7.3f} {r['mrr']:7.3f}")
    print(f"finder hit@10 / best baseline hit@10 = {out['finder_vs_best_baseline_hit@10']}")
    if "bench_full_h2020" in out:
        print(f"bench (full H2020 graph): {out['bench_full_h2020']}")
    print(f"seconds: {out['seconds']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
