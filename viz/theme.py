"""One theme (S3 area, programme part, policy objective): its projects and the actors in them.

A bipartite picture: projects as grey boxes, actors as dots coloured by kind, a line for each
participation; South Swedish actors carry a thick dark border and a readable label. Beside it, a
table of the projects with their South Swedish actors.

The projects are those `graph.analysis.themes.theme_projects` finds (the project names the theme,
the crosswalk maps it there, or it is its programme part), the same set the county report counts:
for an S3 area, the projects with an actor in a county whose strategy names the area. Large themes
are capped to the projects with South Swedish actors first, then the newest, with a note.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from graph.analysis.run import Prepared, on_graphs
from graph.analysis.themes import theme_projects
from graph.errors import NotFound
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.model import ThemeKind
from graph.store.base import GraphStore
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import PROJECT_COLOUR, actor_url, kind_colour, kind_legend, scale, short
from viz.texts import kind_word, texts

SOUTH_BORDER = "#12344d"
TOP_LABELS = 25
MAX_TABLE_ROWS = 200


@dataclass
class ThemeSelection:
    """What a theme's page shows from the graph: its projects ranked (those with South Swedish actors
    first, then the newest; at most `MAX_TABLE_ROWS`), each with its members and South Swedish members.
    Derived data of the store version (`on_graphs`), so the page reads it without building the graphs."""

    total: int
    ranked: list[str]
    ids: dict[str, str]
    members: dict[str, list[str]]
    locals: dict[str, list[tuple[str, str]]]
    south_actors: set[str]


def theme_selection(store: GraphStore, theme_id: str, counties: tuple[str, ...]) -> ThemeSelection:
    def compute(prep: Prepared) -> ThemeSelection:
        g = prep.bipartite
        nodes = theme_projects(g, prep.project_themes, theme_id, counties)
        south = set(SOUTH_SWEDEN)

        def local(n: str) -> list[tuple[str, str]]:
            return sorted(
                (str(g.nodes[a].get("name", a)), a) for a in g[n] if g.nodes[a].get("county_code") in south
            )

        ranked = sorted(nodes, key=lambda n: (not local(n), -(g.nodes[n].get("start_year") or 0), n))[
            :MAX_TABLE_ROWS
        ]
        locals_ = {n: local(n) for n in ranked}
        return ThemeSelection(
            total=len(nodes),
            ranked=ranked,
            ids={n: str(g.nodes[n]["id"]) for n in ranked},
            members={n: sorted(g[n]) for n in ranked},
            locals=locals_,
            south_actors={a for ls in locals_.values() for _, a in ls},
        )

    return on_graphs(store, f"view:theme:{theme_id}:{counties}:{MAX_TABLE_ROWS}", compute)


def theme_selections(store: GraphStore) -> None:
    """Every theme's selection (the precompute: no theme page builds the graphs on a request)."""
    for theme in store.themes():
        counties = tuple(theme.county_codes) if theme.kind is ThemeKind.s3_area else ()
        theme_selection(store, theme.id, counties)


