"""The views drawn from an analysis: the county map and the isolated actors against their county."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api import background
from api.background import cached_analysis
from api.deps import LangDep, ScopeDep, SettingsDep, StoreDep
from api.pages import page
from graph.analysis.run import on_graphs
from graph.analysis.scope import Scope
from graph.geo import SOUTH_SWEDEN
from graph.store.base import GraphStore
from viz.counties import county_view
from viz.isolated import flags_from, isolated_view
from viz.page import render_view
from viz.texts import scope_words

router = APIRouter(tags=["views"])


@router.get("/views/counties", response_class=HTMLResponse)
def counties_page(
    store: StoreDep,
    scope: ScopeDep,
    lang: LangDep,
) -> HTMLResponse:
    """Counties on the map, linked by shared projects, coloured by observed/expected collaboration."""
    result = cached_analysis(store, "counties", scope, top=None)
    data = result.model_dump()
    return page(
        render_view(
            county_view(
                data["counties"], data["pairs"], scope_words(scope, lang), result.partial_sources, lang
            ),
            lang,
        )
    )


@router.get("/views/isolated", response_class=HTMLResponse)
def isolated_page(
    store: StoreDep,
    settings: SettingsDep,
    scope: ScopeDep,
    lang: LangDep,
    max_nodes: Annotated[int, Query(ge=10, le=1000, description="cap on actors drawn")] = 300,
) -> HTMLResponse:
    """Isolated and peripheral actors highlighted against their county's collaboration network."""
    cached_analysis(store, "isolated", scope, top=None)  # 202 while the analysis runs
    return page(isolated_html(store, scope, min(max_nodes, settings.api_max_nodes), lang))


def isolated_html(store: GraphStore, scope: Scope, max_nodes: int, lang: str = "en") -> str:
    """The isolated view's page, built once per store version (`graph.cache`, kept beside the store)."""

    def build(_: object) -> str:
        result = background.run_analysis(store, "isolated", scope, top=None)
        counties = list(scope.counties) or list(SOUTH_SWEDEN)
        view = isolated_view(
            store,
            flags_from(result.model_dump()),
            counties,
            max_nodes=max_nodes,
            scope_text=scope_words(scope, lang),
            partial_sources=result.partial_sources,
            lang=lang,
        )
        return render_view(view, lang)

    return on_graphs(store, f"page:isolated:{scope!r}:{max_nodes}:{lang}", build)
