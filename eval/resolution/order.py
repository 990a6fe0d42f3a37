"""Does the loading order change the actors? Ingest the shared sources in two orders, compare the actors.

    .venv/bin/python -m eval.resolution.order --data ../shared/data --out /tmp/order
    .venv/bin/python -m eval.resolution.order --only-a --aliases NOALIAS.yaml --out /tmp/rules

Order A is registry, agencies, CORDIS H2020, Horizon Europe, Interreg, ERDF; order B is the reverse.
Each actor is compared as the set of source records it carries (ids may differ with the order: the
record that arrives first names the actor), so the figure is how many of those groups exist in one
order's graph and not in the other's; and how many groups of both graphs carry another label in each
(the name a person sees must not depend on the order either). Prints the figures and every difference.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from graph.store.sqlite import SqliteStore
from ingest.loaders import LOADERS
from ingest.pipeline import commit
from ingest.resolve import Resolver, load_aliases

# (loader, path under the shared data directory; None: the bundled file)
SOURCES: dict[str, tuple[str, str | None]] = {
    "registry": ("registry", None),
    "agencies": ("agencies", "sweden/myndighetsregister-scb.json"),
    "h2020": ("cordis", "cordis/h2020-2014-2018"),
    "horizon-europe": ("cordis", "cordis/horizon-europe-2021-2024"),
    "interreg": ("interreg", "interreg/swedish-partners-interreg-2021-2027.json"),
    "erdf": ("erdf", "sweden/erdf-2014-2020-projektbanken-2016-10.json"),
}
ORDER_A = tuple(SOURCES)
ORDER_B = tuple(reversed(ORDER_A))


def build(db: Path, order: Sequence[str], data: Path, aliases: Path | None = None) -> None:
    """A fresh store at `db` with the sources loaded in `order` (with another alias file if given)."""
    factory = partial(Resolver, aliases=load_aliases(aliases)) if aliases else Resolver
    for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        p.unlink(missing_ok=True)
    store = SqliteStore(db)
    store.init_schema()
    try:
        for name in order:
            loader, rel = SOURCES[name]
            batch = LOADERS[loader](data / rel) if rel else LOADERS[loader]()  # type: ignore[call-arg]
            commit(store, batch, factory)  # type: ignore[arg-type]
    finally:
        store.close()


def groups(db: Path) -> dict[frozenset[str], str]:
    """Each actor as the set of its source records → its name."""
    store = SqliteStore(db)
    try:
        return {frozenset(s.record for s in a.sources): a.name for a in store.iter_actors()}
    finally:
        store.close()


def compare(a: Path, b: Path) -> tuple[int, int, list[str], list[str], list[str]]:
    """(actors in A, actors in B, groups only in A, groups only in B, groups in both that A and B label
    differently), each group as a readable line."""
    ga, gb = groups(a), groups(b)

    def show(g: dict[frozenset[str], str], keys: set[frozenset[str]]) -> list[str]:
        return sorted(f"{g[k]}: {' '.join(sorted(k))}" for k in keys)

    renamed = sorted(f"{ga[k]} / {gb[k]}: {' '.join(sorted(k))}" for k in set(ga) & set(gb) if ga[k] != gb[k])
    return len(ga), len(gb), show(ga, set(ga) - set(gb)), show(gb, set(gb) - set(ga)), renamed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, required=True, help="directory for the two databases")
    ap.add_argument("--aliases", type=Path, help="another alias file (e.g. an empty one: rules alone)")
    ap.add_argument("--only-a", action="store_true", help="build order A only (for eval.resolution.evaluate)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    a, b = args.out / "a.db", args.out / "b.db"
    build(a, ORDER_A, args.data, args.aliases)
    if args.only_a:
        return
    build(b, ORDER_B, args.data, args.aliases)
    na, nb, only_a, only_b, renamed = compare(a, b)
    print(
        f"actors: A {na} / B {nb}; groups only in A: {len(only_a)}, only in B: {len(only_b)}; "
        f"same group, another label: {len(renamed)}"
    )
    for side, lines in (("A", only_a), ("B", only_b), ("A / B labelled", renamed)):
        for line in lines:
            print(f"  only in {side}: {line}" if len(side) == 1 else f"  {side}: {line}")


if __name__ == "__main__":
    main()
