"""Exports: the collaboration graph for Gephi (GEXF, GraphML, JSON) and every table for Excel or CSV.

Two kinds of file, one module per concern:

- `selection`: the part of the actor–project graph an export holds, cut to a `Scope`:
  programme, theme and period select projects (a project counts when it matches all that are given);
  named counties select the projects that have at least one actor in those counties, with all their
  members, so a county's file shows its actors *and* the partners they work with (the county's actors
  without any selected project stay in as isolated nodes); with no county named and no project filter,
  the whole graph is written, isolated actors included.
- graph files: `graphs` (which nodes and edges, with the analysis measures on each actor, and a
  GEXF's size and colour) and `serialise` (GEXF 1.2, GraphML, node-link JSON as bytes).
- tables: `sheets` (actors with `part_of`, projects, participations, one table per analysis result,
  the funding sheets) and `tables` (the `Table` rows, written as CSV or XLSX, formula-safe).

The colour palette is not here: it is drawing, so it lives in `viz.style` (`NODE_COLOURS`) and the CLI
and the API pass it to `build_graph_file` / `export_bytes` (graph code never imports viz).
`export_bytes` is what the API and its precompute ask for: a file's bytes, once per store version.
"""

from __future__ import annotations

import hashlib
import json

from graph.analysis.prepared import on_graphs
from graph.analysis.scope import Scope
from graph.export.graphs import (
    Colours,
    annotate,
    build_graph_file,
    export_graph,
    graph_description,
    node_measures,
)
from graph.export.selection import select_bipartite
from graph.export.serialise import GRAPH_FORMATS, graph_bytes
from graph.export.sheets import (
    ACTOR_COLUMNS,
    PARTICIPATION_COLUMNS,
    PROJECT_COLUMNS,
    analysis_tables,
    build_tables,
    funding_tables,
    record_tables,
)
from graph.export.tables import (
    TABLE_FORMATS,
    Table,
    safe_cell,
    safe_row,
    table_from_dicts,
    write_csv,
    xlsx_bytes,
)
from graph.store.base import GraphStore

__all__ = [
    "ACTOR_COLUMNS",
    "GRAPH_FORMATS",
    "MEDIA_TYPES",
    "PARTICIPATION_COLUMNS",
    "PROJECT_COLUMNS",
    "TABLE_FORMATS",
    "Colours",
    "Table",
    "analysis_tables",
    "annotate",
    "build_graph_file",
    "build_tables",
    "export_bytes",
    "export_graph",
    "funding_tables",
    "graph_bytes",
    "graph_description",
    "node_measures",
    "record_tables",
    "safe_cell",
    "safe_row",
    "select_bipartite",
    "table_from_dicts",
    "write_csv",
    "xlsx_bytes",
]

MEDIA_TYPES: dict[str, str] = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def _palette_key(colours: Colours | None) -> str:
    """A short stable name of the palette, so a file drawn with other colours is another cache entry."""
    if not colours:
        return "plain"
    text = json.dumps(sorted(colours.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def export_bytes(
    store: GraphStore, kind: str, sel: Scope, bipartite: bool = False, colours: Colours | None = None
) -> bytes:
    """The file of a graph export (`gexf`, `graphml`) or of the tables (`xlsx`) for a selection, built
    once per store version and kept beside the store (`graph.cache`): the API and the precompute of the
    South Sweden counties ask for the same bytes (`api.routes.export.export_file`, with the views'
    palette for a GEXF's colours)."""
    if kind == "xlsx":
        key = f"export:{kind}:{sel!r}:{sel.graph_counties}:{bipartite}"
        return on_graphs(store, key, lambda _: xlsx_bytes(build_tables(store, sel)))
    key = f"export:{kind}:{sel!r}:{sel.graph_counties}:{bipartite}:{_palette_key(colours)}"
    return on_graphs(
        store, key, lambda _: build_graph_file(store, sel, kind, bipartite=bipartite, colours=colours)[0]
    )
