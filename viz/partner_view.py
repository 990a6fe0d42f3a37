"""The partner finder's answer as a page: the consortium, the suggested partners and why.

Members are drawn as large boxes, candidates as dots coloured by kind and sized by score; a solid
line joins a candidate to each member it already worked with, a dashed one to the member its network
path leads to (through a shared partner). The table below gives each candidate's reasons in words.
"""

from __future__ import annotations

from graph.partners import PartnerResult
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import actor_url, kind_colour, kind_legend, scale, short

MEMBER_BORDER = "#12344d"


def partner_view(result: PartnerResult) -> View:
    net = new_network()
    members = {m.actor_id: m for m in result.members}
    by_name = {m.name: m.actor_id for m in result.members}
    for m in result.members:
        net.add_node(
            m.actor_id,
            label=short(m.name, 30),
            shape="box",
            color={"background": kind_colour(m.kind), "border": MEMBER_BORDER},
            borderWidth=3,
            font={"color": "#ffffff", "size": 15},
            title=f"{m.name}\nconsortium member · {m.kind.replace('_', ' ')} · {m.country or ''}",
            name=m.name,
            url=actor_url(m.actor_id),
        )
    sizes = scale({c.actor_id: c.score for c in result.partners}, lo=10, hi=34)
    for rank, c in enumerate(result.partners, start=1):
        if c.actor_id in members:
            continue
        net.add_node(
            c.actor_id,
            label=f"{rank}. {short(c.name, 28)}",
            color=kind_colour(c.kind),
            size=round(sizes[c.actor_id], 2),
            title="\n".join(
                [f"{rank}. {c.name}", f"{c.kind.replace('_', ' ')} · {c.country or ''} · score {c.score:.3f}"]
                + [f"· {short(r, 110)}" for r in c.reasons[:4]]
            ),
            name=c.name,
            url=actor_url(c.actor_id),
        )
        for mid in c.worked_with:
            if mid in members:
                add_edge(
                    net, c.actor_id, mid, width=3, color={"color": "#52606d"}, title="already worked together"
                )
        if not c.worked_with and c.path:
            target = by_name.get(c.path[-1].removesuffix(" (member)"))
            if target in members:
                add_edge(
                    net,
                    c.actor_id,
                    target,
                    width=1,
                    dashes=True,
                    color={"color": "#9aa5b1"},
                    title="network path: " + " → ".join(c.path),
                )

    notes: list[str] = []
    if result.unknown_members:
        notes.append("Not found, left out: " + ", ".join(result.unknown_members))
    if not result.members:
        notes.append("No consortium given: candidates are ranked on the topic and their track record only.")
    g = result.gaps
    if g.countries_needed:
        notes.append(f"The consortium still needs {g.countries_needed} more countries.")
    if g.kinds_missing:
        notes.append("Missing kinds: " + ", ".join(k.replace("_", " ") for k in g.kinds_missing))
    if g.unfilled:
        notes.append("No candidate fills: " + ", ".join(g.unfilled))
    if not result.partners:
        notes.append("No candidate matches these constraints.")
    if result.message:
        notes.append(result.message)
    notes.append(
        "Evidence comes from the loaded sources' past projects (CORDIS, Interreg, ERDF); "
        "collaborations funded elsewhere are not seen."
    )
    q = result.query
    asked = "; ".join(
        x
        for x in (
            f"topic “{q.topic}”" if q.topic else "",
            "themes " + ", ".join(q.themes) if q.themes else "",
            "topic codes " + ", ".join(q.topic_codes) if q.topic_codes else "",
            "countries " + ", ".join(q.countries) if q.countries else "",
            "kinds " + ", ".join(q.kinds) if q.kinds else "",
        )
        if x
    )
    return View(
        title="Suggested partners",
        subtitle=(
            f"{len(result.members)} consortium member{'s' if len(result.members) != 1 else ''}, "
            f"{len(result.partners)} suggestions out of {result.candidates_considered} candidates"
            + (f" · {asked}" if asked else "")
        ),
        net=net,
        notes=notes,
        legend=[
            LegendItem("consortium member (box)", MEMBER_BORDER, "box"),
            *kind_legend({c.kind for c in result.partners}),
            LegendItem("size: score", "#ffffff"),
            LegendItem("already worked with a member", "#52606d", "line"),
            LegendItem("linked through a shared partner", "#9aa5b1", "line"),
        ],
        links=[("New search", "/#partners")],
        table_caption="Suggestions, best first",
        table_head=["#", "actor", "kind", "country", "score", "why"],
        table=[
            [
                (str(rank), None),
                (c.name, actor_url(c.actor_id)),
                (c.kind.replace("_", " "), None),
                (c.country or "", None),
                (f"{c.score:.3f}", None),
                (" · ".join(c.reasons), None),
            ]
            for rank, c in enumerate(result.partners, start=1)
        ],
        sections=_sections(result),
        physics=True,
    )


def _sections(result: PartnerResult) -> list[tuple[str, str, list[str], list[list[tuple[str, str | None]]]]]:
    """Your existing network (kept apart from the topic's experts) and the gaps with the greedy cover."""
    out: list[tuple[str, str, list[str], list[list[tuple[str, str | None]]]]] = []
    if result.network:
        out.append(
            (
                "network-table",
                "Your existing network: the members' partners with no project on this topic",
                ["actor", "kind", "country", "why"],
                [
                    [
                        (c.name, actor_url(c.actor_id)),
                        (c.kind.replace("_", " "), None),
                        (c.country or "", None),
                        (" · ".join(c.reasons), None),
                    ]
                    for c in result.network
                ],
            )
        )
    g = result.gaps
    if g.countries_needed or g.kinds_missing:
        names = {c.actor_id: c for c in result.partners}
        rows: list[list[tuple[str, str | None]]] = [
            [
                (names[a].name if a in names else a, actor_url(a)),
                (
                    ", ".join(
                        f.replace("country:", "country ").replace("kind:", "")
                        for f in g.cover_fills.get(a, [])
                    ),
                    None,
                ),
            ]
            for a in g.cover
        ]
        rows += [[("no candidate fills", None), (u, None)] for u in g.unfilled]
        caption = (
            f"Gaps: {g.countries_needed} more countr{'ies' if g.countries_needed != 1 else 'y'} "
            f"(has {', '.join(g.countries_present) or 'none'})"
            + (f"; missing kinds: {', '.join(g.kinds_missing)}" if g.kinds_missing else "")
            + " — the smallest set of candidates that fills them"
        )
        out.append(("gaps-table", caption, ["add", "fills"], rows))
    return out
