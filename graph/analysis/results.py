"""The six analysis results, each built from the prepared graphs and scores for one scope.

One function per analysis (`centrality_result`, `brokerage_result`, `communities_result`,
`isolated_result`, `counties_result`, `themes_result`), each `(Prepared, Scope, top) -> its result
model` (`graph.analysis.models`): they read the whole-graph scores from `graph.analysis.prepared`,
the scoped view from `Prepared.view`, and report rounded, deterministically sorted rows. They compute
nothing twice themselves; caching the answers is `graph.analysis.run.run_analysis`'s job.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from typing import TypeVar

import networkx as nx

from graph.analysis import brokerage as bro
from graph.analysis import communities as com
from graph.analysis import counties as cty
from graph.analysis import isolation as iso
from graph.analysis import themes as thm
from graph.analysis.models import (
    ActorRef,
    BetweennessNote,
    BridgeEdge,
    BrokerageResult,
    BrokerageRow,
    BrokerSuggestion,
    CentralityResult,
    CentralityRow,
    CommunitiesResult,
    Community,
    CountiesResult,
    CountyPair,
    CountyRow,
    IsolatedActor,
    IsolatedResult,
    ScopeInfo,
    ThemeGap,
    ThemesResult,
    r6,
    sig6,
)
from graph.analysis.prepared import Prepared
from graph.analysis.scope import EU_PROGRAMMES, Scope, View
from graph.geo import COUNTIES
from graph.model import coverage_line
from graph.said import said_of

Item = TypeVar("Item")
#: How many bridge edges a brokerage result lists when no --top is given.
DEFAULT_BRIDGES = 50


def _scope_info(scope: Scope) -> ScopeInfo:
    return ScopeInfo(**scope.describe())


def _attr(g: nx.Graph, n: str, key: str) -> str:
    return str(g.nodes[n].get(key, "") or "")


def _cut(items: list[Item], top: int | None) -> list[Item]:
    return items if top is None else items[:top]


def centrality_result(p: Prepared, scope: Scope, top: int | None) -> CentralityResult:
    v = p.view(scope)
    g = p.collab
    bc = p.betweenness()
    pr = p.pagerank()
    comp = p.component_size()
    close = p.closeness(v.actors)
    rows = [
        CentralityRow(
            actor_id=a,
            name=_attr(g, a, "name"),
            kind=_attr(g, a, "kind"),
            county_code=_attr(g, a, "county_code"),
            country=_attr(g, a, "country"),
            degree=g.degree(a),
            weighted_degree=r6(g.degree(a, weight="weight")),
            betweenness=r6(bc["values"][a]),
            pagerank=r6(pr[a]),
            closeness=r6(close[a]),
            component_size=comp[a],
        )
        for a in v.actors
    ]
    rows.sort(key=lambda r: (-r.betweenness, -r.pagerank, r.actor_id))
    shown = _cut(rows, top)
    exact = bool(bc["exact"])
    max_se = None if exact else sig6(max((bc["se"][r.actor_id] for r in shown), default=0.0))
    if exact:
        text = f"exact betweenness (Brandes 2001) on all {g.number_of_nodes()} actors; hop distances"
    else:
        text = (
            f"betweenness estimated from k={bc['k']} source actors drawn with seed {bc['seed']} out of "
            f"{g.number_of_nodes()} (Brandes & Pich 2007); with 95% probability each value is within "
            f"±{bc['hoeffding_95']:.3f} (Hoeffding); the largest empirical standard error among the rows "
            f"shown is {max_se}"
        )
    note = BetweennessNote(
        method="exact" if exact else "sampled",
        nodes=g.number_of_nodes(),
        k=bc["k"],
        seed=bc["seed"],
        hoeffding_95=sig6(bc["hoeffding_95"]),
        max_standard_error=max_se,
        text=text,
    )
    return CentralityResult(scope=_scope_info(scope), total=len(rows), rows=shown, betweenness=note)


def _county_group(g: nx.Graph) -> dict[Hashable, str]:
    return {n: d["county_code"] for n, d in g.nodes(data=True) if d.get("county_code")}


def _bridge(g: nx.Graph, group: dict[Hashable, str], e: tuple[Hashable, Hashable, float]) -> BridgeEdge:
    u, v, w = e
    return BridgeEdge(
        a=str(u),
        b=str(v),
        a_name=_attr(g, str(u), "name"),
        b_name=_attr(g, str(v), "name"),
        a_group=group[u],
        b_group=group[v],
        weight=r6(w),
    )


def partial_sources(v: View) -> str:
    """The line naming the partial sources among the scope's counting projects (`graph.model.coverage_line`)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for proj in v.projects:
        d = v.bipartite.nodes[proj]
        cov = str(d.get("coverage", "all"))
        if cov != "all":
            counts[str(d.get("programme", ""))][cov] += 1
    return coverage_line({k: dict(c) for k, c in counts.items()})


