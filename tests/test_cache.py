"""`graph.cache` (derived data per store version) and `api.background` (off the request, readiness)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from viewdata import BTH, load

from api import background
from api.app import create_app
from api.background import Precompute, newest_complete
from graph import cache
from graph.analysis import Scope
from graph.analysis.run import result_key
from graph.model import Actor
from graph.report import TOP_ACTORS
from graph.settings import Settings
from graph.store.base import COMPLETE_KEY, GraphStore
from graph.store.sqlite import SqliteStore


def _store(tmp_path: Path) -> SqliteStore:
    s = SqliteStore(tmp_path / "g.db")
    s.init_schema()
    return s


def _write(store: SqliteStore, n: int) -> None:
    with store.writer() as w:
        w.upsert_actors([Actor(id=f"t:a{n}", name=f"Actor {n}")])


def test_computed_once_per_version_and_read_by_another_process(tmp_path: Path) -> None:
    store = _store(tmp_path)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert cache.derived(store, "k", compute) == 1
    assert cache.derived(store, "k", compute) == 1 and len(calls) == 1
    cache.clear()  # as a new process: read from beside the store, not computed again
    assert cache.derived(store, "k", compute) == 1 and len(calls) == 1
    _write(store, 1)
    assert cache.derived(store, "k", compute) == 2  # a new version computes again
    assert cache.derived(store, "k", compute, persist=False) == 2
    store.close()


def test_one_computation_for_many_threads(tmp_path: Path) -> None:
    store = _store(tmp_path)
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "done"

    out: list[str] = []
    threads = [
        threading.Thread(target=lambda: out.append(cache.derived(store, "slow", slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == ["done"] * 8 and len(calls) == 1
    store.close()


def test_the_old_version_serves_until_the_new_one_is_built(tmp_path: Path) -> None:
    store = _store(tmp_path)
    asked: list[tuple[str, Callable[[], Any]]] = []

    def refresh(s: GraphStore, key: str, compute: Callable[[], Any]) -> None:
        asked.append((key, compute))

    version = {"n": 0}
    assert cache.derived(store, "k", lambda: f"v{version['n']}") == "v0"
    _write(store, 1)
    version["n"] = 1
    cache.serve_stale(refresh)
    try:
        assert cache.derived(store, "k", lambda: f"v{version['n']}") == "v0"  # at once, the old value
        assert [k for k, _ in asked] == ["k"]
        with cache.fresh():  # what builds the new version never reads the old one
            assert cache.derived(store, "other", lambda: "x") == "x"
        asked[0][1]()  # the background run builds the current version
        assert cache.derived(store, "k", lambda: "never") == "v1"
    finally:
        cache.serve_stale(None)
    store.close()


def test_a_new_version_answers_from_the_complete_one_never_computed_on_a_request(tmp_path: Path) -> None:
    store = _store(tmp_path)
    v0 = store.version()
    assert cache.derived(store, "k", lambda: "v0") == "v0"
    store.write_derived(v0, COMPLETE_KEY, b"")
    _write(store, 1)
    cache.clear()  # a server restarted meanwhile: nothing in memory, the old version beside the store

    def never() -> str:
        raise AssertionError("computed on a request")

    cache.serve_stale(lambda s, k, c: None, complete=lambda s: v0)
    try:
        assert cache.derived(store, "k", never) == "v0"
        assert cache.peek(store, "k") == "v0"
        with cache.fresh():  # what builds the new version reads the new one only
            assert cache.derived(store, "k", lambda: "v1") == "v1"
    finally:
        cache.serve_stale(None)
    assert cache.derived(store, "k", never) == "v1"  # the CLI never serves stale data
    store.close()


def test_a_restart_with_nothing_new_is_ready_without_building(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    assert Precompute(store, lead=True).build(store.version())
    cache.clear()  # a new process
    ran: list[str] = []
    job = Precompute(store, on_step=lambda i, n, name: ran.append(name))
    assert job.build(store.version()) and ran == []
    p = job.progress()
    assert p.ready and p.done == p.total > 10 and job.complete == store.version()
    assert newest_complete(store) == store.version()
    store.close()


def test_a_derive_build_in_two_processes_keeps_every_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    monkeypatch.setattr(background, "DERIVE_FROM", 0)  # the fixture graph counts as large
    job = Precompute(store, lead=True, workers=2)
    assert job._parallel()
    assert job.build(store.version())
    p = job.progress()
    assert p.ready and p.failed == [] and p.done == p.total
    cache.clear()  # another process: every step's result is beside the store, whichever process built it
    for name in ("counties", "isolated", "centrality", "communities"):
        assert cache.peek(store, result_key(name, Scope(), None)) is not cache.MISSING
    assert cache.peek(store, "partners:index") is not cache.MISSING
    for code in ("10", "12"):  # built by one process or the other
        assert cache.peek(store, f"report:county:{code}:{TOP_ACTORS}") is not cache.MISSING
    store.close()


def test_health_says_ready_once_built_and_again_after_an_ingest(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "g.db")
    load(store)

    def wait_ready(c: TestClient) -> dict[str, Any]:
        for _ in range(600):
            h: dict[str, Any] = c.get("/health").json()
            if h["ready"]:
                return h
            time.sleep(0.1)
        raise AssertionError(f"never ready: {h}")

    with TestClient(create_app(Settings(db=tmp_path / "g.db"), store=store, precompute=True)) as c:
        h = wait_ready(c)
        assert h["derived"]["done"] == h["derived"]["total"] > 10 and h["derived"]["failed"] == []
        assert h["derived"]["version"] == h["store_version"] == store.version()
        # everything the pages ask for first is there, for another process too (beside the store)
        for name in ("counties", "isolated", "centrality"):
            assert cache.peek(store, result_key(name, Scope(), None)) is not cache.MISSING
        _write(store, 1)
        after = c.get("/health").json()
        assert after["ready"] is False and after["store_version"] == store.version()
        assert c.get(f"/actors/{BTH}").status_code == 200  # served while the new version builds
        h = wait_ready(c)
        assert h["store_version"] == store.version()
    store.close()


def test_without_precompute_health_is_not_ready(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "g.db")
    load(store)
    with TestClient(create_app(Settings(db=tmp_path / "g.db"), store=store)) as c:
        h = c.get("/health").json()
        assert h["status"] == "ok" and h["ready"] is False and h["derived"] is None
    store.close()


def test_derived_data_of_another_code_version_is_never_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade a result model may have other fields: what the old code kept is built again."""
    store = SqliteStore(tmp_path / "g.db")
    store.init_schema()
    assert cache.derived(store, "answer", lambda: 41) == 41
    cache.cache_for(store).clear()  # as a second process of the same code: read back from beside the store
    assert cache.derived(store, "answer", lambda: 0) == 41
    signature = background.steps_signature([])
    cache.cache_for(store).clear()
    monkeypatch.setattr(cache, "code_version", lambda: "another-code")
    assert cache.derived(store, "answer", lambda: 42) == 42  # new code: computed again
    assert background.steps_signature([]) != signature  # and a finished build of the old code is not ready
