"""Isolated and peripheral actors, highlighted against the collaboration network of their county.

The flagged actors (from the isolated analysis, each with a category such as "isolated" or
"peripheral" and a reason) are drawn in strong colours; the rest of the county's actors in grey, so
one sees at a glance who stands apart and whom they could be linked to. Big counties are capped,
flagged actors first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graph.analysis.run import prepare
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.model import Actor
from graph.store.base import ActorFilter, GraphStore
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import actor_url, scale, short
from viz.texts import kind_word, say, texts

# The isolated analysis's lists, most severe first: (list name, label, colour).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("no_collaboration", "isolated: no partner", "#d62728"),
    ("only_own_county", "peripheral: partners only in its own county", "#ff7f0e"),
    ("weak_despite_profile", "peripheral: few partners for its kind", "#e7ba52"),
    ("no_eu_project", "no EU-funded project", "#9467bd"),
    ("s3_theme_without_outside_partner", "S3 theme without a partner outside the county", "#e377c2"),
    ("partners_not_in_data", "partners abroad not in the data (partial source)", "#8c8c8c"),
)
LABEL_COLOURS = {label: colour for _, label, colour in CATEGORIES}
BACKGROUND = "#c8d3df"
MAX_TABLE_ROWS = 300


def flag_colour(category: str) -> str:
    return LABEL_COLOURS.get(category, "#7f7f7f")


def flags_from(lists: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One row per flagged actor from the isolated analysis's lists: its most severe category, all reasons."""
    rows: dict[str, dict[str, Any]] = {}
    for name, label, _ in CATEGORIES:
        for item in lists.get(name, []):
            row = rows.get(item["actor_id"])
            said = [item["said"]] if item.get("said") else []
            if row is None:
                rows[item["actor_id"]] = {**item, "category": label, "reason": item["reason"], "saids": said}
            elif item["reason"] not in row["reason"]:
                row["reason"] += "; " + item["reason"]
                row["saids"] = [*row.get("saids", []), *said]
    return list(rows.values())


def reason_words(row: Mapping[str, Any], lang: str) -> str:
    """A flagged row's reasons in `lang` (from their `Said`s; the English text when a row has none)."""
    saids = row.get("saids") or []
    return "; ".join(say(s, lang) for s in saids) if saids else str(row.get("reason", ""))


def county_actors(store: GraphStore, counties: Sequence[str], limit: int) -> tuple[list[Actor], int]:
    found, total = store.search_actors("", ActorFilter(county=tuple(counties)), limit=limit)
    return found, total


def collaboration_edges(store: GraphStore, ids: Iterable[str]) -> dict[tuple[str, str], int]:
    """Shared-project counts between the given actors (only pairs inside the set).

    Read from the collaboration graph of the store version (`graph.analysis.prepare`, built once and
    kept in memory), not one participation query per actor.
    """
    collab = prepare(store).collab
    members = sorted(a for a in set(ids) if a in collab)
    weights: dict[tuple[str, str], int] = {}
    for u, v, w in collab.subgraph(members).edges(data="weight"):
        a, b = sorted((str(u), str(v)))
        weights[(a, b)] = int(w)
    return weights