def brokerage_result(p: Prepared, scope: Scope, top: int | None) -> BrokerageResult:
    v = p.view(scope)
    g = p.collab
    cons, esize = p.burt(v.actors)
    counties = _county_group(g)
    member = com.membership(p.communities())
    community = {n: str(i) for n, i in member.items()}
    bc_c = bro.other_groups(g, counties, v.actors)
    bc_m = bro.other_groups(g, community, v.actors)
    rows = [
        BrokerageRow(
            actor_id=a,
            name=_attr(g, a, "name"),
            kind=_attr(g, a, "kind"),
            county_code=_attr(g, a, "county_code"),
            degree=g.degree(a),
            constraint=sig6(cons[a]),
            effective_size=sig6(esize[a]),
            bridges_counties=bc_c[a],
            bridges_communities=bc_m[a],
        )
        for a in v.actors
    ]
    rows.sort(
        key=lambda r: (
            r.constraint is None,
            r.constraint if r.constraint is not None else 0.0,
            -(r.effective_size or 0.0),
            r.actor_id,
        )
    )
    limit = top if top is not None else DEFAULT_BRIDGES
    view_counties = _county_group(v.view_collab)
    cb = bro.cross_group_edges(v.view_collab, view_counties, v.actors)
    mb = bro.cross_group_edges(v.view_collab, community, v.actors)
    return BrokerageResult(
        scope=_scope_info(scope),
        total=len(rows),
        rows=_cut(rows, top),
        county_bridges=[_bridge(g, view_counties, e) for e in cb[:limit]],
        county_bridges_total=len(cb),
        community_bridges=[_bridge(g, community, e) for e in mb[:limit]],
        community_bridges_total=len(mb),
        partial_sources=partial_sources(v),
    )


