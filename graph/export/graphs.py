"""Graph files: the collaboration graph for Gephi, Cytoscape or networkx (GEXF, GraphML, JSON).

The graph written is the weighted actor–actor projection of `graph.projection` (or, with
`bipartite=True`, the actor–project graph itself), cut to a `graph.analysis.scope.Scope` by
`graph.export.selection.select_bipartite`.

Each actor node carries its name, kind, county and country and the analysis measures for it, exactly
as `graph.analysis` reports them (degree, weighted degree, betweenness, PageRank, closeness,
constraint, effective size, community, isolation reasons); a measure the analysis did not report for
an actor is left out rather than written as 0. Each edge carries `weight` and `shared_projects` (the
number of projects the two actors share). GEXF files also carry `viz` size (by PageRank) and, when
the caller passes `colours`, `viz` colour by kind, so Gephi opens them with sizes and colours ready.

Colours are drawing, so the palette's one home is `viz.style` (`viz.style.NODE_COLOURS`); graph code
never imports viz, so the CLI and the API hand the palette in (`Colours`: `#rrggbb` by kind name, and
`project`). Serialising is `graph.export.serialise`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graph.analysis import communities as com
from graph.analysis.isolation import ISOLATION_LISTS
from graph.analysis.models import r6, sig6
from graph.analysis.prepared import Prepared, prepare
from graph.analysis.run import run_analysis
from graph.analysis.scope import Scope
from graph.errors import InvalidInput
from graph.export.selection import select_bipartite
from graph.export.serialise import GRAPH_FORMATS, graph_bytes
from graph.geo import COUNTIES
from graph.model import ActorKind
from graph.projection import collaboration_graph
from graph.store.base import GraphStore

#: How a GEXF colours its nodes: `#rrggbb` by actor kind (`ActorKind` values; a kind not named takes
#: `other`'s) and `project` for project nodes. The palette is `viz.style.NODE_COLOURS`.
Colours = Mapping[str, str]


def _viz(colours: Colours | None, key: str, size: float) -> dict[str, Any]:
    """A node's GEXF `viz`: its size, and its colour when the caller gave a palette."""
    out: dict[str, Any] = {"size": size}
    code = (colours.get(key) or colours.get(ActorKind.other.value)) if colours else None
    if code:
        out["color"] = {"r": int(code[1:3], 16), "g": int(code[3:5], 16), "b": int(code[5:7], 16), "a": 1.0}
    return out


def _clean(value: Any) -> Any:
    """A value every writer accepts: None is dropped by the caller, sequences become '; '-joined text."""
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(v) for v in sorted(value, key=str))
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def annotate(
    g: nx.Graph, measures: Mapping[str, Mapping[str, Any]], viz: bool, colours: Colours | None = None
) -> nx.Graph:
    """A copy of `g` whose nodes carry the measures and writable attributes (`viz` for GEXF: size by
    PageRank, and colour by kind from `colours` when given)."""
    out = nx.Graph()
    ranks = [float(m.get("pagerank") or 0.0) for m in measures.values()]
    pr_max = max(ranks, default=0.0) or 1.0
    for n in sorted(g.nodes):
        d = g.nodes[n]
        attrs: dict[str, Any] = {}
        if d.get("type") == "project":
            attrs = {
                "type": "project",
                "label": d.get("title") or n,
                "name": d.get("title") or n,
                "programme": d.get("programme") or "",
                "programme_part": d.get("programme_part") or "",
                "start_year": d.get("start_year"),
                "themes": d.get("themes") or (),
            }
            if viz:
                attrs["viz"] = _viz(colours, "project", 4.0)
        else:
            county = d.get("county_code") or ""
            attrs = {
                "type": "actor",
                "label": d.get("name") or n,
                "name": d.get("name") or n,
                "kind": d.get("kind") or "",
                "country": d.get("country") or "",
                "county_code": county,
                "county": COUNTIES[county].short_name if county in COUNTIES else "",
            }
            attrs.update(measures.get(n, {}))
            if viz:
                pr = float(attrs.get("pagerank") or 0.0)
                attrs["viz"] = _viz(
                    colours, str(attrs["kind"]), round(4.0 + 36.0 * math.sqrt(pr / pr_max), 3)
                )
        out.add_node(n, **{k: c for k, v in attrs.items() if (c := _clean(v)) is not None and k != "viz"})
        if "viz" in attrs:
            out.nodes[n]["viz"] = attrs["viz"]
    for a, b in sorted(tuple(sorted(e)) for e in g.edges):
        d = g.edges[a, b]
        if "weight" in d:
            out.add_edge(a, b, weight=int(d["weight"]), shared_projects=int(d["weight"]))
        else:  # actor–project edge
            out.add_edge(a, b, weight=1, role=str(d.get("role") or ""))
    return out