def theme_view(
    store: GraphStore, theme_id: str, max_projects: int = 60, max_actors: int = 250, lang: str = "en"
) -> View:
    t = texts("views", lang)
    theme = next((t for t in store.themes() if t.id == theme_id), None)
    if theme is None:
        raise NotFound(f"no theme {theme_id!r} (see /themes)")
    counties = tuple(theme.county_codes) if theme.kind is ThemeKind.s3_area else ()
    sel = theme_selection(store, theme_id, counties)
    ranked = sel.ranked
    shown = ranked[:max_projects]
    projects = store.get_projects([sel.ids[n] for n in shown])
    members: dict[str, list[str]] = {sel.ids[n]: sel.members[n] for n in shown}
    counts = Counter(a for ms in members.values() for a in ms)
    is_south = {a for a in counts if a in sel.south_actors}
    keep = sorted(counts, key=lambda a: (a not in is_south, -counts[a], a))[:max_actors]
    actors = store.get_actors(keep)
    sizes = scale({aid: float(counts[aid]) for aid in actors}, lo=8, hi=30)
    top = set(sorted(actors, key=lambda a: (a not in is_south, -counts[a], a))[:TOP_LABELS])

    net = new_network()
    for pid in sorted(projects):
        proj = projects[pid]
        when = f"{proj.start.year}" if proj.start else t["tip_start_unknown"]
        net.add_node(
            "project:" + proj.id,
            label=short(proj.acronym or proj.title, 24),
            shape="box",
            color=PROJECT_COLOUR,
            title=f"{proj.title}\n{proj.programme} · {when}\n" + t["tip_members"].format(n=len(members[pid])),
            name=proj.title,
            url="/projects/" + quote(proj.id, safe=":"),
        )
    for aid, a in sorted(actors.items()):
        local = aid in is_south
        place = COUNTIES[a.county_code].short_name if a.county_code in COUNTIES else (a.country or "")
        net.add_node(
            aid,
            label=short(a.name, 28),
            color={"background": kind_colour(a.kind.value), "border": SOUTH_BORDER if local else "#9aa5b1"},
            borderWidth=4 if local else 1,
            size=round(sizes[aid], 2),
            font={"size": 15 if aid in top else 9, "color": "#1f2933" if local else "#52606d"},
            title=f"{a.name}\n{kind_word(a.kind.value, lang)} · {place}\n"
            + t["tip_projects_in_theme"].format(n=counts[aid]),
            name=a.name,
            south=local,
            url=actor_url(aid),
        )
    for pid, ms in sorted(members.items()):
        for aid in ms:
            if aid in actors:
                add_edge(net, aid, "project:" + pid, color={"color": "#b0bcc8"})

    where = (
        t["theme_where_counties"].format(
            names=", ".join(COUNTIES[c].short_name for c in counties if c in COUNTIES)
        )
        if counties
        else t["theme_where_all"]
    )
    notes = []
    total = sel.total
    if total > len(shown):
        notes.append(t["theme_capped"].format(shown=len(shown), n=total))
    if len(counts) > len(actors):
        notes.append(t["theme_actors_capped"].format(shown=len(actors), n=len(counts)))
    if not total:
        notes.append(t["theme_none"])
    table_rows = []
    all_projects = store.get_projects([sel.ids[n] for n in ranked[:MAX_TABLE_ROWS]])
    for n in ranked[:MAX_TABLE_ROWS]:
        pid = sel.ids[n]
        p = all_projects.get(pid)
        if p is None:
            continue
        locals_ = sel.locals[n]
        table_rows.append(
            [
                (short(p.acronym or p.title, 40), "/projects/" + quote(pid, safe=":")),
                (f"{p.programme} {p.start.year if p.start else ''}".strip(), None),
                ("; ".join(name for name, _ in locals_) or "–", None),
                (str(len(sel.members[n])), None),
            ]
        )
    by_kind: dict[str, int] = defaultdict(int)
    for a in actors.values():
        by_kind[a.kind.value] += 1
    return View(
        title=t["theme_title"].format(name=theme.name),
        subtitle=f"{t.get('themekind_' + theme.kind.value, theme.kind.value)} · {theme.id}"
        + (f" · {theme.description}" if theme.description else ""),
        net=net,
        notes=notes,
        scope_line=t["theme_scope"].format(n=total, where=where),
        legend=[
            LegendItem(t["project"], PROJECT_COLOUR, "box"),
            *kind_legend(set(by_kind), lang),
            LegendItem(t["south_border"], SOUTH_BORDER),
            LegendItem(t["size_theme"], "#ffffff"),
        ],
        links=[
            (t["all_themes"], "/themes"),
            (t["theme_actors"], "/actors?theme=" + quote(theme.id)),
        ],
        table_caption=t["theme_caption"].format(n=total),
        table_head=[t["h_project"], t["h_programme"], t["h_south"], t["h_members"]],
        table=table_rows,
        side_table=True,
        physics=True,
    )
