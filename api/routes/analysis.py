"""Network analyses over HTTP, with the same scoping parameters as `innograph analyze`.

`GET /analysis/{centrality|brokerage|isolated|counties|themes|communities}`; each has its own
response model in the OpenAPI schema. Results are cached per data version (`api.analysis_cache`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.analysis_cache import cached_analysis
from api.deps import StoreDep
from graph.analysis import Scope
from graph.analysis.models import (
    BrokerageResult,
    CentralityResult,
    CommunitiesResult,
    CountiesResult,
    IsolatedResult,
    ThemesResult,
)
from graph.errors import InvalidInput
from graph.geo import COUNTIES

router = APIRouter(prefix="/analysis", tags=["analysis"])

ANALYSES: dict[str, tuple[type[BaseModel], str]] = {
    "centrality": (
        CentralityResult,
        "Who is central: degree, weighted degree, betweenness, PageRank, closeness.",
    ),
    "brokerage": (
        BrokerageResult,
        "Who bridges: Burt's constraint and effective size, cross-county and cross-community links.",
    ),
    "isolated": (IsolatedResult, "Isolated and peripheral actors, each with the rule that flagged it."),
    "counties": (CountiesResult, "Collaboration between counties: shared projects against a null model."),
    "themes": (ThemesResult, "Themes and the counties present or missing in them."),
    "communities": (
        CommunitiesResult,
        "Communities (Louvain, fixed seed) and how they align with counties and themes.",
    ),
}
MAX_TOP = 1000


def make_scope(
    county: list[str] | None,
    programme: list[str] | None,
    theme: list[str] | None,
    start: int | None,
    end: int | None,
) -> Scope:
    """A `Scope` from request parameters: no county means South Sweden, `county=all` every actor."""
    codes = [c.strip() for raw in county or [] for c in raw.split(",") if c.strip()]
    if any(c.lower() == "all" for c in codes):
        counties: tuple[str, ...] | None = ()
    elif codes:
        for c in codes:
            if c not in COUNTIES:
                raise InvalidInput(
                    f"unknown county code {c!r}: use an SCB code such as 10 (Blekinge), or 'all'"
                )
        counties = tuple(sorted(set(codes)))
    else:
        counties = None
    extra: dict[str, Any] = {} if counties is None else {"counties": counties}
    return Scope(
        programme=tuple(programme or ()),
        theme=tuple(theme or ()),
        start_year=start,
        end_year=end,
        **extra,
    )


CountyQ = Annotated[
    list[str] | None,
    Query(max_length=40, description="SCB county codes (repeatable); default South Sweden; 'all'"),
]
ProgrammeQ = Annotated[
    list[str] | None, Query(max_length=60, description="only projects of these programmes")
]
ThemeQ = Annotated[list[str] | None, Query(max_length=300, description="only projects on these theme ids")]
FromQ = Annotated[
    int | None, Query(alias="from", ge=1950, le=2100, description="projects starting in or after")
]
ToQ = Annotated[int | None, Query(alias="to", ge=1950, le=2100, description="projects starting in or before")]
TopQ = Annotated[int | None, Query(ge=1, le=MAX_TOP, description="only the first N rows of each list")]


def _endpoint(name: str, model: type[BaseModel], doc: str) -> Callable[..., BaseModel]:
    def endpoint(
        store: StoreDep,
        county: CountyQ = None,
        programme: ProgrammeQ = None,
        theme: ThemeQ = None,
        start: FromQ = None,
        end: ToQ = None,
        top: TopQ = 100,
    ) -> BaseModel:
        return cached_analysis(store, name, make_scope(county, programme, theme, start, end), top=top)

    endpoint.__name__ = f"analysis_{name}"
    endpoint.__doc__ = doc
    return endpoint


for _name, (_model, _doc) in ANALYSES.items():
    router.add_api_route(f"/{_name}", _endpoint(_name, _model, _doc), methods=["GET"], response_model=_model)
