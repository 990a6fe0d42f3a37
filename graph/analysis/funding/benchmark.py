"""Comparisons that need every county: the per-inhabitant benchmark against the Swedish median (`benchmark`)
and the programme parts on a county's S3 areas that its actors leave to others (`untapped`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from graph.analysis.funding.facts import (
    NOT_COVERED,
    Fact,
    in_scope,
)
from graph.analysis.funding.reference import (
    population,
)
from graph.analysis.funding.totals import (
    cents,
    county_label,
    part_key,
    part_label,
    total,
)
from graph.analysis.scope import Scope
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.model import ActorKind, Theme
from graph.said import Said, reason

RESEARCH_KINDS = (ActorKind.university.value, ActorKind.research_institute.value)


class BenchmarkRow(BaseModel):
    county_code: str
    name: str
    population: int
    eur: float
    per_inhabitant: float
    rank: int = Field(description="1 = most per inhabitant among Sweden's 21 counties")
    participations: int
    unknown: int
    unknown_share: float
    ratio_to_median: float | None


class KindRow(BaseModel):
    """Per inhabitant captured by one kind of actor: each focus county and the Swedish median."""

    kind: str
    median_per_inhabitant: float
    per_inhabitant: dict[str, float]


class Benchmark(BaseModel):
    """Each county against the Swedish median and every other county, per inhabitant."""

    scope: dict[str, Any]
    focus: list[str] = Field(description="the counties the sentences are written for")
    exclude_universities: bool
    kinds: list[str]
    median_per_inhabitant: float
    rows: list[BenchmarkRow] = Field(description="all 21 counties, most per inhabitant first")
    by_kind: list[KindRow]
    lines: list[str] = Field(description="one sentence per focus county")
    not_covered: str = NOT_COVERED
    population_year: int
    population_approximate: bool = Field(
        default=True, description="the county populations were not checked against SCB (graph/data)"
    )


def _what(scope: Scope, names: dict[str, str]) -> str:
    bits = []
    if scope.programme:
        bits.append(" / ".join(scope.programme))
    for t in scope.theme:
        name = next((v for k, v in names.items() if k.endswith(":" + t) or k == t), None)
        bits.append(f"{t} ({name})" if name and name != t else t)
    if not bits:
        bits.append("the EU programmes in the graph")
    period = ""
    if scope.start_year or scope.end_year:
        period = f", projects started {scope.start_year or '…'}–{scope.end_year or '…'}"
    return " ".join(bits) + period


def benchmark(
    facts: Sequence[Fact],
    scope: Scope,
    names: dict[str, str] | None = None,
    exclude_universities: bool = False,
    kinds: Sequence[str] = (),
) -> Benchmark:
    """Per inhabitant captured by every Swedish county in the scope's programmes, themes and period.

    `scope.counties` are the focus counties the sentences are written for (default South Sweden);
    the ranking and the median always use all 21 counties. `exclude_universities` leaves out
    universities (the switch the issue asks for: do the counties differ beyond their universities?);
    `kinds` keeps only those actor kinds.
    """
    names = names or {}
    pop = population()
    focus = scope.counties or SOUTH_SWEDEN
    chosen = [
        f
        for f in in_scope(facts, scope, counties=False)
        if f.county in COUNTIES
        and not (exclude_universities and f.actor_kind == ActorKind.university.value)
        and (not kinds or f.actor_kind in kinds)
    ]
    by_county: dict[str, list[Fact]] = defaultdict(list)
    for f in chosen:
        by_county[f.county or ""].append(f)
    totals = {c: total(by_county.get(c, []), c, COUNTIES[c].name, pop.by_county[c]) for c in pop.by_county}
    per = {c: t.per_inhabitant or 0.0 for c, t in totals.items()}
    median = statistics.median(per.values()) if per else 0.0
    order = sorted(per, key=lambda c: (-per[c], c))
    rows = [
        BenchmarkRow(
            county_code=c,
            name=COUNTIES[c].name,
            population=pop.by_county[c],
            eur=totals[c].eur,
            per_inhabitant=round(per[c], 4),
            rank=i,
            participations=totals[c].participations,
            unknown=totals[c].unknown,
            unknown_share=totals[c].unknown_share,
            ratio_to_median=round(per[c] / median, 4) if median else None,
        )
        for i, c in enumerate(order, start=1)
    ]
    kind_rows = []
    for kind in sorted({f.actor_kind for f in chosen}):
        per_kind = {
            c: sum(f.eur for f in by_county.get(c, []) if f.actor_kind == kind) / pop.by_county[c]
            for c in pop.by_county
        }
        kind_rows.append(
            KindRow(
                kind=kind,
                median_per_inhabitant=round(statistics.median(per_kind.values()), 4),
                per_inhabitant={c: round(per_kind[c], 4) for c in focus},
            )
        )
    what = _what(scope, names)
    suffix = " (universities left out)" if exclude_universities else ""
    rank = {r.county_code: r for r in rows}
    lines = [
        f"{COUNTIES[c].short_name} gets {per[c]:,.2f} € per inhabitant from {what}{suffix}; "
        f"the Swedish median is {median:,.2f} € (rank {rank[c].rank} of {len(rows)}; "
        f"amount unknown for {rank[c].unknown_share:.0%} of its {rank[c].participations} participations)"
        for c in focus
    ]
    return Benchmark(
        scope=scope.describe(),
        focus=list(focus),
        exclude_universities=exclude_universities,
        kinds=list(kinds),
        median_per_inhabitant=round(median, 4),
        rows=rows,
        by_kind=kind_rows,
        lines=lines,
        population_year=pop.year,
        population_approximate=pop.approximate,
    )


class Capturer(BaseModel):
    key: str
    name: str
    county: str
    eur: float


class UntappedRow(BaseModel):
    """A programme part or call-topic cluster the county's S3 areas point to, where it captures little."""

    kind: str = Field(description="programme part or call-topic cluster")
    key: str
    label: str
    s3_areas: list[str] = Field(description="the county's S3 areas its projects serve")
    sweden_eur: float
    county_eur: float
    expected_eur: float = Field(description="Sweden's total × the county's share of Sweden's population")
    ratio: float = Field(description="county_eur / expected_eur: 0.2 = a fifth of its population share")
    counties: list[Capturer] = Field(description="counties elsewhere in Sweden that capture most")
    actors: list[Capturer] = Field(description="actors elsewhere in Sweden that capture most")


