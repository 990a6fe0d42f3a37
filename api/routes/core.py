"""Health, actors and projects."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import SettingsDep, StoreDep
from api.measures import Status, actor_measures
from graph.analysis import CentralityRow, store_identity
from graph.detail import ActorDetail, ProjectDetail, actor_detail, project_detail
from graph.errors import InvalidInput
from graph.geo import COUNTIES
from graph.model import Actor, ActorKind, Project
from graph.store import ActorFilter, ProjectFilter

router = APIRouter()

# Search pages remembered per store data version (a new ingest changes the version, so nothing stale
# is served): popular queries ("blekinge", "region") then cost a dictionary lookup, not a table scan.
SEARCH_CACHE_SIZE = 512
_search_cache: OrderedDict[tuple[Hashable, ...], ActorPage] = OrderedDict()
_search_lock = threading.Lock()


class Health(BaseModel):
    status: str
    store_version: int


class ActorPage(BaseModel):
    total: int
    limit: int
    offset: int
    data: list[Actor]


class ActorDetailOut(ActorDetail):
    measures: CentralityRow | None = Field(
        description="network measures from the centrality analysis (whole graph, reported per county)"
    )
    measures_status: Status = Field(
        description="ready; computing (first request on a large graph: ask again shortly); "
        "not_applicable (no Swedish county); failed"
    )


class ProjectPage(BaseModel):
    total: int
    limit: int
    offset: int
    data: list[Project]


@router.get("/health", tags=["meta"])
def health(store: StoreDep) -> Health:
    """Liveness and the store's data version."""
    return Health(status="ok", store_version=store.version())


@router.get("/actors", tags=["actors"])
def list_actors(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="name or alias, accents optional")] = "",
    kind: Annotated[list[ActorKind] | None, Query()] = None,
    county: Annotated[list[str] | None, Query(description="SCB county code")] = None,
    country: Annotated[list[str] | None, Query(description="ISO 3166 alpha-2")] = None,
    programme: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ActorPage:
    """Search actors by name, filtered by kind, county, country, programme or theme; paginated."""
    for c in county or []:
        if c not in COUNTIES:
            raise InvalidInput(f"unknown county code {c!r}")
    limit = min(limit, settings.api_max_page)
    flt = ActorFilter(
        county=tuple(county or ()),
        kind=tuple(kind or ()),
        country=tuple(c.upper() for c in country or ()),
        programme=tuple(programme or ()),
        theme=tuple(theme or ()),
    )
    key = (store_identity(store), store.version(), q, flt, limit, offset)
    with _search_lock:
        hit = _search_cache.get(key)
        if hit is not None:
            _search_cache.move_to_end(key)
            return hit
    data, total = store.search_actors(q, flt, limit=limit, offset=offset)
    page = ActorPage(total=total, limit=limit, offset=offset, data=data)
    with _search_lock:
        _search_cache[key] = page
        while len(_search_cache) > SEARCH_CACHE_SIZE:
            _search_cache.popitem(last=False)
    return page


@router.get("/actors/{actor_id:path}", tags=["actors"])
def get_actor(actor_id: str, store: StoreDep) -> ActorDetailOut:
    """One actor (by id or any identifier it carries) with its projects, partners and network measures."""
    detail = actor_detail(store, actor_id)
    measures, status = actor_measures(store, detail.actor)
    return ActorDetailOut(**dict(detail), measures=measures, measures_status=status)


@router.get("/projects", tags=["projects"])
def list_projects(
    store: StoreDep,
    q: Annotated[str, Query(max_length=200)] = "",
    programme: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    actor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ProjectPage:
    """Search projects by title or acronym, filtered by programme, theme or member actor; paginated."""
    flt = ProjectFilter(programme=tuple(programme or ()), theme=tuple(theme or ()), actor=actor)
    data, total = store.search_projects(q, flt, limit=limit, offset=offset)
    return ProjectPage(total=total, limit=limit, offset=offset, data=data)


@router.get("/projects/{project_id:path}", tags=["projects"])
def get_project(project_id: str, store: StoreDep) -> ProjectDetail:
    """One project with its members and their roles."""
    return project_detail(store, project_id)
