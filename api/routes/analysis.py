"""Network analyses over HTTP, with the same scoping parameters as `innograph analyze`.

`GET /analysis/{centrality|brokerage|isolated|counties|themes|communities}`; each has its own
response model in the OpenAPI schema. Results are cached per data version (`api.background`, `graph.cache`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.background import cached_analysis
from api.deps import ScopeDep, StoreDep
from graph.analysis.models import (
    BrokerageResult,
    CentralityResult,
    CommunitiesResult,
    CountiesResult,
    IsolatedResult,
    ThemesResult,
)

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


TopQ = Annotated[int | None, Query(ge=1, le=MAX_TOP, description="only the first N rows of each list")]


def _endpoint(name: str, model: type[BaseModel], doc: str) -> Callable[..., BaseModel]:
    def endpoint(
        store: StoreDep,
        scope: ScopeDep,
        top: TopQ = 100,
    ) -> BaseModel:
        return cached_analysis(store, name, scope, top=top)

    endpoint.__name__ = f"analysis_{name}"
    endpoint.__doc__ = doc
    return endpoint


for _name, (_model, _doc) in ANALYSES.items():
    router.add_api_route(f"/{_name}", _endpoint(_name, _model, _doc), methods=["GET"], response_model=_model)
