"""What an analysis reports on: a set of counties, and which projects count (programme, theme, period).

See the package docstring (`graph.analysis`) for the exact semantics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from graph.errors import InvalidInput
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.projection import collaboration_graph

#: Programme names (`Project.programme`) that are EU-funded.
EU_PROGRAMMES: tuple[str, ...] = ("ERDF", "FP7", "Horizon 2020", "Horizon Europe", "Interreg")


@dataclass(frozen=True)
class Scope:
    """Counties reported on, and filters on the projects that count.

    `counties=()` means every actor, whatever its county or country. Each other tuple is "any of";
    an empty tuple does not filter. `start_year`/`end_year` bound the project's start year
    (inclusive); when either is set, projects with no known start do not count.
    """

    counties: tuple[str, ...] = SOUTH_SWEDEN
    programme: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None

    def __post_init__(self) -> None:
        for c in self.counties:
            if c not in COUNTIES:
                raise InvalidInput(f"unknown county code {c!r}: use an SCB code such as 10 (Blekinge)")
        if self.start_year is not None and self.end_year is not None and self.start_year > self.end_year:
            raise InvalidInput(f"period {self.start_year}–{self.end_year} is empty: --from is after --to")

    @property
    def filters_projects(self) -> bool:
        return bool(self.programme or self.theme or self.start_year is not None or self.end_year is not None)

    def project_matches(self, attrs: dict[str, Any], extra_themes: Iterable[str] = ()) -> bool:
        """Whether a project node (attributes from `graph.projection.project_attrs`) counts."""
        if self.programme:
            wanted = {p.casefold() for p in self.programme}
            if str(attrs.get("programme", "")).casefold() not in wanted:
                return False
        if self.theme:
            themes = {*attrs.get("themes", ()), *extra_themes}
            part = attrs.get("programme_part") or ""
            if not (set(self.theme) & themes) and part not in self.theme:
                return False
        if self.start_year is not None or self.end_year is not None:
            year = attrs.get("start_year")
            if year is None:
                return False
            if self.start_year is not None and year < self.start_year:
                return False
            if self.end_year is not None and year > self.end_year:
                return False
        return True

    def actor_in_counties(self, attrs: dict[str, Any]) -> bool:
        return not self.counties or attrs.get("county_code", "") in self.counties

    def describe(self) -> dict[str, Any]:
        return {
            "counties": list(self.counties),
            "programme": list(self.programme),
            "theme": list(self.theme),
            "start_year": self.start_year,
            "end_year": self.end_year,
        }


@dataclass
class View:
    """The part of the graph a scope looks at.

    `bipartite`/`collab` are the whole graphs (scores are computed there); `projects` the project
    nodes that count; `view_bipartite`/`view_collab` the graphs restricted to those projects (every
    actor kept); `county_actors` every actor in the scope's counties and `actors` those of them that
    take part in a project that counts (all of them when no project filter is set), both sorted.
    """

    bipartite: nx.Graph
    collab: nx.Graph
    projects: list[str]
    view_bipartite: nx.Graph
    view_collab: nx.Graph
    county_actors: list[str]
    actors: list[str]


def make_view(
    bipartite: nx.Graph, collab: nx.Graph, scope: Scope, project_themes: dict[str, tuple[str, ...]]
) -> View:
    """Restrict the graphs to a scope; `project_themes` adds crosswalk themes to each project node."""
    projects = sorted(
        n
        for n, d in bipartite.nodes(data=True)
        if d.get("type") == "project" and scope.project_matches(d, project_themes.get(n, ()))
    )
    if scope.filters_projects:
        keep = {n for n, d in bipartite.nodes(data=True) if d.get("type") == "actor"} | set(projects)
        view_b = nx.Graph(bipartite.subgraph(sorted(keep)))
        view_c = collaboration_graph(view_b)
    else:
        view_b, view_c = bipartite, collab
    county_actors = sorted(n for n, d in collab.nodes(data=True) if scope.actor_in_counties(d))
    actors = [n for n in county_actors if not scope.filters_projects or view_b.degree(n) > 0]
    return View(bipartite, collab, projects, view_b, view_c, county_actors, actors)
