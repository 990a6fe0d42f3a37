"""`/calls`: call topics matched to the region's actors (JSON), the same as `innograph calls match`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.pages import page
from graph.calls import CallsResult, CallTopic, parse_calls, run_calls
from graph.errors import InvalidInput, NotFound
from graph.geo import COUNTIES, SOUTH_SWEDEN
from viz.page import render_page

router = APIRouter(tags=["calls"])
MAX_TEXT = 200_000


@router.get("/calls")
def calls_get(
    store: StoreDep,
    code: Annotated[
        str, Query(max_length=200, description="call topic code, e.g. HORIZON-CL5-2024-D3-01-05")
    ] = "",
    title: Annotated[str, Query(max_length=1000, description="call topic title")] = "",
    description: Annotated[str, Query(max_length=20_000, description="call topic text")] = "",
    topics: Annotated[
        str, Query(max_length=MAX_TEXT, description="several topics: lines 'CODE title', or CSV/JSONL text")
    ] = "",
    county: Annotated[
        list[str] | None, Query(max_length=20, description="SCB county code; default South Sweden")
    ] = None,
    actor: Annotated[str | None, Query(max_length=300, description="the topics that fit this actor")] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
    partners: Annotated[int, Query(ge=0, le=10)] = 3,
) -> CallsResult:
    """The region's actors whose past work fits each call topic, with evidence and partners to complete it."""
    found = parse_calls(topics, "topics") if topics.strip() else []
    if code.strip() or title.strip():
        found.insert(
            0,
            CallTopic(code=code.strip() or title.strip()[:80], title=title.strip(), description=description),
        )
    return run_calls(store, found, county or [], actor, top, partners)


@router.post("/calls")
def calls_post(
    store: StoreDep,
    text: Annotated[
        str, Body(media_type="text/plain", max_length=5_000_000, description="CSV or JSONL of call topics")
    ],
    county: Annotated[list[str] | None, Query(max_length=20)] = None,
    actor: Annotated[str | None, Query(max_length=300)] = None,
    top: Annotated[int, Query(ge=1, le=200)] = 20,
    partners: Annotated[int, Query(ge=0, le=10)] = 3,
) -> CallsResult:
    """The same for a whole call list sent as the request body (the F&T topic export, CORDIS topics.csv)."""
    return run_calls(store, parse_calls(text, "body"), county or [], actor, top, partners)


@router.get("/views/calls", response_class=HTMLResponse, include_in_schema=False)
def calls_page(
    store: StoreDep,
    topics: Annotated[str, Query(max_length=MAX_TEXT)] = "",
    county: Annotated[str, Query(max_length=20)] = "",
    actor: Annotated[str, Query(max_length=300)] = "",
    top: Annotated[int, Query(ge=1, le=100)] = 20,
) -> HTMLResponse:
    """The page: paste call topics, pick a county or an actor, read the fitting actors and partners."""
    result = None
    message = None
    if topics.strip():
        try:
            result = run_calls(
                store, parse_calls(topics, "topics"), [county] if county else [], actor or None, top, 3
            )
        except (InvalidInput, NotFound) as e:
            message = str(e)
    else:
        message = (
            "Paste one or more call topics (code and title) to see which of the region's actors fit them."
        )
    if result is not None and actor:
        region_label = result.region[0]
    elif county in COUNTIES:
        region_label = COUNTIES[county].name
    else:
        region_label = "South Sweden"
    return page(
        render_page(
            "calls.html",
            result=result,
            message=message,
            topics_text=topics,
            county=county,
            actor=actor,
            counties=[COUNTIES[c] for c in SOUTH_SWEDEN],
            region_label=region_label,
        )
    )
