"""The graphs of one store version and the whole-graph scores on them, computed once (`graph.cache`).

Every analysis starts from `prepare(store)`: the actor–project graph and the collaboration graph read
from the store (nodes and edges sorted, so every store gives the same graph), each project's themes
through the crosswalk, and the expensive whole-graph scores (betweenness, PageRank, components,
communities, and the closeness and Burt measures of the actors asked for so far). The graphs live in
memory only (rebuilding them is cheaper than unpickling); the scores, and whatever `on_graphs`
computes from them, are kept beside the store as well, so a second process reads them. A new store
version computes everything again. What is reported from them is `graph.analysis.results`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx

from graph import cache
from graph.analysis import brokerage as bro
from graph.analysis import centrality as cen
from graph.analysis import communities as com
from graph.analysis import counties as cty
from graph.analysis.communities import sorted_copy
from graph.analysis.scope import Scope, View, make_view
from graph.crosswalk import themes_for
from graph.geo import COUNTIES
from graph.model import Project, Theme
from graph.projection import PROJECT_PREFIX, bipartite_graph, collaboration_graph, store_records
from graph.settings import Settings
from graph.store.base import GraphStore

T = TypeVar("T")
#: Scoped views kept per store version (a view with a project filter holds its own graphs).
MAX_VIEWS = 16
#: Settings the whole-graph scores depend on: part of their cache keys, so a change recomputes them.
SCORE_SETTINGS = (
    f"bc{cen.BETWEENNESS_SAMPLES}-{cen.BETWEENNESS_SEED}-{cen.EXACT_BETWEENNESS_MAX_NODES}"
    f"-louvain{com.LOUVAIN_SEED}-{com.RESOLUTION}"
)
#: Burt's measures are computed for at most this many actors at a time (two sparse products each).
BURT_CHUNK = 200


@dataclass
class Prepared:
    """The graphs of one store version and the whole-graph scores computed on them so far."""

    version: int
    bipartite: nx.Graph
    collab: nx.Graph
    project_themes: dict[str, tuple[str, ...]]
    themes: dict[str, Theme]
    crosswalk: bool
    store: GraphStore | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    _views: dict[Scope, View] = field(default_factory=dict)
    _matrices: dict[str, Any] = field(default_factory=dict)
    _local: dict[str, Any] = field(default_factory=dict)  # scores when there is no store to keep them

    # -- whole-graph scores, computed once ---------------------------------------------------------
    def weights(self) -> Any:
        """The weighted adjacency matrix of `collab` (node order of the graph), built once."""
        with self.lock:
            if "_w" not in self._matrices:
                self._matrices["_w"] = cen.weights(self.collab)
                self._matrices["_a"] = cen.binary(self._matrices["_w"])
            return self._matrices["_w"]

    def adjacency(self) -> Any:
        self.weights()
        return self._matrices["_a"]

    def burt_matrices(self) -> tuple[Any, Any]:
        """`brokerage.shares` and `brokerage.by_strongest` of `weights()`, built once (not per chunk)."""
        with self.lock:
            if "_p" not in self._matrices:
                self._matrices["_p"] = bro.shares(self.weights())
                self._matrices["_m"] = bro.by_strongest(self.weights())
            return self._matrices["_p"], self._matrices["_m"]

    def hop_graph(self) -> Any:
        """`adjacency()` as an igraph graph (for closeness), built once."""
        with self.lock:
            if "_h" not in self._matrices:
                self._matrices["_h"] = cen.hop_graph(self.adjacency())
            return self._matrices["_h"]

    def _memo(self, key: str, compute: Callable[[], Any]) -> Any:
        key = f"scores:{key}:{SCORE_SETTINGS}"
        if self.store is None:
            with self.lock:
                if key not in self._local:
                    self._local[key] = compute()
                return self._local[key]
        return cache.cache_for(self.store).get(self.store, key, compute, version=self.version, stale=False)

    def _grow(
        self, key: str, nodes: list[str], compute: Callable[[list[str]], dict[str, Any]]
    ) -> dict[str, Any]:
        """Per-actor scores kept in one growing dict: computed only for the actors not asked for before."""
        known: dict[str, Any] = self._memo(key, dict)
        with self.lock:
            missing = [n for n in nodes if n not in known]
            if missing:
                known.update(compute(missing))
                if self.store is not None:
                    full = f"scores:{key}:{SCORE_SETTINGS}"
                    kept = cache.cache_for(self.store).stored(self.store, full, self.version)
                    if isinstance(kept, dict):  # what another process (a derive worker) added meanwhile
                        known.update({k: v for k, v in kept.items() if k not in known})
                    cache.cache_for(self.store).put(self.store, full, self.version, known)
            return {n: known[n] for n in nodes}

    def betweenness(self) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            est = cen.betweenness(self.collab, a=self.adjacency(), h=self.hop_graph())
            return {
                "values": est.values,
                "se": est.standard_error,
                "exact": est.exact,
                "k": est.k,
                "seed": est.seed,
                "hoeffding_95": est.hoeffding_95,
            }

        return dict(self._memo("betweenness", compute))

    def pagerank(self) -> dict[Hashable, float]:
        return dict(self._memo("pagerank", lambda: cen.pagerank(self.collab, w=self.weights())))

    def component_size(self) -> dict[Hashable, int]:
        return dict(self._memo("component_size", lambda: cen.component_size(self.collab)))

    def communities(self) -> list[frozenset[Hashable]]:
        parts = self._memo(
            "communities", lambda: [sorted(c) for c in com.louvain(self.collab, canonical=True)]
        )
        return [frozenset(c) for c in parts]

    def modularity(self) -> float:
        """Newman's modularity of `communities()` on the whole graph: one figure per version, not one
        computation per scope that lists communities."""
        return float(self._memo("modularity", lambda: com.modularity(self.collab, self.communities())))

    def county_matrix(self, scope: Scope) -> cty.CountyMatrix:
        """Observed/expected collaboration of all 21 counties under the scope's project filters.

        The matrix depends on the project filters only (its counties are always all of Sweden's: one
        Sweden-wide null model), so every county's scope shares one computation.
        """
        everyone = scope.everyone()

        def compute() -> cty.CountyMatrix:
            v = self.view(everyone)
            complete = [x for x in v.projects if v.view_bipartite.nodes[x].get("coverage", "all") != "owner"]
            return cty.county_matrix(v.view_bipartite, v.view_collab, complete, sorted(COUNTIES))

        matrix: cty.CountyMatrix = self._memo(f"county_matrix:{everyone!r}", compute)
        return matrix

    def closeness(self, nodes: list[str]) -> dict[str, float]:
        return self._grow(
            "closeness",
            nodes,
            lambda missing: {
                str(k): v for k, v in cen.closeness(self.collab, missing, h=self.hop_graph()).items()
            },
        )

    def burt(self, nodes: list[str]) -> tuple[dict[str, float], dict[str, float]]:
        """Burt's constraint and effective size of `nodes`, computed only for actors not asked for before.

        Each call costs two sparse products over the rows asked for (never the whole graph, which on all
        of CORDIS takes minutes and gigabytes): a county export computes its own actors only.
        """

        def compute(missing: list[str]) -> dict[str, tuple[float, float]]:
            out: dict[str, tuple[float, float]] = {}
            p, m = self.burt_matrices()
            for i in range(0, len(missing), BURT_CHUNK):
                part = missing[i : i + BURT_CHUNK]
                c = bro.constraint(self.collab, part, w=self.weights(), p=p)
                e = bro.effective_size(self.collab, part, w=self.weights(), p=p, m=m)
                out.update({str(n): (c[n], e[n]) for n in part})
            return out

        both = self._grow("burt", nodes, compute)
        return {n: both[n][0] for n in nodes}, {n: both[n][1] for n in nodes}

    def view(self, scope: Scope) -> View:
        with self.lock:
            if scope not in self._views:
                if len(self._views) >= MAX_VIEWS:  # forget the oldest scope
                    self._views.pop(next(iter(self._views)))
                self._views[scope] = make_view(self.bipartite, self.collab, scope, self.project_themes)
            return self._views[scope]


def _project_themes(projects: Iterable[Project]) -> tuple[dict[str, tuple[str, ...]], bool]:
    """Each project node's theme ids: its own plus the S3 areas the crosswalk maps it onto."""
    out: dict[str, tuple[str, ...]] = {}
    for p in projects:
        node = PROJECT_PREFIX + p.id
        out[node] = tuple(sorted({*p.themes, *(link.theme_id for link in themes_for(p))}))
    return out, True


