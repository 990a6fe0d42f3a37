"""Colours and sizes shared by every drawing, so one kind looks the same everywhere: the views, the
report's charts and the GEXF files opened in Gephi."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from graph.model import ActorKind
from viz.page import LegendItem

# The one palette of every drawing (views, the report's charts, the GEXF exports): colour-blind-safe
# first (Okabe & Ito 2008), then tints and greys. Graph code never imports viz, so the exports get
# their colours from the CLI and the API, which pass `NODE_COLOURS` to `graph.export`.
KIND_COLOURS: dict[str, str] = {
    ActorKind.university: "#0072B2",
    ActorKind.research_institute: "#56B4E9",
    ActorKind.science_park: "#009E73",
    ActorKind.incubator: "#00C896",
    ActorKind.business_support: "#F0E442",
    ActorKind.cluster_organisation: "#00503C",
    ActorKind.regional_authority: "#D55E00",
    ActorKind.municipality: "#E69F00",
    ActorKind.government_agency: "#CC79A7",
    ActorKind.company: "#787878",
    ActorKind.association: "#AA78C8",
    ActorKind.other: "#BEBEBE",
}
PROJECT_COLOUR = "#c8d3df"
#: A node's colour by kind name, and `project`: what a GEXF export draws (`graph.export.Colours`).
NODE_COLOURS: dict[str, str] = {kind.value: KIND_COLOURS[kind] for kind in ActorKind} | {
    "project": PROJECT_COLOUR
}
#: Series colours of the charts (`viz.charts`), in order: the same colour-blind-safe set, then greys.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#666666",
    "#BBBBBB",
    "#444444",
)


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, KIND_COLOURS[ActorKind.other])


def kind_legend(kinds: set[str], lang: str = "en") -> list[LegendItem]:
    """Legend rows for the kinds present in a view, in the enum's order, worded in `lang`."""
    from viz.texts import kind_word

    return [LegendItem(kind_word(k.value, lang), KIND_COLOURS[k]) for k in ActorKind if k.value in kinds]


def scale(values: Mapping[str, float], lo: float = 10.0, hi: float = 40.0) -> dict[str, float]:
    """Map values linearly onto node sizes lo..hi (all equal values get the middle size)."""
    if not values:
        return {}
    vmin, vmax = min(values.values()), max(values.values())
    if vmax <= vmin:
        return {k: (lo + hi) / 2 for k in values}
    return {k: lo + (v - vmin) / (vmax - vmin) * (hi - lo) for k, v in values.items()}


def actor_url(actor_id: str) -> str:
    return "/views/actor/" + quote(actor_id, safe=":")


def short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
