"""Colours and sizes shared by the views, so one kind looks the same everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from graph.model import ActorKind
from viz.page import LegendItem

KIND_COLOURS: dict[str, str] = {
    ActorKind.university: "#1f77b4",
    ActorKind.research_institute: "#17becf",
    ActorKind.science_park: "#2ca02c",
    ActorKind.incubator: "#98df8a",
    ActorKind.business_support: "#bcbd22",
    ActorKind.cluster_organisation: "#8c564b",
    ActorKind.regional_authority: "#d62728",
    ActorKind.municipality: "#ff9896",
    ActorKind.government_agency: "#9467bd",
    ActorKind.company: "#ff7f0e",
    ActorKind.association: "#e377c2",
    ActorKind.other: "#7f7f7f",
}
PROJECT_COLOUR = "#c8d3df"


def kind_colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, KIND_COLOURS[ActorKind.other])


def kind_legend(kinds: set[str]) -> list[LegendItem]:
    """Legend rows for the kinds present in a view, in the enum's order."""
    return [LegendItem(k.value.replace("_", " "), KIND_COLOURS[k]) for k in ActorKind if k.value in kinds]


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