def build_prepared(store: GraphStore, version: int) -> Prepared:
    """Read the store's graph and build what every analysis starts from (no scores yet)."""
    # the same graph as `store.to_networkx()`, from the records every other build reads too
    r = store_records(store)
    bipartite = sorted_copy(bipartite_graph(r.actors, r.projects, r.participations, Settings().units_apart))
    collab = collaboration_graph(bipartite)
    project_themes, crosswalk = _project_themes(r.projects)
    themes = {t.id: t for t in store.themes()}
    return Prepared(
        version=version,
        bipartite=bipartite,
        collab=collab,
        project_themes=project_themes,
        themes=themes,
        crosswalk=crosswalk,
        store=store,
    )


def prepare(store: GraphStore) -> Prepared:
    """The graphs and cached scores of the store's current version (built on first use)."""
    version = store.version()
    return cache.derived(
        store, "graphs", lambda: build_prepared(store, version), persist=False, version=version
    )


def clear_cache() -> None:
    """Forget every in-memory result (what is kept beside the stores stays; it is keyed by version)."""
    cache.clear()


def on_graphs(store: GraphStore, key: str, compute: Callable[[Prepared], T]) -> T:
    """`compute(prepare(store))` as derived data under `key`: read if it was computed before (here or by
    another process, without building the graphs), else computed and kept.

    Filed under the graphs' version, not the store's: while a long-running process still serves an
    older version (`graph.cache.serve_stale`), what is computed on it is filed under that version.
    """
    done = cache.peek(store, key)
    if done is cache.MISSING:  # an older version's answer while the new one is built elsewhere
        done = cache.stale(store, key, lambda: on_graphs(store, key, compute))
    if done is not cache.MISSING:
        return done
    p = prepare(store)
    return cache.derived(store, key, lambda: compute(p), version=p.version)
