"""Where the money goes: EU funding captured per county, actor, programme, programme part, S3 area and year.

A strategist's first questions are about money. These are plain functions over the model's records:
`funding_facts` turns every participation into one `Fact` (who, which project, where, how much in
EUR), and `funding`, `benchmark` and `untapped` aggregate facts for a `Scope`. `store_facts(store)`
reads a store once per store version.

Attribution (one county per participation, never two, so county totals add up to the whole):

1. when the source states a region for this participation (`Participation.nuts3`: the CORDIS row's
   `nutsCode`, the Interreg row's county, the ERDF project's county when it runs in one), that region decides: its SCB county for a Swedish NUTS 3
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

from graph.analysis.funding.benchmark import (
    RESEARCH_KINDS,
    Benchmark,
    BenchmarkRow,
    Capturer,
    KindRow,
    Untapped,
    UntappedRow,
    benchmark,
    county_s3_areas,
    untapped,
)
from graph.analysis.funding.facts import (
    AMOUNT_MEANING,
    ATTRIBUTION,
    COORDINATING,
    NOT_COVERED,
    Fact,
    funding_facts,
    in_scope,
    store_facts,
    theme_names,
    topic_cluster,
)
from graph.analysis.funding.reference import (
    Population,
    Rates,
    population,
    rates,
)
from graph.analysis.funding.totals import (
    BENCHMARK_COLUMNS,
    BREAKDOWNS,
    TOTAL_COLUMNS,
    FundingResult,
    Total,
    county_label,
    funding,
    funding_rows,
    group,
    part_key,
    part_label,
    total,
)

__all__ = [
    "AMOUNT_MEANING",
    "ATTRIBUTION",
    "BENCHMARK_COLUMNS",
    "BREAKDOWNS",
    "COORDINATING",
    "NOT_COVERED",
    "RESEARCH_KINDS",
    "TOTAL_COLUMNS",
    "Benchmark",
    "BenchmarkRow",
    "Capturer",
    "Fact",
    "FundingResult",
    "KindRow",
    "Population",
    "Rates",
    "Total",
    "Untapped",
    "UntappedRow",
    "benchmark",
    "county_label",
    "county_s3_areas",
    "funding",
    "funding_facts",
    "funding_rows",
    "group",
    "in_scope",
    "part_key",
    "part_label",
    "population",
    "rates",
    "store_facts",
    "theme_names",
    "topic_cluster",
    "total",
    "untapped",
]
