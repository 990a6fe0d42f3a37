"""Totals of facts (`Total`), the funding of a scope by every breakdown (`funding`), and the one flattening of a
result into rows (`funding_rows`) that the CLI's CSV, the XLSX sheet and the page share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from graph.analysis.funding.facts import (
    AMOUNT_MEANING,
    ATTRIBUTION,
    NOT_COVERED,
    Fact,
    in_scope,
)
from graph.analysis.funding.reference import (
    population,
    rates,
)
from graph.analysis.scope import Scope
from graph.geo import COUNTIES


class Total(BaseModel):
    """Money captured by one group of participations, with how much of it is unknown.

    `eur` sums the known amounts. `unknown_share` = unknown / participations: the part of the group
    whose amount the sources do not give (not estimated). `projects_unknown` counts the projects with
    at least one such participation.
    """

    key: str
    label: str
    eur: float
    participations: int
    known: int
    unknown: int
    unfunded: int = Field(description="associated partners without an amount (no EU money)")
    unknown_share: float
    projects: int
    projects_unknown: int
    coordinator_eur: float = Field(description="as coordinator, lead partner or project owner")
    partner_eur: float
    population: int | None = None
    per_inhabitant: float | None = None
    extra: dict[str, str] = Field(default_factory=dict)


def cents(x: float) -> float:
    """EUR rounded to the cent: every figure a page, a sheet or the CLI shows."""
    return round(x, 2)


def total(facts: Sequence[Fact], key: str, label: str, pop: int | None = None) -> Total:
    eur = sum(f.eur for f in facts)
    known = sum(f.status == "known" for f in facts)
    unknown = sum(f.status == "unknown" for f in facts)
    n = len(facts)
    return Total(
        key=key,
        label=label,
        eur=cents(eur),
        participations=n,
        known=known,
        unknown=unknown,
        unfunded=n - known - unknown,
        unknown_share=round(unknown / n, 4) if n else 0.0,
        projects=len({f.project_id for f in facts}),
        projects_unknown=len({f.project_id for f in facts if f.status == "unknown"}),
        coordinator_eur=cents(sum(f.eur for f in facts if f.coordinating)),
        partner_eur=cents(sum(f.eur for f in facts if not f.coordinating)),
        population=pop,
        per_inhabitant=round(eur / pop, 4) if pop else None,
    )


def group(
    facts: Iterable[Fact],
    keys: Callable[[Fact], Iterable[str]],
    label: Callable[[str], str] = str,
    pop: Callable[[str], int | None] = lambda _k: None,
) -> list[Total]:
    """Totals per key (a fact may have several keys, e.g. S3 areas), largest first, then by key."""
    buckets: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        for k in keys(f):
            buckets[k].append(f)
    rows = [total(v, k, label(k), pop(k)) for k, v in buckets.items()]
    return sorted(rows, key=lambda t: (-t.eur, t.key))


def part_key(f: Fact) -> str:
    return f"{f.programme} · {f.part}" if f.part else f"{f.programme} · (no part)"


def part_label(key: str, names: dict[str, str]) -> str:
    """`Horizon Europe · HORIZON.2.5` with the part's name when the store has its theme record."""
    programme, _, part = key.partition(" · ")
    prefix = {"Horizon Europe": "part:horizon:", "Horizon 2020": "part:h2020:", "FP7": "part:fp7:"}.get(
        programme
    )
    name = names.get(prefix + part) if prefix else None
    return f"{key} ({name})" if name and name != part else key


def county_label(code: str) -> str:
    if code == "none":
        return "no Swedish county stated"
    return COUNTIES[code].name if code in COUNTIES else code


class FundingResult(BaseModel):
    """EU money captured in a scope, broken down every way a strategist asks, with the unknown share."""

    scope: dict[str, Any]
    currency: str = "EUR"
    attribution: str = ATTRIBUTION
    amounts: dict[str, str] = Field(description="what a participation's amount means, per programme")
    not_covered: str = NOT_COVERED
    rates_used: dict[str, float] = Field(description="year -> SEK per EUR used for SEK amounts")
    population_year: int
    population_source: str
    population_approximate: bool = Field(
        default=True, description="the county populations were not checked against SCB (graph/data)"
    )
    rates_approximate: bool = Field(
        default=True, description="the SEK/EUR rates were not checked against the ECB (graph/data)"
    )
    total: Total
    by_county: list[Total]
    by_programme: list[Total]
    by_part: list[Total]
    by_theme: list[Total] = Field(description="S3 areas; totals overlap (a project may serve several)")
    by_year: list[Total] = Field(description="by the project's start year, oldest first")
    years_covered: list[int] = Field(
        default_factory=list,
        description="start years some loaded programme covers (from its first to its last project, whatever "
        "the county): a year outside them is not in the data, not a year without money",
    )
    by_role: list[Total]
    by_actor: list[Total]


