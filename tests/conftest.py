"""Shared fixtures: a fresh embedded store, the registry loaded into it, and the path to ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store.sqlite import SqliteStore
from ingest.pipeline import commit
from ingest.registry import load_registry

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with the reason when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"real data not available: {p} (../shared/data is beside the checkout in CI)")
    return p


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    yield s
    s.close()


@pytest.fixture
def registry_store(store: SqliteStore) -> SqliteStore:
    commit(store, load_registry())
    return store
