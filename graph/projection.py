"""From records to networkx: the actor–project graph and its weighted actor–actor projection.

Both stores build their `to_networkx()` with `bipartite_graph`, so analysis sees the same graph
whichever store fed it. Actor nodes are keyed by actor id; project nodes by `project:<id>` so that a
user's CSV may reuse an id for an actor and a project without the two becoming one node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from graph.model import Actor, Participation, Project

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


def bipartite_graph(
    actors: Iterable[Actor], projects: Iterable[Project], participations: Iterable[Participation]
) -> nx.Graph:
    """Actors and projects as nodes (attribute `type`), participations as edges (attribute `role`)."""
    g = nx.Graph()
    g.add_nodes_from((a.id, actor_attrs(a)) for a in actors)
    g.add_nodes_from((project_node(p.id), project_attrs(p)) for p in projects)
    for p in participations:
        pn = project_node(p.project_id)
        if p.actor_id in g and pn in g:
            g.add_edge(p.actor_id, pn, role=p.role.value)
    return g


def collaboration_graph(bipartite: nx.Graph) -> nx.Graph:
    """The weighted actor–actor projection: an edge per pair that shares a project.

    `weight` is the number of shared projects (two actors in two common projects have weight 2), the
    same as `networkx.algorithms.bipartite.weighted_projected_graph` but counted in one pass over the
    projects. Every actor is kept, also those with no partner, so isolated actors stay visible.
    """
    g = nx.Graph()
    g.add_nodes_from((n, d) for n, d in bipartite.nodes(data=True) if d.get("type") == "actor")
    weights: dict[tuple[str, str], int] = defaultdict(int)
    for n, d in bipartite.nodes(data=True):
        if d.get("type") != "project":
            continue
        members = sorted(bipartite.neighbors(n))
        for a, b in combinations(members, 2):
            weights[(a, b)] += 1
    g.add_edges_from((a, b, {"weight": w}) for (a, b), w in weights.items())
    return g
