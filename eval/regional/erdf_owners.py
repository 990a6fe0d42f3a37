"""How many of South Sweden's ERDF project owners resolve to an actor that also has CORDIS or Interreg links.

Builds a fresh graph from every source in the order a region would load them (registry, Interreg,
CORDIS H2020, CORDIS Horizon Europe, SCB agencies, ERDF), keeps the ERDF ingest's merge decisions, and
writes `eval/regional/erdf_owner_merges.csv`: one row per ERDF owner that resolved to an actor the graph
already held, with the rule and evidence, the actor's CORDIS and Interreg project counts, and the
hand-checked verdict from `eval/regional/verdicts.csv` (owner name, actor id → correct/wrong + note).

    .venv/bin/python -m eval.regional.erdf_owners [--shared ../shared/data] [--db /tmp/regional.db]

South Sweden: ERDF projects whose places include one of the seven counties (`graph.geo.SOUTH_SWEDEN`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

from graph.crosswalk import themes_for
from graph.geo import SOUTH_SWEDEN
from graph.store.sqlite import SqliteStore
from ingest.agencies import load_agencies
from ingest.cordis import load_cordis
from ingest.erdf import load_erdf
from ingest.interreg import load_interreg
from ingest.pipeline import IngestReport, commit
from ingest.registry import load_registry

HERE = Path(__file__).resolve().parent
EU = {"Horizon 2020": "cordis", "Horizon Europe": "cordis", "FP7": "cordis", "Interreg": "interreg"}


def build(store: SqliteStore, shared: Path) -> tuple[IngestReport, dict[str, set[str]]]:
    """Load every source; the ERDF ingest's report (with its merges) and each owner record's projects."""
    commit(store, load_registry())
    commit(store, load_interreg(shared / "interreg" / "swedish-partners-interreg-2021-2027.json"))
    commit(store, load_cordis(shared / "cordis" / "h2020-2014-2018"))
    commit(store, load_cordis(shared / "cordis" / "horizon-europe-2021-2024"))
    commit(store, load_agencies(shared / "sweden" / "myndighetsregister-scb.json"))
    batch = load_erdf(shared / "sweden" / "erdf-2014-2020-projektbanken-2016-10.json")
    owned: dict[str, set[str]] = {}
    for p in batch.participations:
        owned.setdefault(p.actor_id, set()).add(p.project_id)
    return commit(store, batch), owned


def read_verdicts(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["erdf_owner"], r["actor_id"]): (r["verdict"], r["note"]) for r in csv.DictReader(fh)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parents[2] / "shared" / "data")
    ap.add_argument("--db", type=Path, help="build into this database file (default: a temporary one)")
    ap.add_argument("--out", type=Path, default=HERE / "erdf_owner_merges.csv")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "regional.db"
        db.unlink(missing_ok=True)
        store = SqliteStore(db)
        store.init_schema()
        report, owned = build(store, args.shared)
        return summarise(store, report, owned, args.out)


def summarise(store: SqliteStore, report: IngestReport, owned: dict[str, set[str]], out: Path) -> int:
    projects = {p.id: p for p in store.iter_projects()}
    parts = list(store.iter_participations())
    links: dict[str, Counter[str]] = {}
    for p in parts:
        kind = EU.get(projects[p.project_id].programme)
        if kind:
            links.setdefault(p.actor_id, Counter())[kind] += 1
    south = {
        pid for pid, p in projects.items() if pid.startswith("erdf:") and set(p.places) & set(SOUTH_SWEDEN)
    }
    south_owners: dict[str, int] = Counter(p.actor_id for p in parts if p.project_id in south)
    # ERDF's own record ids name the owner as Projektbanken wrote it
    merges = {incoming: (name, m) for incoming, name, m in report.merges}
    verdicts = read_verdicts(HERE / "verdicts.csv")
    rows = []
    for incoming, (name, m) in sorted(merges.items(), key=lambda kv: kv[1][0]):
        actor = store.get_actor(m.actor_id)
        n_south = len(owned.get(incoming, set()) & south)
        c = links.get(m.actor_id, Counter())
        verdict, note = verdicts.get((name, m.actor_id), ("", ""))
        rows.append(
            {
                "erdf_owner": name,
                "south_sweden_projects": n_south,
                "actor_id": m.actor_id,
                "actor_name": actor.name,
                "actor_orgnr": actor.orgnr or "",
                "rule": m.rule,
                "evidence": m.evidence,
                "cordis_participations": c["cordis"],
                "interreg_participations": c["interreg"],
                "verdict": verdict,
                "note": note,
            }
        )
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    owners = sorted(south_owners)
    # merged into an actor another source had created (not a second spelling within Projektbanken)
    resolved_ids = {m.actor_id for _, m in merges.values() if not m.actor_id.startswith("erdf-org:")}
    resolved = [a for a in owners if a in resolved_ids]
    with_eu = [a for a in owners if links.get(a)]
    with_cordis = [a for a in owners if links.get(a, Counter())["cordis"]]
    with_interreg = [a for a in owners if links.get(a, Counter())["interreg"]]
    checked = [r for r in rows if r["verdict"]]
    correct = [r for r in checked if r["verdict"] == "correct"]
    print(
        f"ERDF projects touching South Sweden: {len(south)}; their distinct owners (after resolution): {len(owners)}"
    )
    print(f"  resolved to an actor the graph already held: {len(resolved)}")
    print(
        f"  owner actor has CORDIS or Interreg links: {len(with_eu)} (CORDIS {len(with_cordis)}, Interreg {len(with_interreg)})"
    )
    print(f"all ERDF owner merges: {len(rows)} ({Counter(r['rule'] for r in rows)})")
    if checked:
        print(
            f"hand-checked merges: {len(checked)}, correct {len(correct)}: precision {len(correct) / len(checked):.3f}"
        )
    for text in (False, True):
        per: Counter[str] = Counter(
            link.theme_id for pid in sorted(south) for link in themes_for(projects[pid], text=text)
        )
        label = "vocabulary and text rules" if text else "programme vocabulary only"
        print(
            f"South Sweden ERDF projects per S3 area ({label}): "
            + ", ".join(f"{k} {v}" for k, v in sorted(per.items()))
        )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
