"""Derived data, computed once per store version: the one cache every layer uses.

Whatever is computed from the graph and takes more than a moment — analysis results, whole-graph
scores, the graphs themselves, the partner index, county figures — is asked for through
`derived(store, key, compute)`. The answer is keyed by the store's identity and data version
(`GraphStore.identity()`, `GraphStore.version()`; the pair never repeats for other data), kept in
memory, and — unless `persist=False` — pickled beside the store (`GraphStore.write_derived`: the SQLite
sidecar file or `(:Derived)` nodes in Neo4j), so a second process (a CLI command after the server,
a second worker) reads it instead of computing it again. A new version is a new key: nothing stale
is ever computed into a newer version's slot.

A long-running process (the API) may call `serve_stale(refresh)`: then, while a newer version is not yet
built, a key that memory holds for an older version answers with that value at once and the new one is
computed off the request (`api.background`) — the old version keeps serving until the new one is
complete. The CLI never serves stale data.

Examples
--------
>>> import tempfile, pathlib
>>> from graph.store.sqlite import SqliteStore
>>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "g.db"); store.init_schema()
>>> derived(store, "answer", lambda: 6 * 7)
42
>>> derived(store, "answer", lambda: 0)  # computed once for this version
42
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

from pydantic import BaseModel

from graph.store.base import GraphStore

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)


@functools.cache
def code_version() -> str:
    """A hash of the code and package data that compute derived data (graph, ingest, api, viz).

    Part of every key kept beside the store, so a value another code version wrote (a result model
    with other fields, another rule) is never read back as this one's: after an upgrade the derived
    data is built again instead of failing or answering in the old code's terms. Computed on first use
    (about 40 ms), so a command that never reads derived data does not pay for it.
    """
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for package in ("graph", "ingest", "api", "viz"):
        base = root / package
        for path in sorted(base.rglob("*")):
            if path.suffix in (".py", ".yaml", ".csv", ".json", ".html") and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:12]


#: Keys kept in memory per store (least recently used dropped first; big items are few).
MAX_ENTRIES = 512
#: Stores kept in memory (a test run opens many small databases).
MAX_STORES = 8


@dataclass
class Entry:
    version: int
    value: Any


class StoreCache:
    """The derived data of one database (one `identity()`), across its versions."""

    def __init__(self, identity: str) -> None:
        self.identity = identity
        self._mem: OrderedDict[str, Entry] = OrderedDict()
        self._guard = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._key_locks.setdefault(key, threading.Lock())

    def memory(self, key: str) -> Entry | None:
        with self._guard:
            hit = self._mem.get(key)
            if hit is not None:
                self._mem.move_to_end(key)
            return hit

    def remember(self, key: str, version: int, value: Any) -> None:
        with self._guard:
            old = self._mem.get(key)
            if old is not None and old.version > version:
                return  # a newer version got there first
            self._mem[key] = Entry(version, value)
            self._mem.move_to_end(key)
            while len(self._mem) > MAX_ENTRIES:
                self._mem.popitem(last=False)

    def get(
        self,
        store: GraphStore,
        key: str,
        compute: Callable[[], T],
        *,
        persist: bool = True,
        version: int | None = None,
        stale: bool | None = None,
    ) -> T:
        v = store.version() if version is None else version
        hit = self.memory(key)
        if hit is not None and hit.version == v:
            return hit.value
        if stale is not False:
            kept = self._complete(store, key, v, persist)
            if kept is not _MISSING:
                return kept
        if (
            hit is not None
            and hit.version < v
            and _REFRESH is not None
            and stale is not False
            and not getattr(_THREAD, "fresh", False)
        ):

            def rebuild() -> None:
                with fresh():
                    self.get(store, key, compute, persist=persist)

            _REFRESH(store, key, rebuild)
            return hit.value
        with self._lock_for(key):  # one computation per key; the others wait for it
            hit = self.memory(key)
            if hit is not None and hit.version == v:
                return hit.value
            if persist:
                value = self._load(store, key, v)
                if value is not _MISSING:
                    self.remember(key, v, value)
                    return value
            value = compute()
            self.remember(key, v, value)
            if persist:
                self._save(store, key, v, value)
            return value

    def put(self, store: GraphStore, key: str, version: int, value: Any) -> None:
        """Remember and keep beside the store a value computed for `version` (e.g. grown by the caller)."""
        self.remember(key, version, value)
        self._save(store, key, version, value)

    def stored(self, store: GraphStore, key: str, version: int) -> Any:
        """What is kept beside the store for `key` at `version` now (not memory); `MISSING` if none."""
        return self._load(store, key, version)

    def peek(self, store: GraphStore, key: str, version: int | None = None) -> Any:
        """The value for the version from memory or beside the store, never computed; `MISSING` if none."""
        v = store.version() if version is None else version
        hit = self.memory(key)
        if hit is not None and hit.version == v:
            return hit.value
        kept = self._complete(store, key, v, True)
        if kept is not _MISSING:
            return kept
        value = self._load(store, key, v)
        if value is not _MISSING:
            self.remember(key, v, value)
        return value

    def _complete(self, store: GraphStore, key: str, version: int, persist: bool) -> Any:
        """In a process serving stale data: while `version` is not complete, the value of the newest
        complete version (`serve_stale`'s `complete`), from memory or beside the store; else `MISSING`.

        So a server answers every page from one whole version while the next one is built elsewhere
        (an `innograph derive` process), and never computes the new one on a request.
        """
        if _COMPLETE is None or getattr(_THREAD, "fresh", False):
            return _MISSING
        done = _COMPLETE(store)
        if done is None or done >= version:
            return _MISSING
        hit = self.memory(key)
        if hit is not None and hit.version == done:
            return hit.value
        if not persist:
            return _MISSING
        value = self._load(store, key, done)
        if value is not _MISSING:
            self.remember(key, done, value)
        return value

    def _load(self, store: GraphStore, key: str, version: int) -> Any:
        try:
            data = store.read_derived(version, f"{code_version()}:{key}")
        except Exception as e:  # a cache that cannot be read is a miss, not an error
            log.warning("derived %s: cannot read: %s", key, e)
            return _MISSING
        if data is None:
            return _MISSING
        try:
            return pickle.loads(data)
        except Exception as e:  # written by another code version: compute again
            log.warning("derived %s: cannot unpickle: %s", key, e)
            return _MISSING

    def _save(self, store: GraphStore, key: str, version: int, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # not picklable: memory only
            log.warning("derived %s: not kept beside the store: %s", key, e)
            return
        try:
            store.write_derived(version, f"{code_version()}:{key}", data)
        except Exception as e:
            log.warning("derived %s: cannot write: %s", key, e)

    def drop(self, prefix: str) -> None:
        """Forget the memory entries whose key starts with `prefix` (what is kept beside the store stays)."""
        with self._guard:
            for key in [k for k in self._mem if k.startswith(prefix)]:
                del self._mem[key]

    def clear(self) -> None:
        with self._guard:
            self._mem.clear()


class PackedModels(Sequence[M]):
    """A read-only list of pydantic records held as their JSON, each record built when first read.

    For derived data that keeps many records but reads few per request (the partner index keeps
    every actor and project and names a dozen per query): unpickling 80,000 pydantic models takes
    ~10 s, unpickling their JSON strings a fraction of a second. Each JSON is the model's own dump,
    read back by the model (`model_validate_json`), so an item equals the record it was made from.
    """

    def __init__(self, model: type[M], items: Iterable[M]) -> None:
        self._model = model
        self._json = [m.model_dump_json() for m in items]
        self._built: dict[int, M] = {}

    def __len__(self) -> int:
        return len(self._json)

    @overload
    def __getitem__(self, i: int) -> M: ...
    @overload
    def __getitem__(self, i: slice) -> list[M]: ...
    def __getitem__(self, i: int | slice) -> M | list[M]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self._json)
        hit = self._built.get(i)
        if hit is None:
            hit = self._built[i] = self._model.model_validate_json(self._json[i])
        return hit

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self._model, "json": self._json}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._model, self._json, self._built = state["model"], state["json"], {}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
MISSING: Any = _MISSING

_STORES: OrderedDict[str, StoreCache] = OrderedDict()
_STORES_LOCK = threading.Lock()
_THREAD = threading.local()
_REFRESH: Callable[[GraphStore, str, Callable[[], Any]], None] | None = None
_COMPLETE: Callable[[GraphStore], int | None] | None = None


def cache_for(store: GraphStore) -> StoreCache:
    """The cache of the store's database (shared by every store object open on it in this process)."""
    ident = store.identity()
    with _STORES_LOCK:
        hit = _STORES.get(ident)
        if hit is None:
            hit = _STORES[ident] = StoreCache(ident)
            while len(_STORES) > MAX_STORES:
                _STORES.popitem(last=False)
        _STORES.move_to_end(ident)
        return hit


def derived(
    store: GraphStore,
    key: str,
    compute: Callable[[], T],
    *,
    persist: bool = True,
    version: int | None = None,
) -> T:
    """`compute()` for the store's current data version, computed once and then remembered.

    `persist=False` keeps the value in this process only (e.g. networkx graphs, cheaper to rebuild
    than to unpickle). `version` pins the version the caller read (default: `store.version()` now).
    """
    return cache_for(store).get(store, key, compute, persist=persist, version=version)


def peek(store: GraphStore, key: str) -> Any:
    """The value for the current version if it was computed (here or by another process), else `MISSING`."""
    return cache_for(store).peek(store, key)


def stale(store: GraphStore, key: str, rebuild: Callable[[], Any]) -> Any:
    """In a process that serves stale data (`serve_stale`), the value an older version left in memory
    for `key`, with `rebuild()` scheduled to build the current one; else `MISSING`.

    For callers that cannot name the version their computation will be filed under in advance (see
    `graph.analysis.run.on_graphs`): they check the current version first, then this.
    """
    if _REFRESH is None or getattr(_THREAD, "fresh", False):
        return MISSING
    hit = cache_for(store).memory(key)
    if hit is None:
        return MISSING

    def run() -> None:
        with fresh():
            rebuild()

    _REFRESH(store, key, run)
    return hit.value


def serve_stale(
    refresh: Callable[[GraphStore, str, Callable[[], Any]], None] | None,
    complete: Callable[[GraphStore], int | None] | None = None,
) -> None:
    """Let a long-running process answer from an older version while the new one is built.

    `complete(store)` names the newest version whose derived data is complete (`api.background`'s
    precompute knows it): while the store's current version is newer, every key answers with that
    version's value (memory, or beside the store, where the stores keep it: `COMPLETE_KEY`).
    `refresh(store, key, compute)` is called when an older value was served from memory for a key the
    complete version does not hold; it should run `compute` (which builds the current version's value)
    off the request, e.g. `api.background.submit`. `None` turns stale answers off again.
    """
    global _REFRESH, _COMPLETE
    _REFRESH = refresh
    _COMPLETE = complete if refresh is not None else None


@contextmanager
def fresh() -> Iterator[None]:
    """In this thread, always the current version (what builds a new version must not read an old one)."""
    before = getattr(_THREAD, "fresh", False)
    _THREAD.fresh = True
    try:
        yield
    finally:
        _THREAD.fresh = before


def drop(store: GraphStore, prefix: str) -> None:
    """Forget what memory holds under keys starting with `prefix` for this store (e.g. the records a
    build read: needed while building, dead weight in a server afterwards)."""
    cache_for(store).drop(prefix)


def clear() -> None:
    """Forget everything in memory (what is kept beside the stores stays; it is keyed by version)."""
    with _STORES_LOCK:
        for c in _STORES.values():
            c.clear()
        _STORES.clear()
