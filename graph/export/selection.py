"""Which part of the actor–project graph an export holds: the graph cut to a `Scope`.

Shared by both kinds of export (the graph files of `graph.export.graphs` and the tables of
`graph.export.sheets`), so a county's GEXF and its XLSX hold the same actors and projects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx

from graph.analysis.scope import Scope


def select_bipartite(
    full: nx.Graph, sel: Scope, project_themes: Mapping[str, Sequence[str]] | None = None
) -> nx.Graph:
    """The actor–project graph cut to the scope (a new graph; `full` is not changed).

    Projects match as in `graph.analysis.Scope.project_matches` (programme case-insensitive; a theme
    matches the project's own themes, its programme part, or the S3 areas in `project_themes`, which
    `graph.analysis.prepared.prepare(store).project_themes` maps through the crosswalk). Counties cut the
    graph only when named (`Scope.graph_counties`).
    """
    counties = sel.graph_counties
    if not counties and not sel.filters_projects:
        return full.copy()
    extra = project_themes or {}
    county_actors: list[str] = []
    if counties:
        wanted = set(counties)
        county_actors = [
            n for n, d in full.nodes(data=True) if d.get("type") == "actor" and d.get("county_code") in wanted
        ]
        # a county's projects are its actors' neighbours: never a scan of every project's members
        candidates: list[str] = sorted({p for a in county_actors for p in full[a]})
    else:
        candidates = list(full)
    projects = [
        n
        for n in candidates
        if (d := full.nodes[n]).get("type") == "project" and sel.project_matches(d, extra.get(n, ()))
    ]
    keep = set(projects)
    for p in projects:
        keep.update(full[p])
    keep.update(county_actors)
    return full.subgraph(sorted(keep)).copy()
