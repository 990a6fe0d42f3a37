"""Cross-county collaboration: shared projects and partner pairs per pair of counties, against a null model.

Null model (stated in every result):

- projects: a project that counts involves county a with probability P_a / N, independently of b,
  so expected_projects(a, b) = P_a * P_b / N, where P_c is the number of counting projects with an
  actor of county c and N the number of counting projects with an actor of any of `counties`;
- actor pairs: partner ties are placed at random keeping each county's total number of ties
  (Chung–Lu / configuration model), so expected_actor_pairs(a, b) = D_a * D_b / (2M), where D_c is
  the sum over the actors of c of their partners in `counties` and M the number of partner
  pairs with both actors in `counties`.

`graph.analysis.run` always passes all 21 counties, so N and M are Sweden-wide and one pair has one
expected figure whichever counties a page shows.

ratio = observed / expected (None when expected is 0): 0.3 means a third of what the two counties'
activity predicts.

References
----------
Chung, F., Lu, L. (2002). Connected components in random graphs with given expected degree sequences.
Annals of Combinatorics 6, 125–145. Newman, M. E. J. (2010). Networks: An Introduction, §7.13
(the configuration-model expectation k_i k_j / 2m behind modularity).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx

NULL_MODEL = (
    "expected_projects(a,b) = P_a * P_b / N, P_c = counting projects with an actor of county c, "
    "N = counting projects with an actor of any Swedish county (the same N whatever counties are shown); "
    "expected_actor_pairs(a,b) = D_a * D_b / (2M), D_c = Swedish partners summed over the actors of c, "
    "M = partner pairs with both actors in Swedish counties (Chung-Lu); ratio = observed / expected; "
    "projects whose source lists only the owner (ERDF) are left out"
)


def county_members(
    bipartite: nx.Graph, actors: Iterable[str], codes: Iterable[str], projects: Collection[str] | None = None
) -> dict[str, tuple[list[str], list[str]]]:
    """Each county's actors (of `actors`, also one in no project) and the projects (of `projects`; every
    project when None) with one of them, both sorted: the one count of "Blekinge's actors and projects"
    that the county report and the counties analysis share.
    """
    wanted = set(codes)
    own: dict[str, list[str]] = {c: [] for c in sorted(wanted)}
    for a in actors:
        c = bipartite.nodes[a].get("county_code", "")
        if c in wanted:
            own[c].append(a)
    return {
        c: (sorted(ms), sorted({p for a in ms for p in bipartite[a] if projects is None or p in projects}))
        for c, ms in own.items()
    }


@dataclass
class CountyMatrix:
    counties: list[str]
    actors: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    internal_pairs: dict[str, int] = field(default_factory=dict)
    shared_projects: dict[tuple[str, str], int] = field(default_factory=dict)
    actor_pairs: dict[tuple[str, str], int] = field(default_factory=dict)
    expected_projects: dict[tuple[str, str], float] = field(default_factory=dict)
    expected_actor_pairs: dict[tuple[str, str], float] = field(default_factory=dict)
    total_projects: int = 0
    total_pairs: int = 0


def county_matrix(
    bipartite: nx.Graph, collab: nx.Graph, projects: Iterable[str], counties: Iterable[str]
) -> CountyMatrix:
    """Observed and expected collaboration between each pair of `counties` (see the module docstring).

    Parameters
    ----------
    bipartite : networkx.Graph
        Actor–project graph; actor nodes carry `county_code`.
    collab : networkx.Graph
        Actor–actor graph over the same (counting) projects.
    projects : iterable of str
        The project nodes that count.
    counties : iterable of str
        SCB county codes; pairs are formed in sorted order.
    """
    codes = sorted(set(counties))
    wanted = set(codes)
    m = CountyMatrix(codes)
    county_of = {
        n: d.get("county_code", "") for n, d in collab.nodes(data=True) if d.get("county_code", "") in wanted
    }
    active: dict[str, set[str]] = {c: set() for c in codes}
    proj_count: Counter[str] = Counter()
    shared: Counter[tuple[str, str]] = Counter()
    for p in projects:
        present = sorted({county_of[a] for a in bipartite[p] if a in county_of})
        for a in bipartite[p]:
            if a in county_of:
                active[county_of[a]].add(a)
        if not present:
            continue
        m.total_projects += 1
        proj_count.update(present)
        shared.update(combinations(present, 2))
    pairs: Counter[tuple[str, str]] = Counter()
    internal: Counter[str] = Counter()
    strength: Counter[str] = Counter()
    for u, v in collab.edges():
        cu, cv = county_of.get(u), county_of.get(v)
        if not cu or not cv:
            continue
        m.total_pairs += 1
        strength[cu] += 1
        strength[cv] += 1
        if cu == cv:
            internal[cu] += 1
        else:
            pairs[(min(cu, cv), max(cu, cv))] += 1
    for c in codes:
        m.actors[c] = len(active[c])
        m.projects[c] = proj_count[c]
        m.internal_pairs[c] = internal[c]
    for a, b in combinations(codes, 2):
        m.shared_projects[(a, b)] = shared[(a, b)]
        m.actor_pairs[(a, b)] = pairs[(a, b)]
        m.expected_projects[(a, b)] = (
            proj_count[a] * proj_count[b] / m.total_projects if m.total_projects else 0.0
        )
        m.expected_actor_pairs[(a, b)] = (
            strength[a] * strength[b] / (2 * m.total_pairs) if m.total_pairs else 0.0
        )
    return m


def ratio(observed: float, expected: float) -> float | None:
    return observed / expected if expected > 0 else None