def export_graph(
    chosen: nx.Graph,
    measures: Mapping[str, Mapping[str, Any]],
    fmt: str,
    bipartite: bool = False,
    colours: Colours | None = None,
) -> nx.Graph:
    """The graph that `graph_bytes` writes: the selected actor–project graph, projected unless
    `bipartite`, with writable attributes and the measures on each actor."""
    if fmt not in GRAPH_FORMATS:
        raise InvalidInput(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    g = chosen if bipartite else collaboration_graph(chosen)
    return annotate(g, measures, viz=fmt == "gexf", colours=colours)


def node_measures(store: GraphStore, sel: Scope, actors: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Per actor, the analysis measures to attach to its node.

    The values are `graph.analysis`'s own, rounded as its results round them: the whole-graph scores
    that `run_analysis` caches per store version (betweenness, PageRank, communities), Burt's
    constraint and effective size from `graph.analysis.brokerage`, and the isolation lists of
    `run_analysis("isolated")` for every actor under the selection's project filters. So a node's
    `pagerank` equals the `pagerank` of its row in `innograph analyze centrality --json`.
    """
    prep = prepare(store)
    g = prep.collab
    wanted = sorted(a for a in actors if a in g)
    bc = prep.betweenness()["values"]
    pr = prep.pagerank()
    member = com.membership(prep.communities())
    cons, esize = _burt(prep, wanted)
    isolated = run_analysis(store, "isolated", sel.everyone())
    lists: dict[str, list[str]] = defaultdict(list)
    reasons: dict[str, list[str]] = defaultdict(list)
    for name in ISOLATION_LISTS:
        for item in getattr(isolated, name):
            lists[item.actor_id].append(name)
            reasons[item.actor_id].append(item.reason)
    out: dict[str, dict[str, Any]] = {}
    for a in wanted:
        out[a] = {
            "degree": g.degree(a),
            "weighted_degree": r6(g.degree(a, weight="weight")),
            "betweenness": r6(bc[a]),
            "pagerank": r6(pr[a]),
            "constraint": cons[a],
            "effective_size": esize[a],
            "community": member.get(a),
            "isolation": "; ".join(lists.get(a, [])),
            "isolation_reason": " | ".join(reasons.get(a, [])),
        }
    return out


def _burt(prep: Prepared, nodes: list[str]) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Burt's constraint and effective size of the exported actors only (rounded as the brokerage result).

    `Prepared.burt` keeps what it computed per store version, so a county export computes its own
    actors once and never the whole graph's.
    """
    cons, esize = prep.burt(nodes)
    return {n: sig6(cons[n]) for n in nodes}, {n: sig6(esize[n]) for n in nodes}


def build_graph_file(
    store: GraphStore, sel: Scope, fmt: str, bipartite: bool = False, colours: Colours | None = None
) -> tuple[bytes, nx.Graph]:
    """The exported file's bytes and the annotated graph they hold (a GEXF's nodes coloured by kind
    from `colours`, the views' palette that the CLI and the API pass in, when given)."""
    if fmt not in GRAPH_FORMATS:
        raise InvalidInput(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    prep = prepare(store)
    chosen = select_bipartite(prep.bipartite, sel, prep.project_themes)
    actors = [n for n, d in chosen.nodes(data=True) if d.get("type") == "actor"]
    g = export_graph(chosen, node_measures(store, sel, actors), fmt, bipartite=bipartite, colours=colours)
    g.graph["description"] = graph_description(store, sel)
    return graph_bytes(g, fmt), g


def graph_description(store: GraphStore, scope: Scope) -> str:
    """What the file covers, in words: the scope, the partial sources and the county pairs' figures.

    The observed/expected figures are `run_analysis("counties")`'s for the same scope, so a GEXF says
    what the counties view, `innograph analyze counties`, the county report and the XLSX say.
    """
    cty = run_analysis(store, "counties", scope)
    pairs = "; ".join(
        f"{COUNTIES[p.a].short_name}–{COUNTIES[p.b].short_name} {p.shared_projects}/{p.expected_projects}"
        + (f" ({p.ratio_projects})" if p.ratio_projects is not None else "")
        for p in cty.pairs
        if p.shared_projects
    )
    parts = [
        "innograph collaboration graph.",
        scope.text(),
        cty.partial_sources,
        f"County pairs, shared projects/expected (observed/expected): {pairs or 'none'}.",
        f"Expected: {cty.null_model}.",
    ]
    return " ".join(x for x in parts if x)