def funding(
    facts: Sequence[Fact], scope: Scope, names: dict[str, str] | None = None, top: int | None = 25
) -> FundingResult:
    """Money captured by the scope's counties (all actors when `scope.counties` is empty)."""
    names = names or {}
    pop = population()
    fx = rates()
    chosen = in_scope(facts, scope)
    programmes = sorted({f.programme for f in chosen})
    by_actor = group(chosen, lambda f: [f.actor_id])
    info = {f.actor_id: f for f in chosen}
    for t in by_actor:
        f = info[t.key]
        t.label = f.actor_name
        t.extra = {"kind": f.actor_kind, "county": f.county or ""}
    years = group(chosen, lambda f: [str(f.year)] if f.year else ["unknown"])
    spans: dict[str, list[int]] = {}
    for f in in_scope(facts, scope, counties=False):
        if f.year:
            span = spans.setdefault(f.programme, [f.year, f.year])
            span[0], span[1] = min(span[0], f.year), max(span[1], f.year)
    covered = sorted({y for lo, hi in spans.values() for y in range(lo, hi + 1)})
    label = "all actors" if not scope.counties else ", ".join(COUNTIES[c].short_name for c in scope.counties)
    return FundingResult(
        scope=scope.describe(),
        amounts={p: AMOUNT_MEANING.get(p, "as the source states it") for p in programmes},
        rates_used={str(y): fx.sek_per_eur[y] for y in sorted({f.rate_year for f in chosen if f.rate_year})},
        population_year=pop.year,
        population_source=pop.source,
        population_approximate=pop.approximate,
        rates_approximate=fx.approximate,
        total=total(chosen, "total", label, sum(pop.by_county.get(c, 0) for c in scope.counties) or None),
        by_county=group(chosen, lambda f: [f.county or "none"], county_label, lambda k: pop.by_county.get(k)),
        by_programme=group(chosen, lambda f: [f.programme]),
        by_part=group(chosen, lambda f: [part_key(f)], lambda k: part_label(k, names)),
        by_theme=group(chosen, lambda f: f.s3, lambda k: names.get(k, k)),
        by_year=sorted(years, key=lambda t: t.key),
        years_covered=covered,
        by_role=group(
            chosen,
            lambda f: [
                "coordinator" if f.coordinating else "associated" if f.role == "associated" else "partner"
            ],
        ),
        by_actor=by_actor[:top] if top else by_actor,
    )


#: The columns of every flat funding table (CLI --csv, the XLSX sheet, the report's table).
TOTAL_COLUMNS = (
    "breakdown",
    "key",
    "label",
    "eur",
    "per_inhabitant",
    "participations",
    "known",
    "unknown",
    "unfunded",
    "unknown_share",
    "projects",
    "projects_unknown",
    "coordinator_eur",
    "partner_eur",
)
#: The columns of the county benchmark as a flat table (CLI --csv, the XLSX sheet).
BENCHMARK_COLUMNS = (
    "rank",
    "county_code",
    "name",
    "population",
    "eur",
    "per_inhabitant",
    "ratio_to_median",
    "participations",
    "unknown",
    "unknown_share",
)
BREAKDOWNS = ("total", "county", "programme", "part", "theme", "year", "role", "actor")


def funding_rows(result: FundingResult) -> list[list[Any]]:
    """Every total of a result as one flat list of rows (`TOTAL_COLUMNS`), in `BREAKDOWNS` order.

    The one place a result is flattened, so the CLI's CSV, the XLSX sheet and the page's table show
    the same numbers as the JSON.
    """
    lists: dict[str, list[Total]] = {
        "total": [result.total],
        "county": result.by_county,
        "programme": result.by_programme,
        "part": result.by_part,
        "theme": result.by_theme,
        "year": result.by_year,
        "role": result.by_role,
        "actor": result.by_actor,
    }
    rows: list[list[Any]] = []
    for name in BREAKDOWNS:
        for t in lists[name]:
            d = t.model_dump()
            rows.append([name, *(d[c] for c in TOTAL_COLUMNS[1:])])
    return rows
