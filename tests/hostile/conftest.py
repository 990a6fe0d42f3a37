"""The hostile-input suite's harness: a registry store per case, the CLI run as a user runs it, a store hash.

Each case runs `innograph` through `api.cli.main` (the console entry point, with its one-line error
handling) in this process, which keeps 80 cases fast; a few cases run a real subprocess as well. A
case asserts the exit status, the one line a user reads (with file:line where a row is at fault), that
no traceback was printed and what the store holds afterwards, by a content hash of its rows.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.cli import main
from graph.store.sqlite import SqliteStore
from ingest.pipeline import commit
from ingest.registry import load_registry


@dataclass
class Run:
    code: int
    out: str  # stdout and stderr together, as a terminal shows them

    def lines(self) -> list[str]:
        return [x for x in self.out.splitlines() if x.strip()]


def store_hash(db: Path) -> str:
    """A content hash of every stored record (kind and JSON), independent of row order."""
    s = SqliteStore(db)
    try:
        rows = sorted(f"{kind}\t{data}" for kind, data in s.raw_records())
    finally:
        s.close()
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "registry.db"
    s = SqliteStore(db)
    commit(s, load_registry())
    s.close()
    return db


@pytest.fixture
def db(registry_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of a store holding the seed registry (65 records)."""
    target = tmp_path / "g.db"
    shutil.copy(registry_template, target)
    # a copied file is another database: give it its own identity, or derived data cached for one
    # case's store (keyed by identity and version) would answer for the next one
    con = sqlite3.connect(target)
    con.execute("UPDATE meta SET value = ? WHERE key = 'identity'", (uuid.uuid4().hex,))
    con.commit()
    con.close()
    return target


RunCli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run `innograph ARGS…` through the console entry point; the exit status and everything printed."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return Run(code, captured.out + captured.err)

    return run
