"""EU funding over HTTP: `/funding` (totals), `/funding/benchmark`, `/funding/untapped`, and the page
`/views/funding` with its charts. The same functions and scope as `innograph funding` (a test compares)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import LangDep, ScopeDep, StoreDep
from api.pages import page
from graph.analysis.funding import (
    Benchmark,
    FundingResult,
    Untapped,
    benchmark,
    county_s3_areas,
    funding,
    store_facts,
    untapped,
)
from graph.analysis.scope import Scope
from graph.geo import one_county
from graph.model import ActorKind
from viz.funding import funding_page

router = APIRouter(tags=["funding"])


@router.get("/funding")
def get_funding(
    store: StoreDep,
    scope: ScopeDep,
    top: Annotated[int, Query(ge=1, le=1000, description="actors listed")] = 25,
) -> FundingResult:
    """EU money captured by the scope's actors: by county, programme, part, S3 area, year, role, actor.

    Every total carries the share of its participations whose amount the source does not give.
    """
    facts, names = store_facts(store)
    return funding(facts, scope, names, top=top)


@router.get("/funding/benchmark")
def get_benchmark(
    store: StoreDep,
    scope: ScopeDep,
    no_universities: Annotated[bool, Query(description="leave universities out")] = False,
    kind: Annotated[
        list[ActorKind] | None, Query(max_length=40, description="only these actor kinds")
    ] = None,
) -> Benchmark:
    """Every county per inhabitant against the Swedish median; sentences for the scope's counties."""
    facts, names = store_facts(store)
    kinds = [k.value for k in kind or ()]
    return benchmark(facts, scope, names, exclude_universities=no_universities, kinds=kinds)


@router.get("/funding/untapped")
def get_untapped(
    store: StoreDep,
    county: Annotated[str, Query(max_length=4, description="SCB county code, e.g. 10")],
    programme: Annotated[list[str] | None, Query(max_length=60)] = None,
    max_ratio: Annotated[float, Query(ge=0, le=100)] = 0.5,
    top: Annotated[int, Query(ge=1, le=200)] = 15,
) -> Untapped:
    """Parts and call-topic clusters on the county's S3 areas where it captures little, and who does."""
    county = one_county(county)
    facts, names = store_facts(store)
    scope = Scope.parse(["all"], programme or ())
    areas = county_s3_areas(store.themes(), county)
    return untapped(facts, county, areas, scope, names, max_ratio=max_ratio, top=top)


@router.get("/views/funding", response_class=HTMLResponse)
def funding_view(store: StoreDep, scope: ScopeDep, lang: LangDep) -> HTMLResponse:
    """The funding page: bars by programme, a line by year, the county ranking, the totals and, for one
    county, the untapped programme parts."""
    facts, names = store_facts(store)
    result = funding(facts, scope, names)
    ranking = benchmark(facts, scope, names)
    gaps = None
    if len(scope.counties) == 1:  # one county: where its S3 areas point but its actors capture little
        county = scope.counties[0]
        everyone = Scope.parse(["all"], scope.programme, (), scope.start_year, scope.end_year)
        gaps = untapped(facts, county, county_s3_areas(store.themes(), county), everyone, names, top=8)
    return page(funding_page(result, ranking, lang=lang, gaps=gaps))