def _main_theme(v: View, project_themes: dict[str, tuple[str, ...]], actor: str) -> str | None:
    counts: Counter[str] = Counter()
    for proj in v.view_bipartite[actor]:
        counts.update(project_themes.get(proj, ()))
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def communities_result(p: Prepared, scope: Scope, top: int | None) -> CommunitiesResult:
    v = p.view(scope)
    g = p.collab
    parts = p.communities()
    member = com.membership(parts)
    scoped = set(v.actors)
    theme_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for proj in v.projects:
        themes = p.project_themes.get(proj, ())
        if not themes:
            continue
        for cid in {member[a] for a in v.view_bipartite[proj] if a in member}:
            theme_counts[cid].update(themes)
    listed: list[Community] = []
    for cid, members in enumerate(parts):
        in_scope = len(members & scoped)
        if len(members) < 2 or not in_scope:
            continue
        ranked = sorted(members, key=lambda n: (-g.degree(n, weight="weight"), str(n)))[:10]
        counties = Counter(_attr(g, str(n), "county_code") for n in members)
        counties.pop("", None)
        top_themes = sorted(theme_counts[cid].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        listed.append(
            Community(
                id=cid,
                size=len(members),
                scoped_members=in_scope,
                members_top=[
                    ActorRef(
                        actor_id=str(n),
                        name=_attr(g, str(n), "name"),
                        county_code=_attr(g, str(n), "county_code"),
                    )
                    for n in ranked
                ],
                counties=dict(sorted(counties.items())),
                themes=dict(top_themes),
            )
        )
    aligned = [a for a in v.actors if g.degree(a) > 0 and _attr(g, a, "county_code")]
    nmi_c = com.nmi({a: member[a] for a in aligned}, {a: _attr(g, a, "county_code") for a in aligned})
    main = {a: t for a in v.actors if g.degree(a) > 0 and (t := _main_theme(v, p.project_themes, a))}
    nmi_t = com.nmi({a: member[a] for a in main}, dict(main)) if main else None
    return CommunitiesResult(
        scope=_scope_info(scope),
        algorithm=(
            "louvain (Blondel et al. 2008): networkx"
            if g.number_of_nodes() < com.IGRAPH_FROM
            else "louvain (Blondel et al. 2008): igraph multilevel, for graphs of 5,000+ nodes"
        ),
        seed=com.LOUVAIN_SEED,
        resolution=com.RESOLUTION,
        modularity=r6(p.modularity()),
        total_communities=len(parts),
        singletons=sum(1 for c in parts if len(c) == 1),
        communities=_cut(listed, top),
        nmi_counties=sig6(nmi_c) if nmi_c is not None else None,
        nmi_themes=sig6(nmi_t) if nmi_t is not None else None,
        aligned_actors=len(aligned),
        note=(
            "communities are found on the whole collaboration graph (weights = shared projects) and listed "
            "when a member is in the scope; nmi_counties compares them with the scoped actors' counties, "
            "nmi_themes with each scoped actor's most frequent theme (1 = same grouping, 0 = unrelated)"
        ),
    )


def isolated_result(p: Prepared, scope: Scope, top: int | None) -> IsolatedResult:
    v = p.view(scope)
    b, c = v.view_bipartite, v.view_collab
    cands = v.county_actors

    def name(t: str) -> str:
        return p.themes[t].name if t in p.themes else t

    found = {
        "no_collaboration": iso.no_collaboration(
            b, c, cands, "counting project" if scope.filters_projects else "project"
        ),
        "only_own_county": iso.only_own_county(c, cands, b),
        "no_eu_project": iso.no_eu_project(b, cands, EU_PROGRAMMES),
        "weak_despite_profile": iso.weak_despite_profile(c, cands),
        "s3_theme_without_outside_partner": iso.s3_theme_without_outside_partner(
            b, cands, p.project_themes, name
        ),
        "partners_not_in_data": iso.partners_not_in_data(b, c, cands),
    }

    def item(a: str, reason: str) -> IsolatedActor:
        return IsolatedActor(
            actor_id=a,
            name=_attr(c, a, "name"),
            kind=_attr(c, a, "kind"),
            county_code=_attr(c, a, "county_code"),
            reason=reason,
            said=said_of(reason),
        )

    brokers_by_county: dict[str, list[BrokerSuggestion]] = {}
    suggested: dict[str, list[BrokerSuggestion]] = {}
    for key, hits in found.items():
        out: list[BrokerSuggestion] = []
        listed = {a for a, _ in hits}
        for county in sorted({_attr(c, a, "county_code") for a in listed} - {""}):
            if county not in brokers_by_county:
                brokers_by_county[county] = [
                    BrokerSuggestion(
                        county_code=county, actor_id=a, name=_attr(c, a, "name"), outside_partners=n
                    )
                    for a, n in iso.suggested_brokers(c, county)
                ]
            out.extend(s for s in brokers_by_county[county] if s.actor_id not in listed)
        suggested[key] = out
    rules = dict(iso.RULES)
    rules["no_eu_project"] = rules["no_eu_project"].format(programmes=", ".join(EU_PROGRAMMES))
    lists = {k: [item(a, r) for a, r in _cut(hits, top)] for k, hits in found.items()}
    return IsolatedResult(
        scope=_scope_info(scope),
        no_collaboration=lists["no_collaboration"],
        only_own_county=lists["only_own_county"],
        no_eu_project=lists["no_eu_project"],
        weak_despite_profile=lists["weak_despite_profile"],
        s3_theme_without_outside_partner=lists["s3_theme_without_outside_partner"],
        partners_not_in_data=lists["partners_not_in_data"],
        counts={k: len(hits) for k, hits in found.items()},
        suggested_brokers=suggested,
        rules=rules,
        partial_sources=partial_sources(v),
    )


def _scope_counties(scope: Scope) -> list[str]:
    return sorted(scope.counties) if scope.counties else sorted(COUNTIES)


def counties_result(p: Prepared, scope: Scope, top: int | None) -> CountiesResult:
    """Observed/expected per pair of the scope's counties, against one Sweden-wide null model.

    The matrix is computed over all 21 counties whatever counties the scope names, so that a pair
    has one expected figure on every page (the counties view, `analyze counties`, the county report,
    the exports): the scope's counties only choose which rows are shown, the pairs among them (a
    single county: its pairs with every other county). Projects whose source lists
    only the owner (ERDF) say nothing about shared projects and are left out of the matrix.
    """
    v = p.view(scope)
    codes = _scope_counties(scope)
    m = p.county_matrix(scope)
    wanted = set(codes)
    members = cty.county_members(
        v.view_bipartite, v.actors, codes, set(v.projects) if scope.filters_projects else None
    )
    rows = [
        CountyRow(
            code=c,
            name=COUNTIES[c].name,
            actors=len(members[c][0]),
            projects=len(members[c][1]),
            collaboration_projects=m.projects[c],
            internal_actor_pairs=m.internal_pairs[c],
        )
        for c in codes
    ]
    pairs = [
        CountyPair(
            a=a,
            b=b,
            a_name=COUNTIES[a].name,
            b_name=COUNTIES[b].name,
            shared_projects=m.shared_projects[(a, b)],
            actor_pairs=m.actor_pairs[(a, b)],
            expected_projects=r6(m.expected_projects[(a, b)]),
            ratio_projects=sig6(cty.ratio(m.shared_projects[(a, b)], m.expected_projects[(a, b)])),
            expected_actor_pairs=r6(m.expected_actor_pairs[(a, b)]),
            ratio_actor_pairs=sig6(cty.ratio(m.actor_pairs[(a, b)], m.expected_actor_pairs[(a, b)])),
        )
        for a, b in sorted(m.shared_projects)
        if (a in wanted and b in wanted) or (len(wanted) == 1 and wanted & {a, b})
    ]
    return CountiesResult(
        scope=_scope_info(scope),
        counties=rows,
        pairs=_cut(pairs, top),
        null_model=cty.NULL_MODEL,
        partial_sources=partial_sources(v),
    )


def themes_result(p: Prepared, scope: Scope, top: int | None) -> ThemesResult:
    v = p.view(scope)
    codes = _scope_counties(scope)
    presence = thm.theme_presence(v.view_bipartite, v.projects, p.project_themes, codes)
    ids = sorted(scope.theme) if scope.theme else sorted(set(p.themes) | set(presence))
    gaps = []
    for t in ids:
        record = p.themes.get(t)
        pres = presence.get(t, thm.ThemePresence(t))
        present = sorted(c for c, actors in pres.actors_by_county.items() if actors)
        strategy = sorted(c for c in (record.county_codes if record else []) if c in codes)
        gaps.append(
            ThemeGap(
                theme_id=t,
                name=record.name if record else t,
                kind=record.kind.value if record else thm.theme_kind(t),
                counties_present=present,
                counties_missing=[c for c in codes if c not in present],
                strategy_counties=strategy,
                strategy_counties_missing=[c for c in strategy if c not in present],
                projects=pres.projects,
                actors=len({a for actors in pres.actors_by_county.values() for a in actors}),
                by_county={c: len(pres.actors_by_county[c]) for c in present},
            )
        )
    gaps.sort(key=lambda gp: (gp.kind, gp.theme_id))
    return ThemesResult(
        scope=_scope_info(scope),
        themes=_cut(gaps, top),
        crosswalk=p.crosswalk,
        note=(
            "a county takes part in a theme when one of its actors is in a counting project on it; a project is "
            "on a theme when it names it or graph.crosswalk maps it there"
        ),
    )
