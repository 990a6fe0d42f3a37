"""Where the money goes: EU funding captured per county, actor, programme, programme part, S3 area and year.

A strategist's first questions are about money. These are plain functions over the model's records:
`funding_facts` turns every participation into one `Fact` (who, which project, where, how much in
EUR), and `funding`, `benchmark` and `untapped` aggregate facts for a `Scope`. `store_facts(store)`
reads a store once per store version.

Attribution (one county per participation, never two, so county totals add up to the whole):

1. when the source states a region for this participation (`Participation.nuts3`: the CORDIS row's
   `nutsCode`, the Interreg row's county), that region decides: its SCB county for a Swedish NUTS 3
   code, and no county for a coarser or foreign one (CORDIS writes just `SE` for some Swedish rows:
   the money then counts for Sweden but no county; no county is guessed from the city);
2. when the source states none (most Horizon 2020 rows, ERDF), the actor's own `county_code` (the
   resolved actor: registry, SCB register, the source);
3. otherwise none: the participation counts in "all actors" totals but in no county (`none`).

So the Horizon Europe total of Blekinge is exactly the sum of `ecContribution` over the
`organization.csv` rows with `nutsCode` SE221, whatever entity resolution did with the organisations.

Amounts, per programme (see `AMOUNT_MEANING`): CORDIS `ecContribution` (the EU's contribution to the
participant, EUR), Interreg `partnerbudget` (the partner's whole budget, EU co-financing and own
money together, EUR), ERDF `beviljat belopp` (the granted regional-fund money, SEK). SEK is converted
to EUR at the annual average rate of the project's start year (`graph/data/sek_per_eur.csv`, ECB).

Unknown amounts are never guessed and never silently dropped: each total says how many of its
participations have no amount (`unknown`, `unknown_share`). Associated partners without an amount
(CORDIS leaves theirs empty; they receive no EC money) count as `unfunded`, not unknown.

Per inhabitant: the county's total divided by its population on 31 December 2023
(`graph/data/population.csv`, SCB; approximate, see its provenance note: every page that divides
by it says so).

S3 areas: a participation counts in full under every S3 area its project serves
(`graph.crosswalk.themes_for`), so S3 totals overlap and do not add up to the county total.
"""

from __future__ import annotations

import csv
import itertools
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from graph.analysis.scope import Scope
from graph.cache import derived
from graph.crosswalk import Crosswalk, default_crosswalk
from graph.geo import COUNTIES, SOUTH_SWEDEN, county_from_nuts
from graph.model import Actor, ActorKind, Participation, Project, Role, Theme
from graph.projection import store_records
from graph.said import Said, reason
from graph.store.base import GraphStore

#: What a participation's amount means in each programme (shown beside every result).
AMOUNT_MEANING: dict[str, str] = {
    "Horizon Europe": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "Horizon 2020": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "FP7": "EC contribution to the participant (CORDIS ecContribution), EUR",
    "Interreg": "the partner's whole budget in the project (partnerbudget: EU co-financing and own money), EUR",
    "ERDF": "regional-fund money granted to the project owner (beviljat belopp), SEK converted to EUR",
}

#: What the data behind these figures does not cover (one line on every page and report).
NOT_COVERED = (
    "Not covered: ERDF projects decided after 14 Oct 2016 (the Projektbanken 2016 export only), "
    "Interreg budgets of foreign partners and the EU share of Swedish ones (partner budgets only), "
    "Horizon 2020 projects started outside 2014–2018 (an extract), Horizon Europe after 2024, "
    "national co-funding; amounts of associated partners are not paid by the EU."
)

ATTRIBUTION = (
    "A participation counts for one county: the region its source states for it (CORDIS nutsCode, "
    "the Interreg row's county), else its actor's county; S3 totals overlap (a project may serve several)."
)

COORDINATING = frozenset({Role.coordinator, Role.project_owner})
_TOPIC_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+$")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


# ----------------------------------------------------------------------------- reference files


@dataclass(frozen=True)
class Population:
    """County populations from `graph/data/population.csv` and the source line of that file."""

    year: int
    by_county: dict[str, int]
    source: str
    approximate: bool = False  # the figures were not checked against SCB (see the file's note)

    @property
    def sweden(self) -> int:
        return sum(self.by_county.values())


