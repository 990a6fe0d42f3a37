"""The county report: one self-contained HTML page (inline CSS and SVG charts) that a strategist can mail or print.

`county_report(store, code)` gathers the figures into a `CountyReport` (a pydantic model, so the
CLI can also print it as JSON); `render_html(report, lang)` draws it with the
`viz/templates/county_report.html` template (autoescaped: names are data and are shown as text);
`print_pdf(html, path)` prints it with headless Chromium.

Where the figures come from:
- actors by kind, projects by programme and start year, partner counties and countries: counted
  on the actor–project graph (`store.to_networkx()`, as `graph.analysis` holds it), the county's actors being those whose
  `county_code` is the county;
- centrality, brokers, isolated actors, county-to-county observed/expected ratios and theme coverage:
  `graph.analysis.run_analysis` for the scopes named in `CountyReport.scopes`, unchanged, so every
  number equals `innograph analyze … --json` for the same scope;
- the county's smart-specialisation themes (registry) against programme parts and Interreg
  objectives: `graph.crosswalk` when present;
- partner suggestions per theme: `graph.partners` when present.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field

from graph.analysis import Scope, run_analysis
from graph.analysis.models import (
    BrokerageResult,
    CentralityResult,
    CountiesResult,
    IsolatedResult,
    ThemesResult,
)
from graph.analysis.run import prepare
from graph.errors import InvalidInput, NotFound
from graph.geo import COUNTIES
from graph.store.base import GraphStore
from viz.charts import PALETTE, Bar, hbar_chart, stacked_columns

LANGS = ("en", "sv")
TOP_ACTORS = 15  # the county's actors listed by centrality
TOP_BROKERS = 10
PERIPHERAL_MAX_PARTNERS = 2  # actors with partners, but at most this many, are "peripheral"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


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
    notes: list[str] = Field(default_factory=list)


def check_county(code: str) -> str:
    code = code.strip()
    if code not in COUNTIES:
        raise NotFound(f"unknown county code {code!r}: use an SCB code such as 12 (Skåne) or 10 (Blekinge)")
    return code


def _graph_sections(g: nx.Graph, code: str) -> dict[str, Any]:
    """Counts on the actor–project graph: the county's actors, projects and partners."""
    own = sorted(
        n for n, d in g.nodes(data=True) if d.get("type") == "actor" and d.get("county_code") == code
    )
    own_set = set(own)
    kinds = Counter(g.nodes[a].get("kind") or "other" for a in own)
    projects = sorted({p for a in own for p in g[a]})
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
    return report


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
        linked = {pid for pid, p in projects.items() if t.id in {x.theme_id for x in cw.themes_for(p)}}
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


