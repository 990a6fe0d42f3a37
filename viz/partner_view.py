"""The partner finder's answer as a page: the consortium, the suggested partners and why.

Members are drawn as large boxes, candidates as dots coloured by kind and sized by score; a solid
line joins a candidate to each member it already worked with, a dashed one to the member its network
path leads to (through a shared partner). The table below gives each candidate's reasons in words,
in the page's language (the reasons' `Said`s, worded by `viz.texts.say`; texts in section `partners`).
"""

from __future__ import annotations

from graph.partners import EMPTY_QUERY, Candidate, PartnerResult
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import actor_url, kind_colour, kind_legend, scale, short
from viz.texts import kind_word, say, texts

MEMBER_BORDER = "#12344d"


def reasons_in(c: Candidate, lang: str) -> list[str]:
    """A candidate's reasons in `lang` (the English ones as they are when it carries no `Said`s)."""
    return [say(s, lang) for s in c.said] if c.said else list(c.reasons)


def _fill_words(fill: str, lang: str) -> str:
    """A gap a candidate fills ("country:DE", "kind:sme") in words."""
    what, _, value = fill.partition(":")
    if what == "country":
        return texts("partners", lang)["fill_country"].format(country=value)
    return kind_word(value, lang) if what == "kind" else fill


def partner_view(result: PartnerResult, lang: str = "en") -> View:
    t = texts("partners", lang)
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
            title=f"{m.name}\n{t['member']} · {kind_word(m.kind, lang)} · {m.country or ''}",
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
                [
                    f"{rank}. {c.name}",
                    f"{kind_word(c.kind, lang)} · {c.country or ''} · {t['score'].format(score=c.score)}",
                ]
                + [f"· {short(r, 110)}" for r in reasons_in(c, lang)[:4]]
            ),
            name=c.name,
            url=actor_url(c.actor_id),
        )
        for mid in c.worked_with:
            if mid in members:
                add_edge(
                    net, c.actor_id, mid, width=3, color={"color": "#52606d"}, title=t["worked_together"]
                )
        if not c.worked_with and c.path:
            target = by_name.get(c.path[-1].removesuffix(" (member)"))
            if target in members:
                path = [*c.path[:-1], t["member_suffix"].format(name=c.path[-1].removesuffix(" (member)"))]
                add_edge(
                    net,
                    c.actor_id,
                    target,
                    width=1,
                    dashes=True,
                    color={"color": "#9aa5b1"},
                    title=t["network_path"].format(path=" → ".join(path)),
                )

    notes: list[str] = []
    if result.unknown_members:
        notes.append(t["not_found"].format(names=", ".join(result.unknown_members)))
    if not result.members and result.message != EMPTY_QUERY:
        notes.append(t["no_consortium"])
    g = result.gaps
    if g.countries_needed:
        notes.append(
            (t["needs_countries_one"] if g.countries_needed == 1 else t["needs_countries"]).format(
                n=g.countries_needed
            )
        )
    if g.kinds_missing:
        notes.append(t["missing_kinds"].format(kinds=", ".join(kind_word(k, lang) for k in g.kinds_missing)))
    if g.unfilled:
        notes.append(t["no_candidate_fills"].format(gaps=", ".join(_unfilled(u, lang) for u in g.unfilled)))
    if result.message == EMPTY_QUERY:
        notes.append(t["empty_query"])
    else:
        if not result.partners:
            notes.append(t["no_match"])
        if result.message:
            notes.append(result.message)
    notes.append(t["evidence"])
    q = result.query
    asked = "; ".join(
        x
        for x in (
            t["asked_topic"].format(topic=q.topic) if q.topic else "",
            t["asked_themes"].format(v=", ".join(q.themes)) if q.themes else "",
            t["asked_codes"].format(v=", ".join(q.topic_codes)) if q.topic_codes else "",
            t["asked_countries"].format(v=", ".join(q.countries)) if q.countries else "",
            t["asked_kinds"].format(v=", ".join(kind_word(k, lang) for k in q.kinds)) if q.kinds else "",
        )
        if x
    )
    n_members = len(result.members)
    return View(
        title=t["title"],
        subtitle=(t["subtitle_one"] if n_members == 1 else t["subtitle"]).format(
            members=n_members, partners=len(result.partners), candidates=result.candidates_considered
        )
        + (f" · {asked}" if asked else ""),
        net=net,
        notes=notes,
        legend=[
            LegendItem(t["legend_member"], MEMBER_BORDER, "box"),
            *kind_legend({c.kind for c in result.partners}, lang),
            LegendItem(t["legend_size"], "#ffffff"),
            LegendItem(t["legend_worked"], "#52606d", "line"),
            LegendItem(t["legend_path"], "#9aa5b1", "line"),
        ],
        links=[(t["new_search"], "/#partners")],
        table_caption=t["caption"],
        table_head=["#", t["h_actor"], t["h_kind"], t["h_country"], t["h_score"], t["h_why"]],
        table=[
            [
                (str(rank), None),
                (c.name, actor_url(c.actor_id)),
                (kind_word(c.kind, lang), None),
                (c.country or "", None),
                (f"{c.score:.3f}", None),
                (" · ".join(reasons_in(c, lang)), None),
            ]
            for rank, c in enumerate(result.partners, start=1)
        ],
        sections=_sections(result, lang),
        physics=True,
    )


def _unfilled(gap: str, lang: str) -> str:
    """An unfilled gap ("2 more countries", "kind:sme") in words."""
    if gap.startswith("kind:"):
        return kind_word(gap.removeprefix("kind:"), lang)
    n = gap.split(" ", 1)[0]
    if n.isdigit():
        t = texts("partners", lang)
        return (t["more_countries_one"] if n == "1" else t["more_countries"]).format(n=n)
    return gap


def _sections(
    result: PartnerResult, lang: str
) -> list[tuple[str, str, list[str], list[list[tuple[str, str | None]]]]]:
    """Your existing network (kept apart from the topic's experts) and the gaps with the greedy cover."""
    t = texts("partners", lang)
    out: list[tuple[str, str, list[str], list[list[tuple[str, str | None]]]]] = []
    if result.network:
        out.append(
            (
                "network-table",
                t["network_caption"],
                [t["h_actor"], t["h_kind"], t["h_country"], t["h_why"]],
                [
                    [
                        (c.name, actor_url(c.actor_id)),
                        (kind_word(c.kind, lang), None),
                        (c.country or "", None),
                        (" · ".join(reasons_in(c, lang)), None),
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
                (", ".join(_fill_words(f, lang) for f in g.cover_fills.get(a, [])), None),
            ]
            for a in g.cover
        ]
        rows += [[(t["no_candidate"], None), (_unfilled(u, lang), None)] for u in g.unfilled]
        caption = (t["gaps_caption_one"] if g.countries_needed == 1 else t["gaps_caption"]).format(
            n=g.countries_needed, has=", ".join(g.countries_present) or t["none"]
        )
        if g.kinds_missing:
            caption += t["gaps_kinds"].format(kinds=", ".join(kind_word(k, lang) for k in g.kinds_missing))
        caption += t["gaps_cover"]
        out.append(("gaps-table", caption, [t["h_add"], t["h_fills"]], rows))
    return out
