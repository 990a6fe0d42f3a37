"""Writing an annotated graph to bytes: GEXF 1.2 (with `viz` colour and size), GraphML, node-link JSON.

The writers only serialise: which nodes, edges and attributes a file holds is `graph.export.graphs`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import networkx as nx

from graph.errors import InvalidInput

GRAPH_FORMATS: tuple[str, ...] = ("gexf", "graphml", "json")


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
