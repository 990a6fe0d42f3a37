"""The pages people look at: the start page, the network views and the files they load (no CDN)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse

from api.deps import LangDep, SettingsDep, StoreDep
from api.pages import page
from api.routes.partners import QueryDep, answer, split_values
from graph.errors import NotFound
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.model import ActorKind, ThemeKind
from viz.ego import ego_view
from viz.page import STATIC_FILES, render_page, render_view, script_json
from viz.partner_view import partner_view
from viz.theme import theme_view

router = APIRouter(tags=["views"])

MAX_THEMES_ON_START = 40


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def start(store: StoreDep, lang: LangDep) -> HTMLResponse:
    """The start page: search actors, open their network, the overviews and the partner finder."""
    themes = store.themes()
    # The seeds' smart-specialisation areas first (what a region works on), programme parts after.
    s3 = sorted((t for t in themes if t.kind is ThemeKind.s3_area), key=lambda t: (t.county_codes, t.name))
    others = [t for t in themes if t.kind is not ThemeKind.s3_area]
    with_s3 = {c for t in s3 for c in t.county_codes}
    return page(
        render_page(
            "start.html",
            lang=lang,
            s3_themes=s3,
            s3_missing=", ".join(COUNTIES[c].short_name for c in SOUTH_SWEDEN if c not in with_s3),
            county_short={c.code: c.short_name for c in COUNTIES.values()},
            other_themes=others[:MAX_THEMES_ON_START],
            more_other_themes=others[MAX_THEMES_ON_START:],
            stats=store.stats(),
            counties=sorted(COUNTIES.values(), key=lambda c: c.name),
            county_names=script_json({c.code: c.name for c in COUNTIES.values()}),
            south=[COUNTIES[c] for c in SOUTH_SWEDEN],
            all_themes=themes,
            kinds=[k.value for k in ActorKind],
        )
    )


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """The few files a page loads: vis-network from the installed pyvis package, our JS and CSS."""
    path = STATIC_FILES.get(name)
    if path is None:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/views/actor/{actor_id:path}", response_class=HTMLResponse)
def actor_view(
    actor_id: str,
    store: StoreDep,
    settings: SettingsDep,
    lang: LangDep,
    depth: Annotated[int, Query(ge=1, le=2, description="collaboration hops: 1 or 2")] = 1,
    max_nodes: Annotated[int, Query(ge=2, le=1000, description="cap on actors shown")] = 150,
) -> HTMLResponse:
    """The ego network of one actor as an interactive page (pyvis / vis-network)."""
    view = ego_view(store, actor_id, depth=depth, max_nodes=min(max_nodes, settings.api_max_nodes), lang=lang)
    return page(render_view(view, lang))


@router.get("/views/theme/{theme_id:path}", response_class=HTMLResponse)
def theme_page(
    theme_id: str,
    store: StoreDep,
    settings: SettingsDep,
    lang: LangDep,
    max_projects: Annotated[int, Query(ge=1, le=200, description="cap on projects shown")] = 60,
) -> HTMLResponse:
    """A theme's projects and the actors in them (bipartite view)."""
    view = theme_view(
        store, theme_id, max_projects=max_projects, max_actors=settings.api_max_nodes, lang=lang
    )
    return page(render_view(view, lang))


@router.get("/views/partners", response_class=HTMLResponse)
def partners_page(
    store: StoreDep,
    lang: LangDep,
    query: QueryDep,
    members: Annotated[
        list[str] | None, Query(max_length=300, description="older name of `with`, kept for saved links")
    ] = None,
) -> HTMLResponse:
    """The partner finder's answer as a page: the same query and answer as `GET /partners` and the CLI."""
    if members:
        extra = split_values(members)[:50]
        query = query.model_copy(update={"members": [*query.members, *extra]})
    return page(render_view(partner_view(answer(store, query), lang), lang))
