"""Analysis results cached per store, data version, analysis and scope.

An analysis over the full graph takes seconds; the API answers repeated questions from memory and
recomputes only when the store's data version changes. One lock per key: twenty clients asking the
same new question at once wait for one computation instead of running twenty.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from pydantic import BaseModel

from graph.analysis import Scope, run_analysis
from graph.store.base import GraphStore

MAX_ENTRIES = 64

_results: OrderedDict[Hashable, BaseModel] = OrderedDict()
_locks: dict[Hashable, threading.Lock] = {}
_guard = threading.Lock()


def cached_analysis(store: GraphStore, name: str, scope: Scope, top: int | None = None) -> BaseModel:
    """`run_analysis(store, name, scope, top)`, remembered until the store's data changes."""
    key = (id(store), store.version(), name, scope, top)
    with _guard:
        hit = _results.get(key)
        if hit is not None:
            _results.move_to_end(key)
            return hit
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            hit = _results.get(key)
        if hit is not None:
            return hit
        result = run_analysis(store, name, scope, top=top)
        with _guard:
            _results[key] = result
            while len(_results) > MAX_ENTRIES:
                old, _ = _results.popitem(last=False)
                _locks.pop(old, None)
            _locks.pop(key, None)
        return result


def clear() -> None:
    with _guard:
        _results.clear()
        _locks.clear()
