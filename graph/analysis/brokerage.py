"""Brokerage: Burt's structural holes (constraint, effective size) and bridges between groups.

`constraint` and `effective_size` compute networkx's definitions (weighted, mutual weights
normalised per node) as sparse matrix products, only for the nodes asked for; the tests compare them
with `networkx.constraint` / `networkx.effective_size`, which take minutes on the hubs of the
CORDIS graph (their cost grows with the square of the degree in pure Python).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.analysis.centrality import weights


def shares(w: sp.csr_array) -> sp.csr_array:
    """p_ij = w_ij / sum_k w_ik: each actor's share of its tie strength spent on each partner."""
    strength = np.asarray(w.sum(axis=1)).ravel()
    inv = np.divide(1.0, strength, out=np.zeros_like(strength), where=strength > 0)
    return sp.csr_array(sp.diags_array(inv) @ w)


def by_strongest(w: sp.csr_array) -> sp.csr_array:
    """m_jq = w_jq / max_k w_jk: each tie relative to the actor's strongest."""
    rowmax = np.zeros(w.shape[0])
    nz = np.diff(w.indptr) > 0
    rowmax[nz] = np.maximum.reduceat(w.data, w.indptr[:-1][nz])
    inv = np.divide(1.0, rowmax, out=np.zeros_like(rowmax), where=rowmax > 0)
    return sp.csr_array(sp.diags_array(inv) @ w)


def _matrices(
    g: nx.Graph, nodes: list[Hashable], weight: str, w: sp.csr_array | None, p: sp.csr_array | None
) -> tuple[dict[Hashable, int], sp.csr_array, sp.csr_array, sp.csr_array]:
    index = {v: i for i, v in enumerate(g)}
    if w is None:
        w = weights(g, weight)
    if p is None:
        p = shares(w)
    rows = np.array([index[v] for v in nodes], dtype=np.int64)
    return index, w, p, sp.csr_array(p[rows])


def constraint(
    g: nx.Graph,
    nodes: Iterable[Hashable] | None = None,
    weight: str = "weight",
    w: sp.csr_array | None = None,
    p: sp.csr_array | None = None,
) -> dict[Hashable, float]:
    """Burt's constraint c_i = sum_j (p_ij + sum_q p_iq p_qj)^2 over i's partners j.

    p_ij is i's share of its tie strength spent on j. Low constraint means the partners are not
    tied to each other: the actor bridges a structural hole. An actor without partners gets NaN,
    as in networkx.

    Examples
    --------
    >>> round(constraint(nx.star_graph(2))[0], 6)
    0.5

    References
    ----------
    Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard University
    Press, ch. 2 (eq. 2.4).
    """
    wanted = list(g if nodes is None else nodes)
    if not wanted:
        return {}
    _, _, p, p_rows = _matrices(g, wanted, weight, w, p)
    indirect = sp.csr_array(p_rows @ p)
    mask = (p_rows > 0).astype(float)
    total = sp.csr_array(p_rows + indirect.multiply(mask))
    total.data **= 2
    c = np.asarray(total.sum(axis=1)).ravel()
    deg = np.diff(p_rows.indptr)
    return {v: float(c[i]) if deg[i] > 0 else math.nan for i, v in enumerate(wanted)}


def effective_size(
    g: nx.Graph,
    nodes: Iterable[Hashable] | None = None,
    weight: str = "weight",
    w: sp.csr_array | None = None,
    p: sp.csr_array | None = None,
    m: sp.csr_array | None = None,
) -> dict[Hashable, float]:
    """Burt's effective size: the number of partners minus their redundancy.

    size_i = sum_j (1 - sum_q p_iq m_jq) over i's partners j, where m_jq is j's tie to q divided by
    j's strongest tie. Without weights this is Borgatti's n - 2t/n. NaN without partners.

    Examples
    --------
    >>> effective_size(nx.star_graph(3))[0]
    3.0

    References
    ----------
    Burt, R. S. (1992). Structural Holes, ch. 2. Borgatti, S. P. (1997). Structural holes:
    unpacking Burt's redundancy measures. Connections 20(1), 35–38.
    """
    wanted = list(g if nodes is None else nodes)
    if not wanted:
        return {}
    index, w, _, p_rows = _matrices(g, wanted, weight, w, p)
    if m is None:
        m = by_strongest(w)
    rows = np.array([index[v] for v in wanted], dtype=np.int64)
    neighbours = sp.csr_array((w[rows] > 0).astype(float))
    # redundancy_i = sum_j sum_q p_iq m_jq over partners j of i  (q restricted to i's partners by p)
    reach = sp.csr_array(neighbours @ m)
    redundancy = np.asarray(p_rows.multiply(reach).sum(axis=1)).ravel()
    deg = np.diff(neighbours.indptr)
    return {v: float(deg[i] - redundancy[i]) if deg[i] > 0 else math.nan for i, v in enumerate(wanted)}


def other_groups(
    g: nx.Graph, group: Mapping[Hashable, str], nodes: Iterable[Hashable]
) -> dict[Hashable, int]:
    """How many groups other than its own (county, community, …) each node has partners in.

    Nodes without a group (`group.get(n)` empty) count no groups; their partners still do.
    """
    out: dict[Hashable, int] = {}
    for n in nodes:
        own = group.get(n, "")
        out[n] = len({group[m] for m in g[n] if group.get(m) and group[m] != own})
    return out


def cross_group_edges(
    g: nx.Graph, group: Mapping[Hashable, str], touching: Iterable[Hashable], weight: str = "weight"
) -> list[tuple[Hashable, Hashable, float]]:
    """Edges whose two ends are in different, known groups, with at least one end in `touching`.

    Returned as (u, v, weight) with u < v, sorted by weight (highest first), then u, then v.
    """
    seen: set[tuple[Hashable, Hashable]] = set()
    out: list[tuple[Hashable, Hashable, float]] = []
    for n in touching:
        gn = group.get(n)
        if not gn:
            continue
        for m, d in g[n].items():
            gm = group.get(m)
            if not gm or gm == gn:
                continue
            u, v = (n, m) if str(n) < str(m) else (m, n)
            if (u, v) in seen:
                continue
            seen.add((u, v))
            out.append((u, v, float(d.get(weight, 1))))
    out.sort(key=lambda e: (-e[2], str(e[0]), str(e[1])))
    return out
