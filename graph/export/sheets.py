"""What the tables of an export hold: the records, every analysis result and the funding sheets.

`build_tables(store, scope)` gives, in order: actors (with `part_of`, the id of the legal entity a unit
belongs to, and the units themselves listed beside their parent, so a department can be traced to
its university), projects and participations in the scope's part of the graph
(`graph.export.selection`), one table per analysis result exactly as `run_analysis` returns it, and
the funding totals and county benchmark of `innograph funding`. Writing them is `graph.export.tables`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graph.analysis.funding import (
    BENCHMARK_COLUMNS,
    TOTAL_COLUMNS,
    benchmark,
    funding,
    funding_rows,
    store_facts,
)
from graph.analysis.isolation import ISOLATION_LISTS
from graph.analysis.models import (
    BridgeEdge,
    BrokerageRow,
    BrokerSuggestion,
    CentralityRow,
    CountyPair,
    CountyRow,
    IsolatedActor,
    ThemeGap,
)
from graph.analysis.prepared import prepare
from graph.analysis.run import run_analysis
from graph.analysis.scope import Scope
from graph.export.selection import select_bipartite
from graph.export.tables import Table, cell, table_from_dicts
from graph.geo import COUNTIES
from graph.projection import project_node, rolled_records, rollup, store_records
from graph.settings import Settings
from graph.store.base import GraphStore


def record_tables(store: GraphStore, chosen: nx.Graph) -> list[Table]:
    """Actors, projects and participations inside the selected actor–project graph.

    The actors are the graph's actor nodes and, listed beside them, the organisational units folded
    into them (`Actor.part_of`, unless `Settings.units_apart`): each row's `part_of` names the actor
    it is part of, so a department is traced to its university. A unit's `projects` counts the
    selected projects it takes part in under its own name; its participations are its parent's, as in
    the graph the tables come from.
    """
    actor_ids = sorted(n for n, d in chosen.nodes(data=True) if d.get("type") == "actor")
    project_ids = sorted(d["id"] for _, d in chosen.nodes(data=True) if d.get("type") == "project")
    projects = store.get_projects(project_ids)
    wanted = set(project_ids)
    keep_actors = set(actor_ids)
    units_apart = Settings().units_apart
    records = store_records(store)  # read once per store version, shared with the graphs and the index
    every, participations = records.actors, records.participations
    up = {} if units_apart else rollup(every)
    units = {u for u, top in up.items() if top in keep_actors}
    unit_projects: dict[str, set[str]] = {u: set() for u in units}
    for part in participations:
        if part.actor_id in units and part.project_id in wanted:
            unit_projects[part.actor_id].add(part.project_id)
    listed = keep_actors | units
    actors = {a.id: a for a in every if a.id in listed}
    a_rows = []
    for aid in sorted(listed):
        a = actors.get(aid)
        if a is None:
            continue
        a_rows.append(
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind.value,
                "part_of": a.part_of,
                "country": a.country,
                "county_code": a.county_code,
                "county": COUNTIES[a.county_code].short_name if a.county_code in COUNTIES else None,
                "municipality": a.municipality,
                "city": a.city,
                "nuts3": a.nuts3,
                "pic": a.pic,
                "vat": a.vat,
                "orgnr": a.orgnr,
                "sme": a.sme,
                "website": a.website,
                "projects": len(unit_projects[aid])
                if aid in units
                else sum(1 for _ in chosen.neighbors(aid)),
                "aliases": a.aliases,
                "sources": sorted({s.source for s in a.sources}),
            }
        )
    p_rows = []
    for pid in project_ids:
        p = projects.get(pid)
        if p is None:
            continue
        p_rows.append(
            {
                "id": p.id,
                "acronym": p.acronym,
                "title": p.title,
                "programme": p.programme,
                "programme_part": p.programme_part,
                "start": p.start.isoformat() if p.start else None,
                "end": p.end.isoformat() if p.end else None,
                "start_year": p.start.year if p.start else None,
                "budget": p.budget.amount if p.budget else None,
                "budget_currency": p.budget.currency if p.budget else None,
                "eu_contribution": p.eu_contribution.amount if p.eu_contribution else None,
                "eu_contribution_currency": p.eu_contribution.currency if p.eu_contribution else None,
                "members": sum(1 for _ in chosen.neighbors(project_node(pid))),
                "themes": p.themes,
                "topics": p.topics,
                "places": p.places,
                "funders": p.funders,
            }
        )
    part_rows = []
    # a unit's participations are its parent's, as in the graph the tables come from (Actor.part_of)
    _, counted = rolled_records(store, units_apart)
    for part in counted:
        if part.project_id in wanted and part.actor_id in keep_actors:
            part_rows.append(
                {
                    "actor_id": part.actor_id,
                    "project_id": part.project_id,
                    "role": part.role.value,
                    "contribution": part.contribution.amount if part.contribution else None,
                    "contribution_currency": part.contribution.currency if part.contribution else None,
                }
            )
    return [
        table_from_dicts("actors", a_rows, ACTOR_COLUMNS),
        table_from_dicts("projects", p_rows, PROJECT_COLUMNS),
        table_from_dicts("participations", part_rows, PARTICIPATION_COLUMNS),
    ]


ACTOR_COLUMNS = [
    "id",
    "name",
    "kind",
    "part_of",
    "country",
    "county_code",
    "county",
    "municipality",
    "city",
    "nuts3",
    "pic",
    "vat",
    "orgnr",
    "sme",
    "website",
    "projects",
    "aliases",
    "sources",
]
PROJECT_COLUMNS = [
    "id",
    "acronym",
    "title",
    "programme",
    "programme_part",
    "start",
    "end",
    "start_year",
    "budget",
    "budget_currency",
    "eu_contribution",
    "eu_contribution_currency",
    "members",
    "themes",
    "topics",
    "places",
    "funders",
]
PARTICIPATION_COLUMNS = ["actor_id", "project_id", "role", "contribution", "contribution_currency"]


def _pairs(d: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in d.items())


def analysis_tables(store: GraphStore, scope: Scope) -> list[Table]:
    """One table per analysis result, for the scope, exactly as `run_analysis` returns it."""
    cen_r = run_analysis(store, "centrality", scope)
    bro_r = run_analysis(store, "brokerage", scope)
    iso_r = run_analysis(store, "isolated", scope)
    cty_r = run_analysis(store, "counties", scope)
    thm_r = run_analysis(store, "themes", scope)
    com_r = run_analysis(store, "communities", scope)
    isolated_rows = [
        {"list": name, **item.model_dump()} for name in ISOLATION_LISTS for item in getattr(iso_r, name)
    ]
    brokers = [
        {"list": name, **b.model_dump()} for name, items in iso_r.suggested_brokers.items() for b in items
    ]
    bridges = [{"between": "counties", **b.model_dump()} for b in bro_r.county_bridges] + [
        {"between": "communities", **b.model_dump()} for b in bro_r.community_bridges
    ]
    communities = [
        {
            "id": c.id,
            "size": c.size,
            "scoped_members": c.scoped_members,
            "counties": _pairs(c.counties),
            "themes": _pairs(c.themes),
            "members_top": [m.name for m in c.members_top],
        }
        for c in com_r.communities
    ]
    themes = [{**t.model_dump(exclude={"by_county"}), "by_county": _pairs(t.by_county)} for t in thm_r.themes]
    about = [
        {"item": "scope", "value": json.dumps(scope.describe(), ensure_ascii=False)},
        {"item": "betweenness", "value": cen_r.betweenness.text},
        {
            "item": "communities",
            "value": f"{com_r.algorithm}, seed {com_r.seed}, modularity {com_r.modularity}",
        },
        {"item": "scope in words", "value": scope.text()},
        {
            "item": "partial sources",
            "value": iso_r.partial_sources or "none: every project lists all its members",
        },
        {"item": "county null model", "value": cty_r.null_model},
        *({"item": f"isolated: {k}", "value": v} for k, v in iso_r.rules.items()),
        {"item": "themes", "value": thm_r.note},
    ]
    return [
        table_from_dicts(
            "centrality", [r.model_dump() for r in cen_r.rows], list(CentralityRow.model_fields)
        ),
        table_from_dicts("brokerage", [r.model_dump() for r in bro_r.rows], list(BrokerageRow.model_fields)),
        table_from_dicts("bridges", bridges, ["between", *BridgeEdge.model_fields]),
        table_from_dicts("isolated", isolated_rows, ["list", *IsolatedActor.model_fields]),
        table_from_dicts("suggested_brokers", brokers, ["list", *BrokerSuggestion.model_fields]),
        table_from_dicts("counties", [r.model_dump() for r in cty_r.counties], list(CountyRow.model_fields)),
        table_from_dicts(
            "county_pairs", [r.model_dump() for r in cty_r.pairs], list(CountyPair.model_fields)
        ),
        table_from_dicts("themes", themes, list(ThemeGap.model_fields)),
        table_from_dicts(
            "communities", communities, list(communities[0]) if communities else COMMUNITY_COLUMNS
        ),
        table_from_dicts("about", about, ["item", "value"]),
    ]


COMMUNITY_COLUMNS = ["id", "size", "scoped_members", "counties", "themes", "members_top"]


def funding_tables(store: GraphStore, scope: Scope) -> list[Table]:
    """The funding sheets: every total of `innograph funding` for the scope, and the county benchmark.

    The rows are `graph.analysis.funding.funding_rows`, the same flattening as the CLI's `--csv`.
    """
    facts, names = store_facts(store)
    result = funding(facts, scope, names)
    bench = benchmark(facts, scope, names)
    totals = Table(
        name="funding",
        columns=list(TOTAL_COLUMNS),
        rows=[[cell(v) for v in row] for row in funding_rows(result)],
        text_columns=frozenset({"breakdown", "key"}),
    )
    ranking = table_from_dicts(
        "funding_benchmark",
        [r.model_dump() for r in bench.rows],
        list(BENCHMARK_COLUMNS),
    )
    about = table_from_dicts(
        "funding_about",
        [
            {"item": "scope", "value": json.dumps(result.scope, ensure_ascii=False)},
            {"item": "not covered", "value": result.not_covered},
            {"item": "attribution", "value": result.attribution},
            *({"item": f"amount: {p}", "value": m} for p, m in result.amounts.items()),
            *({"item": f"SEK per EUR {y}", "value": r} for y, r in result.rates_used.items()),
            {"item": "population", "value": f"{result.population_year}: {result.population_source}"},
            *({"item": "benchmark", "value": line} for line in bench.lines),
        ],
        ["item", "value"],
    )
    return [totals, ranking, about]


def build_tables(store: GraphStore, sel: Scope) -> list[Table]:
    """Actors, projects, participations in the selection, every analysis result, then the funding sheets."""
    prep = prepare(store)
    chosen = select_bipartite(prep.bipartite, sel, prep.project_themes)
    return [*record_tables(store, chosen), *analysis_tables(store, sel), *funding_tables(store, sel)]
