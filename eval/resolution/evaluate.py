"""Score a built graph against the labelled South Swedish pairs (`labels.csv`): precision, recall, grouping.

    .venv/bin/python -m eval.resolution.evaluate --db /tmp/full.db

`labels.csv` holds pairs of organisation records as the loaders read them (`cordis:<PIC>`,
`interreg-org:<slug>`, `erdf-org:<slug>`, `se-org:<nr>`), each judged by a person: `same` 1 (one
organisation) or 0 (two). In the graph, a record belongs to the actor that carries it as a source record.
A pair is *merged* when both records belong to one actor.

- precision: of the labelled pairs the graph merges, the share labelled same;
- recall: of the pairs labelled same, the share the graph merges;
- variants grouped: the organisations known under two or more spellings (connected groups of records
  labelled same, with more than one distinct name) whose records are all in one actor.

Prints the figures and every disagreement (a wrong merge, a missed one) so that a person can look.
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from graph.store.sqlite import SqliteStore

LABELS = Path(__file__).with_name("labels.csv")


def owners(db: Path) -> dict[str, str]:
    """Each source record id → the id of the actor that carries it."""
    s = SqliteStore(db)
    try:
        return {src.record: a.id for a in s.iter_actors() for src in a.sources} | {
            a.id: a.id for a in s.iter_actors()
        }
    finally:
        s.close()


def evaluate(db: Path, labels: Path = LABELS) -> dict[str, object]:
    owner = owners(db)
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    tp = fp = fn = tn = 0
    wrong: list[str] = []
    parent: dict[str, str] = {}
    names: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for r in rows:
        a, b = owner.get(r["a"]), owner.get(r["b"])
        merged = a is not None and a == b
        same = r["same"] == "1"
        names[r["a"]], names[r["b"]] = r["a_name"], r["b_name"]
        if same:
            parent[find(r["a"])] = find(r["b"])
        if merged and same:
            tp += 1
        elif merged:
            fp += 1
            wrong.append(f"wrong merge: {r['a_name']!r} / {r['b_name']!r} ({r['note']})")
        elif same:
            fn += 1
            wrong.append(f"missed: {r['a_name']!r} ({r['a']}) / {r['b_name']!r} ({r['b']}): {r['note']}")
        else:
            tn += 1
    groups: dict[str, set[str]] = defaultdict(set)
    for rec in names:
        if rec in parent:
            groups[find(rec)].add(rec)
    multi = [g for g in groups.values() if len({names[r] for r in g}) > 1]
    grouped = sum(
        1 for g in multi if len({owner.get(r) for r in g}) == 1 and None not in {owner.get(r) for r in g}
    )
    return {
        "pairs": len(rows),
        "labelled_same": tp + fn,
        "merged": tp + fp,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "multi_name_organisations": len(multi),
        "variants_grouped": round(grouped / len(multi), 3) if multi else None,
        "disagreements": wrong,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--labels", type=Path, default=LABELS)
    args = ap.parse_args()
    out = evaluate(args.db, args.labels)
    for k, v in out.items():
        if k != "disagreements":
            print(f"{k}: {v}")
    for line in out["disagreements"]:  # type: ignore[union-attr]
        print("  " + line)


if __name__ == "__main__":
    main()
