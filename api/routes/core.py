"""Health, actors and projects."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.background import MeasuresStatus, Progress, actor_measures
from api.deps import SettingsDep, StoreDep
from graph.analysis import CentralityRow
from graph.cache import cache_for
from graph.detail import ActorDetail, ProjectDetail, actor_detail, project_detail
from graph.errors import InvalidInput
from graph.geo import BLANK, county_codes
from graph.model import Actor, ActorKind, Project
from graph.store import ActorFilter, ProjectFilter

router = APIRouter()


class Health(BaseModel):
    status: str
    store_version: int
    ready: bool = Field(
        description="the derived data (analyses, measures, county figures, partner index) of this "
        "store version is built: every page answers at once"
    )
    derived: Progress | None = Field(
        description="what is being computed, with progress (null when this server does not precompute)"
    )


class ActorPage(BaseModel):
    total: int
    limit: int
    offset: int
    data: list[Actor]


class ActorDetailOut(ActorDetail):
    measures: CentralityRow | None = Field(
        description="network measures from the centrality analysis (whole graph, reported per county)"
    )
    measures_status: MeasuresStatus = Field(
        description="ready; computing (first request on a large graph: ask again shortly); "
        "not_applicable (no Swedish county); failed"
    )


class ProjectPage(BaseModel):
    total: int
    limit: int
    offset: int
    data: list[Project]


@router.get("/health", tags=["meta"])
def health(request: Request, store: StoreDep) -> Health:
    """Liveness, the store's data version, and whether its derived data is built (`ready`)."""
    version = store.version()
    job = request.app.state.precompute
    progress: Progress | None = job.progress() if job is not None else None
    ready = bool(progress is not None and progress.ready and progress.version == version)
    return Health(status="ok", store_version=version, ready=ready, derived=progress)


def countries(values: list[str] | None) -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes as the schema states them (any case, white space around; blank is none)."""
    out = []
    for raw in values or ():
        c = raw.strip(BLANK).upper()
        if c and not (len(c) == 2 and c.isascii() and c.isalpha()):
            raise InvalidInput(f"country {raw!r} is not an ISO 3166 alpha-2 code such as SE")
        if c:
            out.append(c)
    return tuple(out)


@router.get("/actors", tags=["actors"])
def list_actors(
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="name or alias, accents optional")] = "",
    kind: Annotated[list[ActorKind] | None, Query()] = None,
    county: Annotated[
        list[str] | None,
        Query(description="SCB county codes (repeatable or comma-separated), or south-sweden"),
    ] = None,
    country: Annotated[list[str] | None, Query(description="ISO 3166 alpha-2")] = None,
    programme: Annotated[list[str] | None, Query()] = None,
    theme: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ActorPage:
    """Search actors by name, filtered by kind, county, country, programme or theme; paginated."""
    limit = min(limit, settings.api_max_page)
    flt = ActorFilter(
        county=county_codes(county, allow_all=False) or (),
        kind=tuple(kind or ()),
        country=countries(country),
        programme=tuple(programme or ()),
        theme=tuple(theme or ()),
    )

    # Search pages are derived data too (memory only): popular queries ("blekinge", "region") then
    # cost a dictionary lookup, not a table scan, until the next ingest.
    def search() -> ActorPage:
        data, total = store.search_actors(q, flt, limit=limit, offset=offset)
        return ActorPage(total=total, limit=limit, offset=offset, data=data)

    key = f"search:actors:{(q, flt, limit, offset)!r}"
    return cache_for(store).get(store, key, search, persist=False, stale=False)


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
