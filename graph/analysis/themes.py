"""Theme gaps: for each smart-specialisation area and programme part, which counties take part.

A county takes part in a theme when at least one of its actors is in a counting project on that
theme. A project is on a theme when its `themes` list names it, or when `graph.crosswalk` maps the
project onto it (programme parts, policy objectives and ERDF objectives onto S3 areas).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx


@dataclass
class ThemePresence:
    theme_id: str
    projects: int = 0
    actors_by_county: dict[str, set[str]] = field(default_factory=dict)


def theme_presence(
    bipartite: nx.Graph,
    projects: Iterable[str],
    project_themes: Mapping[str, Iterable[str]],
    counties: Iterable[str],
) -> dict[str, ThemePresence]:
    """Per theme id: the number of counting projects on it and the actors of each county in them.

    Parameters
    ----------
    bipartite : networkx.Graph
        Actor–project graph; actor nodes carry `county_code`.
    projects : iterable of str
        The project nodes that count.
    project_themes : mapping
        Project node → theme ids of that project (its own and any crosswalk themes).
    counties : iterable of str
        The counties looked at; actors elsewhere are not counted.
    """
    wanted = set(counties)
    out: dict[str, ThemePresence] = {}
    for p in projects:
        themes = sorted(set(project_themes.get(p, ())))
        if not themes:
            continue
        members: dict[str, set[str]] = defaultdict(set)
        for a in bipartite[p]:
            c = bipartite.nodes[a].get("county_code", "")
            if c in wanted:
                members[c].add(a)
        for t in themes:
            tp = out.setdefault(t, ThemePresence(t))
            tp.projects += 1
            for c, actors in members.items():
                tp.actors_by_county.setdefault(c, set()).update(actors)
    return out


def theme_kind(theme_id: str) -> str:
    """The kind a theme id implies by its prefix, for themes that have no `Theme` record."""
    prefix = theme_id.split(":", 1)[0]
    return {
        "s3": "s3_area",
        "part": "programme_part",
        "po": "policy_objective",
        "erdf-to": "thematic_objective",
        "erdf-axis": "thematic_objective",
    }.get(prefix, "topic")


def theme_projects(
    bipartite: nx.Graph,
    project_themes: Mapping[str, Iterable[str]],
    theme_id: str,
    counties: Iterable[str] = (),
) -> list[str]:
    """The project nodes on a theme, with a member in one of `counties` when any are given.

    On a theme means as everywhere in the analysis (`Scope.project_matches`): the project names the
    theme, `graph.crosswalk` maps it there (in `project_themes`), or it is the project's programme
    part. The theme view and the county report list exactly these projects.
    """
    wanted = set(counties)
    out = []
    for n, d in bipartite.nodes(data=True):
        if d.get("type") != "project":
            continue
        on_theme = (
            theme_id in project_themes.get(n, ())
            or theme_id in d.get("themes", ())
            or d.get("programme_part") == theme_id
        )
        if not on_theme:
            continue
        if wanted and not any(bipartite.nodes[a].get("county_code") in wanted for a in bipartite[n]):
            continue
        out.append(n)
    return sorted(out)
