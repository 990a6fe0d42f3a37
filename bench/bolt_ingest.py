"""Benchmark: CORDIS H2020 through the Bolt store into ArcadeDB on loopback, against a bare batched MERGE.

    .venv/bin/python bench/bolt_ingest.py                      # full ../shared/data/cordis/h2020-2014-2018
    .venv/bin/python bench/bolt_ingest.py --projects 5000      # a fixed subset: the first 5,000 projects by id

Steps, each into its own fresh database of one ArcadeDB server started here (or, with `--uri` to a
server of yours, into `--database`, emptied before each run):
0. warm the server up: the bare run below into a throwaway database (a cold JVM halves the first run);
1. load the CORDIS folder with `ingest.cordis` (and commit it to an embedded store, for reference);
2. **store** (best of `--rounds`, alternating with 3.): `Neo4jStore.writer()` with `upsert_counties/themes/actors/projects/participations` —
   everything the store does: reads of what is stored, model merges, actor keys, links, batching;
3. **bare**: the same rows the store writes (nodes, key nodes, relationships, the same property maps)
   as bare `UNWIND $rows … MERGE` statements in one transaction through the same driver, no reads, no merges;
4. **pipeline**: `ingest.pipeline.commit(store, batch)` end to end (entity resolution included); its
   `stats()` must equal the embedded store's.
The figure that matters is store rate / bare rate (target ≥ 80 %): the server's own speed is not ours.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from graph.model import Actor, Participation, Project  # noqa: E402
from graph.settings import Settings  # noqa: E402
from graph.store import cypher  # noqa: E402
from graph.store.neo4j import Neo4jStore, actor_row, participation_row, project_row  # noqa: E402
from graph.store.sqlite import SqliteStore  # noqa: E402
from ingest.cordis import load_cordis  # noqa: E402
from ingest.pipeline import SourceBatch, commit  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "cordis" / "h2020-2014-2018"


def subset(batch: SourceBatch, n: int | None) -> SourceBatch:
    if n is None:
        return batch
    keep = {p.id for p in sorted(batch.projects, key=lambda p: p.id)[:n]}
    parts = [p for p in batch.participations if p.project_id in keep]
    actors = {p.actor_id for p in parts}
    return SourceBatch(
        source=batch.source,
        actors=[a for a in batch.actors if a.id in actors],
        projects=[p for p in batch.projects if p.id in keep],
        participations=parts,
        counties=batch.counties,
        themes=batch.themes,
        rows_read=len(parts),
    )


def bare_rows(
    actors: list[Actor], projects: list[Project], parts: list[Participation]
) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(label for the report, statement, rows): what the store writes for these records, in its order."""
    keys = [{"key": k, "actor_id": a.id} for a in actors for k in a.identity_keys()]
    located = [{"id": a.id, "county_code": a.county_code} for a in actors if a.county_code]
    addresses = [{"id": p.id, "themes": sorted(p.themes)} for p in projects if p.themes]
    return [
        ("actors", cypher.merge_nodes("Actor"), [actor_row(a) for a in actors]),
        ("keys", cypher.MERGE_KEYS, keys),
        ("located_in", cypher.LINK_COUNTY, located),
        ("projects", cypher.merge_nodes("Project"), [project_row(p) for p in projects]),
        ("addresses", cypher.LINK_THEMES, addresses),
        ("participations", cypher.MERGE_PARTICIPATIONS, [participation_row(p) for p in parts]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cordis", type=Path, default=DEFAULT)
    ap.add_argument("--projects", type=int, default=None, help="only the first N projects by id")
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--heap", default="2g", help="ArcadeDB's Java heap")
    ap.add_argument("--uri", help="an existing Bolt server (else ArcadeDB is started here)")
    ap.add_argument("--user", default="root")
    ap.add_argument(
        "--database", default="neo4j", help="with --uri: the one database every run uses, emptied before each"
    )
    ap.add_argument("--rounds", type=int, default=2, help="store and bare runs alternate this many times")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    t = time.perf_counter()
    batch = subset(load_cordis(args.cordis), args.projects)
    t_parse = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        ref = SqliteStore(Path(tmp) / "ref.db")
        ref.init_schema()
        t = time.perf_counter()
        commit(ref, batch)
        t_sqlite = time.perf_counter() - t
        ref_stats = ref.stats()
        # The store and bare runs write the loader's records in the loader's order (no entity
        # resolution: that is the pipeline's work, timed in step 4).
        actors, projects, parts = batch.actors, batch.projects, batch.participations
        ref.close()

        proc = None
        if args.uri:
            uri, user, password = args.uri, args.user, os.environ["INNOGRAPH_NEO4J_PASSWORD"]
        else:
            from bolt_server import start_arcadedb, stop

            proc, server = start_arcadedb(
                Path(tmp) / "arcadedb",
                ("warmup", *(f"{k}{r}" for r in range(args.rounds) for k in ("store", "bare")), "pipeline"),
                heap=args.heap,
            )
            uri, user, password = server.uri, server.user, server.password
        try:

            def open_db(name: str) -> Neo4jStore:
                s = Neo4jStore(
                    Settings(
                        store="neo4j", neo4j_uri=uri, neo4j_user=user, neo4j_password=password,
                        neo4j_database=args.database if args.uri else name, batch_size=args.batch_size,
                    )
                )  # fmt: skip
                if args.uri:  # one database (Neo4j Community has one): empty it
                    with s.driver.session(database=args.database) as session:
                        session.run("MATCH (n) DETACH DELETE n").consume()
                s.init_schema()
                return s

            def run_bare(name: str) -> float:
                s = open_db(name)
                t = time.perf_counter()
                with s._session() as session, session.begin_transaction() as tx:
                    for _, query, rows in statements:
                        for i in range(0, len(rows), args.batch_size):
                            tx.run(query, rows=rows[i : i + args.batch_size]).consume()
                    tx.commit()
                elapsed = time.perf_counter() - t
                assert s.stats().participations == len(parts)
                s.close()
                return elapsed

            statements = bare_rows(actors, projects, parts)
            run_bare("warmup")  # the server's JIT and caches warm up on a throwaway copy first

            def run_store(name: str) -> tuple[float, str]:
                s = open_db(name)
                t = time.perf_counter()
                with s.writer() as w:
                    w.upsert_counties(batch.counties)
                    w.upsert_themes(batch.themes)
                    w.upsert_actors(actors)
                    w.upsert_projects(projects)
                    w.upsert_participations(parts)
                elapsed = time.perf_counter() - t
                assert s.stats().participations == len(parts)
                agent = s.driver.get_server_info().agent or ""
                s.close()
                return elapsed, agent

            store_times, bare_times = [], []
            for r in range(args.rounds):  # alternate, so that neither side gets the quieter moments
                elapsed, agent = run_store(f"store{r}")
                store_times.append(elapsed)
                bare_times.append(run_bare(f"bare{r}"))
            t_store, t_bare = min(store_times), min(bare_times)

            pipe = open_db("pipeline")
            t = time.perf_counter()
            commit(pipe, batch)
            t_pipe = time.perf_counter() - t
            assert pipe.stats() == ref_stats
            pipe.close()
        finally:
            if proc is not None:
                stop(proc)

    n = len(parts)
    out = {
        "server": agent,
        "subset": f"first {args.projects} projects by id" if args.projects else "all",
        "actors": len(actors),
        "projects": len(projects),
        "participations": n,
        "batch_size": args.batch_size,
        "parse_s": round(t_parse, 1),
        "sqlite_commit_s": round(t_sqlite, 1),
        "store_s": round(t_store, 1),
        "bare_s": round(t_bare, 1),
        "store_runs_s": [round(x, 1) for x in store_times],
        "bare_runs_s": [round(x, 1) for x in bare_times],
        "pipeline_s": round(t_pipe, 1),
        "store_participations_per_s": round(n / t_store),
        "bare_participations_per_s": round(n / t_bare),
        "pipeline_participations_per_s": round(n / t_pipe),
        "store_vs_bare": round(t_bare / t_store, 3),
        "load": os.getloadavg(),
    }
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
