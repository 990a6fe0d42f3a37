"""From records to networkx: the actor–project graph and its weighted actor–actor projection.

Both stores build their `to_networkx()` with `bipartite_graph`, so analysis sees the same graph
whichever store fed it. The same two graphs exist in sparse-matrix form (`incidence`,
`collaboration_matrix`) for consumers that score every actor at once (the partner finder): one
projection, two representations, the same weights. Actor nodes are keyed by actor id; project nodes by `project:<id>` so that a
user's CSV may reuse an id for an actor and a project without the two becoming one node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graph.model import ROLE_RANK, Actor, Participation, Project, Role

if TYPE_CHECKING:
    from graph.store.base import GraphStore

PROJECT_PREFIX = "project:"


def project_node(project_id: str) -> str:
    return PROJECT_PREFIX + project_id


def actor_attrs(a: Actor) -> dict[str, object]:
    return {
        "type": "actor",
        "name": a.name,
        "kind": a.kind.value,
        "country": a.country or "",
        "county_code": a.county_code or "",
    }


def project_attrs(p: Project) -> dict[str, object]:
    return {
        "type": "project",
        "id": p.id,
        "title": p.title,
        "programme": p.programme,
        "programme_part": p.programme_part or "",
        "start_year": p.start.year if p.start else None,
        "themes": tuple(p.themes),
        "coverage": p.coverage.value,
    }


def rollup(actors: Iterable[Actor]) -> dict[str, str]:
    """Each unit's id → the id of the legal entity it is part of (following `part_of` to the top).

    A unit whose parent is not among `actors` is left out (it stands for itself); a cycle stops where it
    closes, so bad data never loops.
    """
    actors = list(actors)
    # A parent may be named by any record id it carries (a region's reference id on a CORDIS actor).
    known = {s.record: a.id for a in actors for s in a.sources} | {a.id: a.id for a in actors}
    parent = {a.id: known.get(a.part_of, a.part_of) for a in actors if a.part_of}
    out: dict[str, str] = {}
    for unit in parent:
        top, seen = unit, {unit}
        while (up := parent.get(top)) is not None and up in known and up not in seen:
            top = up
            seen.add(up)
        if top != unit:
            out[unit] = top
    return out


def rolled_up(
    actors: Iterable[Actor], participations: Iterable[Participation], units_apart: bool = False
) -> tuple[list[Actor], list[Participation]]:
    """The records as analyses count them: units (`Actor.part_of`) folded into their parent legal entity
    (the unit's participations become the parent's, one per project with the strongest role), unless
    `units_apart`. For consumers that read records rather than `bipartite_graph` (the partner index)."""
    actors = list(actors)
    up = {} if units_apart else rollup(actors)
    if not up:
        return actors, list(participations)
    best: dict[tuple[str, str], Participation] = {}
    for p in participations:
        aid = up.get(p.actor_id, p.actor_id)
        key = (aid, p.project_id)
        old = best.get(key)
        if old is None or ROLE_RANK[old.role] < ROLE_RANK[p.role]:
            best[key] = p if aid == p.actor_id else p.model_copy(update={"actor_id": aid})
    return [a for a in actors if a.id not in up], list(best.values())


@dataclass(frozen=True)
class Records:
    """Every actor, project and participation of one store version, read once."""

    actors: list[Actor]
    projects: list[Project]
    participations: list[Participation]


#: The `graph.cache` keys of the records (memory only): `graph.cache.drop` forgets them after a build.
RECORDS_KEY = "records"


def store_records(store: GraphStore) -> Records:
    """The store's records of its current version, read (and checked by the model) once per version.

    The analysis graphs, the funding facts, the partner index and the exported tables all start from
    every record; reading them once instead of once each is most of what a build of derived data
    saves (each read of all participations validates 180,000 JSON records). Memory only: a process
    that builds derived data drops them when it is done (`graph.cache.drop`).
    """
    from graph.cache import derived

    version = store.version()
    return derived(
        store,
        RECORDS_KEY,
        lambda: Records(
            list(store.iter_actors()), list(store.iter_projects()), list(store.iter_participations())
        ),
        persist=False,
        version=version,
    )


def rolled_records(store: GraphStore, units_apart: bool = False) -> tuple[list[Actor], list[Participation]]:
    """`rolled_up` of the store's records, once per version (see `store_records`)."""
    from graph.cache import derived

    version = store.version()

    def compute() -> tuple[list[Actor], list[Participation]]:
        r = store_records(store)
        return rolled_up(r.actors, r.participations, units_apart)

    return derived(store, f"{RECORDS_KEY}:rolled:{units_apart}", compute, persist=False, version=version)


