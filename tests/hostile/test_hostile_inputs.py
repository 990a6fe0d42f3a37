"""Every hostile input class for every loader: one line, the right exit status, no traceback, a sound store.

The cases are in `cases.py`; a refused row or file leaves the store's content hash unchanged, a value
kept with a repair is stored without control characters, and the store stays readable afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store.sqlite import SqliteStore
from graph.text import has_control

from .cases import ALL_CASES, LOADERS, Case
from .conftest import RunCli, store_hash


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def test_at_least_sixty_cases_across_all_loaders() -> None:
    assert len(ALL_CASES) >= 60
    assert {c.source for c in ALL_CASES} == LOADERS | {"calls"}
    assert len({c.id for c in ALL_CASES}) == len(ALL_CASES)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_hostile_input(
    case: Case, cli: RunCli, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    if case.baseline is not None:
        assert cli("ingest", case.source, case.baseline(tmp_path / "baseline"), "--db", db).code == 0
    path = case.make(tmp_path)
    before = store_hash(db)
    run = cli(*case.args(), path, "--db", db)
    assert "Traceback" not in run.out
    assert run.code == case.code, run.out
    assert re.search(case.expect, run.out), run.out
    if case.code != 0:
        assert len(run.lines()) == 1, run.out  # a refused file: exactly one line
    if case.unchanged:
        assert store_hash(db) == before
    else:
        assert store_hash(db) != before
    # whatever happened, every stored record still reads back, and nothing stored has a control character
    check = cli("db", "check", "--db", db)
    assert check.code == 0, check.out
    s = SqliteStore(db)
    try:
        for kind, data in s.raw_records():
            assert not [t for t in _strings(json.loads(data)) if has_control(t)], (kind, data)
        if case.clean:
            a = s.get_actor(case.clean)
            assert not has_control(a.name) and "\x1b" not in a.name and "\n" not in a.name
        assert cli("analyze", "centrality", "--json", "--db", db).code == 0
    finally:
        s.close()
