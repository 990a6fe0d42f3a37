"""The ego network of one actor: its partners (depth 1) and their partners (depth 2), capped.

Nodes are coloured by kind and sized by their weighted degree inside the view (a degree centrality:
shared projects with the actors shown). Edge width is the number of projects two actors share.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from graph.errors import NotFound
from graph.geo import COUNTIES
from graph.model import Actor, Participation
from graph.projection import rolled_up, rollup, shared_projects
from graph.settings import Settings
from graph.store.base import GraphStore, Neighbourhood
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import actor_url, kind_colour, kind_legend, scale, short
from viz.texts import kind_labels, kind_word, texts

MAX_DEPTH = 2
MAX_TABLE_ROWS = 50
TOP_LABELS = 15


def place(county_code: str | None, country: str | None) -> str:
    if county_code and county_code in COUNTIES:
        return COUNTIES[county_code].name
    return country or "country unknown"


def ego_view(
    store: GraphStore,
    actor_id: str,
    depth: int = 1,
    max_nodes: int = 150,
    max_edges: int = 1500,
    lang: str = "en",
) -> View:
    """Build the ego view; raises NotFound for an unknown actor, ValueError for a depth outside 1–2."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 1 or 2, not {depth}")
    apart = Settings().units_apart
    nb = store.neighbourhood(actor_id, depth=depth, max_actors=max_nodes, with_units=not apart)
    center = nb.center
    view_actors, participations, hops, rolled = (
        (nb.actors, nb.participations, nb.hops, 0) if apart else roll_up_units(store, nb)
    )
    actors = {a.id: a for a in view_actors}
    titles = {p.id: p.acronym or p.title for p in nb.projects}

    members: dict[str, list[str]] = defaultdict(list)
    for part in participations:
        if part.actor_id in actors:
            members[part.project_id].append(part.actor_id)
    projects_of: dict[str, list[str]] = defaultdict(list)
    for pid in sorted(members):
        for a in sorted(set(members[pid])):
            projects_of[a].append(pid)
    shared = shared_projects(members)

    # Keep the centre's own links first, then the strongest; ties broken by ids for a stable page.
    pairs = sorted(shared, key=lambda ab: (center.id not in ab, -len(shared[ab]), ab))
    edges_capped = len(pairs) > max_edges
    pairs = pairs[:max_edges]

    # Size: weighted degree inside the view (shared projects with the actors shown), a degree
    # centrality that is always at hand; the whole-graph measures are at /actors/{id}.
    values: dict[str, float] = dict.fromkeys(actors, 0.0)
    for a, b in pairs:
        values[a] += len(shared[(a, b)])
        values[b] += len(shared[(a, b)])
    t = texts("views", lang)
    label = t["tip_weighted_degree"]
    sizes = scale(values)

    # The strongest actors in the view carry a large label; the others a small one (readable when zoomed).
    top = set(sorted(values, key=lambda a: (-values[a], a))[:TOP_LABELS])
    net = new_network()
    for aid, actor in actors.items():
        hop = hops.get(aid, 0)
        pids = projects_of.get(aid, [])
        lines = [
            actor.name,
            f"{kind_word(actor.kind.value, lang)} · {place(actor.county_code, actor.country)}",
            t["tip_projects_in_view"].format(n=len(pids)),
            *(f"  · {short(titles[p], 60)}" for p in pids[:3] if p in titles),
            f"{label}: {values[aid]:.4g}",
        ]
        if len(pids) > 3:
            lines.insert(6, "  " + t["tip_and_more"].format(n=len(pids) - 3))
        net.add_node(
            aid,
            label=short(actor.name, 32),
            color=kind_colour(actor.kind.value),
            size=round(sizes[aid], 2),
            title="\n".join(lines),
            borderWidth=4 if hop == 0 else 1,
            font={"size": 18 if hop == 0 else (15 if aid in top else 10)},
            name=actor.name,
            kind=actor.kind.value,
            hop=hop,
            url=actor_url(aid),
        )
    for a, b in pairs:
        pids = shared[(a, b)]
        add_edge(
            net,
            a,
            b,
            shared_projects=len(pids),
            width=min(1 + 2 * (len(pids) - 1), 12),
            title=(t["tip_shared_one"] if len(pids) == 1 else t["tip_shared"]).format(n=len(pids))
            + "\n"
            + "\n".join(f"· {short(titles[p], 60)}" for p in pids[:5] if p in titles),
        )

    notes = []
    if nb.capped:
        shown = {h: sum(1 for x in nb.hops.values() if x == h) for h in nb.found}
        parts = [
            t["ego_hop1" if h == 1 else "ego_hop2"].format(shown=shown[h], n=n)
            for h, n in sorted(nb.found.items())
            if n
        ]
        left = sum(nb.found.values()) - (len(nb.hops) - 1)
        notes.append(t["ego_capped"].format(shown=len(actors), parts=", ".join(parts), left=left))
    if edges_capped:
        notes.append(t["edges_capped"].format(shown=max_edges, n=len(shared)))
    if rolled:
        notes.append(t["units_rolled_up"].format(n=rolled))
    other = 3 - depth
    direct = sorted(
        ((b if a == center.id else a, len(pids)) for (a, b), pids in shared.items() if center.id in (a, b)),
        key=lambda kv: (-kv[1], actors[kv[0]].name, kv[0]),
    )
    return View(
        title=t["ego_title"].format(name=center.name),
        subtitle=t["ego_subtitle"].format(
            kind=kind_labels(lang).get(center.kind.value, center.kind.value),
            place=place(center.county_code, center.country),
            n=len(actors) - 1,
            depth=depth,
            projects=len(nb.projects),
        ),
        net=net,
        notes=notes,
        legend=[
            *kind_legend({x.kind.value for x in actors.values()}, lang),
            LegendItem(t["size_weighted"], "#ffffff"),
            LegendItem(t["line_width"], "#97a6b5", "line"),
        ],
        links=[
            (t["show_depth"].format(d=other), f"{actor_url(center.id)}?depth={other}"),
            (t["actor_data"], "/actors/" + quote(center.id, safe=":")),
            *_family_links(store, center),
        ],
        table_caption=t["direct_partners_first"].format(n=MAX_TABLE_ROWS)
        if len(direct) > MAX_TABLE_ROWS
        else t["direct_partners"],
        table_head=[t["h_partner"], t["h_kind"], t["h_where"], t["h_shared"]],
        table=[
            [
                (actors[aid].name, actor_url(aid)),
                (kind_word(actors[aid].kind.value, lang), None),
                (place(actors[aid].county_code, actors[aid].country), None),
                (str(n), None),
            ]
            for aid, n in direct[:MAX_TABLE_ROWS]
        ],
        physics=True,
    )


