"""For each actor the seed documents name (the registry), its projects by programme once every source is loaded.

    .venv/bin/python -m eval.regional.seed_actors [--db /tmp/regional.db] [--shared ../shared/data]

With `--db` naming a graph already built by `eval.regional.erdf_owners --db …` it reads that; otherwise it
builds one (registry, Interreg, CORDIS H2020 and Horizon Europe, SCB agencies, ERDF) in a temporary file.
Prints a Markdown table (for eval/regional/README.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from eval.regional.erdf_owners import HERE, build
from graph.store.sqlite import SqliteStore
from ingest.registry import load_registry

PROGRAMMES = ("Horizon 2020", "Horizon Europe", "Interreg", "ERDF")


def table(store: SqliteStore) -> str:
    projects = {p.id: p for p in store.iter_projects()}
    lines = [
        "| seed actor | id in the graph | orgnr | " + " | ".join(PROGRAMMES) + " | total |",
        "|---|---|---|" + "---:|" * (len(PROGRAMMES) + 1),
    ]
    for seed in load_registry().actors:
        actor = store.get_actor(seed.id)
        per = Counter(projects[p.project_id].programme for p in store.participations(actor_id=actor.id))
        seeds = sum(1 for p in store.participations(actor_id=actor.id) if p.project_id.startswith("seed:"))
        per["ERDF"] -= seeds  # the two seed projects are ERDF too; count Projektbanken's only
        cells = [str(per[p]) for p in PROGRAMMES]
        total = sum(per[p] for p in PROGRAMMES)
        lines.append(
            f"| {seed.name} | `{actor.id}` | {actor.orgnr or ''} | " + " | ".join(cells) + f" | {total} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="a graph already built with every source")
    ap.add_argument("--shared", type=Path, default=HERE.parents[2] / "shared" / "data")
    args = ap.parse_args(argv)
    if args.db and args.db.exists():
        print(table(SqliteStore(args.db)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "regional.db")
        store.init_schema()
        build(store, args.shared)
        print(table(store))
    return 0


if __name__ == "__main__":
    sys.exit(main())