def isolated_view(
    store: GraphStore,
    flagged: Sequence[Mapping[str, Any]],
    counties: Sequence[str],
    max_nodes: int = 300,
    scope_text: str = "",
    partial_sources: str = "",
    lang: str = "en",
) -> View:
    """`flagged`: rows with actor_id, name, kind, county_code, category, reason."""
    t = texts("views", lang)
    names_of = {label: name for name, label, _ in CATEGORIES}

    def said(category: str) -> str:
        """The category in the page's language."""
        return t.get("cat_" + names_of.get(category, ""), category)

    in_scope = [f for f in flagged if f.get("county_code") in counties]
    flags = {
        f["actor_id"]: f for f in sorted(in_scope, key=lambda f: (f["category"], f["name"], f["actor_id"]))
    }
    background, total = county_actors(store, counties, limit=max_nodes)
    chosen: dict[str, Actor] = dict(store.get_actors(list(flags)[:max_nodes]))
    for a in background:
        if len(chosen) >= max_nodes:
            break
        chosen.setdefault(a.id, a)
    weights = collaboration_edges(store, chosen)
    degree: dict[str, float] = defaultdict(float)
    for (x, y), w in weights.items():
        degree[x] += w
        degree[y] += w
    sizes = scale({aid: degree.get(aid, 0.0) for aid in chosen}, lo=8, hi=30)

    net = new_network()
    for aid, a in sorted(chosen.items()):
        f = flags.get(aid)
        place = COUNTIES[a.county_code].short_name if a.county_code in COUNTIES else ""
        lines = [
            a.name,
            f"{kind_word(a.kind.value, lang)} · {place}",
            t["tip_iso_shared"].format(n=int(degree.get(aid, 0))),
        ]
        if f:
            lines.append(f"{said(f['category'])}: {reason_words(f, lang)}")
        net.add_node(
            aid,
            label=short(a.name, 28),
            font={"size": 14 if f else 10, "color": "#1f2933" if f else "#7b8794"},
            color=flag_colour(f["category"]) if f else BACKGROUND,
            size=round(max(sizes[aid], 16.0) if f else sizes[aid], 2),
            borderWidth=3 if f else 1,
            title="\n".join(lines),
            name=a.name,
            flagged=bool(f),
            category=f["category"] if f else "",
            url=actor_url(aid),
        )
    for (x, y), w in sorted(weights.items()):
        add_edge(
            net,
            x,
            y,
            width=min(1 + w, 10),
            shared_projects=w,
            color={"color": "#b0bcc8"},
            title=(t["tip_shared_one"] if w == 1 else t["tip_shared"]).format(n=w),
        )

    categories = sorted({f["category"] for f in flags.values()})
    names = ", ".join(COUNTIES[c].short_name for c in counties if c in COUNTIES)
    notes = []
    if total + len(flags) > max_nodes and len(chosen) >= max_nodes:
        notes.append(t["iso_capped"].format(n=len(chosen)))
    if not flags:
        notes.append(t["iso_none"])
    if len(flags) > MAX_TABLE_ROWS:
        notes.append(t["iso_table_cut"].format(n=MAX_TABLE_ROWS, total=len(flags)))
    # Links to each South Sweden county's own view (the ones not shown alone here).
    other_links = [
        (COUNTIES[c].short_name, f"/views/isolated?county={c}")
        for c in SOUTH_SWEDEN
        if not (len(counties) == 1 and c == counties[0])
    ]
    return View(
        title=t["iso_title"].format(names=names),
        subtitle=t["iso_subtitle"].format(flagged=len(flags), others=len(chosen) - len(flags)),
        scope_line=scope_text,
        partial_sources=partial_sources,
        net=net,
        notes=notes,
        legend=[
            *(LegendItem(said(c), flag_colour(c)) for c in categories),
            LegendItem(t["iso_others"], BACKGROUND),
            LegendItem(t["line_width"], "#b0bcc8", "line"),
        ],
        links=[*other_links, (t["iso_all"], "/views/isolated"), (t["as_json"], "/analysis/isolated")],
        table_caption=t["iso_caption"],
        table_head=[t["h_actor"], t["h_kind"], t["h_county"], t["h_category"], t["h_why"]],
        table=[
            [
                (f["name"], actor_url(aid)),
                (kind_word(str(f.get("kind", "")), lang), None),
                (COUNTIES[f["county_code"]].short_name if f.get("county_code") in COUNTIES else "", None),
                (said(f["category"]), None),
                (reason_words(f, lang), None),
            ]
            for aid, f in list(flags.items())[:MAX_TABLE_ROWS]
        ],
        physics=True,
    )