@dataclass(frozen=True)
class Rates:
    """SEK per EUR by year from `graph/data/sek_per_eur.csv`."""

    sek_per_eur: dict[int, float]
    source: str
    approximate: bool = False  # the rates were not checked against the ECB (see the file's note)

    def rate(self, year: int | None) -> tuple[int, float]:
        """The (year, rate) used for an amount of `year`: that year, else the nearest, else the latest."""
        years = sorted(self.sek_per_eur)
        if year is None:
            y = years[-1]
        elif year in self.sek_per_eur:
            y = year
        else:
            y = min(years, key=lambda k: (abs(k - year), -k))
        return y, self.sek_per_eur[y]


def _data_rows(name: str) -> tuple[list[dict[str, str]], str]:
    """The rows of a package CSV whose leading `#` lines are its provenance note, and the note's first
    paragraph (what the figures are and whose; continuation lines are indented) as the source."""
    text = resources.files("graph").joinpath("data", name).read_text(encoding="utf-8")
    lines = text.splitlines()
    comments = [ln for ln in lines if ln.startswith("#")]
    first = comments[:1] + list(itertools.takewhile(lambda ln: ln.startswith("#   "), comments[1:]))
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(body)), " ".join(ln.lstrip("# ").rstrip() for ln in first)


def _approximate(rows: list[dict[str, str]]) -> bool:
    """Whether any row says its figure was not checked against the source (`approximate` = yes)."""
    return any(r.get("approximate", "").strip().lower() in ("yes", "true", "1") for r in rows)


@lru_cache(maxsize=1)
def population() -> Population:
    rows, note = _data_rows("population.csv")
    years = {int(r["year"]) for r in rows}
    return Population(
        year=max(years),
        by_county={r["code"]: int(r["population"]) for r in rows},
        source=note,
        approximate=_approximate(rows),
    )


@lru_cache(maxsize=1)
def rates() -> Rates:
    rows, note = _data_rows("sek_per_eur.csv")
    return Rates(
        {int(r["year"]): float(r["sek_per_eur"]) for r in rows}, source=note, approximate=_approximate(rows)
    )


# ----------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Fact:
    """One participation with its money in EUR and where it is attributed.

    `status`: "known" (an amount), "unknown" (no amount for a funded role) or "unfunded" (an
    associated partner without an amount). `eur` is 0.0 unless known.
    """

    actor_id: str
    actor_name: str
    actor_kind: str
    project_id: str
    programme: str
    part: str | None
    year: int | None
    role: str
    county: str | None
    county_basis: str  # "participation", "actor" or "none"
    status: str
    eur: float
    amount: float | None
    currency: str | None
    rate_year: int | None
    s3: tuple[str, ...]
    topic_clusters: tuple[str, ...]
    project_attrs: dict[str, Any] = field(compare=False, hash=False)

    @property
    def coordinating(self) -> bool:
        return self.role in {r.value for r in COORDINATING}


def topic_cluster(code: str) -> str | None:
    """A call-topic code without its year and serial numbers: `HORIZON-CL5-2022-D3-01-04` → `HORIZON-CL5-D3`.

    Calls of one destination recur every year under new numbers; the cluster groups them.
    Returns None for words that are not topic codes (keywords, fields of science).
    """
    code = code.strip().upper()
    if not _TOPIC_CODE.match(code):
        return None
    tokens = [t for t in code.split("-") if not _YEAR.match(t)]
    kept: list[str] = []
    for t in tokens:
        if t.isdigit() and kept:
            break
        kept.append(t)
    return "-".join(kept[:3]) if len(kept) >= 2 else None


