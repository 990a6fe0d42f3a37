"""What an analysis, a view, an export or a report looks at: counties, and which projects count.

`Scope` is the one scope type of the project (issue 15: it replaced the export's `Selection`), with
one parser (`Scope.parse`, for CLI options and query parameters alike), one click decorator
(`api.cli.scope_options`) and one FastAPI dependency (`api.deps.ScopeDep`). See the package docstring
(`graph.analysis`) for the exact semantics in analyses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from graph.errors import InvalidInput
from graph.geo import COUNTIES, SOUTH_SWEDEN, county_codes
from graph.projection import collaboration_graph

#: Programme names (`Project.programme`) that are EU-funded.
EU_PROGRAMMES: tuple[str, ...] = ("ERDF", "FP7", "Horizon 2020", "Horizon Europe", "Interreg")

#: The one range of project start years a scope accepts (CLI options and query parameters alike).
YEAR_MIN = 1950
YEAR_MAX = 2100


@dataclass(frozen=True)
class Scope:
    """Counties reported on, and filters on the projects that count.

    `counties=()` means every actor, whatever its county or country. Each other tuple is "any of";
    an empty tuple does not filter. `start_year`/`end_year` bound the project's start year
    (inclusive); when either is set, projects with no known start do not count.

    `counties_named` says whether the user named the counties (or `all`) rather than taking the
    default (South Sweden). Analyses report on `counties` either way; a graph export cuts the graph
    to named counties only, and writes the whole graph otherwise (`graph_counties`). It takes no
    part in equality, so caches keyed by scope do not split on it.
    """

    counties: tuple[str, ...] = SOUTH_SWEDEN
    programme: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    counties_named: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        for c in self.counties:
            if c not in COUNTIES:
                raise InvalidInput(
                    f"unknown county code {c!r}: use an SCB code such as 10 (Blekinge), or 'all'"
                )
        for year in (self.start_year, self.end_year):
            if year is not None and not YEAR_MIN <= year <= YEAR_MAX:
                raise InvalidInput(f"year {year} is out of range: use a start year in {YEAR_MIN}–{YEAR_MAX}")
        if self.start_year is not None and self.end_year is not None and self.start_year > self.end_year:
            raise InvalidInput(f"period {self.start_year}–{self.end_year} is empty: --from is after --to")

    @classmethod
    def parse(
        cls,
        counties: Iterable[str] | None = (),
        programme: Iterable[str] | None = (),
        theme: Iterable[str] | None = (),
        start_year: int | None = None,
        end_year: int | None = None,
    ) -> Scope:
        """The scope of CLI options or query parameters.

        Counties are read by `graph.geo.county_codes` (codes, `south-sweden`, `all` for every actor);
        none means South Sweden (and, for a graph export, the whole graph). Programmes and themes are repeatable.
        Raises InvalidInput on an unknown county, a year out of range or an empty period.
        """
        codes = county_codes(counties)
        return cls(
            counties=() if codes is None else (codes or SOUTH_SWEDEN),
            programme=tuple(sorted({p.strip() for p in programme or () if p.strip()})),
            theme=tuple(sorted({t.strip() for t in theme or () if t.strip()})),
            start_year=start_year,
            end_year=end_year,
            counties_named=codes != (),
        )

    @property
    def graph_counties(self) -> tuple[str, ...]:
        """The counties a graph export cuts to: the named ones; none (the whole graph) by default or `all`."""
        return self.counties if self.counties_named else ()

    def everyone(self) -> Scope:
        """The same project filters, reported on every actor (what per-node measures need)."""
        return replace(self, counties=(), counties_named=True)

    def text(self) -> str:
        """The scope in one line of words, for pages and reports ("Scope: counties …; programmes …")."""
        names = ", ".join(COUNTIES[c].short_name for c in self.counties)
        parts = [f"counties {names}" if self.counties else "every county and country"]
        if self.programme:
            parts.append("programmes " + ", ".join(self.programme))
        if self.theme:
            parts.append("themes " + ", ".join(self.theme))
        if self.start_year is not None or self.end_year is not None:
            parts.append(f"projects starting {self.start_year or '…'}–{self.end_year or '…'}")
        else:
            parts.append("all years")
        return "Scope: " + "; ".join(parts) + "."

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
