"""Exports: the collaboration graph for Gephi (GEXF, GraphML, JSON) and every table for Excel or CSV.

The graph written is the weighted actor–actor projection of `graph.projection` (or, with
`bipartite=True`, the actor–project graph itself), cut to a `graph.analysis.scope.Scope`:

- programme, theme and period select projects (a project counts when it matches all that are given);
- named counties select the projects that have at least one actor in those counties, with all their members,
  so a county's file shows its actors *and* the partners they work with; the county's actors without
  any selected project stay in as isolated nodes;
- with no county named and no project filter, the whole graph is written, isolated actors included.

Each actor node carries its name, kind, county and country and the analysis measures for it, exactly
as `graph.analysis` reports them (degree, weighted degree, betweenness, PageRank, closeness,
constraint, effective size, community, isolation reasons); a measure the analysis did not report for
an actor is left out rather than written as 0. Each edge carries `weight` and `shared_projects` (the
number of projects the two actors share). GEXF files also carry `viz` colour (by kind) and size (by
PageRank), so Gephi opens them with sizes and colours ready.

Tables are plain rows (`Table`): actors, projects, participations, and one table per analysis result.
`write_csv` writes one UTF-8 CSV per table into a folder; `write_xlsx` one sheet per table with the
header row frozen, column widths fitted, numbers stored as numbers and ids kept as text.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import networkx as nx

from graph.analysis import communities as com
from graph.analysis.funding import (
    BENCHMARK_COLUMNS,
    TOTAL_COLUMNS,
    benchmark,
    funding,
    funding_rows,
    store_facts,
)
from graph.analysis.isolation import ISOLATION_LISTS
from graph.analysis.models import (
    BridgeEdge,
    BrokerageResult,
    BrokerageRow,
    BrokerSuggestion,
    CentralityResult,
    CentralityRow,
    CommunitiesResult,
    CountiesResult,
    CountyPair,
    CountyRow,
    IsolatedActor,
    IsolatedResult,
    ThemeGap,
    ThemesResult,
    r6,
    sig6,
)
from graph.analysis.run import Prepared, on_graphs, prepare, run_analysis
from graph.analysis.scope import Scope
from graph.errors import InvalidInput
from graph.geo import COUNTIES
from graph.model import ActorKind
from graph.projection import collaboration_graph, project_node, rolled_up
from graph.settings import Settings
from graph.store.base import GraphStore
from graph.text import clean

GRAPH_FORMATS: tuple[str, ...] = ("gexf", "graphml", "json")
TABLE_FORMATS: tuple[str, ...] = ("csv", "xlsx")

MEDIA_TYPES: dict[str, str] = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}

# Colour by kind (Okabe & Ito's colour-blind-safe palette, then greys), shared with the report's charts.
KIND_COLOURS: dict[str, tuple[int, int, int]] = {
    ActorKind.university.value: (0, 114, 178),
    ActorKind.research_institute.value: (86, 180, 233),
    ActorKind.science_park.value: (0, 158, 115),
    ActorKind.incubator.value: (0, 200, 150),
    ActorKind.business_support.value: (240, 228, 66),
    ActorKind.regional_authority.value: (213, 94, 0),
    ActorKind.municipality.value: (230, 159, 0),
    ActorKind.government_agency.value: (204, 121, 167),
    ActorKind.company.value: (120, 120, 120),
    ActorKind.cluster_organisation.value: (0, 80, 60),
    ActorKind.association.value: (170, 120, 200),
    ActorKind.other.value: (190, 190, 190),
}
PROJECT_COLOUR = (40, 40, 40)


def select_bipartite(
    full: nx.Graph, sel: Scope, project_themes: Mapping[str, Sequence[str]] | None = None
) -> nx.Graph:
    """The actor–project graph cut to the scope (a new graph; `full` is not changed).

    Projects match as in `graph.analysis.Scope.project_matches` (programme case-insensitive; a theme
    matches the project's own themes, its programme part, or the S3 areas in `project_themes`, which
    `graph.analysis.run.prepare(store).project_themes` maps through the crosswalk). Counties cut the
    graph only when named (`Scope.graph_counties`).
    """
    counties = sel.graph_counties
    if not counties and not sel.filters_projects:
        return full.copy()
    extra = project_themes or {}
    projects = [
        n
        for n, d in full.nodes(data=True)
        if d.get("type") == "project" and sel.project_matches(d, extra.get(n, ()))
    ]
    if counties:
        wanted = set(counties)
        projects = [p for p in projects if any(full.nodes[a].get("county_code") in wanted for a in full[p])]
    keep = set(projects)
    for p in projects:
        keep.update(full[p])
    if counties:
        keep.update(
            n for n, d in full.nodes(data=True) if d.get("type") == "actor" and d.get("county_code") in wanted
        )
    return full.subgraph(sorted(keep)).copy()


def _rgb(kind: str) -> dict[str, float]:
    r, g, b = KIND_COLOURS.get(kind, KIND_COLOURS[ActorKind.other.value])
    return {"r": r, "g": g, "b": b, "a": 1.0}


def _clean(value: Any) -> Any:
    """A value every writer accepts: None is dropped by the caller, sequences become '; '-joined text."""
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(v) for v in sorted(value, key=str))
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def annotate(g: nx.Graph, measures: Mapping[str, Mapping[str, Any]], viz: bool) -> nx.Graph:
    """A copy of `g` whose nodes carry the measures and writable attributes (`viz` for GEXF)."""
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
                attrs["viz"] = {
                    "color": dict(zip("rgb", PROJECT_COLOUR, strict=True)) | {"a": 1.0},
                    "size": 4.0,
                }
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
                attrs["viz"] = {
                    "color": _rgb(str(attrs["kind"])),
                    "size": round(4.0 + 36.0 * math.sqrt(pr / pr_max), 3),
                }
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
    chosen: nx.Graph, measures: Mapping[str, Mapping[str, Any]], fmt: str, bipartite: bool = False
) -> nx.Graph:
    """The graph that `graph_bytes` writes: the selected actor–project graph, projected unless
    `bipartite`, with writable attributes and the measures on each actor."""
    if fmt not in GRAPH_FORMATS:
        raise InvalidInput(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    g = chosen if bipartite else collaboration_graph(chosen)
    return annotate(g, measures, viz=fmt == "gexf")


def graph_bytes(g: nx.Graph, fmt: str) -> bytes:
    """Serialise an annotated graph: GEXF 1.2 with viz, GraphML, or node-link JSON.

    GEXF and GraphML are written by `_write_gexf`/`_write_graphml` as streamed text rather than through
    networkx's ElementTree writers, which build the whole document in memory and take four times as
    long on the full CORDIS graph (half a million edges); the files are the same formats, and the
    tests read them back with `networkx.read_gexf`/`read_graphml`.
    """
    if fmt == "gexf":
        return _write_gexf(g)
    if fmt == "graphml":
        return _write_graphml(g)
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    raise InvalidInput(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr(value: object) -> str:
    """A value as an XML attribute or text, escaped (names are data) and without XML-illegal characters."""
    text = value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return _XML_BAD.sub("", xml_escape(text, {'"': "&quot;"}))


def _xml_type(values: Iterable[object]) -> str:
    kinds = {type(v) for v in values}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _keys(items: Iterable[Mapping[str, Any]], skip: set[str]) -> dict[str, str]:
    """Attribute name -> GEXF/GraphML type, over every node's (or edge's) attributes, in first-seen order."""
    seen: dict[str, list[object]] = {}
    for d in items:
        for k, v in d.items():
            if k not in skip:
                seen.setdefault(k, []).append(v)
    return {k: _xml_type(vs) for k, vs in seen.items()}


def _value(v: object, kind: str) -> str:
    if kind == "boolean":
        return "true" if v else "false"
    if kind == "double":
        return repr(float(v))  # type: ignore[arg-type]
    return _attr(v)


def _write_gexf(g: nx.Graph) -> bytes:
    node_keys = _keys((d for _, d in g.nodes(data=True)), {"viz", "label"})
    edge_keys = _keys((d for _, _, d in g.edges(data=True)), {"weight", "id", "label"})
    nid = {k: str(i) for i, k in enumerate(node_keys)}
    eid = {k: str(i) for i, k in enumerate(edge_keys)}
    out = io.StringIO()
    w = out.write
    w(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
        "  <meta><creator>innograph</creator><description>"
        + _attr(g.graph.get("description", "collaboration graph"))
        + "</description></meta>\n"
        '  <graph defaultedgetype="undirected" mode="static">\n'
    )
    for cls, keys, ids in (("node", node_keys, nid), ("edge", edge_keys, eid)):
        if keys:
            w(f'    <attributes class="{cls}" mode="static">\n')
            for k, t in keys.items():
                w(f'      <attribute id="{ids[k]}" title="{_attr(k)}" type="{t}" />\n')
            w("    </attributes>\n")
    w("    <nodes>\n")
    for n, d in g.nodes(data=True):
        w(f'      <node id="{_attr(n)}" label="{_attr(d.get("label", n))}">')
        vals = [(k, v) for k, v in d.items() if k in nid]
        if vals:
            w("<attvalues>")
            for k, v in vals:
                w(f'<attvalue for="{nid[k]}" value="{_value(v, node_keys[k])}" />')
            w("</attvalues>")
        viz = d.get("viz")
        if viz:
            c = viz.get("color")
            if c:
                w(
                    f'<viz:color r="{int(c["r"])}" g="{int(c["g"])}" b="{int(c["b"])}" a="{float(c.get("a", 1.0))}" />'
                )
            if "size" in viz:
                w(f'<viz:size value="{float(viz["size"])}" />')
        w("</node>\n")
    w("    </nodes>\n    <edges>\n")
    for i, (a, b, d) in enumerate(g.edges(data=True)):
        weight = f' weight="{_value(d["weight"], "double")}"' if "weight" in d else ""
        w(f'      <edge id="{i}" source="{_attr(a)}" target="{_attr(b)}"{weight}>')
        vals = [(k, v) for k, v in d.items() if k in eid]
        if vals:
            w("<attvalues>")
            for k, v in vals:
                w(f'<attvalue for="{eid[k]}" value="{_value(v, edge_keys[k])}" />')
            w("</attvalues>")
        w("</edge>\n")
    w("    </edges>\n  </graph>\n</gexf>\n")
    return out.getvalue().encode("utf-8")


def _write_graphml(g: nx.Graph) -> bytes:
    node_keys = _keys((d for _, d in g.nodes(data=True)), {"viz"})
    edge_keys = _keys((d for _, _, d in g.edges(data=True)), set())
    out = io.StringIO()
    w = out.write
    w(
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for cls, keys, prefix in (("node", node_keys, "n"), ("edge", edge_keys, "e")):
        for k, t in keys.items():
            w(f'  <key id="{prefix}_{_attr(k)}" for="{cls}" attr.name="{_attr(k)}" attr.type="{t}" />\n')
    w('  <graph edgedefault="undirected">\n')
    for n, d in g.nodes(data=True):
        w(f'    <node id="{_attr(n)}">')
        for k, v in d.items():
            if k in node_keys:
                w(f'<data key="n_{_attr(k)}">{_value(v, node_keys[k])}</data>')
        w("</node>\n")
    for a, b, d in g.edges(data=True):
        w(f'    <edge source="{_attr(a)}" target="{_attr(b)}">')
        for k, v in d.items():
            w(f'<data key="e_{_attr(k)}">{_value(v, edge_keys[k])}</data>')
        w("</edge>\n")
    w("  </graph>\n</graphml>\n")
    return out.getvalue().encode("utf-8")


# -- tables -----------------------------------------------------------------------------------


@dataclass
class Table:
    """One sheet or CSV file: a name, column names, and rows of plain values."""

    name: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    text_columns: frozenset[str] = frozenset()  # kept as text in Excel even when they look like numbers


ID_COLUMNS = frozenset(
    {
        "id",
        "actor_id",
        "project_id",
        "pic",
        "vat",
        "orgnr",
        "county_code",
        "code",
        "county",
        "county_a",
        "county_b",
        "nuts3",
        "community",
        "theme_id",
        "municipality_code",
        "partner_county",
    }
)


def table_from_dicts(
    name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> Table:
    """A table whose columns are `columns` (or the union of keys in first-seen order); lists joined by '; '."""
    cols: list[str] = list(columns) if columns is not None else []
    if columns is None:
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
    out = Table(name=name, columns=cols, text_columns=frozenset(c for c in cols if c in ID_COLUMNS))
    for r in rows:
        out.rows.append([_cell(r.get(c)) for c in cols])
    return out


def _cell(v: Any) -> Any:
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, list | tuple | set | frozenset):
        return "; ".join(_cell(x) if not isinstance(x, str) else x for x in v)
    if hasattr(v, "value") and not isinstance(v, int | float | str):  # enums
        return v.value
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets (CSV/formula
# injection: a name "=HYPERLINK(…)" in a source becomes a live link in someone's spreadsheet).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value no spreadsheet runs and every writer accepts: text starting with `= + - @`, a tab or a
    CR gets a leading apostrophe, as OWASP recommends against CSV injection; control characters that XML
    (so XLSX) cannot hold are removed. Numbers, dates and None pass unchanged.

    >>> print(safe_cell('=HYPERLINK("http://evil.example","open")'))
    '=HYPERLINK("http://evil.example","open")
    >>> safe_cell("Blekinge\x1b[31m"), safe_cell(-5), safe_cell("-")
    ('Blekinge[31m', -5, "'-")
    """
    if not isinstance(value, str):
        return value
    value = clean(value, multiline=True)
    return "'" + value if value.startswith(_FORMULA_START) else value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for a CSV or XLSX writer: `safe_cell` of each value, None as an empty cell."""
    return ["" if v is None else safe_cell(v) for v in values]


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:60]


def write_csv(tables: Iterable[Table], folder: Path) -> list[Path]:
    """One `<name>.csv` per table (UTF-8 with BOM so Excel reads å, ä, ö); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in tables:
        p = folder / f"{_safe_name(t.name)}.csv"
        with p.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(safe_row(t.columns))
            w.writerows(safe_row(row) for row in t.rows)
        paths.append(p)
    return paths


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """One sheet per table: header frozen and bold, autofilter, fitted widths, ids as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for t in tables:
        ws = wb.create_sheet(title=_safe_name(t.name)[:31])
        ws.append([safe_cell(c) for c in t.columns])
        for cell in ws[1]:
            cell.font = bold
        text_idx = {i for i, c in enumerate(t.columns) if c in t.text_columns}
        widths = [len(c) for c in t.columns]
        for row in t.rows:
            values = [safe_cell(str(v) if i in text_idx and v is not None else v) for i, v in enumerate(row)]
            ws.append(values)
            for i, v in enumerate(values):
                if v is not None:
                    widths[i] = max(widths[i], len(str(v)) if not isinstance(v, float) else 10)
        if t.text_columns:
            for i in text_idx:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                    cell.number_format = "@"
        ws.freeze_panes = "A2"
        if t.columns:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.columns))}{max(len(t.rows) + 1, 1)}"
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w + 2, 8), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def record_tables(store: GraphStore, chosen: nx.Graph) -> list[Table]:
    """Actors, projects and participations inside the selected actor–project graph."""
    actor_ids = sorted(n for n, d in chosen.nodes(data=True) if d.get("type") == "actor")
    project_ids = sorted(d["id"] for _, d in chosen.nodes(data=True) if d.get("type") == "project")
    actors = store.get_actors(actor_ids)
    projects = store.get_projects(project_ids)
    wanted = set(project_ids)
    a_rows = []
    for aid in actor_ids:
        a = actors.get(aid)
        if a is None:
            continue
        a_rows.append(
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind.value,
                "country": a.country,
                "county_code": a.county_code,
                "county": COUNTIES[a.county_code].short_name if a.county_code in COUNTIES else None,
                "municipality": a.municipality,
                "city": a.city,
                "nuts3": a.nuts3,
                "pic": a.pic,
                "vat": a.vat,
                "orgnr": a.orgnr,
                "sme": a.sme,
                "website": a.website,
                "projects": sum(1 for _ in chosen.neighbors(aid)),
                "aliases": a.aliases,
                "sources": sorted({s.source for s in a.sources}),
            }
        )
    p_rows = []
    for pid in project_ids:
        p = projects.get(pid)
        if p is None:
            continue
        p_rows.append(
            {
                "id": p.id,
                "acronym": p.acronym,
                "title": p.title,
                "programme": p.programme,
                "programme_part": p.programme_part,
                "start": p.start.isoformat() if p.start else None,
                "end": p.end.isoformat() if p.end else None,
                "start_year": p.start.year if p.start else None,
                "budget": p.budget.amount if p.budget else None,
                "budget_currency": p.budget.currency if p.budget else None,
                "eu_contribution": p.eu_contribution.amount if p.eu_contribution else None,
                "eu_contribution_currency": p.eu_contribution.currency if p.eu_contribution else None,
                "members": sum(1 for _ in chosen.neighbors(project_node(pid))),
                "themes": p.themes,
                "topics": p.topics,
                "places": p.places,
                "funders": p.funders,
            }
        )
    part_rows = []
    keep_actors = set(actor_ids)
    # a unit's participations are its parent's, as in the graph the tables come from (Actor.part_of)
    _, participations = rolled_up(store.iter_actors(), store.iter_participations(), Settings().units_apart)
    for part in participations:
        if part.project_id in wanted and part.actor_id in keep_actors:
            part_rows.append(
                {
                    "actor_id": part.actor_id,
                    "project_id": part.project_id,
                    "role": part.role.value,
                    "contribution": part.contribution.amount if part.contribution else None,
                    "contribution_currency": part.contribution.currency if part.contribution else None,
                }
            )
    return [
        table_from_dicts("actors", a_rows, ACTOR_COLUMNS),
        table_from_dicts("projects", p_rows, PROJECT_COLUMNS),
        table_from_dicts("participations", part_rows, PARTICIPATION_COLUMNS),
    ]


ACTOR_COLUMNS = [
    "id",
    "name",
    "kind",
    "country",
    "county_code",
    "county",
    "municipality",
    "city",
    "nuts3",
    "pic",
    "vat",
    "orgnr",
    "sme",
    "website",
    "projects",
    "aliases",
    "sources",
]
PROJECT_COLUMNS = [
    "id",
    "acronym",
    "title",
    "programme",
    "programme_part",
    "start",
    "end",
    "start_year",
    "budget",
    "budget_currency",
    "eu_contribution",
    "eu_contribution_currency",
    "members",
    "themes",
    "topics",
    "places",
    "funders",
]
PARTICIPATION_COLUMNS = ["actor_id", "project_id", "role", "contribution", "contribution_currency"]


# -- what the CLI and the API call --------------------------------------------------------------


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
    isolated: IsolatedResult = run_analysis(store, "isolated", sel.everyone())
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


def _pairs(d: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in d.items())


def analysis_tables(store: GraphStore, scope: Scope) -> list[Table]:
    """One table per analysis result, for the scope, exactly as `run_analysis` returns it."""
    cen_r: CentralityResult = run_analysis(store, "centrality", scope)
    bro_r: BrokerageResult = run_analysis(store, "brokerage", scope)
    iso_r: IsolatedResult = run_analysis(store, "isolated", scope)
    cty_r: CountiesResult = run_analysis(store, "counties", scope)
    thm_r: ThemesResult = run_analysis(store, "themes", scope)
    com_r: CommunitiesResult = run_analysis(store, "communities", scope)
    isolated_rows = [
        {"list": name, **item.model_dump()} for name in ISOLATION_LISTS for item in getattr(iso_r, name)
    ]
    brokers = [
        {"list": name, **b.model_dump()} for name, items in iso_r.suggested_brokers.items() for b in items
    ]
    bridges = [{"between": "counties", **b.model_dump()} for b in bro_r.county_bridges] + [
        {"between": "communities", **b.model_dump()} for b in bro_r.community_bridges
    ]
    communities = [
        {
            "id": c.id,
            "size": c.size,
            "scoped_members": c.scoped_members,
            "counties": _pairs(c.counties),
            "themes": _pairs(c.themes),
            "members_top": [m.name for m in c.members_top],
        }
        for c in com_r.communities
    ]
    themes = [{**t.model_dump(exclude={"by_county"}), "by_county": _pairs(t.by_county)} for t in thm_r.themes]
    about = [
        {"item": "scope", "value": json.dumps(scope.describe(), ensure_ascii=False)},
        {"item": "betweenness", "value": cen_r.betweenness.text},
        {
            "item": "communities",
            "value": f"{com_r.algorithm}, seed {com_r.seed}, modularity {com_r.modularity}",
        },
        {"item": "scope in words", "value": scope.text()},
        {
            "item": "partial sources",
            "value": iso_r.partial_sources or "none: every project lists all its members",
        },
        {"item": "county null model", "value": cty_r.null_model},
        *({"item": f"isolated: {k}", "value": v} for k, v in iso_r.rules.items()),
        {"item": "themes", "value": thm_r.note},
    ]
    return [
        table_from_dicts(
            "centrality", [r.model_dump() for r in cen_r.rows], list(CentralityRow.model_fields)
        ),
        table_from_dicts("brokerage", [r.model_dump() for r in bro_r.rows], list(BrokerageRow.model_fields)),
        table_from_dicts("bridges", bridges, ["between", *BridgeEdge.model_fields]),
        table_from_dicts("isolated", isolated_rows, ["list", *IsolatedActor.model_fields]),
        table_from_dicts("suggested_brokers", brokers, ["list", *BrokerSuggestion.model_fields]),
        table_from_dicts("counties", [r.model_dump() for r in cty_r.counties], list(CountyRow.model_fields)),
        table_from_dicts(
            "county_pairs", [r.model_dump() for r in cty_r.pairs], list(CountyPair.model_fields)
        ),
        table_from_dicts("themes", themes, list(ThemeGap.model_fields)),
        table_from_dicts(
            "communities", communities, list(communities[0]) if communities else COMMUNITY_COLUMNS
        ),
        table_from_dicts("about", about, ["item", "value"]),
    ]


COMMUNITY_COLUMNS = ["id", "size", "scoped_members", "counties", "themes", "members_top"]


def build_graph_file(
    store: GraphStore, sel: Scope, fmt: str, bipartite: bool = False
) -> tuple[bytes, nx.Graph]:
    """The exported file's bytes and the annotated graph they hold."""
    if fmt not in GRAPH_FORMATS:
        raise InvalidInput(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")
    prep = prepare(store)
    chosen = select_bipartite(prep.bipartite, sel, prep.project_themes)
    actors = [n for n, d in chosen.nodes(data=True) if d.get("type") == "actor"]
    g = export_graph(chosen, node_measures(store, sel, actors), fmt, bipartite=bipartite)
    g.graph["description"] = graph_description(store, sel)
    return graph_bytes(g, fmt), g


def graph_description(store: GraphStore, scope: Scope) -> str:
    """What the file covers, in words: the scope, the partial sources and the county pairs' figures.

    The observed/expected figures are `run_analysis("counties")`'s for the same scope, so a GEXF says
    what the counties view, `innograph analyze counties`, the county report and the XLSX say.
    """
    cty: CountiesResult = run_analysis(store, "counties", scope)
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


def funding_tables(store: GraphStore, scope: Scope) -> list[Table]:
    """The funding sheets: every total of `innograph funding` for the scope, and the county benchmark.

    The rows are `graph.analysis.funding.funding_rows`, the same flattening as the CLI's `--csv`.
    """
    facts, names = store_facts(store)
    result = funding(facts, scope, names)
    bench = benchmark(facts, scope, names)
    totals = Table(
        name="funding",
        columns=list(TOTAL_COLUMNS),
        rows=[[_cell(v) for v in row] for row in funding_rows(result)],
        text_columns=frozenset({"breakdown", "key"}),
    )
    ranking = table_from_dicts(
        "funding_benchmark",
        [r.model_dump() for r in bench.rows],
        list(BENCHMARK_COLUMNS),
    )
    about = table_from_dicts(
        "funding_about",
        [
            {"item": "scope", "value": json.dumps(result.scope, ensure_ascii=False)},
            {"item": "not covered", "value": result.not_covered},
            {"item": "attribution", "value": result.attribution},
            *({"item": f"amount: {p}", "value": m} for p, m in result.amounts.items()),
            *({"item": f"SEK per EUR {y}", "value": r} for y, r in result.rates_used.items()),
            {"item": "population", "value": f"{result.population_year}: {result.population_source}"},
            *({"item": "benchmark", "value": line} for line in bench.lines),
        ],
        ["item", "value"],
    )
    return [totals, ranking, about]


def build_tables(store: GraphStore, sel: Scope) -> list[Table]:
    """Actors, projects, participations in the selection, every analysis result, then the funding sheets."""
    prep = prepare(store)
    chosen = select_bipartite(prep.bipartite, sel, prep.project_themes)
    return [*record_tables(store, chosen), *analysis_tables(store, sel), *funding_tables(store, sel)]


def export_bytes(store: GraphStore, kind: str, sel: Scope, bipartite: bool = False) -> bytes:
    """The file of a graph export (`gexf`, `graphml`) or of the tables (`xlsx`) for a selection, built
    once per store version and kept beside the store (`graph.cache`): the API and the precompute of the
    South Sweden counties ask for the same bytes."""
    key = f"export:{kind}:{sel!r}:{sel.graph_counties}:{bipartite}"
    if kind == "xlsx":
        return on_graphs(store, key, lambda _: xlsx_bytes(build_tables(store, sel)))
    return on_graphs(store, key, lambda _: build_graph_file(store, sel, kind, bipartite=bipartite)[0])