def funding_facts(
    actors: Iterable[Actor],
    projects: Iterable[Project],
    participations: Iterable[Participation],
    crosswalk: Crosswalk | None = None,
    fx: Rates | None = None,
) -> list[Fact]:
    """One `Fact` per participation (see the module docstring for attribution and amounts)."""
    cw = crosswalk or default_crosswalk()
    fx = fx or rates()
    actor_by_id = {a.id: a for a in actors}
    project_by_id = {p.id: p for p in projects}
    s3_of: dict[str, tuple[str, ...]] = {}
    clusters_of: dict[str, tuple[str, ...]] = {}
    attrs_of: dict[str, dict[str, Any]] = {}
    out: list[Fact] = []
    for part in participations:
        a = actor_by_id.get(part.actor_id)
        p = project_by_id.get(part.project_id)
        if a is None or p is None:
            continue
        if p.id not in s3_of:
            s3_of[p.id] = tuple(t.theme_id for t in cw.themes_for(p))
            clusters_of[p.id] = tuple(sorted({c for t in p.topics if (c := topic_cluster(t))}))
            # one dict per project, shared by its facts (and by the pickle kept beside the store)
            attrs_of[p.id] = {
                "programme": p.programme,
                "programme_part": p.programme_part,
                "themes": p.themes,
                "start_year": p.start.year if p.start else None,
            }
        if part.nuts3:  # the source placed this participation: its word decides, even "SE" (no county)
            county, basis = county_from_nuts(part.nuts3), "participation"
        else:
            county, basis = a.county_code, "actor"
        if county is None:
            basis = "none"
        year = p.start.year if p.start else None
        money = part.contribution
        eur, rate_year = 0.0, None
        if money is not None:
            status = "known"
            if money.currency == "EUR":
                eur = money.amount
            else:  # SEK: the only other currency the model knows
                rate_year, rate = fx.rate(year)
                eur = money.amount / rate
        else:
            status = "unfunded" if part.role is Role.associated else "unknown"
        out.append(
            Fact(
                actor_id=a.id,
                actor_name=a.name,
                actor_kind=a.kind.value,
                project_id=p.id,
                programme=p.programme,
                part=p.programme_part,
                year=year,
                role=part.role.value,
                county=county,
                county_basis=basis,
                status=status,
                eur=eur,
                amount=money.amount if money else None,
                currency=money.currency if money else None,
                rate_year=rate_year,
                s3=s3_of[p.id],
                topic_clusters=clusters_of[p.id],
                project_attrs=attrs_of[p.id],
            )
        )
    out.sort(key=lambda f: (f.project_id, f.actor_id))
    return out


def store_facts(store: GraphStore) -> tuple[list[Fact], dict[str, str]]:
    """The facts of a store and the names of its themes, computed once per store version (`graph.cache`)."""

    def compute() -> tuple[list[Fact], dict[str, str]]:
        r = store_records(store)  # read once per store version, shared with the graphs and the index
        facts = funding_facts(r.actors, r.projects, r.participations)
        return facts, theme_names(store.themes())

    return derived(store, "funding-facts", compute)


def theme_names(themes: Iterable[Theme]) -> dict[str, str]:
    return {t.id: t.name for t in themes}


def in_scope(facts: Iterable[Fact], scope: Scope, counties: bool = True) -> list[Fact]:
    """The facts whose project counts for the scope and (with `counties`) whose county is in it."""
    wanted = set(scope.counties) if counties else set()
    out = []
    for f in facts:
        if wanted and f.county not in wanted:
            continue
        if scope.filters_projects and not scope.project_matches(f.project_attrs, f.s3):
            continue
        out.append(f)
    return out


# ----------------------------------------------------------------------------- totals


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


def _r(x: float) -> float:
    return round(x, 2)


def total(facts: Sequence[Fact], key: str, label: str, pop: int | None = None) -> Total:
    eur = sum(f.eur for f in facts)
    known = sum(f.status == "known" for f in facts)
    unknown = sum(f.status == "unknown" for f in facts)
    n = len(facts)
    return Total(
        key=key,
        label=label,
        eur=_r(eur),
        participations=n,
        known=known,
        unknown=unknown,
        unfunded=n - known - unknown,
        unknown_share=round(unknown / n, 4) if n else 0.0,
        projects=len({f.project_id for f in facts}),
        projects_unknown=len({f.project_id for f in facts if f.status == "unknown"}),
        coordinator_eur=_r(sum(f.eur for f in facts if f.coordinating)),
        partner_eur=_r(sum(f.eur for f in facts if not f.coordinating)),
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
        by_role=group(
            chosen,
            lambda f: [
                "coordinator" if f.coordinating else "associated" if f.role == "associated" else "partner"
            ],
        ),
        by_actor=by_actor[:top] if top else by_actor,
    )


# ----------------------------------------------------------------------------- benchmarks

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


# ----------------------------------------------------------------------------- untapped parts


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
                    sweden_eur=_r(sweden_eur),
                    county_eur=_r(mine),
                    expected_eur=_r(expected),
                    ratio=round(ratio, 4),
                    counties=[
                        Capturer(key=c, name=county_label(c), county=c, eur=_r(v))
                        for c, v in sorted(by_c.items(), key=lambda x: (-x[1], x[0]))[:per_row]
                    ],
                    actors=[
                        Capturer(key=a, name=info[a].actor_name, county=info[a].county or "", eur=_r(v))
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


# ----------------------------------------------------------------------------- flat tables

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
