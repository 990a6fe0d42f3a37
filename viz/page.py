"""Render a view as one offline HTML page: our own template, no CDN, names only ever as text.

pyvis builds the node and edge dictionaries (`pyvis.network.Network`); we do not use its template,
because that one links Bootstrap from a CDN and has a code path that puts `title` into `innerHTML`.
Instead the graph goes into the page as JSON inside `<script type="application/json">` with `<`, `>`
and `&` written as `\\u003c`, `\\u003e`, `\\u0026`, so no name can close the script element, and
`viz/static/innograph.js` turns each tooltip into a DOM element filled with `textContent`.
Everything else on the page goes through Jinja with autoescaping on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

from viz.texts import partial_line, say, texts

VIS_DIR = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
STATIC_DIR = Path(__file__).parent / "static"

# The files a page may load, all served by the API from the installed packages (see api/routes/views.py).
STATIC_FILES: dict[str, Path] = {
    "vis-network.min.js": VIS_DIR / "vis-network.min.js",
    "vis-network.css": VIS_DIR / "vis-network.css",
    "innograph.js": STATIC_DIR / "innograph.js",
    "innograph.css": STATIC_DIR / "innograph.css",
    "start.js": STATIC_DIR / "start.js",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("viz", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals["say"] = say  # a reason's `Said` in the page's language: {{ say(a.said, lang) }}
_ENV.globals["partial"] = partial_line  # the partial-sources line in the page's language


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    shape: str = "dot"  # dot, box, line


@dataclass
class View:
    """One network page: a pyvis network plus the words around it."""

    title: str
    net: Network
    subtitle: str = ""
    notes: list[str] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    table_caption: str = ""
    table_head: list[str] = field(default_factory=list)
    table: list[list[tuple[str, str | None]]] = field(default_factory=list)  # cells: (text, href)
    # Further tables below the first: (id, caption, head, rows), e.g. the partner finder's gaps.
    sections: list[tuple[str, str, list[str], list[list[tuple[str, str | None]]]]] = field(
        default_factory=list
    )
    physics: bool = True
    side_table: bool = False  # large views: the table beside the network, not below it
    scope_line: str = ""  # what the figures cover: counties, programmes, years, the model of "expected"
    partial_sources: str = ""  # the sources that do not list every member (`graph.model.coverage_line`)


def new_network() -> Network:
    """A pyvis network with the options every view shares (physics stabilises, then the page stops it)."""
    net = Network(height="70vh", width="100%", cdn_resources="in_line")
    net.options = base_options(physics=True)
    return net


def base_options(physics: bool, iterations: int = 400) -> dict[str, Any]:
    return {
        "autoResize": True,
        "nodes": {"shape": "dot", "font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {"color": {"inherit": False}, "smooth": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "physics": {
            "enabled": physics,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.4},
            "stabilization": {"enabled": physics, "iterations": iterations, "fit": True},
        },
    }


def script_json(data: Any) -> str:
    """JSON safe to place inside a `<script type="application/json">` element (no `<`, `>`, `&`)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def graph_payload(view: View) -> dict[str, Any]:
    options = (
        view.net.options if isinstance(view.net.options, dict) else json.loads(view.net.options.to_json())
    )
    options = dict(options)
    physics = dict(options.get("physics", {}))
    physics["enabled"] = view.physics
    options["physics"] = physics
    return {"nodes": view.net.nodes, "edges": view.net.edges, "options": options}


def render_view(view: View, lang: str = "en") -> str:
    template = _ENV.get_template("network.html")
    return template.render(
        view=view,
        lang=lang,
        ui=texts("pages", lang),
        graph_json=script_json(graph_payload(view)),
        node_count=len(view.net.nodes),
        edge_count=len(view.net.edges),
    )


def render_page(name: str, lang: str = "en", **context: Any) -> str:
    """Any other page of the site (the start page, error pages, the report), autoescaped, in `lang`."""
    context.setdefault("ui", texts("pages", lang))
    return _ENV.get_template(name).render(lang=lang, **context)


def add_edge(net: Network, source: str, target: str, **options: Any) -> None:
    """Append an edge built by pyvis's `Edge` without `Network.add_edge`'s scan of every edge.

    `Network.add_edge` checks each new edge against all edges so far (quadratic); the views build
    each pair once, so that check is not needed and a 2,000-edge view stays fast.
    """
    net.edges.append(Edge(source, target, net.directed, **options).options)