# -- rendering --------------------------------------------------------------------------------

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "County report",
        "generated": "Generated",
        "store_version": "data version",
        "summary": "{actors} actors in the graph are located in the county; they take part in {projects} projects.",
        "actors": "Actors by kind",
        "kind": "Kind",
        "count": "Actors",
        "projects": "Projects by programme and start year",
        "programme": "Programme",
        "n_projects": "Projects",
        "year": "Start year",
        "partners": "Partner counties and countries",
        "partner_counties": "Partner counties (Swedish partners outside the county)",
        "partner_countries": "Partner countries",
        "county": "County",
        "country": "Country",
        "n_partners": "Partner actors",
        "pairs": "County-to-county collaboration: observed against expected",
        "pairs_intro": "Shared projects and actor pairs between the county and each other county, with the value a null model proportional to the counties' activity expects; a ratio below 1 means less collaboration than their size predicts.",
        "shared_projects": "Shared projects",
        "expected": "Expected",
        "ratio": "Observed / expected",
        "actor_pairs": "Actor pairs",
        "isolated": "Isolated and peripheral actors",
        "isolated_intro": "Actors of the county that the analysis names as isolated, each with the reason.",
        "actor": "Actor",
        "reason": "Reason",
        "list": "List",
        "peripheral": "Peripheral actors (few partners)",
        "degree": "Partners",
        "brokers": "Brokers that could connect them",
        "brokers_intro": "The county's actors with the most brokerage (betweenness, low constraint): they sit between groups and are best placed to bring isolated actors in.",
        "betweenness": "Betweenness",
        "constraint": "Constraint",
        "effective_size": "Effective size",
        "pagerank": "PageRank",
        "themes": "Smart-specialisation themes and the programmes where the county takes part",
        "themes_intro": "Each S3 theme of the county (registry) against the programme parts and Interreg objectives it maps to; parts where the county's actors take part are listed with their project counts, the others are gaps.",
        "theme": "Theme",
        "active": "Where the county takes part (projects)",
        "linked": "Projects",
        "self_named": "Projects that name the theme themselves",
        "gaps": "Gaps",
        "counties_present": "Swedish counties active in the theme",
        "counties_missing": "Counties missing",
        "suggestions": "Best-placed European partners per theme",
        "score": "Score",
        "none": "None.",
        "no_themes": "The registry names no smart-specialisation themes for this county.",
        "no_suggestions": "The partner finder is not available in this installation.",
        "scope": "Scopes of the analysis figures",
        "scope_intro": "Each analysis figure equals the output of the command shown for the same data.",
        "top_actors": "The county's most central actors",
        "weighted_degree": "Shared projects",
        "outside_partners": "Partners outside the county",
        "no_collaboration": "No collaboration",
        "only_own_county": "Only partners in its own county",
        "no_eu_project": "No EU-funded project",
        "weak_despite_profile": "Few links despite a strong profile",
        "s3_theme_without_outside_partner": "S3 theme work without outside partners",
        "peripheral_reason": "only {n} partner(s)",
        "notes": "Notes",
    },
    "sv": {
        "title": "Länsrapport",
        "generated": "Skapad",
        "store_version": "dataversion",
        "summary": "{actors} aktörer i grafen finns i länet; de deltar i {projects} projekt.",
        "actors": "Aktörer per typ",
        "kind": "Typ",
        "count": "Aktörer",
        "projects": "Projekt per program och startår",
        "programme": "Program",
        "n_projects": "Projekt",
        "year": "Startår",
        "partners": "Partnerlän och partnerländer",
        "partner_counties": "Partnerlän (svenska partner utanför länet)",
        "partner_countries": "Partnerländer",
        "county": "Län",
        "country": "Land",
        "n_partners": "Partneraktörer",
        "pairs": "Samverkan mellan län: observerat mot förväntat",
        "pairs_intro": "Gemensamma projekt och aktörspar mellan länet och varje annat län, med det värde en nollmodell proportionell mot länens aktivitet förväntar; en kvot under 1 betyder mindre samverkan än storleken förutsäger.",
        "shared_projects": "Gemensamma projekt",
        "expected": "Förväntat",
        "ratio": "Observerat / förväntat",
        "actor_pairs": "Aktörspar",
        "isolated": "Isolerade och perifera aktörer",
        "isolated_intro": "Länets aktörer som analysen pekar ut som isolerade, var och en med skälet.",
        "actor": "Aktör",
        "reason": "Skäl",
        "list": "Lista",
        "peripheral": "Perifera aktörer (få partner)",
        "degree": "Partner",
        "brokers": "Mäklare som kan koppla ihop dem",
        "brokers_intro": "Länets aktörer med störst mäklarposition (betweenness, låg constraint): de står mellan grupper och har bäst läge att få med isolerade aktörer.",
        "betweenness": "Betweenness",
        "constraint": "Constraint",
        "effective_size": "Effektiv storlek",
        "pagerank": "PageRank",
        "themes": "Smart specialisering och programmen där länet deltar",
        "themes_intro": "Varje S3-område i länet (registret) mot de programdelar och Interreg-mål det motsvarar; delar där länets aktörer deltar anges med antal projekt, övriga är luckor.",
        "theme": "Område",
        "active": "Där länet deltar (projekt)",
        "linked": "Projekt",
        "self_named": "Projekt som själva anger området",
        "gaps": "Luckor",
        "counties_present": "Svenska län aktiva inom området",
        "counties_missing": "Län som saknas",
        "suggestions": "Bäst placerade europeiska partner per område",
        "score": "Poäng",
        "none": "Inga.",
        "no_themes": "Registret anger inga områden för smart specialisering för länet.",
        "no_suggestions": "Partnersökningen finns inte i denna installation.",
        "scope": "Avgränsning av analysens siffror",
        "scope_intro": "Varje analyssiffra är densamma som utdata från kommandot som anges, för samma data.",
        "top_actors": "Länets mest centrala aktörer",
        "weighted_degree": "Gemensamma projekt",
        "outside_partners": "Partner utanför länet",
        "no_collaboration": "Ingen samverkan",
        "only_own_county": "Partner bara i det egna länet",
        "no_eu_project": "Inget EU-finansierat projekt",
        "weak_despite_profile": "Få kopplingar trots stark profil",
        "s3_theme_without_outside_partner": "S3-arbete utan partner utanför länet",
        "peripheral_reason": "bara {n} partner",
        "notes": "Anmärkningar",
    },
}


