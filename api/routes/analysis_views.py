"""The views drawn from an analysis: the county map and the isolated actors against their county."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.analysis_cache import cached_analysis
from api.deps import SettingsDep, StoreDep
from api.pages import page
from api.routes.analysis import CountyQ, FromQ, ProgrammeQ, ThemeQ, ToQ, make_scope
from graph.analysis import Scope
from graph.analysis.models import CountiesResult, IsolatedResult
from graph.geo import SOUTH_SWEDEN
from viz.counties import county_view
from viz.isolated import flags_from, isolated_view
from viz.page import render_view

router = APIRouter(tags=["views"])


def scope_text(scope: Scope) -> str:
    parts = []
    if scope.programme:
        parts.append("programmes " + ", ".join(scope.programme))
    if scope.theme:
        parts.append("themes " + ", ".join(scope.theme))
    if scope.start_year is not None or scope.end_year is not None:
        parts.append(f"projects starting {scope.start_year or '…'}–{scope.end_year or '…'}")
    return ("Scope: " + "; ".join(parts) + ".") if parts else ""


@router.get("/views/counties", response_class=HTMLResponse)
def counties_page(
    store: StoreDep,
    county: CountyQ = None,
    programme: ProgrammeQ = None,
    theme: ThemeQ = None,
    start: FromQ = None,
    end: ToQ = None,
) -> HTMLResponse:
    """Counties on the map, linked by shared projects, coloured by observed/expected collaboration."""
    scope = make_scope(county, programme, theme, start, end)
    result = cached_analysis(store, "counties", scope, top=None)
    assert isinstance(result, CountiesResult)
    data = result.model_dump()
    return page(render_view(county_view(data["counties"], data["pairs"], scope_text(scope))))


@router.get("/views/isolated", response_class=HTMLResponse)
def isolated_page(
    store: StoreDep,
    settings: SettingsDep,
    county: CountyQ = None,
    programme: ProgrammeQ = None,
    theme: ThemeQ = None,
    start: FromQ = None,
    end: ToQ = None,
    max_nodes: Annotated[int, Query(ge=10, le=1000, description="cap on actors drawn")] = 300,
) -> HTMLResponse:
    """Isolated and peripheral actors highlighted against their county's collaboration network."""
    scope = make_scope(county, programme, theme, start, end)
    result = cached_analysis(store, "isolated", scope, top=None)
    assert isinstance(result, IsolatedResult)
    counties = list(scope.counties) or list(SOUTH_SWEDEN)
    view = isolated_view(
        store,
        flags_from(result.model_dump()),
        counties,
        max_nodes=min(max_nodes, settings.api_max_nodes),
        scope_text=scope_text(scope),
    )
    return page(render_view(view))