def roll_up_units(
    store: GraphStore, nb: Neighbourhood
) -> tuple[list[Actor], list[Participation], dict[str, int], int]:
    """The walked neighbourhood as the analyses count it (`graph.projection.rolled_up`): each unit
    drawn as the legal entity it is part of (read from the store when the walk did not meet it), its
    projects the parent's. The centre stays itself even when it is a unit (its own view was asked for);
    its units walked with it (`with_units`). Returns (actors, participations, hop of each actor, how
    many units were folded)."""
    actors = {a.id: a for a in nb.actors}
    actors[nb.center.id] = nb.center.model_copy(update={"part_of": None})
    known = {s.record for a in actors.values() for s in a.sources} | set(actors)
    wanted = {a.part_of for a in actors.values() if a.part_of} - known
    while wanted:  # parents (and their parents) the walk did not reach
        ids = set(store.lookup_keys(sorted(wanted)).values()) | wanted
        found = {i: a for i, a in store.get_actors(sorted(ids)).items() if i not in actors}
        actors.update(found)
        known |= {s.record for a in found.values() for s in a.sources} | set(found)
        wanted = {a.part_of for a in found.values() if a.part_of} - known
    up = rollup(actors.values())
    kept, parts = rolled_up(actors.values(), nb.participations)
    hops = dict(nb.hops)
    for unit, parent in up.items():
        h = hops.pop(unit, None)
        if h is not None:
            hops[parent] = min(h, hops.get(parent, h))
    order = {a: i for i, a in enumerate(hops)}  # the walk's order (strongest ties first), parents in it
    kept.sort(key=lambda a: order.get(a.id, len(order)))
    shown = [a.model_copy(update={"part_of": nb.center.part_of}) if a.id == nb.center.id else a for a in kept]
    return [a for a in shown if a.id in hops], parts, hops, sum(1 for u in up if u in nb.hops)


def _family_links(store: GraphStore, actor: Actor) -> list[tuple[str, str]]:
    """Links to the legal entity this actor is a unit of, and to its own units (departments, hospitals…)."""
    out: list[tuple[str, str]] = []
    if actor.part_of:
        try:
            parent = store.get_actor(actor.part_of)
            out.append((f"Part of {parent.name}", actor_url(parent.id)))
        except NotFound:
            pass
    out += [(f"Unit: {u.name}", actor_url(u.id)) for u in store.units(actor.id)]
    return out
