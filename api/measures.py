"""An actor's network measures (the centrality analysis's row) without making the request wait long.

The measures are whole-graph scores (betweenness, PageRank, …, see `graph.analysis`), reported per
county scope. The first computation on a large graph takes tens of seconds, so it runs in a
background thread: a request waits at most `wait` seconds and otherwise answers with
`status="computing"`; later requests get the cached row. One computation per store version and
county at a time, whatever the number of clients.
"""

from __future__ import annotations

import threading
from typing import Literal

from graph.analysis import CentralityResult, CentralityRow, Scope, run_analysis, store_identity
from graph.geo import COUNTIES
from graph.model import Actor
from graph.store.base import GraphStore

Status = Literal["ready", "computing", "not_applicable", "failed"]
WAIT_S = 0.5  # long enough for a small graph, short enough that nobody waits for a large one

_rows: dict[tuple[str, int, str], dict[str, CentralityRow]] = {}
_running: dict[tuple[str, int, str], threading.Event] = {}
_failed: dict[tuple[str, int, str], str] = {}
_lock = threading.Lock()


def _compute(store: GraphStore, key: tuple[str, int, str], done: threading.Event) -> None:
    try:
        result = run_analysis(store, "centrality", Scope(counties=(key[2],)), top=None)
        assert isinstance(result, CentralityResult)
        rows = {r.actor_id: r for r in result.rows}
        with _lock:
            _rows[key] = rows
    except Exception as e:  # reported in the answer, never lost: the thread has no caller to raise to
        with _lock:
            _failed[key] = f"{type(e).__name__}: {e}"
    finally:
        with _lock:
            _running.pop(key, None)
        done.set()


def actor_measures(
    store: GraphStore, actor: Actor, wait: float | None = None
) -> tuple[CentralityRow | None, Status]:
    """The actor's centrality row and whether it is ready (Swedish actors with a county only)."""
    county = actor.county_code
    if county is None or county not in COUNTIES:
        return None, "not_applicable"
    key = (store_identity(store), store.version(), county)
    with _lock:
        rows = _rows.get(key)
        if rows is None and key in _failed:
            return None, "failed"
        done = _running.get(key)
        if rows is None and done is None:
            done = threading.Event()
            _running[key] = done
            threading.Thread(target=_compute, args=(store, key, done), daemon=True).start()
    if rows is None:
        assert done is not None
        done.wait(WAIT_S if wait is None else wait)
        with _lock:
            rows = _rows.get(key)
            if rows is None:
                return None, "failed" if key in _failed else "computing"
    row = rows.get(actor.id)
    # Ready, but the actor takes part in no project: no row (its scores are all zero).
    return row, "ready"


def clear() -> None:
    with _lock:
        _rows.clear()
        _failed.clear()
