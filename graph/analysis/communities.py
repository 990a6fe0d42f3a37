"""Communities (Louvain with a fixed seed) and how well they line up with another labelling.

Louvain's result depends on the order in which it visits nodes and neighbours; `louvain` therefore
runs on a copy of the graph with sorted nodes and edges, so the same graph gives the same partition
whichever store (and insertion order) produced it.

Graphs above `IGRAPH_FROM` nodes go to igraph's C implementation of the same algorithm
(`community_multilevel`, seeded through its random-number generator): networkx's pure-Python
Louvain took 11 s of the 20 s a cold county report needed on the full CORDIS + Interreg graph
(27,900 actors, 523,000 edges), igraph takes 0.8 s, with modularity 0.440 against 0.445
(`bench/analysis.py`). Small graphs, and every test of the measure, keep networkx's reference.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx

LOUVAIN_SEED = 42
RESOLUTION = 1.0
IGRAPH_FROM = 5000  # nodes; below this networkx's Louvain takes under a second


def sorted_copy(g: nx.Graph) -> nx.Graph:
    """The same graph with nodes and edges inserted in sorted order (ids compared as strings)."""
    h = nx.Graph()
    h.add_nodes_from(sorted(g.nodes(data=True), key=lambda nd: str(nd[0])))
    edges = ((u, v, d) if str(u) <= str(v) else (v, u, d) for u, v, d in g.edges(data=True))
    h.add_edges_from(sorted(edges, key=lambda e: (str(e[0]), str(e[1]))))
    return h


def louvain(
    g: nx.Graph,
    seed: int = LOUVAIN_SEED,
    resolution: float = RESOLUTION,
    weight: str = "weight",
    canonical: bool = False,
) -> list[frozenset[Hashable]]:
    """Louvain communities, ordered by size (largest first) then by smallest member id.

    `canonical=True` says the graph was already built in a store-independent order (as
    `graph.analysis.run.prepare` builds it), which saves re-sorting half a million edges.

    Examples
    --------
    >>> two = nx.disjoint_union(nx.complete_graph(4), nx.complete_graph(4))
    >>> [sorted(c) for c in louvain(two)]
    [[0, 1, 2, 3], [4, 5, 6, 7]]

    References
    ----------
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R., Lefebvre, E. (2008). Fast unfolding of
    communities in large networks. J. Stat. Mech. P10008. (Traag, V. A., Waltman, L., van Eck, N. J.
    (2019), From Louvain to Leiden, Sci. Rep. 9, 5233, describe Louvain's badly connected communities;
    we keep Louvain because networkx ships it and report modularity so the result can be judged.)
    """
    if g.number_of_nodes() == 0:
        return []
    h = g if canonical else sorted_copy(g)
    if h.number_of_nodes() >= IGRAPH_FROM:
        parts = _louvain_igraph(h, seed, resolution, weight)
    else:
        parts = nx.community.louvain_communities(h, weight=weight, resolution=resolution, seed=seed)
    out = [frozenset(p) for p in parts]
    out.sort(key=lambda c: (-len(c), min(str(n) for n in c)))
    return out


def _louvain_igraph(g: nx.Graph, seed: int, resolution: float, weight: str) -> list[set[Hashable]]:
    """Louvain (multilevel) in igraph on the graph in its given (canonical) node and edge order."""
    import random

    import igraph

    nodes = list(g.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    h = igraph.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in g.edges()])
    weights = [float(d.get(weight, 1.0)) for _, _, d in g.edges(data=True)]
    igraph.set_random_number_generator(random.Random(seed))
    try:
        membership = h.community_multilevel(weights=weights, resolution=resolution).membership
    finally:
        igraph.set_random_number_generator(random)
    parts: dict[int, set[Hashable]] = {}
    for node, m in zip(nodes, membership, strict=True):
        parts.setdefault(m, set()).add(node)
    return list(parts.values())


def modularity(g: nx.Graph, communities: list[frozenset[Hashable]], weight: str = "weight") -> float:
    """Newman's modularity of a partition, resolution 1: the fraction of edge weight inside communities
    minus its expectation, Σ_c L_c/m − (d_c/2m)². Equal to ``networkx.community.modularity`` (a test
    compares them) in one pass over the edges, 20× faster on the full graph. 0 for a graph without edges.

    Examples
    --------
    >>> round(modularity(nx.barbell_graph(3, 0), [frozenset({0, 1, 2}), frozenset({3, 4, 5})]), 6)
    0.357143

    References
    ----------
    Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23), 8577–8582.
    """
    if g.number_of_edges() == 0:
        return 0.0
    label = membership(communities)
    inside = 0.0
    strength: dict[int, float] = {}
    total = 0.0
    for u, v, w in g.edges(data=weight, default=1):
        w = float(w)
        total += w
        cu, cv = label[u], label[v]
        if cu == cv:
            inside += w  # a self-loop too counts once, as in networkx
        strength[cu] = strength.get(cu, 0.0) + w
        strength[cv] = strength.get(cv, 0.0) + w
    if total == 0:
        return 0.0
    return float(inside / total - sum((s / (2 * total)) ** 2 for s in strength.values()))


def membership(communities: list[frozenset[Hashable]]) -> dict[Hashable, int]:
    return {n: i for i, c in enumerate(communities) for n in c}


def _entropy(counts: Counter[Hashable], n: int) -> float:
    return -sum((c / n) * math.log(c / n) for c in counts.values() if c)


def nmi(a: Mapping[Any, Hashable], b: Mapping[Any, Hashable]) -> float | None:
    """Normalised mutual information of two labellings over the items both label.

    I(A;B) / ((H(A) + H(B)) / 2) (arithmetic normalisation, as scikit-learn's default): 1 when the
    two partitions are the same, 0 when independent. None with fewer than two items; 1.0 when both
    labellings put everything in one group, 0.0 when only one of them does.

    Examples
    --------
    >>> nmi({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 1})
    1.0

    References
    ----------
    Danon, L., Díaz-Guilera, A., Duch, J., Arenas, A. (2005). Comparing community structure
    identification. J. Stat. Mech. P09008.
    """
    items = sorted((k for k in a if k in b), key=str)
    n = len(items)
    if n < 2:
        return None
    ca: Counter[Hashable] = Counter(a[k] for k in items)
    cb: Counter[Hashable] = Counter(b[k] for k in items)
    joint: Counter[tuple[Hashable, Hashable]] = Counter((a[k], b[k]) for k in items)
    ha, hb = _entropy(ca, n), _entropy(cb, n)
    if ha == 0 and hb == 0:
        return 1.0
    if ha == 0 or hb == 0:
        return 0.0
    mi = sum((c / n) * math.log((c * n) / (ca[x] * cb[y])) for (x, y), c in joint.items())
    return max(0.0, min(1.0, mi / ((ha + hb) / 2)))
