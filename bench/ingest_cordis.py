"""Benchmark of issue 7: ingest of CORDIS H2020 2014–2018 into the embedded store, resolution included.

    .venv/bin/python bench/ingest_cordis.py              # H2020 into a fresh SQLite file
    .venv/bin/python bench/ingest_cordis.py --then-interreg
    .venv/bin/python bench/ingest_cordis.py --path ../shared/data/cordis/horizon-europe-2021-2024 \
        --into ../shared/data/cordis/h2020-2014-2018      # HE into a store that holds H2020 (untimed)

Runs in this process from an empty store: parse (`load_cordis`) then `commit` (entity resolution +
upserts in one transaction). Prints wall time per stage and in total, and the peak resident memory of
the process (ru_maxrss) and its CPU time (on a shared machine wall time is CPU time plus waiting for a
core). Budget: ≤ 20 s wall, ≤ 1.5 GB. Note the machine load (`uptime`) with figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph.store.sqlite import SqliteStore  # noqa: E402
from ingest.cordis import load_cordis  # noqa: E402
from ingest.interreg import load_interreg  # noqa: E402
from ingest.pipeline import commit  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def size_mb(db: Path) -> float:
    """The store's size on disk: the database file and its write-ahead log, in MB."""
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists()) / 1e6


def bare_load(folder: Path, db: Path) -> tuple[float, float]:
    """(CPU, wall) seconds to copy the same CSV files into SQLite as they are: the floor an ingest is compared with
    (`csv` reader, one TEXT table per file, `executemany` in one transaction; no parsing, no resolution)."""
    import csv
    import sqlite3

    csv.field_size_limit(1 << 30)
    t, w = time.process_time(), time.perf_counter()
    con = sqlite3.connect(db)
    for f in sorted(folder.glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh, delimiter=";")
            head = next(rows)
            cols = ", ".join(f'"c{i}" TEXT' for i in range(len(head)))
            con.execute(f'CREATE TABLE "{f.stem}" ({cols})')
            marks = ", ".join("?" * len(head))
            con.executemany(
                f'INSERT INTO "{f.stem}" VALUES ({marks})',
                (r[: len(head)] + [""] * (len(head) - len(r)) for r in rows),
            )
    con.commit()
    con.close()
    return time.process_time() - t, time.perf_counter() - w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", type=Path, default=SHARED / "cordis" / "h2020-2014-2018")
    ap.add_argument(
        "--into",
        type=Path,
        help="first ingest this CORDIS download (not timed): resolution against stored actors",
    )
    ap.add_argument("--then-interreg", action="store_true", help="also time the Interreg ingest after it")
    args = ap.parse_args()
    if not args.path.exists():
        sys.exit(f"no data at {args.path}")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "g.db"
        store = SqliteStore(db)
        store.init_schema()
        if args.into is not None:
            held = commit(store, load_cordis(args.into))
            print(f"store holds {args.into.name}: {held.actors.created} actors ({size_mb(db):.0f} MB)")
        before_mb = size_mb(db)
        t0 = time.perf_counter()
        c0 = time.process_time()
        batch = load_cordis(args.path)
        t1 = time.perf_counter()
        report = commit(store, batch)
        t2 = time.perf_counter()
        ingest_cpu = time.process_time() - c0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        rss_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
        print(f"load1 {os.getloadavg()[0]:.2f}; {args.path.name}")
        print(f"parse  {t1 - t0:6.2f} s  ({batch.rows_read} rows, {len(batch.problems)} problems)")
        print(
            f"commit {t2 - t1:6.2f} s  (actors {report.actors.created} created, resolved {report.resolved}; "
            f"participations {report.participations.created})"
        )
        print(f"total  {t2 - t0:6.2f} s wall, {cpu:.2f} s CPU (incl. imports); peak RSS {rss_mb:.0f} MB")
        grown = size_mb(db) - before_mb
        if args.path.is_dir():
            bare_db = Path(tmp) / "bare.db"
            bare, bare_wall = bare_load(args.path, bare_db)
            print(
                f"bare csv→SQLite load of the same files {bare:.2f} s CPU, {bare_wall:.2f} s wall, "
                f"{size_mb(bare_db):.0f} MB; ingest {ingest_cpu:.2f} s CPU, {t2 - t0:.2f} s wall, "
                f"+{grown:.0f} MB on disk (database + WAL)"
            )
            print(
                f"ingest / bare = {ingest_cpu / bare:.1f}× CPU, {(t2 - t0) / bare_wall:.1f}× wall, "
                f"{grown / size_mb(bare_db):.1f}× size (load1 {os.getloadavg()[0]:.2f}; wall on a "
                "shared machine is mostly waiting for a core)"
            )
        if args.then_interreg:
            t3 = time.perf_counter()
            r = commit(store, load_interreg(SHARED / "interreg" / "swedish-partners-interreg-2021-2027.json"))
            print(f"interreg after it {time.perf_counter() - t3:.2f} s (resolved {r.resolved})")
        store.close()


if __name__ == "__main__":
    main()
