"""Benchmark of issues 4 and 19: the partner finder's start-up, single-query latency and batch throughput.

    cp /work/dbs/full.db /tmp/full.db                  # every shared source (issue 19's "full shared data")
    .venv/bin/python bench/partners.py --db /tmp/full.db
    .venv/bin/python bench/partners.py                 # builds /tmp/innograph-bench-partners/g.db (H2020) once
    .venv/bin/python bench/partners.py --rebuild       # re-ingest that H2020 store first

With `--db`, the queries are 100 Horizon Europe consortia of the store (≥ 4 members, fixed seed), one
member hidden, queried as a grant office would: the other members plus the call topic's code and
title (`topics.csv`) and `--min-countries 3`; the start-up is measured twice, building the index
(first run on a store version) and loading it from beside the store (`graph.cache`) in a fresh process.

1. ingest the H2020 extract with the CORDIS loader (not part of the budget; reused if present);
2. start-up: build the partner index from the store (`partner_index(store)`), timed;
3. single queries: 100 real consortia of 2017–2018 (fixed seed) with their programme part, each
   `find_partners(store, q)` timed end to end (member resolution, scoring, reasons, gaps): median
   and p95 — the budget is ≤ 200 ms median;
4. batch: the same 100 queries as a JSONL file through `innograph partners --queries FILE --top 10`
   in one process (CliRunner, output written as JSON lines), queries per second after start-up —
   the budget is ≥ 20 queries/s.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
H2020 = ROOT.parent / "shared" / "data" / "cordis" / "h2020-2014-2018"
HE = ROOT.parent / "shared" / "data" / "cordis" / "horizon-europe-2021-2024"
WORK = Path("/tmp/innograph-bench-partners")
DB = WORK / "g.db"
N = 100
SEED = 4


def build(rebuild: bool) -> float:
    from graph.store.sqlite import SqliteStore
    from ingest.cordis import load_cordis
    from ingest.pipeline import commit

    if DB.exists() and not rebuild:
        return 0.0
    WORK.mkdir(parents=True, exist_ok=True)
    for p in WORK.glob("g.db*"):
        p.unlink()
    t0 = time.perf_counter()
    store = SqliteStore(DB)
    store.init_schema()
    commit(store, load_cordis(H2020))
    store.close()
    return time.perf_counter() - t0


def queries(store: object) -> list[dict[str, object]]:
    """100 consortia of projects started 2017–2018 with ≥ 3 members, one member hidden (fixed seed)."""
    from graph.store.sqlite import SqliteStore

    assert isinstance(store, SqliteStore)
    projects = [p for p in store.iter_projects() if p.start and p.start.year >= 2017]
    members: dict[str, list[str]] = {}
    for part in store.iter_participations():
        members.setdefault(part.project_id, []).append(part.actor_id)
    rng = random.Random(SEED)
    rng.shuffle(projects)
    out = []
    for p in projects:
        m = sorted(members.get(p.id, []))
        if len(m) < 4:
            continue
        hidden = rng.choice(m)
        out.append(
            {
                "id": p.id,
                "members": [x for x in m if x != hidden],
                "programme_parts": [p.programme_part] if p.programme_part else [],
                "min_countries": 3,
            }
        )
        if len(out) == N:
            break
    return out


def he_queries(store: object) -> list[dict[str, object]]:
    """100 Horizon Europe consortia with ≥ 4 members, one hidden (fixed seed), with their call topic."""
    import csv

    from graph.store.sqlite import SqliteStore

    assert isinstance(store, SqliteStore)
    topics: dict[str, tuple[str, str]] = {}
    with (HE / "topics.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            topics.setdefault(f"horizon:{r['projectID']}", (r["topic"], r["title"]))
    members: dict[str, set[str]] = {}
    for part in store.iter_participations():
        if part.project_id in topics:
            members.setdefault(part.project_id, set()).add(part.actor_id)
    rng = random.Random(SEED)
    pids = sorted(p for p, m in members.items() if len(m) >= 4)
    rng.shuffle(pids)
    out = []
    for pid in pids[:N]:
        m = sorted(members[pid])
        hidden = rng.choice(m)
        code, title = topics[pid]
        out.append(
            {
                "id": pid,
                "members": [x for x in m if x != hidden],
                "topic": title,
                "topic_codes": [code],
                "min_countries": 3,
            }
        )
    return out


def fresh_load_s(db: Path) -> tuple[float, float]:
    """(index read from beside the store and unpickled, whole `innograph partners --json` run), each in
    a fresh process, the index already kept by a previous run."""
    import subprocess

    code = (
        "import time; from graph.store.sqlite import SqliteStore; from graph.partners import partner_index; "
        f"s = SqliteStore({str(db)!r}); t0 = time.perf_counter(); partner_index(s); "
        "print(time.perf_counter() - t0)"
    )
    load = float(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    )
    cli = ROOT / ".venv" / "bin" / "innograph"
    t0 = time.perf_counter()
    subprocess.run(
        [str(cli), "partners", "--db", str(db), "--topic", "offshore wind energy", "--json"],
        capture_output=True,
        check=True,
    )
    return load, time.perf_counter() - t0


def main() -> int:
    from click.testing import CliRunner

    from api.cli import Context, cli
    from api.commands.partners import run_batch
    from graph.partners import find_partners, parse_query, partner_index
    from graph.store.sqlite import SqliteStore

    db = Path(sys.argv[sys.argv.index("--db") + 1]) if "--db" in sys.argv else None
    if db is None and not (H2020 / "project.csv").exists():
        print(f"no CORDIS H2020 extract at {H2020}", file=sys.stderr)
        return 1
    if db is not None and not (HE / "topics.csv").exists():
        print(f"no CORDIS Horizon Europe extract at {HE}", file=sys.stderr)
        return 1
    ingest_s = build("--rebuild" in sys.argv) if db is None else 0.0
    db = db or DB
    store = SqliteStore(db)
    qs = he_queries(store) if db != DB else queries(store)
    t0 = time.perf_counter()
    index = partner_index(store)
    startup = time.perf_counter() - t0
    times = []
    for q in qs:
        pq = parse_query(q)
        t0 = time.perf_counter()
        find_partners(store, pq)
        times.append(time.perf_counter() - t0)
    WORK.mkdir(parents=True, exist_ok=True)
    qfile = WORK / "queries.jsonl"
    qfile.write_text("".join(json.dumps(q) + "\n" for q in qs), encoding="utf-8")
    # Batch after start-up: `run_batch` (what --queries runs) on the store whose index is built.
    ctx = Context()
    ctx._store = store
    sink = io.StringIO()
    t0 = time.perf_counter()
    with (
        contextlib.redirect_stdout(sink),
        open("/dev/null", "w") as devnull,
        contextlib.redirect_stderr(devnull),
    ):
        answered, failed = run_batch(ctx, io.StringIO(qfile.read_text(encoding="utf-8")), 10)
    batch_s = time.perf_counter() - t0
    assert answered == len(qs) and failed == 0 and len(sink.getvalue().splitlines()) == answered
    # The whole command in one process, start-up (index build) included.
    t0 = time.perf_counter()
    res = CliRunner().invoke(cli, ["partners", "--db", str(db), "--queries", str(qfile), "--top", "10"])
    cli_total = time.perf_counter() - t0
    load_s, cli_s = fresh_load_s(db)
    out = {
        "db": str(db),
        "actors": len(index.actors),
        "projects": len(index.projects),
        "participations": int(index.B.nnz),
        "ingest_s": round(ingest_s, 1),
        "startup_index_s": round(startup, 2),
        "single_median_ms": round(statistics.median(times) * 1000, 1),
        "single_p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1),
        "batch_queries": answered,
        "batch_qps_after_startup": round(answered / batch_s, 1),
        "cli_batch_total_s_incl_startup": round(cli_total, 1),
        "fresh_process_index_load_s": round(load_s, 2),
        "fresh_cli_partners_json_s": round(cli_s, 2),
    }
    buf = io.StringIO()
    json.dump(out, buf, indent=2)
    print(buf.getvalue())
    store.close()
    return 0 if res.exit_code == 0 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
