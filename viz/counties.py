"""Collaboration between counties, drawn on the map: each county at its centroid (fixed positions).

Edge width is the number of projects the two counties' actors share; the colour says whether they
share more or fewer projects than expected from the counties' sizes (observed/expected ratio, from
the counties analysis). Positions use an equirectangular projection around the counties' mean
latitude, so the picture keeps Sweden's shape without any map tiles (offline).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from graph.geo import COUNTIES
from viz.page import LegendItem, View, add_edge, new_network
from viz.style import scale
from viz.texts import texts

# (upper bound of the ratio, colour, key of its words in viz/texts.yaml `ratio`): diverging around
# "as expected" (grey); fewer shared projects than expected in warm browns, more in blue-greens
# (colour-blind safe, BrBG), each labelled in words.
RATIO_BINS: tuple[tuple[float, str, str], ...] = (
    (0.5, "#8c510a", "far_fewer"),
    (0.8, "#d8b365", "fewer"),
    (1.25, "#9e9e9e", "as_expected"),
    (2.0, "#5ab4ac", "more"),
    (math.inf, "#01665e", "far_more"),
)
NO_RATIO = "#d0d0d0"
SPAN_PX = 900.0


def ratio_bin(ratio: float | None, lang: str = "en") -> tuple[str, str]:
    """The colour and the words for an observed/expected ratio."""
    words = texts("ratio", lang)
    if ratio is None or math.isnan(ratio):
        return NO_RATIO, words["none"]
    for upper, colour, key in RATIO_BINS:
        if ratio < upper:
            return colour, words[key]
    return RATIO_BINS[-1][1], words[RATIO_BINS[-1][2]]


def ratio_colour(ratio: float | None) -> str:
    return ratio_bin(ratio)[0]


def positions(codes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Canvas coordinates (x east, y down) for the counties' centroids."""
    known = [COUNTIES[c] for c in codes if c in COUNTIES]
    if not known:
        return {}
    lat0 = sum(c.lat for c in known) / len(known)
    lon0 = sum(c.lon for c in known) / len(known)
    kx = math.cos(math.radians(lat0))
    xs = [(c.lon - lon0) * kx for c in known]
    ys = [-(c.lat - lat0) for c in known]
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    k = SPAN_PX / extent
    return {c.code: (round(x * k, 1), round(y * k, 1)) for c, x, y in zip(known, xs, ys, strict=True)}


def county_view(
    counties: Sequence[Mapping[str, Any]],
    pairs: Sequence[Mapping[str, Any]],
    scope_text: str = "",
    partial_sources: str = "",
    lang: str = "en",
) -> View:
    """`counties`: rows with code, name, actors, projects; `pairs`: rows with a, b, shared_projects,
    actor_pairs, expected_projects, ratio_projects (the counties analysis, as dicts)."""
    t = texts("views", lang)
    rows = [c for c in counties if c["code"] in COUNTIES]
    pos = positions([c["code"] for c in rows])
    sizes = scale({c["code"]: math.sqrt(float(c.get("actors") or 0)) for c in rows}, lo=14, hi=46)
    net = new_network()
    for c in rows:
        info = COUNTIES[c["code"]]
        x, y = pos[c["code"]]
        net.add_node(
            c["code"],
            label=info.short_name,
            color="#12344d",
            size=round(sizes[c["code"]], 2),
            x=x,
            y=y,
            fixed=True,
            physics=False,
            font={"size": 16, "color": "#12344d", "strokeWidth": 3, "strokeColor": "#ffffff"},
            title=f"{info.name} ({info.nuts3})\n"
            + t["tip_county"].format(actors=c.get("actors", 0), projects=c.get("projects", 0)),
            name=info.name,
            url=f"/views/isolated?county={c['code']}",
        )
    shown = [p for p in pairs if p["a"] in pos and p["b"] in pos and (p.get("shared_projects") or 0) > 0]
    top = max((float(p["shared_projects"]) for p in shown), default=1.0)
    for p in sorted(shown, key=lambda p: (p["a"], p["b"])):
        s = float(p["shared_projects"])
        ratio = p.get("ratio_projects")
        expected = p.get("expected_projects")
        lines = [
            f"{COUNTIES[p['a']].short_name} – {COUNTIES[p['b']].short_name}",
            t["tip_pair_shared"].format(n=int(s)),
        ]
        if expected is not None:
            lines.append(t["tip_pair_expected"].format(x=float(expected)))
        if ratio is not None:
            lines.append(t["tip_pair_ratio"].format(x=float(ratio), words=ratio_bin(float(ratio), lang)[1]))
        if p.get("actor_pairs") is not None:
            lines.append(t["tip_pair_actor_pairs"].format(n=p["actor_pairs"]))
        add_edge(
            net,
            p["a"],
            p["b"],
            width=round(1 + 11 * math.sqrt(s / top), 2),
            color={"color": ratio_colour(None if ratio is None else float(ratio)), "opacity": 0.85},
            title="\n".join(lines),
            shared_projects=int(s),
            ratio=None if ratio is None else round(float(ratio), 4),
        )
    words = texts("ratio", lang)
    legend = [LegendItem(words[key], colour, "line") for _, colour, key in RATIO_BINS]
    legend += [
        LegendItem(words["none"], NO_RATIO, "line"),
        LegendItem(t["line_width"], "#9e9e9e", "line"),
        LegendItem(t["cty_circle"], "#12344d"),
    ]
    return View(
        title=t["cty_title"],
        subtitle=t["cty_subtitle"],
        scope_line=f"{scope_text} {t['cty_expected']}".strip(),
        partial_sources=partial_sources,
        net=net,
        legend=legend,
        notes=[] if shown else [t["cty_none"]],
        links=[(t["cty_json"], "/analysis/counties"), (t["cty_isolated"], "/views/isolated")],
        table_caption=t["cty_caption"],
        table_head=[t["h_counties"], t["h_shared"], t["h_expected"], t["h_ratio"], t["h_words"]],
        table=[
            [
                (f"{COUNTIES[p['a']].short_name} – {COUNTIES[p['b']].short_name}", None),
                (str(int(p["shared_projects"])), None),
                ("" if p.get("expected_projects") is None else f"{float(p['expected_projects']):.1f}", None),
                ("" if p.get("ratio_projects") is None else f"{float(p['ratio_projects']):.2f}", None),
                (
                    ratio_bin(None if p.get("ratio_projects") is None else float(p["ratio_projects"]), lang)[
                        1
                    ],
                    None,
                ),
            ]
            for p in sorted(shown, key=lambda p: (-float(p["shared_projects"]), p["a"], p["b"]))[:30]
        ],
        physics=False,
    )