def bipartite_graph(
    actors: Iterable[Actor],
    projects: Iterable[Project],
    participations: Iterable[Participation],
    units_apart: bool = False,
) -> nx.Graph:
    """Actors and projects as nodes (attribute `type`), participations as edges (attribute `role`).

    A unit (`Actor.part_of`) is folded into its parent legal entity unless `units_apart`: the parent
    carries the unit's projects, so a hospital or a department is never a separate, isolated node while
    its region or university has partners (the strongest role of the two wins on a shared project).
    """
    actors = list(actors)
    up = {} if units_apart else rollup(actors)
    g = nx.Graph()
    g.add_nodes_from((a.id, actor_attrs(a)) for a in actors if a.id not in up)
    g.add_nodes_from((project_node(p.id), project_attrs(p)) for p in projects)
    for p in participations:
        pn = project_node(p.project_id)
        aid = up.get(p.actor_id, p.actor_id)
        if aid in g and pn in g:
            old = g.edges[aid, pn]["role"] if g.has_edge(aid, pn) else None
            if old is None or ROLE_RANK[Role(old)] < ROLE_RANK[p.role]:
                g.add_edge(aid, pn, role=p.role.value)
    return g


def _pairs(members: Mapping[str, Iterable[str]]) -> Iterator[tuple[str, str, str]]:
    """(a, b, project) for each pair of distinct actors in each project, a < b, projects in order."""
    for pid in sorted(members):
        for a, b in combinations(sorted(set(members[pid])), 2):
            yield a, b, pid


def pair_weights(members: Mapping[str, Iterable[str]]) -> dict[tuple[str, str], int]:
    """The collaboration projection of `{project: its actors}`: shared projects per actor pair (a < b).

    The one home of the projection: `collaboration_graph`, the ego view and the isolated view all count
    shared projects here.
    """
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, _ in _pairs(members):
        weights[(a, b)] += 1
    return dict(weights)


def shared_projects(members: Mapping[str, Iterable[str]]) -> dict[tuple[str, str], list[str]]:
    """Like `pair_weights`, with the shared projects themselves (for tooltips that name them)."""
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a, b, pid in _pairs(members):
        shared[(a, b)].append(pid)
    return dict(shared)


def collaboration_graph(bipartite: nx.Graph) -> nx.Graph:
    """The weighted actor–actor projection: an edge per pair that shares a project.

    `weight` is the number of shared projects (two actors in two common projects have weight 2), the
    same as `networkx.algorithms.bipartite.weighted_projected_graph` but counted in one pass over the
    projects (`pair_weights`). Every actor is kept, also those with no partner, so isolated actors
    stay visible.
    """
    g = nx.Graph()
    g.add_nodes_from((n, d) for n, d in bipartite.nodes(data=True) if d.get("type") == "actor")
    members = {n: bipartite[n] for n, d in bipartite.nodes(data=True) if d.get("type") == "project"}
    g.add_edges_from((a, b, {"weight": w}) for (a, b), w in pair_weights(members).items())
    return g


# --- The same projection as sparse matrices (the partner finder scores all actors at once) -----------------
def incidence(
    actor_pos: Mapping[str, int],
    project_pos: Mapping[str, int],
    participations: Iterable[Participation],
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(B, C): actors × projects, B 1 where the actor took part, C 1 where it led (coordinator or owner).

    The sparse form of `bipartite_graph` for records already rolled up (`rolled_up`): rows and columns
    are the positions given; a participation naming an actor or project not among them is left out,
    and a repeated participation counts once.

    >>> b, c = incidence({"x:a": 0, "x:b": 1}, {"p:1": 0}, [
    ...     Participation(actor_id="x:a", project_id="p:1", role="coordinator"),
    ...     Participation(actor_id="x:b", project_id="p:1", role="partner"),
    ...     Participation(actor_id="x:b", project_id="p:1", role="partner")])
    >>> b.toarray().tolist(), c.toarray().tolist()
    ([[1.0], [1.0]], [[1.0], [0.0]])
    """
    rows: list[int] = []
    cols: list[int] = []
    lead: list[float] = []
    for part in participations:
        i, j = actor_pos.get(part.actor_id), project_pos.get(part.project_id)
        if i is None or j is None:
            continue
        rows.append(i)
        cols.append(j)
        lead.append(1.0 if part.role in (Role.coordinator, Role.project_owner) else 0.0)
    shape = (len(actor_pos), len(project_pos))
    b = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    b.data[:] = 1.0  # duplicates were summed: back to 0/1
    c = sp.csr_matrix((np.asarray(lead), (rows, cols)), shape=shape)
    c.data = np.minimum(c.data, 1.0)
    c.eliminate_zeros()
    return b, c


def collaboration_matrix(b: sp.csr_matrix) -> sp.csr_matrix:
    """The weighted actor–actor projection B·Bᵀ without the diagonal: shared projects per pair.

    The same weights as `pair_weights` / `collaboration_graph` (a test says so), as a symmetric CSR
    matrix with sorted indices, for scoring every actor at once.

    >>> b = sp.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 1.0]]))
    >>> collaboration_matrix(b).toarray().tolist()
    [[0.0, 2.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    a = sp.csr_matrix(b @ b.T)
    a.setdiag(0)
    a.eliminate_zeros()
    a.sort_indices()
    return a
