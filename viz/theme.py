"""One theme (S3 area, programme part, policy objective): its projects and the actors in them.

A bipartite picture: projects as grey boxes, actors as dots coloured by kind, a line for each
participation. Large themes are capped to the newest projects, with a note.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from graph.errors import NotFound
from graph.store.base import GraphStore, ProjectFilter
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import PROJECT_COLOUR, actor_url, kind_colour, kind_legend, scale, short


def theme_view(store: GraphStore, theme_id: str, max_projects: int = 60, max_actors: int = 250) -> View:
    theme = next((t for t in store.themes() if t.id == theme_id), None)
    if theme is None:
        raise NotFound(f"no theme {theme_id!r} (see /themes)")
    projects, total = store.search_projects("", ProjectFilter(theme=(theme_id,)), limit=max_projects)
    parts = [p for proj in projects for p in store.participations(project_id=proj.id)]
    counts = Counter(p.actor_id for p in parts)
    keep = [aid for aid, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_actors]]
    actors = store.get_actors(keep)
    sizes = scale({aid: float(counts[aid]) for aid in actors}, lo=8, hi=30)

    net = new_network()
    for proj in projects:
        when = f"{proj.start.year}" if proj.start else "start unknown"
        net.add_node(
            "project:" + proj.id,
            label=short(proj.acronym or proj.title, 24),
            shape="box",
            color=PROJECT_COLOUR,
            title=f"{proj.title}\n{proj.programme} · {when}\nmembers: {sum(1 for p in parts if p.project_id == proj.id)}",
            name=proj.title,
            url="/projects/" + quote(proj.id, safe=":"),
        )
    for aid, a in sorted(actors.items()):
        net.add_node(
            aid,
            label=short(a.name, 28),
            color=kind_colour(a.kind.value),
            size=round(sizes[aid], 2),
            title=f"{a.name}\n{a.kind.value.replace('_', ' ')} · {a.county_code or a.country or ''}\n"
            f"projects in this theme (shown): {counts[aid]}",
            name=a.name,
            url=actor_url(aid),
        )
    for p in parts:
        if p.actor_id in actors:
            add_edge(
                net, p.actor_id, "project:" + p.project_id, title=p.role.value, color={"color": "#b0bcc8"}
            )

    notes = []
    if total > len(projects):
        notes.append(f"Capped: showing the {len(projects)} newest of {total} projects on this theme.")
    if len(counts) > len(actors):
        notes.append(f"Capped: showing the {len(actors)} most active of {len(counts)} actors.")
    if not projects:
        notes.append("No project in the store addresses this theme yet.")
    return View(
        title=f"Theme: {theme.name}",
        subtitle=f"{theme.kind.value.replace('_', ' ')} · {theme.id}"
        + (f" · {theme.description}" if theme.description else ""),
        net=net,
        notes=notes,
        legend=[
            LegendItem("project", PROJECT_COLOUR, "box"),
            *kind_legend({a.kind.value for a in actors.values()}),
            LegendItem("size: projects in this theme", "#ffffff"),
        ],
        links=[
            ("All themes (JSON)", "/themes"),
            ("Actors on this theme (JSON)", "/actors?theme=" + quote(theme.id)),
        ],
        physics=True,
    )
