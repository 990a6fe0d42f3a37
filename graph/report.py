"""The county report's figures and rules: what a strategist reads about one county, as typed data.

`county_report(store, code)` gathers the figures into a `CountyReport` (a pydantic model, so the
CLI can also print it as JSON). Drawing it is `viz.report.render_html`; printing it to PDF is
`viz.report.pdf`. Nothing here knows about HTML.

Where the figures come from:
- actors by kind, projects by programme and start year, partner counties and countries: counted
  on the actor–project graph (`store.to_networkx()`, as `graph.analysis` holds it), the county's actors being those whose
  `county_code` is the county;
- centrality, brokers, isolated actors, county-to-county observed/expected ratios and theme coverage:
  `graph.analysis.run_analysis` for the scopes named in `CountyReport.scopes`, unchanged, so every
  number equals `innograph analyze … --json` for the same scope;
- the county's smart-specialisation themes (registry) against programme parts and Interreg
  objectives: `graph.crosswalk` when present;
- partner suggestions per theme: `graph.partners` when present;
- EU funding captured and the county benchmark: `graph.analysis.funding` for the county's scope, the
  same numbers as `innograph funding --county CODE --json` and `innograph funding benchmark`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import networkx as nx
from pydantic import BaseModel, Field

from graph.analysis import Scope, run_analysis
from graph.analysis import centrality as cen
from graph.analysis import counties as cty
from graph.analysis.funding import Benchmark, FundingResult, benchmark, funding, store_facts
from graph.analysis.isolation import ISOLATION_LISTS, partial_projects
from graph.analysis.models import (
    BrokerageResult,
    CentralityResult,
    CountiesResult,
    IsolatedResult,
    ThemesResult,
)
from graph.analysis.run import on_graphs, prepare
from graph.analysis.themes import theme_projects
from graph.errors import NotFound
from graph.geo import COUNTIES
from graph.store.base import GraphStore

TOP_ACTORS = 15  # the county's actors listed by centrality
TOP_BROKERS = 10
PERIPHERAL_MAX_PARTNERS = 2  # actors with partners, but at most this many, are "peripheral"


class Count(BaseModel):
    key: str
    label: str
    value: int


class YearCount(BaseModel):
    year: str
    programme: str
    projects: int


class PartnerPlace(BaseModel):
    key: str
    label: str
    partners: int = Field(description="distinct actors outside the county sharing a project with it")
    projects: int = Field(description="the county's projects that have such a partner")


class CountyReport(BaseModel):
    code: str
    name: str
    nuts3: str
    generated: str
    store_version: int
    scopes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    actors_total: int
    actors_by_kind: list[Count]
    projects_total: int
    projects_by_programme: list[Count]
    projects_by_year: list[YearCount]
    partner_counties: list[PartnerPlace]
    partner_countries: list[PartnerPlace]
    county_pairs: list[dict[str, Any]] = Field(default_factory=list)
    top_actors: list[dict[str, Any]] = Field(default_factory=list)
    isolated: list[dict[str, Any]] = Field(default_factory=list)
    isolated_counts: dict[str, int] = Field(default_factory=dict)
    isolation_rules: dict[str, str] = Field(default_factory=dict)
    peripheral: list[dict[str, Any]] = Field(default_factory=list)
    brokers: list[dict[str, Any]] = Field(default_factory=list)
    themes: list[dict[str, Any]] = Field(default_factory=list)
    partner_suggestions: list[dict[str, Any]] | None = None
    funding: FundingResult | None = Field(
        default=None, description="EU money captured by the county (innograph funding --county CODE)"
    )
    funding_benchmark: Benchmark | None = Field(
        default=None,
        description="the county per inhabitant against all counties (innograph funding benchmark)",
    )
    notes: list[str] = Field(default_factory=list)
    scope_text: str = Field(default="", description="the scopes and the model of 'expected', in words")
    partial_sources: str = Field(default="", description="the sources that do not list every member")


def check_county(code: str) -> str:
    code = code.strip()
    if code not in COUNTIES:
        raise NotFound(f"unknown county code {code!r}: use an SCB code such as 12 (Skåne) or 10 (Blekinge)")
    return code


def _graph_sections(g: nx.Graph, code: str) -> dict[str, Any]:
    """Counts on the actor–project graph: the county's actors, projects and partners."""
    everyone = (n for n, d in g.nodes(data=True) if d.get("type") == "actor")
    own, projects = cty.county_members(g, everyone, [code])[code]
    own_set = set(own)
    kinds = Counter(g.nodes[a].get("kind") or "other" for a in own)
    by_prog = Counter(g.nodes[p].get("programme") or "?" for p in projects)
    by_year: Counter[tuple[str, str]] = Counter()
    for p in projects:
        y = g.nodes[p].get("start_year")
        by_year[(str(y) if y else "?", g.nodes[p].get("programme") or "?")] += 1
    county_partners: dict[str, set[str]] = defaultdict(set)
    county_projects: dict[str, set[str]] = defaultdict(set)
    country_partners: dict[str, set[str]] = defaultdict(set)
    country_projects: dict[str, set[str]] = defaultdict(set)
    for p in projects:
        for other in g[p]:
            if other in own_set:
                continue
            d = g.nodes[other]
            country = d.get("country") or "?"
            country_partners[country].add(other)
            country_projects[country].add(p)
            cc = d.get("county_code") or ""
            if cc:
                county_partners[cc].add(other)
                county_projects[cc].add(p)

    def places(partners: dict[str, set[str]], projs: dict[str, set[str]], label: Any) -> list[PartnerPlace]:
        rows = [
            PartnerPlace(key=k, label=label(k), partners=len(v), projects=len(projs[k]))
            for k, v in partners.items()
        ]
        return sorted(rows, key=lambda r: (-r.projects, -r.partners, r.key))

    return {
        "own": own,
        "actors_total": len(own),
        "actors_by_kind": [
            Count(key=k, label=k, value=v) for k, v in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "projects_total": len(projects),
        "projects_by_programme": [
            Count(key=k, label=k, value=v) for k, v in sorted(by_prog.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "projects_by_year": [
            YearCount(year=y, programme=prog, projects=n) for (y, prog), n in sorted(by_year.items())
        ],
        "partner_counties": places(
            county_partners, county_projects, lambda k: COUNTIES[k].short_name if k in COUNTIES else k
        ),
        "partner_countries": places(country_partners, country_projects, lambda k: k),
    }


def county_report(store: GraphStore, code: str, top: int = TOP_ACTORS) -> CountyReport:
    """Every figure of the county report, from the store and the analysis (see the module docstring)."""
    code = check_county(code)
    info = COUNTIES[code]
    g = prepare(store).bipartite  # the analysis' own copy of the graph, built once per store version
    sec = _graph_sections(g, code)
    own = sec.pop("own")
    report = CountyReport(
        code=code,
        name=info.name,
        nuts3=info.nuts3,
        generated=dt.date.today().isoformat(),
        store_version=store.version(),
        **sec,
    )
    report.themes = theme_coverage(store, code, g)
    report.partner_suggestions = partner_suggestions(store, report.themes)
    _analysis_sections(report, store, own, top=top)
    facts, names = store_facts(store)
    report.funding = funding(facts, Scope(counties=(code,)), names)
    report.funding_benchmark = benchmark(facts, Scope(counties=(code,)), names)
    return report


def county_report_cached(store: GraphStore, code: str) -> CountyReport:
    """`county_report(store, code)`, built once per store version (`graph.cache`, kept beside the store)."""
    code = check_county(code)
    return on_graphs(store, f"report:county:{code}:{TOP_ACTORS}", lambda _: county_report(store, code))


SUGGESTIONS_PER_THEME = 10


def partner_suggestions(store: GraphStore, themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The best-placed European partners outside Sweden for each S3 theme (`graph.partners`).

    The query is the theme's name and description as the call text, the theme and the programme parts
    the crosswalk maps to it as themes, and the county's actors already active in the theme as the
    consortium (so network proximity counts); candidates from Sweden are excluded.
    """
    from graph.partners import PartnerQuery, find_partners

    out = []
    for th in themes:
        q = PartnerQuery(
            topic=" ".join(x for x in (th["name"], th.get("description") or "") if x),
            themes=[
                th["theme_id"],
                *(a["term_id"] for a in th["active"]),
                *(g["term_id"] for g in th["gaps"]),
            ],
            members=th["members"],
            exclude_countries=["SE"],
            top=SUGGESTIONS_PER_THEME,
        )
        res = find_partners(store, q)
        out.append(
            {
                "theme_id": th["theme_id"],
                "theme_name": th["name"],
                "members": len(res.members),
                "partners": [
                    {
                        "actor_id": c.actor_id,
                        "name": c.name,
                        "country": c.country or "",
                        "kind": c.kind,
                        "score": c.score,
                        "score_fmt": f"{c.score:.3f}",
                        "reasons": c.reasons,
                        "said": [x.model_dump() for x in c.said],
                    }
                    for c in res.partners
                ],
            }
        )
    return out


def theme_coverage(store: GraphStore, code: str, g: nx.Graph) -> list[dict[str, Any]]:
    """Each S3 theme of the county against the programme parts and objectives the crosswalk maps to it.

    A term is *active* when at least one of the county's projects carries it (with the number of
    such projects), a *gap* otherwise.
    """
    from graph.crosswalk import crosswalk_table, default_crosswalk

    themes = sorted(
        (t for t in store.themes() if t.kind.value == "s3_area" and code in t.county_codes),
        key=lambda t: t.id,
    )
    if not themes:
        return []
    cw = default_crosswalk()
    own = {n for n, d in g.nodes(data=True) if d.get("type") == "actor" and d.get("county_code") == code}
    project_ids = sorted({g.nodes[p]["id"] for a in own for p in g[a]})
    projects = store.get_projects(project_ids)
    # the crosswalk's themes per project, as the analysis has them
    project_themes = prepare(store).project_themes
    carried: Counter[str] = Counter()
    for p in projects.values():
        for e in cw.matching_entries(p):
            carried[e.id] += 1
    rows_by_theme: dict[str, list[Any]] = defaultdict(list)
    for row in crosswalk_table(cw):
        if row.s3_theme:
            rows_by_theme[row.s3_theme].append(row)
    out = []
    for t in themes:
        terms = sorted(rows_by_theme.get(t.id, []), key=lambda r: (r.programme, r.term_id))
        active = [
            {"term_id": r.term_id, "label": f"{r.programme}: {r.term_name}", "projects": carried[r.term_id]}
            for r in terms
            if carried[r.term_id]
        ]
        active_ids = {a["term_id"] for a in active}
        near = active_ids | {cw.by_id[i].within for i in active_ids if cw.by_id[i].within}
        gaps = [
            {"term_id": r.term_id, "programme": r.programme, "name": r.term_name, "reason": r.reason}
            for r in terms
            if not carried[r.term_id]
            and r.term_id not in near
            and cw.by_id[r.term_id].within not in active_ids
        ]
        direct = sorted(pid for pid, p in projects.items() if t.id in p.themes)
        if direct:
            active.insert(0, {"term_id": t.id, "label": "", "self": True, "projects": len(direct)})
        linked = {g.nodes[n]["id"] for n in theme_projects(g, project_themes, t.id, (code,))}
        members = sorted(a for a in own if any(g.nodes[pn].get("id") in linked for pn in g[a]))
        out.append(
            {
                "theme_id": t.id,
                "name": t.name,
                "description": t.description,
                "named_by_projects": len(direct),
                "projects": len(linked),
                "members": members,
                "active": active,
                "gaps": gaps,
                "counties_present": [],
                "counties_missing": [],
            }
        )
    return out


def report_scopes(code: str) -> dict[str, Scope]:
    """The analysis scopes behind the report's figures, with the CLI call that prints the same numbers:

    - `county`: the county's own actors (`innograph analyze centrality|brokerage|isolated --county CODE --json`);
    - `sweden`: every county, for the county-to-county ratios and the counties present in each theme
      (`innograph analyze counties|themes --county all --json`).
    """
    return {"county": Scope(counties=(code,)), "sweden": Scope(counties=())}


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def county_betweenness(store: GraphStore, own: list[str]) -> dict[str, float]:
    """Betweenness inside the county's Swedish network: its actors and their partners in Swedish counties.

    The whole-graph betweenness of a regional actor rounds to zero among 50,000 European actors; on
    this subgraph it tells who connects the county's own actors with each other and with the rest of
    Sweden (`graph.analysis.centrality.betweenness`: exact up to its size limit, sampled beyond).
    """
    collab = prepare(store).collab
    nodes = {a for a in own if a in collab}
    nodes |= {p for a in list(nodes) for p in collab[a] if collab.nodes[p].get("county_code")}
    if len(nodes) < 3:
        return dict.fromkeys(nodes, 0.0)
    est = cen.betweenness(nx.Graph(collab.subgraph(sorted(nodes))))
    return {str(k): float(v) for k, v in est.values.items()}


def _analysis_sections(report: CountyReport, store: GraphStore, own: list[str], top: int) -> None:
    """Centrality, isolation, brokers, county ratios and theme presence, unchanged from `run_analysis`."""
    scopes = report_scopes(report.code)
    report.scopes = {k: v.describe() for k, v in scopes.items()}
    cen: CentralityResult = run_analysis(store, "centrality", scopes["county"])
    bro: BrokerageResult = run_analysis(store, "brokerage", scopes["county"])
    iso: IsolatedResult = run_analysis(store, "isolated", scopes["county"])
    cty: CountiesResult = run_analysis(store, "counties", scopes["sweden"])
    thm: ThemesResult = run_analysis(store, "themes", scopes["sweden"])
    report.notes = [cen.betweenness.text, cty.null_model]
    report.partial_sources = iso.partial_sources or cty.partial_sources

    by_id = {r.actor_id: r for r in cen.rows}
    brk = {r.actor_id: r for r in bro.rows}
    local = county_betweenness(store, own)
    report.top_actors = [
        {
            **r.model_dump(),
            "betweenness_fmt": _f(r.betweenness, 4),
            "pagerank_fmt": _f(r.pagerank, 5),
            "betweenness_county": local.get(r.actor_id),
            "betweenness_county_fmt": _f(local.get(r.actor_id), 3),
        }
        for r in cen.rows[:top]
    ]

    listed: set[str] = set()
    for name in ISOLATION_LISTS:
        for item in getattr(iso, name):
            report.isolated.append({"list": name, **item.model_dump()})
            listed.add(item.actor_id)
    report.isolated_counts = dict(iso.counts)
    report.isolation_rules = dict(iso.rules)
    g = prepare(store).bipartite
    # few partners in the data is no sign of periphery when a source leaves the partners out
    peripheral = [
        r
        for r in cen.rows
        if 0 < r.degree <= PERIPHERAL_MAX_PARTNERS
        and r.actor_id not in listed
        and not partial_projects(g, r.actor_id)
    ]
    peripheral.sort(key=lambda r: (r.degree, r.pagerank, r.actor_id))
    report.peripheral = [
        {"actor_id": r.actor_id, "name": r.name, "kind": r.kind, "degree": r.degree, "pagerank": r.pagerank}
        for r in peripheral
    ]

    suggested: dict[str, int] = {}
    for items in iso.suggested_brokers.values():
        for b in items:
            if b.county_code == report.code:
                suggested[b.actor_id] = b.outside_partners
    ranked = sorted(suggested, key=lambda a: (-suggested[a], a))
    ranked += [r.actor_id for r in cen.rows if r.actor_id not in suggested and r.degree >= 2]
    for a in ranked[:TOP_BROKERS]:
        c, br = by_id.get(a), brk.get(a)
        if c is None:
            continue
        report.brokers.append(
            {
                "actor_id": a,
                "name": c.name,
                "kind": c.kind,
                "degree": c.degree,
                "outside_partners": suggested.get(a),
                "betweenness": c.betweenness,
                "constraint": br.constraint if br else None,
                "effective_size": br.effective_size if br else None,
                "betweenness_fmt": _f(c.betweenness, 4),
                "constraint_fmt": _f(br.constraint if br else None),
                "effective_size_fmt": _f(br.effective_size if br else None, 2),
            }
        )

    for pair in cty.pairs:
        if report.code not in (pair.a, pair.b):
            continue
        other = pair.b if pair.a == report.code else pair.a
        if not pair.shared_projects and not pair.expected_projects:
            continue
        report.county_pairs.append(
            {
                "county": other,
                "label": COUNTIES[other].short_name,
                "observed": pair.shared_projects,
                "expected": pair.expected_projects,
                "ratio": pair.ratio_projects,
                "actor_pairs": pair.actor_pairs,
                "expected_pairs": pair.expected_actor_pairs,
                "ratio_pairs": pair.ratio_actor_pairs,
                "expected_fmt": _f(pair.expected_projects, 2),
                "ratio_fmt": _f(pair.ratio_projects, 2),
                "expected_pairs_fmt": _f(pair.expected_actor_pairs, 2),
                "ratio_pairs_fmt": _f(pair.ratio_actor_pairs, 2),
            }
        )
    report.county_pairs.sort(key=lambda r: (-r["observed"], r["county"]))

    gaps = {t.theme_id: t for t in thm.themes}
    for th in report.themes:
        gap = gaps.get(th["theme_id"])
        if gap is not None:
            th["counties_present"] = gap.counties_present
            th["counties_missing"] = gap.counties_missing
            th["strategy_counties_missing"] = gap.strategy_counties_missing
            th["projects_all_counties"] = gap.projects
            # with counts (actors per county), most active first: "all 21 counties" says nothing
            th["counties_counts"] = sorted(gap.by_county.items(), key=lambda kv: (-kv[1], kv[0]))
