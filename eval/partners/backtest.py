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
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from eval.partners import harness
from eval.partners.harness import Case, Data, Methods, best_baseline_ratio, hide, print_summary
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
TRAIN, TEST = (2014, 2016), (2017, 2018)


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


def read_data(folder: Path) -> Data:
    """The H2020 extract as the back-test harness's `Data` (no call topics: the extract has none)."""
    c = read_cordis(folder)
    return Data(actors=c.actors, projects=c.projects, participations=c.participations, members=c.members)


def split(data: Cordis | Data) -> tuple[PartnerIndex, list[Case], dict[str, int]]:
    """The training index (2014–2016) and one case per test consortium (2017–2018) with ≥ 3 known members."""
    d = (
        data
        if isinstance(data, Data)
        else Data(data.actors, data.projects, data.participations, data.members)
    )
    return harness.split(d, TRAIN, TEST)


def evaluate(index: PartnerIndex, cases: list[Case]) -> dict[str, dict[str, dict[str, float]]]:
    """The finder and the baselines (programme part as the only topic: this extract has no titles)."""
    return harness.evaluate(index, cases, Methods(index, use_text=False).all())


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
    best, ratio = best_baseline_ratio(results)
    out["best_baseline"] = best
    out["finder_vs_best_baseline_hit@10"] = ratio
    if args.bench:
        full = PartnerIndex(data.actors.values(), data.projects.values(), data.participations)
        qs = [
            PartnerQuery(members=c.query_members, programme_parts=[c.part] if c.part else [], top=10)
            for c in hide(all_cases, history, 100, args.seed + 1)
        ]
        out["bench_full_h2020"] = harness.bench(full, qs)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print_summary(out, results, len(cases), args.seed, "h2020")
    return 0


if __name__ == "__main__":
    sys.exit(main())
