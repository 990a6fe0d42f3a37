"""Hostile stores and hostile values on the way out: a damaged or locked database, a poisoned record,
formulas and control characters in exports and on the terminal. Each is one line, never a traceback.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.app import create_app
from graph.settings import Settings

from .conftest import RunCli, store_hash

IG = [sys.executable, "-c", "from api.cli import main; main()"]


def _one_error_line(out: str, *patterns: str) -> None:
    lines = [x for x in out.splitlines() if x.strip()]
    assert len(lines) == 1, out
    assert "Traceback" not in out
    for p in patterns:
        assert p in lines[0], out


def test_a_file_that_is_not_a_database(cli: RunCli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all\n" * 100)
    for args in (("stats",), ("ingest", "registry"), ("analyze", "centrality"), ("db", "check")):
        run = cli(*args, "--db", bad)
        assert run.code == 1
        _one_error_line(run.out, "bad.db", "not an innograph database or is damaged")
    assert bad.read_bytes() == b"this is not a database at all\n" * 100


def test_a_damaged_database_page(cli: RunCli, db: Path) -> None:
    raw = bytearray(db.read_bytes())
    page = 4096
    for i in range(page, len(raw)):  # every page after the first: the tables' b-trees
        raw[i] ^= 0xA5
    db.write_bytes(bytes(raw))
    for f in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        f.unlink(missing_ok=True)
    for args in (("stats",), ("analyze", "centrality"), ("actors", "blekinge"), ("ingest", "registry")):
        run = cli(*args, "--db", db)
        assert run.code == 1, run.out
        _one_error_line(run.out, "g.db")


# Every command that reads the store, as a user runs it on a store they were handed (the outputs go
# to the case's folder, given as "{tmp}/…").
READERS = [
    ("stats",),
    ("actors", "techtank"),
    ("actor", "se:techtank"),
    ("project", "seed:kickstart-s3"),
    ("analyze", "centrality"),
    ("partners", "--topic", "smart specialisation"),
    ("calls", "match", "{tmp}/calls.csv"),
    ("funding",),
    ("funding", "benchmark"),
    ("funding", "untapped", "--county", "10"),
    ("export", "tables", "--format", "xlsx", "--out", "{tmp}/t.xlsx"),
    ("export", "tables", "--format", "csv", "--out", "{tmp}/tables"),
    ("export", "graph", "--format", "gexf", "--out", "{tmp}/g.gexf"),
    ("report", "--county", "10", "--out", "{tmp}/r.html"),
    ("resolve", "--report"),
    ("derive", "--quiet"),
]


def _reader(args: tuple[str, ...], tmp: Path) -> list[str]:
    (tmp / "calls.csv").write_text("code,title\nHORIZON-X-1,smart specialisation\n", encoding="utf-8")
    return [a.format(tmp=tmp) for a in args]


@pytest.mark.parametrize("args", READERS, ids=[" ".join(a[:2]) for a in READERS])
def test_every_reader_on_a_damaged_database_is_one_line(
    args: tuple[str, ...], cli: RunCli, db: Path, tmp_path: Path
) -> None:
    raw = bytearray(db.read_bytes())
    for i in range(4096, len(raw)):
        raw[i] ^= 0xA5
    db.write_bytes(bytes(raw))
    before = db.read_bytes()
    run = cli(*_reader(args, tmp_path), "--db", db)
    assert run.code == 1, run.out
    _one_error_line(run.out, "g.db is not an innograph database or is damaged")
    assert db.read_bytes() == before


@pytest.mark.parametrize("args", [a for a in READERS if a != ("stats",)], ids=lambda a: " ".join(a[:2]))
def test_every_reader_on_a_poisoned_store_is_one_line_naming_the_repair(
    args: tuple[str, ...], cli: RunCli, db: Path, tmp_path: Path
) -> None:
    """A record an older version wrote and the model now refuses: one line naming `db repair` and
    exit 1 from every command (`derive` too, not one multi-line error per step), the store unchanged."""
    _poison(db)
    before = store_hash(db)
    run = cli(*_reader(args, tmp_path), "--db", db)
    assert run.code == 1, run.out
    _one_error_line(run.out, "refused by the model", "innograph db repair")
    assert store_hash(db) == before


def test_a_database_locked_by_another_writer_waits_then_one_line(
    cli: RunCli, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOGRAPH_LOCK_TIMEOUT_S", "0.5")
    before = store_hash(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        t0 = time.monotonic()
        run = cli("ingest", "registry", "--db", db)
        waited = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.code == 1
    _one_error_line(run.out, "locked by another writer", "gave up after 0.5 s")
    assert 0.4 <= waited < 10
    assert store_hash(db) == before
    # reads do not wait for a writer (WAL), and once the lock is gone the ingest goes through
    assert cli("ingest", "registry", "--db", db).code == 0


def test_a_lock_released_within_the_wait_is_retried(
    cli: RunCli, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INNOGRAPH_LOCK_TIMEOUT_S", "5")
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: holder.execute("ROLLBACK")).start()
    run = cli("ingest", "registry", "--db", db)
    holder.close()
    assert run.code == 0, run.out


def _poison(db: Path, bad_pic: bool = True) -> None:
    """What an older version wrote for `inf`: a contribution whose amount is null; a name with escapes
    (cleaned on read) and, with `bad_pic`, a PIC the model refuses."""
    con = sqlite3.connect(db)
    aid, pid, data = con.execute("SELECT actor_id, project_id, data FROM participations LIMIT 1").fetchone()
    d = json.loads(data)
    d["contribution"] = {"amount": None, "currency": "EUR"}
    con.execute(
        "UPDATE participations SET data=? WHERE actor_id=? AND project_id=?", (json.dumps(d), aid, pid)
    )
    aid, data = con.execute("SELECT id, data FROM actors WHERE id = 'se:techtank'").fetchone()
    d = json.loads(data)
    d["name"] = "Techtank\x1b[2J\u202e"
    if bad_pic:
        d["pic"] = "²²²²²²"
    con.execute("UPDATE actors SET data=? WHERE id=?", (json.dumps(d), aid))
    con.commit()
    con.close()


def test_a_poisoned_store_says_so_in_one_line_and_db_repair_fixes_it(cli: RunCli, db: Path) -> None:
    _poison(db)
    run = cli("analyze", "centrality", "--json", "--db", db)
    assert run.code == 1
    _one_error_line(run.out, "refused by the model", "innograph db repair")
    check = cli("db", "check", "--db", db)
    assert check.code == 1 and "Traceback" not in check.out
    assert "participation se:" in check.out and "contribution.amount" in check.out
    assert "actor se:techtank: pic" in check.out
    repair = cli("db", "repair", "--db", db)
    assert repair.code == 0, repair.out
    assert "repaired 2" in repair.out
    assert cli("db", "check", "--db", db).code == 0
    assert cli("analyze", "centrality", "--json", "--db", db).code == 0
    shown = cli("actor", "se:techtank", "--db", db)
    assert shown.code == 0 and "\x1b" not in shown.out and "\u202e" not in shown.out
    after = store_hash(db)
    assert cli("db", "repair", "--db", db).code == 0
    assert store_hash(db) == after  # repairing again changes nothing


def test_an_ingest_over_a_poisoned_store_is_one_line_then_heals_after_repair(cli: RunCli, db: Path) -> None:
    _poison(db)
    before = store_hash(db)
    run = cli("ingest", "registry", "--db", db)
    assert run.code == 1
    _one_error_line(run.out, "refused by the model", "innograph db repair")
    assert store_hash(db) == before
    assert cli("db", "repair", "--db", db).code == 0
    assert cli("ingest", "registry", "--db", db).code == 0
    assert cli("db", "check", "--db", db).code == 0


def test_an_upsert_over_a_poisoned_record_heals_it(db: Path) -> None:
    from graph.store.sqlite import SqliteStore
    from ingest.registry import load_registry

    _poison(db, bad_pic=False)
    s = SqliteStore(db)
    try:
        with s.writer() as w:  # the writer reads the stored records it merges with: repaired, not refused
            batch = load_registry()
            w.upsert_actors(batch.actors)
            w.upsert_participations(batch.participations)
        assert not [r for r in s.raw_records() if "\\u001b" in r[1] or '"amount":null' in r[1]]
    finally:
        s.close()


def test_the_api_answers_a_poisoned_store_with_503_naming_the_repair(db: Path) -> None:
    from fastapi.testclient import TestClient

    _poison(db)
    client = TestClient(create_app(Settings(db=db)), raise_server_exceptions=False)
    r = client.get("/analysis/centrality")
    assert r.status_code == 503, r.text
    assert "innograph db repair" in r.json()["detail"]


FORMULAS = [
    '=HYPERLINK("http://evil.example","open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _formula_folder(root: Path) -> Path:
    folder = root / "xl"
    folder.mkdir()
    rows = "".join(
        f'reg:f{i},"{f.replace(chr(34), chr(34) * 2)}",company,SE,10\n' for i, f in enumerate(FORMULAS)
    )
    rows += 'reg:esc,"Escape\x1b[31m AB",company,SE,10\n'
    (folder / "actors.csv").write_text("id,name,kind,country,county_code\n" + rows, encoding="utf-8")
    (folder / "projects.csv").write_text(
        'id,title,acronym,programme\nreg:fp,"=1+2","@ACR",Other\n', encoding="utf-8"
    )
    (folder / "participations.csv").write_text(
        "actor_id,project_id,role\n" + "".join(f"reg:f{i},reg:fp,partner\n" for i in range(len(FORMULAS))),
        encoding="utf-8",
    )
    return folder


def _cells(xlsx: bytes) -> list[object]:
    wb = load_workbook(io.BytesIO(xlsx))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _no_formula(xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(n), n
    for v in _cells(xlsx):
        if isinstance(v, str):
            assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), v


def test_formulas_never_reach_a_spreadsheet(cli: RunCli, db: Path, tmp_path: Path) -> None:
    assert cli("ingest", "csv", _formula_folder(tmp_path), "--db", db).code == 0
    out = tmp_path / "t.xlsx"
    run = cli("export", "tables", "--format", "xlsx", "--out", out, "--county", "all", "--db", db)
    assert run.code == 0, run.out
    _no_formula(out.read_bytes())
    values = {v for v in _cells(out.read_bytes()) if isinstance(v, str)}
    assert '\'=HYPERLINK("http://evil.example","open")' in values  # kept, as text
    assert "Escape[31m AB" in values
    folder = tmp_path / "csv-out"
    assert (
        cli("export", "tables", "--format", "csv", "--out", folder, "--county", "all", "--db", db).code == 0
    )
    import csv

    for f in folder.glob("*.csv"):
        for row in csv.reader(f.open(encoding="utf-8-sig")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (f.name, cell)
                assert (
                    not cell.startswith("-") or cell.lstrip("-").replace(".", "", 1).isdigit() or cell == "-"
                ), cell
                assert "\x1b" not in cell
    # over HTTP too
    from fastapi.testclient import TestClient

    client = TestClient(create_app(Settings(db=db)))
    r = client.get("/export/tables.xlsx", params={"county": "all"})
    assert r.status_code == 200
    _no_formula(r.content)


def test_actors_never_prints_raw_escapes(cli: RunCli, db: Path, tmp_path: Path) -> None:
    assert cli("ingest", "csv", _formula_folder(tmp_path), "--db", db).code == 0
    _poison(db, bad_pic=False)  # a stored name with escapes from before: cleaned on read
    run = cli("actors", "--db", db, "--limit", "1000")
    assert run.code == 0, run.out
    assert "\x1b" not in run.out and "\u202e" not in run.out
    assert "Escape[31m AB" in run.out


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ("interreg", "[" * 200_000 + "]" * 200_000, "JSON nested deeper than 32 levels"),
        ("erdf", '{"a":' * 100_000 + "1" + "}" * 100_000, "JSON nested deeper than 32 levels"),
    ],
)
def test_deep_json_in_a_real_process(
    tmp_path: Path, db: Path, source: str, content: str, message: str
) -> None:
    f = tmp_path / "deep.json"
    f.write_text(content)
    p = subprocess.run(
        [*IG, "ingest", source, str(f), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert p.returncode == 1
    _one_error_line(p.stdout + p.stderr, message)


def _kill_folder(root: Path, n: int = 20_000) -> Path:
    """A user CSV large enough that its write transaction is seen under way (about 10 s of ingest)."""
    import csv

    folder = root / "big"
    folder.mkdir()
    with (folder / "actors.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "kind", "country", "county_code"])
        w.writerows([f"reg:k{i}", f"Kill Test Company {i} AB", "company", "SE", "10"] for i in range(n))
    with (folder / "projects.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "programme"])
        w.writerows([f"reg:kp{i}", f"Project {i}", "Regional"] for i in range(n // 10))
    with (folder / "participations.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["actor_id", "project_id", "role"])
        w.writerows([f"reg:k{i}", f"reg:kp{i % (n // 10)}", "partner"] for i in range(n))
    return folder


@pytest.mark.slow  # three ingests of 42,000 rows: 30-130 s on the loaded 2-core machine
def test_kill_9_during_ingest_leaves_the_store_as_it_was_and_a_rerun_completes_it(
    cli: RunCli, db: Path, tmp_path: Path
) -> None:
    """`kill -9` while the ingest writes its transaction (the write-ahead log growing): the store reads
    back whole and as before (or, had the commit won the race, with the whole source), `db check` is
    clean, and running the same ingest again loads every record once."""
    folder = _kill_folder(tmp_path)
    before = store_hash(db)
    wal = db.with_name(db.name + "-wal")
    proc = subprocess.Popen(
        [*IG, "ingest", "csv", str(folder), "--db", str(db), "--no-derive"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            if wal.exists() and wal.stat().st_size > 1_000_000:
                proc.kill()  # SIGKILL: no handler, no rollback by the process itself
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -9, "the ingest ended before its transaction was seen under way"
    check = cli("db", "check", "--db", db)
    assert check.code == 0 and "Traceback" not in check.out, check.out
    after_kill = store_hash(db)
    run = cli("ingest", "csv", folder, "--db", db, "--no-derive")
    assert run.code == 0 and "Traceback" not in run.out, run.out
    complete = store_hash(db)
    assert after_kill in (before, complete)  # all or nothing, never a part
    from graph.store.sqlite import SqliteStore

    s = SqliteStore(db)
    try:
        kinds = [k for k, data in s.raw_records() if '"reg:k' in data]
        assert kinds.count("actor") == 20_000 and kinds.count("participation") == 20_000
    finally:
        s.close()
    assert cli("ingest", "csv", folder, "--db", db, "--no-derive").code == 0
    assert store_hash(db) == complete  # and once more changes nothing
