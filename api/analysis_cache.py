"""Analysis results cached per store, data version, analysis and scope, computed off the request.

An analysis over the full graph takes seconds (centrality with `county=all` takes minutes: closeness
for every actor). The API answers repeated questions from memory and recomputes only when the
store's data version changes. A new question starts one computation in a background thread; the
request waits at most `WAIT_S` and otherwise gets `Computing` (the API answers 202 with
Retry-After), so no request holds a worker for minutes and twenty clients asking the same new
question share one computation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from pydantic import BaseModel

from graph.analysis import Scope, run_analysis
from graph.store.base import GraphStore

MAX_ENTRIES = 64
WAIT_S = 20.0
RETRY_AFTER_S = 5


class Computing(Exception):
    """The analysis is still running in the background: ask again in a few seconds."""


_results: OrderedDict[Hashable, BaseModel] = OrderedDict()
_running: dict[Hashable, threading.Event] = {}
_failed: dict[Hashable, BaseException] = {}
_guard = threading.Lock()


def _compute(store: GraphStore, key: tuple[Hashable, ...], done: threading.Event) -> None:
    _, _, name, scope, top = key
    try:
        result = run_analysis(store, str(name), scope, top=top)  # type: ignore[arg-type]
        with _guard:
            _results[key] = result
            while len(_results) > MAX_ENTRIES:
                _results.popitem(last=False)
    except Exception as e:  # handed to the request that asks next (NotFound, InvalidInput, …)
        with _guard:
            _failed[key] = e
    finally:
        with _guard:
            _running.pop(key, None)
        done.set()


def cached_analysis(
    store: GraphStore, name: str, scope: Scope, top: int | None = None, wait: float | None = None
) -> BaseModel:
    """`run_analysis(store, name, scope, top)`, remembered until the store's data changes.

    Raises `Computing` when the result is not ready within `wait` seconds (default `WAIT_S`), and
    the analysis's own error (e.g. `InvalidInput`) when it failed.
    """
    key: tuple[Hashable, ...] = (id(store), store.version(), name, scope, top)
    with _guard:
        hit = _results.get(key)
        if hit is not None:
            _results.move_to_end(key)
            return hit
        done = _running.get(key)
        if done is None and key not in _failed:
            done = threading.Event()
            _running[key] = done
            threading.Thread(target=_compute, args=(store, key, done), daemon=True).start()
    if done is not None:
        done.wait(WAIT_S if wait is None else wait)
    with _guard:
        hit = _results.get(key)
        if hit is not None:
            return hit
        error = _failed.pop(key, None)
    if error is not None:
        raise error
    raise Computing(f"the {name} analysis is still running for this scope: ask again in a few seconds")


def clear() -> None:
    with _guard:
        _results.clear()
        _failed.clear()