class Untapped(BaseModel):
    county: str
    county_name: str
    s3_areas: list[str]
    population_share: float
    rows: list[UntappedRow]
    note: str
    note_said: Said | None = Field(
        default=None, description="the note as a sentence a page words in its language"
    )
    not_covered: str = NOT_COVERED


def untapped(
    facts: Sequence[Fact],
    county: str,
    s3_areas: Sequence[str],
    scope: Scope | None = None,
    names: dict[str, str] | None = None,
    max_ratio: float = 0.5,
    top: int = 15,
    per_row: int = 5,
) -> Untapped:
    """Parts and topic clusters on the county's S3 areas where it captures under `max_ratio` of its share.

    A part or cluster is on an S3 area when most of its projects (over all countries) serve it
    through the crosswalk. Sweden's capture there is shared out by population: the county's
    expected amount is Sweden's total × its population share. Rows are sorted by the shortfall
    (expected − captured), largest first, with the counties and actors elsewhere in Sweden that do
    capture it: candidate partners or models.
    """
    names = names or {}
    pop = population()
    wanted = set(s3_areas)
    scope = (
        Scope(
            counties=(),
            programme=scope.programme,
            theme=scope.theme,
            start_year=scope.start_year,
            end_year=scope.end_year,
        )
        if scope
        else Scope(counties=())
    )
    chosen = in_scope(facts, scope, counties=False)
    share = pop.by_county[county] / pop.sweden
    groups: list[tuple[str, Callable[[Fact], Iterable[str]]]] = [
        ("programme part", lambda f: [part_key(f)] if f.part else []),
        ("call-topic cluster", lambda f: f.topic_clusters),
    ]
    rows: list[UntappedRow] = []
    for kind, keys in groups:
        projects: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
        swedish: dict[str, list[Fact]] = defaultdict(list)
        for f in chosen:
            for k in keys(f):
                projects[k][f.project_id] = f.s3
                if f.county in COUNTIES:
                    swedish[k].append(f)
        for k, members in swedish.items():
            serving = projects[k]
            areas = sorted(a for a in wanted if sum(a in s3 for s3 in serving.values()) * 2 > len(serving))
            if not areas:
                continue
            sweden_eur = sum(f.eur for f in members)
            if sweden_eur <= 0:
                continue
            mine = sum(f.eur for f in members if f.county == county)
            expected = sweden_eur * share
            ratio = mine / expected
            if ratio >= max_ratio:
                continue
            others = [f for f in members if f.county != county]
            by_c: dict[str, float] = defaultdict(float)
            by_a: dict[str, float] = defaultdict(float)
            info: dict[str, Fact] = {}
            for f in others:
                by_c[f.county or ""] += f.eur
                by_a[f.actor_id] += f.eur
                info[f.actor_id] = f
            rows.append(
                UntappedRow(
                    kind=kind,
                    key=k,
                    label=part_label(k, names) if kind == "programme part" else k,
                    s3_areas=areas,
                    sweden_eur=cents(sweden_eur),
                    county_eur=cents(mine),
                    expected_eur=cents(expected),
                    ratio=round(ratio, 4),
                    counties=[
                        Capturer(key=c, name=county_label(c), county=c, eur=cents(v))
                        for c, v in sorted(by_c.items(), key=lambda x: (-x[1], x[0]))[:per_row]
                    ],
                    actors=[
                        Capturer(key=a, name=info[a].actor_name, county=info[a].county or "", eur=cents(v))
                        for a, v in sorted(by_a.items(), key=lambda x: (-x[1], x[0]))[:per_row]
                    ],
                )
            )
    rows.sort(key=lambda r: (-(r.expected_eur - r.county_eur), r.key))
    name = county_label(county)
    note = (
        reason(
            f"Parts and call-topic clusters whose projects mostly serve {name}'s S3 areas, where "
            f"it captures under {max_ratio:.0%} of its population share ({share:.2%}) of what Swedish actors "
            "capture.",
            "fund_untapped",
            county=name,
            ratio=f"{max_ratio:.0%}",
            share=f"{share:.2%}",
        )
        if wanted
        else reason(
            f"No S3 areas are recorded for {name} (the registry names them per county).",
            "fund_untapped_none",
            county=name,
        )
    )
    return Untapped(
        county=county,
        county_name=county_label(county),
        s3_areas=sorted(wanted),
        population_share=round(share, 6),
        rows=rows[:top],
        note=note,
        note_said=note.said,
    )


def county_s3_areas(themes: Iterable[Theme], county: str) -> list[str]:
    """The S3 areas whose strategy names `county` (Theme.county_codes, from the registry)."""
    return sorted(t.id for t in themes if t.id.startswith("s3:") and county in t.county_codes)