KIND_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "university": "University",
        "science_park": "Science park",
        "incubator": "Incubator",
        "business_support": "Business support",
        "regional_authority": "Regional authority",
        "municipality": "Municipality",
        "government_agency": "Government agency",
        "research_institute": "Research institute",
        "company": "Company",
        "cluster_organisation": "Cluster organisation",
        "association": "Association",
        "other": "Other",
    },
    "sv": {
        "university": "Universitet/högskola",
        "science_park": "Science park",
        "incubator": "Inkubator",
        "business_support": "Företagsfrämjande",
        "regional_authority": "Region/länsstyrelse",
        "municipality": "Kommun",
        "government_agency": "Statlig myndighet",
        "research_institute": "Forskningsinstitut",
        "company": "Företag",
        "cluster_organisation": "Klusterorganisation",
        "association": "Förening",
        "other": "Övrigt",
    },
}


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("viz", "templates"),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def charts(report: CountyReport, t: dict[str, str]) -> dict[str, Any]:
    """The inline SVG charts of the report, keyed by section."""
    years = sorted({r.year for r in report.projects_by_year}, key=lambda y: (y == "?", y))
    programmes = [c.key for c in report.projects_by_programme]
    series = {
        prog: [
            sum(r.projects for r in report.projects_by_year if r.year == y and r.programme == prog)
            for y in years
        ]
        for prog in programmes
    }
    return {
        "actors": hbar_chart(
            "actors-by-kind", t["actors"], [Bar(c.label, c.value) for c in report.actors_by_kind], PALETTE[0]
        ),
        "projects": stacked_columns("projects-by-year", t["projects"], years, series),
        "partner_counties": hbar_chart(
            "partner-counties",
            t["partner_counties"],
            [Bar(p.label, p.projects) for p in report.partner_counties[:20]],
            PALETTE[2],
        ),
        "partner_countries": hbar_chart(
            "partner-countries",
            t["partner_countries"],
            [Bar(p.label, p.projects) for p in report.partner_countries[:20]],
            PALETTE[1],
        ),
        "pairs": hbar_chart(
            "county-ratios",
            t["pairs"],
            [
                Bar(str(r["label"]), float(r["ratio"]), f"{r['observed']} / {float(r['expected']):.2f}")
                for r in report.county_pairs
                if r.get("ratio") is not None and r["observed"]
            ],
            PALETTE[3],
        ),
    }


def render_html(report: CountyReport, lang: str = "en") -> str:
    """The report as one self-contained HTML page (no external assets)."""
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r}: use en or sv")
    t = TEXT[lang]
    kinds = KIND_LABELS[lang]
    report = report.model_copy(deep=True)
    for c in report.actors_by_kind:
        c.label = kinds.get(c.key, c.key)
    template = _env().get_template("county_report.html")
    names = {c: info.short_name for c, info in COUNTIES.items()}
    return template.render(
        r=report, t=t, lang=lang, kinds=kinds, county_names=names, charts=charts(report, t)
    )


def print_pdf(html: str, out: Path, chromium: str = CHROMIUM, timeout: float = 120.0) -> Path:
    """Print the page to PDF with headless Chromium (no network: the page has no external assets)."""
    exe = shutil.which(chromium) or (chromium if Path(chromium).exists() else None)
    if exe is None:
        raise InvalidInput(f"--pdf needs Chromium at {chromium} (apt-get install chromium)")
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="innograph-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        cmd = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise InvalidInput(f"Chromium did not print the report within {timeout:.0f} s") from e
    if done.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
        raise InvalidInput(f"Chromium could not print the report: {last}")
    return out


def pdf_bytes(html: str) -> bytes:
    """The report printed to PDF, as bytes (for the HTTP download)."""
    with tempfile.TemporaryDirectory(prefix="innograph-pdf-") as tmp:
        return print_pdf(html, Path(tmp) / "report.pdf").read_bytes()


def report_scopes(code: str) -> dict[str, Scope]:
    """The analysis scopes behind the report's figures, with the CLI call that prints the same numbers:

    - `county`: the county's own actors (`innograph analyze centrality|brokerage|isolated --county CODE --json`);
    - `sweden`: every county, for the county-to-county ratios and the counties present in each theme
      (`innograph analyze counties|themes --county all --json`).
    """
    return {"county": Scope(counties=(code,)), "sweden": Scope(counties=())}


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


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

    by_id = {r.actor_id: r for r in cen.rows}
    brk = {r.actor_id: r for r in bro.rows}
    report.top_actors = [
        {**r.model_dump(), "betweenness_fmt": _f(r.betweenness, 4), "pagerank_fmt": _f(r.pagerank, 5)}
        for r in cen.rows[:top]
    ]

    listed: set[str] = set()
    for name in ISOLATION_LISTS:
        for item in getattr(iso, name):
            report.isolated.append({"list": name, **item.model_dump()})
            listed.add(item.actor_id)
    report.isolated_counts = dict(iso.counts)
    report.isolation_rules = dict(iso.rules)
    peripheral = [r for r in cen.rows if 0 < r.degree <= PERIPHERAL_MAX_PARTNERS and r.actor_id not in listed]
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


ISOLATION_LISTS: tuple[str, ...] = (
    "no_collaboration",
    "only_own_county",
    "no_eu_project",
    "weak_despite_profile",
    "s3_theme_without_outside_partner",
)
