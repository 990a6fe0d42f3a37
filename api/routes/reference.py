"""Reference data and totals: counties, themes, store statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import StoreDep
from graph.geo import COUNTIES, SOUTH_SWEDEN
from graph.model import Theme, ThemeKind
from graph.store.base import Stats

router = APIRouter()


class CountyOut(BaseModel):
    code: str
    name: str
    short_name: str
    nuts3: str
    lon: float
    lat: float
    south_sweden: bool
    actors: int


@router.get("/counties", tags=["reference"])
def list_counties(store: StoreDep) -> list[CountyOut]:
    """The 21 Swedish counties (SCB codes, NUTS 3, centroid) with how many actors each has."""
    counts = store.stats().actors_by_county
    return [
        CountyOut(
            code=c.code,
            name=c.name,
            short_name=c.short_name,
            nuts3=c.nuts3,
            lon=c.lon,
            lat=c.lat,
            south_sweden=c.code in SOUTH_SWEDEN,
            actors=counts.get(c.code, 0),
        )
        for c in sorted(COUNTIES.values(), key=lambda c: c.code)
    ]


@router.get("/themes", tags=["reference"])
def list_themes(
    store: StoreDep, kind: Annotated[list[ThemeKind] | None, Query(description="only these kinds")] = None
) -> list[Theme]:
    """Smart-specialisation areas, programme parts and policy objectives that projects address."""
    wanted = set(kind or ())
    return [t for t in store.themes() if not wanted or t.kind in wanted]


@router.get("/stats", tags=["reference"])
def stats(store: StoreDep) -> Stats:
    """Counts of actors (by kind, county, country), projects (by programme) and participations."""
    return store.stats()
